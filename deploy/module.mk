# deploy/: systemd units, container and Kubernetes files, Prometheus rules.
#
#   make install-deploy   (run by `make install`, same DESTDIR and PREFIX)
#       $(PREFIX)/lib/systemd/system/vigil-{supervisor,apiserver}.service
#       $(PREFIX)/lib/tmpfiles.d/vigil.conf
#       $(PREFIX)/share/vigil/deploy/...   examples: config, compose,
#                                          Kubernetes, Prometheus
#   make check-deploy     (run by `make test`) tests/deploy/run.sh

UNITDIR		:= $(DESTDIR)$(PREFIX)/lib/systemd/system
TMPFILESDIR	:= $(DESTDIR)$(PREFIX)/lib/tmpfiles.d
DEPLOYDIR	:= $(DESTDIR)$(PREFIX)/share/vigil/deploy

DEPLOY_UNITS	:= vigil-supervisor.service vigil-apiserver.service
DEPLOY_K8S	:= $(wildcard deploy/kubernetes/*.yaml)
DEPLOY_PROM	:= deploy/prometheus/prometheus.yml deploy/prometheus/alerts.yml \
		   deploy/prometheus/alerts_test.yml

INSTALL_EXTRA	+= install-deploy
EXTRA_CHECKS	+= check-deploy

.PHONY: install-deploy
install-deploy:
	install -d $(UNITDIR) $(TMPFILESDIR) $(DEPLOYDIR)/systemd \
	    $(DEPLOYDIR)/docker $(DEPLOYDIR)/kubernetes $(DEPLOYDIR)/prometheus
	set -e; for u in $(DEPLOY_UNITS); do \
	    sed -e 's|@PREFIX@|$(PREFIX)|g' deploy/systemd/$$u > $(UNITDIR)/$$u; \
	    chmod 0644 $(UNITDIR)/$$u; \
	done
	install -m 0644 deploy/systemd/vigil.conf $(TMPFILESDIR)/vigil.conf
	install -m 0644 deploy/systemd/vigil.toml $(DEPLOYDIR)/systemd/vigil.toml
	install -m 0644 deploy/docker-compose.yml $(DEPLOYDIR)/docker-compose.yml
	install -m 0644 deploy/docker/Dockerfile deploy/docker/vigil.toml \
	    $(DEPLOYDIR)/docker/
	install -m 0644 $(DEPLOY_K8S) $(DEPLOYDIR)/kubernetes/
	install -m 0644 $(DEPLOY_PROM) $(DEPLOYDIR)/prometheus/

# The checks need the daemons, the demo plugins and the state tool only.
DEPLOY_CHECK_DEPS := $(O)/bin/vigil-supervisor $(O)/bin/vigil-apiserver \
		     $(O)/plugins/antiabuse/antiabuse $(O)/plugins/flaky/flaky \
		     $(O)/tests/tools/vigilstate

.PHONY: check-deploy
check-deploy: $(DEPLOY_CHECK_DEPS)
	@VIGIL_BUILD=$(abspath $(O)) tests/deploy/run.sh

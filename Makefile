# Vigil: one non-recursive GNU Makefile. Each directory adds its objects in
# its own module.mk; this file holds the flags, the rules and the targets.
#
#   make            build everything into build/
#   make test       install missing packages, build, run every test
#                   (unit, stress, system; then again under ASan+UBSan)
#   make demo       run the supervisor, the API and the demo plugins
#   make install    PREFIX=/usr/local DESTDIR=
#
# O selects the output directory, SAN=1 builds with ASan+UBSan.

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

VERSION		:= 0.1.0
PREFIX		?= /usr/local
DESTDIR		?=
O		?= build
SAN		?= 0
JOBS		?= $(shell nproc 2>/dev/null || echo 2)

CC		?= cc
CXX		?= c++
AR		?= ar
PROTOC_C	?= protoc-c

# STYLE.md's set. log_event() takes printf formats that may be "" (an event
# with no fields), hence -Wno-format-zero-length.
WARNINGS	:= -Wall -Wextra -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Wcast-qual -Wsign-compare -Werror \
		   -Wno-format-zero-length
OPT		?= -O2 -g
ifeq ($(SAN),1)
SANFLAGS	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
OPT		:= -O1 -g
endif

CPPFLAGS	+= -D_GNU_SOURCE -DVIGIL_VERSION=\"$(VERSION)\" \
		   -Iproto -Icommon -Iplugins/sdk -isystem $(O)/gen
CFLAGS		+= -std=c11 $(OPT) $(WARNINGS) -fPIC $(SANFLAGS) -MD -MP
CXXFLAGS	+= -std=c++17 $(OPT) -Wall -Wextra -Wshadow -Werror -fPIC \
		   $(SANFLAGS) -MD -MP
LDFLAGS		+= $(SANFLAGS)

GRPC_LIBS	:= -lgrpc -lgpr -lprotobuf-c
JSON_LIBS	:= -ljson-c
CXX_LIBS	:= -lstdc++

# Generated protobuf-c code: built from proto/*.proto, never committed.
PROTOS		:= $(wildcard proto/*.proto)
GEN_SRCS	:= $(PROTOS:proto/%.proto=$(O)/gen/proto/%.pb-c.c)
GEN_HDRS	:= $(GEN_SRCS:.c=.h)
GEN_OBJS	:= $(GEN_SRCS:$(O)/gen/%.c=$(O)/obj/gen/%.o)

include common/module.mk
include supervisor/module.mk
include apiserver/module.mk
include plugins/module.mk
include tests/module.mk

# Optional parts (each adds targets and may append to EXTRA_CHECKS, the
# checks `make test` runs after the unit, stress and system tests, and to
# INSTALL_EXTRA, targets `make install` runs after its own steps; they see
# the same DESTDIR and PREFIX).
EXTRA_CHECKS	:=
INSTALL_EXTRA	:=
-include deploy/module.mk
-include tests/browser/module.mk
-include tests/faults/module.mk
-include tests/fuzz/module.mk
-include scripts/bench/module.mk

ALL_OBJS	:= $(sort $(COMMON_OBJS) $(LIBVIGIL_OBJS) $(SUPERVISOR_OBJS) \
		   $(APISERVER_OBJS) $(SDK_OBJS) $(PLUGIN_OBJS) $(TEST_OBJS))

.PHONY: all
all: $(BINS) $(LIBS) $(PLUGINS) $(TEST_BINS)

# --- rules ---------------------------------------------------------------

$(GEN_HDRS) $(GEN_SRCS) &: $(PROTOS)
	@mkdir -p $(O)/gen
	$(PROTOC_C) --c_out=$(O)/gen $(PROTOS)

$(O)/obj/gen/%.o: $(O)/gen/%.c $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/obj/%.o: %.c | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/obj/%.o: %.cc | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

$(O)/lib/libproto.a: $(GEN_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(O)/lib/libcommon.a: $(COMMON_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

-include $(ALL_OBJS:.o=.d) $(GEN_OBJS:.o=.d)

# --- dependencies, tests, demo -------------------------------------------

.PHONY: deps
deps:
	@scripts/deps.sh

.PHONY: check check-unit check-stress check-system check-sanitize test
check: check-unit check-stress check-system

check-unit: all
	@tests/unit/run.sh $(O)

check-stress: all
	@$(O)/tests/torn_stress $(STRESS_ARGS)

check-system: all
	@VIGIL_BUILD=$(abspath $(O)) VIGIL_SAN=$(SAN) tests/system/run.sh

# The sanitizer pass re-runs the unit, stress and system tests against an
# ASan+UBSan build in its own directory.
check-sanitize:
	@$(MAKE) --no-print-directory -j$(JOBS) O=$(O)/san SAN=1 all
	@$(MAKE) --no-print-directory O=$(O)/san SAN=1 check

test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory check-sanitize
	@for c in $(EXTRA_CHECKS); do \
	    $(MAKE) --no-print-directory $$c || exit 1; done

.PHONY: demo health-monitoring
demo health-monitoring: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@VIGIL_BUILD=$(abspath $(O)) scripts/demo.sh

# --- install -------------------------------------------------------------

BINDIR		:= $(DESTDIR)$(PREFIX)/bin
LIBDIR		:= $(DESTDIR)$(PREFIX)/lib
INCDIR		:= $(DESTDIR)$(PREFIX)/include
LIBEXECDIR	:= $(DESTDIR)$(PREFIX)/libexec/vigil
SHAREDIR	:= $(DESTDIR)$(PREFIX)/share/vigil

.PHONY: install
install: $(BINS) $(LIBS) $(PLUGINS)
	install -d $(BINDIR) $(LIBDIR)/pkgconfig $(INCDIR) $(SHAREDIR)
	install -m 0755 $(O)/bin/vigil-supervisor $(O)/bin/vigil-apiserver $(BINDIR)/
	install -m 0755 $(O)/lib/libvigil.so.0 $(LIBDIR)/
	ln -sf libvigil.so.0 $(LIBDIR)/libvigil.so
	install -m 0644 $(O)/lib/libvigil.a $(O)/lib/libvigil-plugin.a $(LIBDIR)/
	install -m 0644 common/vigil.h proto/vigil_shm.h plugins/sdk/vigil_plugin.h $(INCDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    common/vigil.pc.in > $(LIBDIR)/pkgconfig/vigil.pc
	chmod 0644 $(LIBDIR)/pkgconfig/vigil.pc
	set -e; for p in $(PLUGIN_NAMES); do \
	    install -d $(LIBEXECDIR)/plugins/$$p; \
	    install -m 0755 $(O)/plugins/$$p/$$p $(LIBEXECDIR)/plugins/$$p/; \
	    install -m 0644 plugins/$$p/plugin.toml $(LIBEXECDIR)/plugins/$$p/; \
	done
	install -m 0644 deploy/vigil.toml.example $(SHAREDIR)/
	if [ -d apiserver/www ]; then \
	    install -d $(SHAREDIR)/www; \
	    install -m 0644 apiserver/www/* $(SHAREDIR)/www/; \
	fi
	@for t in $(INSTALL_EXTRA); do \
	    $(MAKE) --no-print-directory $$t || exit 1; done

.PHONY: clean
clean:
	rm -rf $(O)

#!/bin/bash
# deploy/kubernetes parses (kustomization and every resource, with a real
# YAML parser), and the Deployment has the seed's probes on the apiserver
# (liveness /health/liveness 30/10, readiness /health/readiness 5/5, port
# 11371), runAsNonRoot and readOnlyRootFilesystem on the apiserver, the
# memory-backed /dev/shm and the /run/vigil emptyDir shared by both
# containers, resources, Services selecting the pods, a ConfigMap holding
# every mounted key.
#
# kubectl --dry-run=client needs an API server for its type mapping even
# offline, so it is not used. When a kubectl is installed (none is in
# Debian 12 that would work offline; kubernetes-client is 1.20), `kubectl
# kustomize` must render the same objects.
. "$(dirname "$0")/lib.sh"
need
DC kubernetes "$DEPLOY/kubernetes"

# The check itself rejects a wrong probe period.
cp -r "$DEPLOY/kubernetes" "$T/k8s"
sed -i '0,/periodSeconds: 10/s//periodSeconds: 11/' "$T/k8s/deployment.yaml"
DC kubernetes "$T/k8s" 2>/dev/null && fail "the check accepts periodSeconds 11"

if command -v kubectl >/dev/null 2>&1; then
	kubectl kustomize "$DEPLOY/kubernetes" >"$T/rendered.yaml" 2>"$T/kustomize.err" ||
		fail "kubectl kustomize: $(cat "$T/kustomize.err")"
	"$PY" - "$T/rendered.yaml" >"$T/kubectl.objects" <<'PY' || fail "kubectl kustomize output"
import sys
import yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
for d in docs:
    ns = d["metadata"].get("namespace")
    assert d["kind"] == "Namespace" or ns == "vigil", "namespace not set"
    for c in d.get("spec", {}).get("template", {}).get("spec", {}).get(
            "containers", []):
        assert c["image"] == "vigil:0.1.0", c["image"]
print("\n".join(sorted(d["kind"] + "/" + d["metadata"]["name"] for d in docs)))
PY
	DC k8s-objects "$DEPLOY/kubernetes" >"$T/yaml.objects"
	diff -u "$T/yaml.objects" "$T/kubectl.objects" ||
		fail "kubectl kustomize renders other objects"
	echo "kubectl kustomize: $(wc -l <"$T/kubectl.objects") objects, as parsed"
else
	echo "kubectl: not installed, YAML check only"
fi
echo ok

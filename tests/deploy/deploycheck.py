#!/usr/bin/python3
"""Assertions on Vigil's deployment files (tests/deploy/*.sh call these).

Run with Debian's /usr/bin/python3 (python3-yaml). Each subcommand either
prints what a shell test needs or checks and exits 1 with one line per
problem. Subcommands:

  dockerfile FILE DEPS_SH          structural lint of the Dockerfile; its
                                   build stage installs what deps.sh does
  compose                          the output of `docker-compose config`
                                   on stdin: healthcheck, IPC, volumes
  compose-caps FILE SERVICE        capabilities of a compose service
  kubernetes DIR                   the kustomization and its resources
  k8s-caps DIR CONTAINER           capabilities added to a container
  k8s-probe DIR KIND               path of the apiserver's KIND probe
  k8s-objects DIR                  "Kind/name" of each resource, sorted
  k8s-configmap DIR OUTDIR         lay the ConfigMap out as the kubelet
                                   mounts it (items, ..data symlinks)
  unit FILE KEY                    values of KEY in a systemd unit
  units SUPERVISOR APISERVER       the directives the units must have
  rewrite FILE OUT [--path OLD=NEW]... [TABLE.KEY=TOML]...
                                   copy a TOML file, replacing path
                                   prefixes in strings and setting keys
  rules-coverage RULES TESTS       each alert is tested firing and silent
  rule-metrics RULES               metric names the alerts use
  syscalls TRACE UNIT              syscalls in an strace log are allowed
                                   by the unit's SystemCallFilter=
  families TRACE UNIT              socket families in an strace log are
                                   in the unit's RestrictAddressFamilies=
"""
import os
import re
import subprocess
import sys

import yaml

PROBLEMS = []


def check(cond, what):
    if not cond:
        PROBLEMS.append(what)
    return cond


def finish(name):
    if PROBLEMS:
        for p in PROBLEMS:
            print(f"{name}: {p}", file=sys.stderr)
        sys.exit(1)
    print(f"{name}: ok")


def load_all(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


# --- Dockerfile ------------------------------------------------------------

def dockerfile_instructions(path):
    """(instruction, arguments) pairs, continuation lines joined."""
    out, cur = [], ""
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.rstrip("\n")
            if not cur and (not s.strip() or s.lstrip().startswith("#")):
                continue
            if cur and s.lstrip().startswith("#"):
                continue
            if s.endswith("\\"):
                cur += s[:-1] + " "
                continue
            cur += s
            word, _, rest = cur.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
            cur = ""
    return out


def build_packages(deps_sh):
    """The compilers and -dev packages scripts/deps.sh installs."""
    with open(deps_sh, encoding="utf-8") as f:
        m = re.search(r'^PACKAGES="(.*?)"', f.read(), re.S | re.M)
    pkgs = m.group(1).split() if m else []
    want = [p for p in pkgs if p.endswith("-dev") or "compiler" in p or
            p in ("gcc", "g++", "make", "pkg-config")]
    check(len(want) >= 8, f"only {len(want)} build packages in {deps_sh}")
    return want


def cmd_dockerfile(path, deps):
    ins = dockerfile_instructions(path)
    known = {"FROM", "RUN", "COPY", "ADD", "WORKDIR", "USER", "ENV", "ARG",
             "EXPOSE", "HEALTHCHECK", "CMD", "ENTRYPOINT", "LABEL",
             "STOPSIGNAL", "VOLUME", "SHELL", "ONBUILD"}
    for word, _ in ins:
        check(word in known, f"unknown instruction {word}")
    froms = [a for w, a in ins if w == "FROM"]
    check(len(froms) == 2, f"expected 2 stages, got {len(froms)}")
    for a in froms:
        check(a.split()[0] == "debian:bookworm-slim",
              f"stage not on debian:bookworm-slim: FROM {a}")
    stages = [a.split()[2] for a in froms if len(a.split()) == 3]
    check(len(stages) == len(froms) and
          all(a.split()[1].upper() == "AS" for a in froms),
          "every stage is named (FROM image AS name)")
    build = stages[0] if stages else "build"
    # Split the instructions by stage.
    per_stage, cur = [], None
    for w, a in ins:
        if w == "FROM":
            cur = []
            per_stage.append(cur)
        elif cur is not None:
            cur.append((w, a))
    check(ins and ins[0][0] in ("FROM", "ARG"), "starts with FROM")
    if len(per_stage) == 2:
        first, final = per_stage
        runs = " ".join(a for w, a in first if w == "RUN")
        for pkg in build_packages(deps):
            check(re.search(r"(?<![\w.+-])" + re.escape(pkg) + r"(?![\w.+-])",
                            runs) is not None,
                  f"build stage does not install {pkg} (scripts/deps.sh)")
        check(re.search(r"\bmake\b[^&]*\ball\b", runs) is not None,
              "build stage runs make all")
        check(re.search(r"\bmake\b[^&]*DESTDIR=\S+[^&]*\binstall\b", runs)
              is not None, "build stage runs make install DESTDIR=...")
        fruns = " ".join(a for w, a in final if w == "RUN")
        check("-dev" not in fruns and "gcc" not in fruns.split(),
              "runtime stage installs no compiler or -dev package")
        for pkg in ("libgrpc29", "libcivetweb1", "libjson-c5",
                    "libprotobuf-c1", "curl"):
            check(pkg in fruns, f"runtime stage does not install {pkg}")
        check("--no-install-recommends" in fruns,
              "apt-get install --no-install-recommends")
        check("rm -rf /var/lib/apt/lists" in fruns,
              "runtime stage removes the apt lists")
        copies = [a for w, a in final if w == "COPY"]
        check(any(f"--from={build}" in a and "vigil-supervisor" in a and
                  "vigil-apiserver" in a for a in copies),
              "both daemons copied from the build stage")
        check(any(f"--from={build}" in a and "libexec/vigil" in a
                  for a in copies),
              "demo plugins copied from the build stage")
        users = [a for w, a in final if w == "USER"]
        check(len(users) == 1, "exactly one USER in the runtime stage")
        if users:
            u = users[-1].split(":")[0]
            check(u not in ("root", "0"), f"runtime USER is root ({u})")
        hc = [a for w, a in final if w == "HEALTHCHECK"]
        check(len(hc) == 1, "one HEALTHCHECK in the runtime stage")
        if hc:
            check("curl" in hc[0] and "-f" in hc[0] and
                  "localhost:11371/health" in hc[0],
                  "HEALTHCHECK runs curl -f http://localhost:11371/health")
            for opt in ("--interval=30s", "--timeout=10s", "--retries=3"):
                check(opt in hc[0], f"HEALTHCHECK {opt}")
        cmd = [a for w, a in final if w == "CMD"]
        check(cmd and "vigil-apiserver" in cmd[-1],
              "the image runs the apiserver by default")
        check(any(w == "EXPOSE" and "11371" in a for w, a in final),
              "EXPOSE 11371")
    finish("dockerfile")


# --- docker-compose --------------------------------------------------------

def volume_target(v):
    if isinstance(v, dict):
        return v.get("source"), v.get("target"), v.get("read_only", False)
    parts = v.split(":")
    return parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(",")


def cmd_compose():
    doc = yaml.safe_load(sys.stdin)
    services = doc.get("services", {})
    sup, api = services.get("supervisor"), services.get("apiserver")
    if not check(sup and api, "services supervisor and apiserver"):
        finish("compose")
    hc = api.get("healthcheck", {})
    check(hc.get("test") == ["CMD", "curl", "-f",
                             "http://localhost:11371/health"],
          f"apiserver healthcheck test is {hc.get('test')}")
    check(hc.get("interval") == "30s", "healthcheck interval 30s")
    check(hc.get("timeout") == "10s", "healthcheck timeout 10s")
    check(hc.get("retries") == 3, "healthcheck retries 3")
    check(sup.get("ipc") == "shareable", "supervisor ipc: shareable")
    check(api.get("ipc") == "service:supervisor",
          "apiserver ipc: service:supervisor")
    ports = api.get("ports", [])
    check(any((isinstance(p, dict) and p.get("target") == 11371 and
               int(p.get("published", 0)) == 11371) or
              (isinstance(p, str) and p.endswith("11371:11371"))
              for p in ports), "apiserver publishes 11371:11371")
    sv = {volume_target(v)[1]: volume_target(v) for v in sup.get("volumes", [])}
    av = {volume_target(v)[1]: volume_target(v) for v in api.get("volumes", [])}
    if check("/run/vigil" in sv and "/run/vigil" in av,
             "both mount the socket directory /run/vigil"):
        check(sv["/run/vigil"][0] == av["/run/vigil"][0],
              "the same volume at /run/vigil")
        check(sv["/run/vigil"][0] in (doc.get("volumes") or {}),
              "/run/vigil is a named volume")
        check(not sv["/run/vigil"][2], "writable for the supervisor")
        check(av["/run/vigil"][2], "read-only for the apiserver")
    check(str(api.get("user", "")).split(":")[0] not in ("", "0", "root"),
          "apiserver runs as a non-root user")
    check(api.get("cap_drop") == ["ALL"] and not api.get("cap_add"),
          "apiserver has no capabilities")
    check(api.get("read_only") is True, "apiserver read_only")
    check(sup.get("cap_drop") == ["ALL"], "supervisor drops ALL, adds back")
    check("no-new-privileges:true" in api.get("security_opt", []),
          "apiserver no-new-privileges")
    check((sup.get("healthcheck") or {}).get("test") == ["NONE"],
          "the image's healthcheck is disabled on the supervisor")
    check("--config" in api.get("command", []) and
          "--config" in sup.get("command", []), "both get --config")
    finish("compose")


def cmd_compose_caps(path, service):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    print(" ".join(c.lower() for c in
                   doc["services"][service].get("cap_add", [])))


# --- Kubernetes ------------------------------------------------------------

def k8s_resources(d):
    kust = load_all(os.path.join(d, "kustomization.yaml"))[0]
    docs = []
    for r in kust.get("resources", []):
        for doc in load_all(os.path.join(d, r)):
            docs.append(doc)
    return kust, docs


def find(docs, kind, name=None):
    for doc in docs:
        if doc.get("kind") == kind and (
                name is None or doc["metadata"]["name"] == name):
            return doc
    return None


def containers(dep):
    return {c["name"]: c for c in dep["spec"]["template"]["spec"]["containers"]}


def mounts(c):
    return {m["mountPath"]: m for m in c.get("volumeMounts", [])}


def check_probe(c, kind, path, delay, period):
    p = c.get(kind) or {}
    g = p.get("httpGet") or {}
    check(g.get("path") == path, f"{kind} path {g.get('path')} != {path}")
    check(g.get("port") == 11371, f"{kind} port {g.get('port')} != 11371")
    check(p.get("initialDelaySeconds") == delay,
          f"{kind} initialDelaySeconds {p.get('initialDelaySeconds')}")
    check(p.get("periodSeconds") == period,
          f"{kind} periodSeconds {p.get('periodSeconds')}")


def check_basic_shape(docs):
    for doc in docs:
        what = f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
        check(isinstance(doc.get("apiVersion"), str) and doc.get("kind") and
              (doc.get("metadata") or {}).get("name"),
              f"{what}: apiVersion, kind and metadata.name")


def check_deployment_volumes(dep, cm):
    spec = dep["spec"]["template"]["spec"]
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    for c in spec["containers"]:
        for m in c.get("volumeMounts", []):
            check(m["name"] in vols,
                  f"{c['name']} mounts undeclared volume {m['name']}")
    cs = containers(dep)
    sup, api = cs.get("supervisor"), cs.get("apiserver")
    sm, am = mounts(sup), mounts(api)
    for path, medium in (("/dev/shm", "Memory"), ("/run/vigil", None)):
        if not check(path in sm and path in am, f"both mount {path}"):
            continue
        check(sm[path]["name"] == am[path]["name"],
              f"{path}: the same volume in both containers")
        v = vols.get(sm[path]["name"], {})
        check("emptyDir" in v, f"{path} is an emptyDir")
        if medium:
            check((v.get("emptyDir") or {}).get("medium") == medium,
                  f"{path} emptyDir is memory-backed")
        check(not sm[path].get("readOnly"), f"{path} writable by supervisor")
        check(am[path].get("readOnly") is True,
              f"{path} read-only for the apiserver")
    cfg = vols.get("config", {}).get("configMap", {})
    check(cfg.get("name") == cm["metadata"]["name"],
          "the config volume is the ConfigMap")
    for item in cfg.get("items", []):
        check(item["key"] in cm.get("data", {}),
              f"ConfigMap has no key {item['key']}")
    paths = {i["path"] for i in cfg.get("items", [])}
    check("vigil.toml" in paths, "vigil.toml is mounted")
    check(any(re.fullmatch(r"plugins/[a-z0-9][a-z0-9_-]*/plugin\.toml", p)
              for p in paths), "a plugin manifest is mounted")
    for c in (sup, api):
        check(mounts(c).get("/etc/vigil", {}).get("readOnly") is True,
              f"{c['name']} mounts the config read-only at /etc/vigil")


def check_security(dep):
    cs = containers(dep)
    sup, api = cs["supervisor"], cs["apiserver"]
    asc = api.get("securityContext") or {}
    check(asc.get("runAsNonRoot") is True, "apiserver runAsNonRoot")
    check(isinstance(asc.get("runAsUser"), int) and asc["runAsUser"] > 0,
          "apiserver runAsUser is a numeric non-root uid")
    check(asc.get("readOnlyRootFilesystem") is True,
          "apiserver readOnlyRootFilesystem")
    check(asc.get("allowPrivilegeEscalation") is False,
          "apiserver allowPrivilegeEscalation false")
    caps = asc.get("capabilities") or {}
    check(caps.get("drop") == ["ALL"] and not caps.get("add"),
          "apiserver drops every capability")
    ssc = sup.get("securityContext") or {}
    check((ssc.get("capabilities") or {}).get("drop") == ["ALL"],
          "supervisor drops ALL and adds back only what it uses")
    check(ssc.get("allowPrivilegeEscalation") is False,
          "supervisor allowPrivilegeEscalation false")
    check(ssc.get("readOnlyRootFilesystem") is True,
          "supervisor readOnlyRootFilesystem")
    for c in (sup, api):
        r = c.get("resources") or {}
        check((r.get("requests") or {}).get("memory") and
              (r.get("limits") or {}).get("memory"),
              f"{c['name']} has memory requests and limits")


def check_services(docs, dep):
    labels = dep["spec"]["template"]["metadata"]["labels"]
    sel = dep["spec"]["selector"]["matchLabels"]
    check(all(labels.get(k) == v for k, v in sel.items()),
          "the Deployment's selector matches its pod labels")
    api = containers(dep)["apiserver"]
    names = {p.get("name") for p in api.get("ports", [])
             if p.get("containerPort") == 11371}
    services = [d for d in docs if d.get("kind") == "Service"]
    check(services, "a Service")
    for s in services:
        spec = s["spec"]
        check(all(labels.get(k) == v for k, v in spec["selector"].items()),
              f"Service {s['metadata']['name']} selects the pods")
        for p in spec.get("ports", []):
            check(p.get("port") == 11371 and
                  (p.get("targetPort") in names or
                   p.get("targetPort") == 11371),
                  f"Service {s['metadata']['name']} targets port 11371")
    headless = [s for s in services if s["spec"].get("clusterIP") == "None"]
    check(headless and headless[0]["spec"].get("publishNotReadyAddresses"),
          "a headless Service publishing not-ready pods (per-pod scrapes)")
    ann = dep["spec"]["template"]["metadata"].get("annotations", {})
    check(ann.get("prometheus.io/scrape") == "true" and
          ann.get("prometheus.io/port") == "11371",
          "pod annotations for Prometheus")


def cmd_kubernetes(d):
    kust, docs = k8s_resources(d)
    check(kust.get("kind") == "Kustomization", "kustomization.yaml kind")
    check_basic_shape(docs)
    dep, cm = find(docs, "Deployment"), find(docs, "ConfigMap")
    if not check(dep and cm, "a Deployment and a ConfigMap"):
        finish("kubernetes")
    check(dep["apiVersion"] == "apps/v1", "Deployment is apps/v1")
    cs = containers(dep)
    if not check(set(cs) == {"supervisor", "apiserver"},
                 f"containers supervisor and apiserver, got {sorted(cs)}"):
        finish("kubernetes")
    api = cs["apiserver"]
    check(any(p.get("containerPort") == 11371 for p in api.get("ports", [])),
          "apiserver containerPort 11371")
    check_probe(api, "livenessProbe", "/health/liveness", 30, 10)
    check_probe(api, "readinessProbe", "/health/readiness", 5, 5)
    check("vigil-supervisor" in " ".join(cs["supervisor"].get("command", [])),
          "the supervisor container runs vigil-supervisor")
    check("vigil-apiserver" in " ".join(api.get("command", [])),
          "the apiserver container runs vigil-apiserver")
    check_deployment_volumes(dep, cm)
    check_security(dep)
    check_services(docs, dep)
    check("vigil.toml" in cm.get("data", {}), "ConfigMap holds vigil.toml")
    finish("kubernetes")


def cmd_k8s_caps(d, name):
    _, docs = k8s_resources(d)
    c = containers(find(docs, "Deployment"))[name]
    caps = ((c.get("securityContext") or {}).get("capabilities") or {})
    print(" ".join(x.lower() for x in caps.get("add", [])))


def cmd_k8s_probe(d, kind):
    _, docs = k8s_resources(d)
    c = containers(find(docs, "Deployment"))["apiserver"]
    print(c[kind]["httpGet"]["path"])


def cmd_k8s_objects(d):
    kust, docs = k8s_resources(d)
    ns = kust.get("namespace")
    out = []
    for doc in docs:
        out.append(f"{doc['kind']}/{doc['metadata']['name']}")
    print("\n".join(sorted(out)))
    del ns


def cmd_k8s_configmap(d, outdir):
    """The kubelet's atomic-writer layout: OUT/..data -> ..TIMESTAMP/, and
    each top-level entry a symlink into ..data."""
    _, docs = k8s_resources(d)
    dep, cm = find(docs, "Deployment"), find(docs, "ConfigMap")
    vol = [v for v in dep["spec"]["template"]["spec"]["volumes"]
           if "configMap" in v][0]
    ts = os.path.join(outdir, "..2024_01_15_10_30_00.000000001")
    os.makedirs(ts)
    top = set()
    for item in vol["configMap"]["items"]:
        path = os.path.join(ts, item["path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(cm["data"][item["key"]])
        os.chmod(path, 0o644)
        top.add(item["path"].split("/")[0])
    os.symlink(os.path.basename(ts), os.path.join(outdir, "..data"))
    for t in top:
        os.symlink(os.path.join("..data", t), os.path.join(outdir, t))


# --- systemd units ---------------------------------------------------------

def unit_values(path):
    vals = {}
    section = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if not s or s[0] in "#;":
                continue
            if s.startswith("["):
                section = s.strip("[]")
                continue
            k, _, v = s.partition("=")
            vals.setdefault(f"{section}.{k.strip()}", []).append(v.strip())
    return vals


def cmd_unit(path, key):
    for v in unit_values(path).get(key, []):
        print(v)


def expect(vals, key, want, unit):
    got = vals.get(key, [None])[-1]
    check(got == want, f"{unit}: {key}={got}, want {want}")


def cmd_units(sup_path, api_path):
    sup, api = unit_values(sup_path), unit_values(api_path)
    for k, v in (("Service.Type", "notify"), ("Service.NotifyAccess", "main"),
                 ("Service.Restart", "on-failure"),
                 ("Service.KillMode", "mixed"),
                 ("Service.ExecReload", "/bin/kill -HUP $MAINPID"),
                 ("Service.NoNewPrivileges", "yes"),
                 ("Install.WantedBy", "multi-user.target")):
        expect(sup, k, v, "supervisor")
    wd = sup.get("Service.WatchdogSec", ["0"])[-1]
    m = re.fullmatch(r"(\d+)s", wd)
    check(m and 2 <= int(m.group(1)) <= 60,
          f"supervisor: WatchdogSec={wd}: 2s..60s (WATCHDOG=1 every 250 ms)")
    stop = re.fullmatch(r"(\d+)s", sup.get("Service.TimeoutStopSec", [""])[-1])
    check(stop and int(stop.group(1)) > 10,
          "supervisor: TimeoutStopSec longer than stop_timeout (10s)")
    check("--config" in sup.get("Service.ExecStart", [""])[-1],
          "supervisor: ExecStart passes --config")
    for k, v in (("Service.User", "vigil"), ("Service.NoNewPrivileges", "yes"),
                 ("Service.ProtectSystem", "strict"),
                 ("Service.PrivateTmp", "yes"), ("Service.ProtectHome", "yes"),
                 ("Service.CapabilityBoundingSet", ""),
                 ("Service.SystemCallFilter", "~@privileged @resources"),
                 ("Install.WantedBy", "multi-user.target")):
        expect(api, k, v, "apiserver")
    check(api.get("Service.SystemCallFilter", [None])[0] == "@system-service",
          "apiserver: SystemCallFilter=@system-service first")
    fam = set(api.get("Service.RestrictAddressFamilies", [""])[-1].split())
    check(fam == {"AF_UNIX", "AF_INET", "AF_INET6"},
          f"apiserver: RestrictAddressFamilies {sorted(fam)}")
    check("ReadWritePaths" not in " ".join(api),
          "apiserver: nothing writable (connecting to a socket needs no "
          "write access to the file system)")
    finish("units")


# --- TOML rewriting (paths and keys for a local run) -----------------------

def cmd_rewrite(src, out, args):
    paths, keys = [], []
    it = iter(args)
    for a in it:
        if a == "--path":
            old, _, new = next(it).partition("=")
            paths.append((old, new))
        else:
            k, _, v = a.partition("=")
            table, _, key = k.partition(".")
            keys.append([table, key, v, False])
    with open(src, encoding="utf-8") as f:
        lines = f.read().split("\n")
    res, table = [], None
    for line in lines:
        m = re.match(r"\s*\[([^\]]+)\]\s*$", line)
        if m:
            table = m.group(1).strip()
        else:
            km = re.match(r"(\s*)([A-Za-z0-9_]+)\s*=", line)
            for k in keys:
                if km and k[0] == table and k[1] == km.group(2):
                    line = f"{km.group(1)}{k[1]} = {k[2]}"
                    k[3] = True
            for old, new in paths:
                line = re.sub(r'"' + re.escape(old) + r'(?=[/"])',
                              '"' + new, line)
        res.append(line)
    text = "\n".join(res)
    for k in keys:
        if not k[3]:
            hdr = f"[{k[0]}]"
            if hdr in res:
                text = text.replace(hdr, f"{hdr}\n{k[1]} = {k[2]}", 1)
            else:
                text += f"\n{hdr}\n{k[1]} = {k[2]}\n"
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)


# --- Prometheus rules ------------------------------------------------------

def alert_names(rules_path):
    doc = load_all(rules_path)[0]
    return [r for g in doc["groups"] for r in g["rules"] if "alert" in r]


def cmd_rules_coverage(rules_path, tests_path):
    alerts = alert_names(rules_path)
    tests = load_all(tests_path)[0]
    firing, silent = set(), set()
    for t in tests.get("tests", []):
        for a in t.get("alert_rule_test", []):
            (firing if a.get("exp_alerts") else silent).add(a["alertname"])
    names = [a["alert"] for a in alerts]
    for n in names:
        check(n in firing, f"{n}: no test shows it firing")
        check(n in silent, f"{n}: no test shows it silent")
    exprs = {a["alert"]: " ".join(a["expr"].split()) for a in alerts}
    # The seed's four recommendations, on Vigil's metrics.
    seed = {
        "VigilPluginHighFailureRate":
            ("vigil_plugin_consecutive_failures > 2", "failure count > 2"),
        "VigilPluginRestartingFrequently":
            ("vigil_plugin_restarts_last_hour > 3", "> 3 restarts in 1 h"),
        "VigilPluginSlowHealthChecks":
            ("vigil_plugin_health_check_duration_average_seconds > 5",
             "average response time > 5 s"),
        "VigilPluginFailed":
            ('vigil_plugin_state{state="failed"} == 1', "state failed"),
    }
    for n, (e, what) in seed.items():
        check(n in exprs and e in exprs[n], f"seed alert '{what}': {n} "
              f"expr has '{e}'")
    finish("rules-coverage")


def cmd_rule_metrics(rules_path):
    names = set()
    for a in alert_names(rules_path):
        names.update(re.findall(r"\bvigil_[a-z_]+\b", a["expr"]))
    print("\n".join(sorted(names)))


# --- strace logs ------------------------------------------------------------

SYSCALL = re.compile(r"^\d+\s+(?:<\.\.\. )?([a-z_0-9]+)(?:\(| resumed>)")


def syscall_group(name, seen=None):
    """Expand a SystemCallFilter= word with systemd-analyze's own tables."""
    if not name.startswith("@"):
        return {name}
    seen = seen if seen is not None else set()
    if name in seen:
        return set()
    seen.add(name)
    out = subprocess.run(["systemd-analyze", "syscall-filter", name],
                         capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines()[1:]:
        w = line.strip()
        if not w or w.startswith("#"):
            continue
        names |= syscall_group(w, seen)
    return names


def unit_syscall_filter(unit):
    """systemd's semantics: the first line is an allow-list, later lines
    starting with ~ remove from it, others add to it."""
    allowed = None
    for line in unit_values(unit).get("Service.SystemCallFilter", []):
        deny = line.startswith("~")
        names = set()
        for w in line.lstrip("~").split():
            names |= syscall_group(w)
        if allowed is None:
            if deny:
                raise SystemExit("a deny-list first is not checked here")
            allowed = names
        elif deny:
            allowed -= names
        else:
            allowed |= names
    return allowed or set()


def cmd_syscalls(trace, unit):
    allowed = unit_syscall_filter(unit)
    check(len(allowed) > 100, f"filter allows only {len(allowed)} calls")
    used = set()
    with open(trace, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = SYSCALL.match(line)
            if m:
                used.add(m.group(1))
    check(len(used) > 20, f"only {len(used)} syscalls traced")
    bad = sorted(used - allowed)
    check(not bad, f"not allowed by SystemCallFilter: {' '.join(bad)}")
    print(f"{len(used)} distinct syscalls: {' '.join(sorted(used))}")
    finish("syscalls")


def cmd_families(trace, unit):
    allowed = unit_values(unit).get("Service.RestrictAddressFamilies",
                                    [""])[-1].split()
    check(allowed, "the unit has RestrictAddressFamilies=")
    fams = set()
    with open(trace, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.search(r"\bsocket\((AF_[A-Z0-9]+)", line)
            if m:
                fams.add(m.group(1))
    check(fams, "no socket() traced")
    bad = sorted(fams - set(allowed))
    check(not bad, f"socket families outside RestrictAddressFamilies: {bad}")
    print(f"socket families used: {' '.join(sorted(fams))}")
    finish("families")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    table = {
        "dockerfile": cmd_dockerfile, "compose": cmd_compose,
        "compose-caps": cmd_compose_caps, "kubernetes": cmd_kubernetes,
        "k8s-caps": cmd_k8s_caps, "k8s-probe": cmd_k8s_probe,
        "k8s-objects": cmd_k8s_objects, "k8s-configmap": cmd_k8s_configmap,
        "unit": cmd_unit, "units": cmd_units,
        "rules-coverage": cmd_rules_coverage,
        "rule-metrics": cmd_rule_metrics,
        "syscalls": cmd_syscalls, "families": cmd_families,
    }
    if cmd == "rewrite":
        cmd_rewrite(args[0], args[1], args[2:])
    elif cmd in table:
        table[cmd](*args)
    else:
        print(f"unknown subcommand {cmd}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

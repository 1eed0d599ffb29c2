#!/usr/bin/env python3
"""Writes testdata/handmade/: a small, hand-designed set of audit events in
every input shape kaq reads. Deterministic; rerun after editing EVENTS.
Tests read the files this writes, never this script."""
import gzip, io, json, os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "handmade")

def ev(n, verb, user, uri, code, *, stage="ResponseComplete", level="Metadata", groups=None,
       res=None, ns=None, name=None, sub=None, group=None, ips=("10.0.0.5",), ua="kubectl/v1.29.0 (linux/amd64) kubernetes/abc1234",
       imp=None, req=None, status=None, minute=0, latency_ms=12, decision="allow", api_version="audit.k8s.io/v1", extra=None):
    t0 = f"2024-05-01T{10 + (n - 1) // 6:02d}:{minute:02d}:{n:02d}.{100000 + n:06d}Z"
    secs = n + latency_ms / 1000
    t1 = f"2024-05-01T{10 + (n - 1) // 6:02d}:{minute:02d}:{int(secs):02d}.{100000 + n + (latency_ms % 1000) * 1000:06d}Z"
    e = {"kind": "Event", "apiVersion": api_version, "level": level,
         "auditID": f"00000000-0000-4000-8000-{n:012d}", "stage": stage,
         "requestURI": uri, "verb": verb,
         "user": {"username": user, "groups": groups or ["system:authenticated"]}}
    if imp:
        e["impersonatedUser"] = {"username": imp, "groups": ["system:authenticated"]}
    e["sourceIPs"] = list(ips)
    e["userAgent"] = ua
    if res:
        o = {"resource": res}
        if ns: o["namespace"] = ns
        if name: o["name"] = name
        if group: o["apiGroup"] = group
        o["apiVersion"] = "v1"
        if sub: o["subresource"] = sub
        e["objectRef"] = o
    if stage != "RequestReceived":
        rs = {"metadata": {}, "code": code}
        if status: rs.update(status)
        e["responseStatus"] = rs
    if req is not None:
        e["requestObject"] = req
    e["requestReceivedTimestamp"] = t0
    e["stageTimestamp"] = t1 if stage != "RequestReceived" else t0
    if api_version.endswith("v1beta1"):
        e["timestamp"] = t1[:19] + "Z"
    e["annotations"] = {"authorization.k8s.io/decision": decision, "authorization.k8s.io/reason": "" if decision == "allow" else "no RBAC policy matched"}
    if extra: e.update(extra)
    return e

def pod(containers, **spec):
    return {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p", "namespace": "default"},
            "spec": dict(containers=containers, **spec)}

forbid = {"status": "Failure", "reason": "Forbidden", "message": "forbidden"}
SA = "system:serviceaccount:kube-system:"
EVENTS = [
    ev(1, "get", SA + "coredns", "/api/v1/namespaces/kube-system/pods/coredns-1", 200, res="pods", ns="kube-system", name="coredns-1", groups=["system:serviceaccounts", "system:authenticated"]),
    ev(2, "list", "mallory", "/api/v1/secrets?limit=500", 403, res="secrets", ips=("203.0.113.9",), status=forbid, decision="forbid"),
    ev(3, "delete", "alice", "/api/v1/namespaces/default/secrets/db-password", 200, res="secrets", ns="default", name="db-password"),
    ev(4, "create", "alice", "/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=curl+http%3A%2F%2F169.254.169.254&container=web&stdin=true&stdout=true&tty=true", 101,
       stage="ResponseStarted", level="Request", res="pods", ns="default", name="web", sub="exec"),
    ev(5, "create", "bob", "/api/v1/namespaces/default/pods", 201, level="Request", res="pods", ns="default", name="p",
       req=pod([{"name": "app", "image": "nginx"}, {"name": "miner", "image": "evil/miner:1", "securityContext": {"privileged": True}}])),
    ev(6, "create", "bob", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", 201, level="Request", res="clusterrolebindings", name="pwn", group="rbac.authorization.k8s.io",
       req={"kind": "ClusterRoleBinding", "metadata": {"name": "pwn"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}, "subjects": [{"kind": "User", "name": "bob"}]}),
    ev(7, "create", "bob", "/apis/rbac.authorization.k8s.io/v1/clusterroles", 201, level="Request", res="clusterroles", name="exec-all", group="rbac.authorization.k8s.io", minute=1,
       req={"kind": "ClusterRole", "metadata": {"name": "exec-all"}, "rules": [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create", "get"]}]}),
    ev(8, "create", "bob", "/apis/rbac.authorization.k8s.io/v1/clusterroles", 201, level="Request", res="clusterroles", name="split", group="rbac.authorization.k8s.io", minute=1,
       req={"kind": "ClusterRole", "metadata": {"name": "split"}, "rules": [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["get"]}, {"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]}),
    ev(9, "watch", "system:node:node-1", "/api/v1/namespaces/default/configmaps?watch=true", 200, stage="ResponseStarted", res="configmaps", ns="default", groups=["system:nodes", "system:authenticated"], ua="kubelet/v1.29.0"),
    ev(10, "get", "system:anonymous", "/healthz", 401, ips=("198.51.100.7",), groups=["system:unauthenticated"], ua="curl/8.4.0", status={"status": "Failure", "reason": "Unauthorized"}, decision="forbid"),
    ev(11, "patch", "ci-bot", "/apis/apps/v1/namespaces/prod/deployments/api", 200, res="deployments", ns="prod", name="api", group="apps", latency_ms=1250),
    ev(12, "delete", "bob", "/api/v1/namespaces/prod/pods/api-7d9f", 200, res="pods", ns="prod", name="api-7d9f", ips=("198.51.100.7",)),
    ev(13, "update", SA + "kube-controller-manager", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager", 200, res="leases", ns="kube-system", name="kube-controller-manager", group="coordination.k8s.io", groups=["system:serviceaccounts", "system:authenticated"]),
    ev(14, "list", "system:admin", "/api/v1/namespaces/default/pods", 403, res="pods", ns="default", imp="bob", groups=["system:masters", "system:authenticated"], status=forbid, decision="forbid"),
    ev(15, "create", "alice", "/api/v1/namespaces/default/pods/web/attach?container=web&stdin=true", 101, stage="ResponseStarted", res="pods", ns="default", name="web", sub="attach"),
    ev(16, "get", SA + "default", "/api/v1/namespaces/kube-system/secrets/admin-token", 403, res="secrets", ns="kube-system", name="admin-token", groups=["system:serviceaccounts", "system:authenticated"], status=forbid, decision="forbid"),
    ev(17, "create", "carol", "/api/v1/namespaces/kube-system/pods", 201, level="RequestResponse", res="pods", ns="kube-system", name="debug",
       req=pod([{"name": "shell", "image": "busybox"}], hostNetwork=True, initContainers=[{"name": "init", "image": "busybox", "securityContext": {"privileged": True}}], volumes=[{"name": "root", "hostPath": {"path": "/"}}])),
    ev(18, "delete", "minikube-user", "/api/v1/namespaces/foo", 200, res="namespaces", name="foo", api_version="audit.k8s.io/v1beta1", extra={"metadata": {"creationTimestamp": "2024-05-01T12:59:18Z"}}),
    ev(19, "create", "dave", "/api/v1/namespaces/default/configmaps", 201, stage="RequestReceived", level="Request", res="configmaps", ns="default",
       req={"kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"mode": "fast"}}),
    ev(20, "create", "dave", "/api/v1/namespaces/default/configmaps", 201, level="Request", res="configmaps", ns="default", name="settings",
       req={"kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"mode": "fast"}}),  # the same request as 19, below
    ev(21, "get", "eve", "/api/v1/namespaces/default/pods", 200, res="pods", ns="default", ua="evil\u001b[31mRED\u001b[0m\rtool"),
    ev(22, "get", "alice", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=10", 200, res="pods", ns="default", name="web"),
    ev(23, "create", "alice", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", 201, res="selfsubjectrulesreviews", group="authorization.k8s.io"),
    ev(24, "delete", "alice", "/api/v1/namespaces/default/secrets/api-key", 200, res="secrets", ns="default", name="api-key", ips=("10.0.0.5", "192.168.1.20")),
]

# Events 19 and 20 are two stages of one request: same auditID and receive time.
EVENTS[19]["auditID"] = EVENTS[18]["auditID"]
EVENTS[19]["requestReceivedTimestamp"] = EVENTS[18]["requestReceivedTimestamp"]

def line(e):
    # Like Go's encoder: compact, UTF-8, with & < > escaped.
    s = json.dumps(e, separators=(",", ":"), ensure_ascii=False)
    return s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")

def write(path, data, mode="wb"):
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, mode) as f:
        f.write(data)

def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
        g.write(data)
    return buf.getvalue()

lines = [line(e).encode() + b"\n" for e in EVENTS]
all_bytes = b"".join(lines)
write("events.log", all_bytes)
# Two gzip members, as `cat a.gz b.gz` makes.
write("events.log.gz", gz(b"".join(lines[:10])) + gz(b"".join(lines[10:])))
# A rotated directory: two gzipped backups, one plain backup whose .gz is
# still being written (partial: must be skipped), the live file, and clutter.
write("rotated/audit-2024-05-01T11-00-00.000.log.gz", gz(b"".join(lines[:6])))
write("rotated/audit-2024-05-01T12-00-00.000.log.gz", gz(b"".join(lines[6:12])))
write("rotated/audit-2024-05-01T13-00-00.000.log", b"".join(lines[12:18]))
write("rotated/audit-2024-05-01T13-00-00.000.log.gz", gz(b"".join(lines[12:18]))[:40])
write("rotated/audit.log", b"".join(lines[18:]))
write("rotated/notes.txt", b"incident 4711: rotated audit logs copied from cp-1\n")
# A webhook batch.
write("eventlist.json", (json.dumps({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": EVENTS[:3]}, separators=(",", ":")) + "\n").encode())
# Pretty-printed events saved by hand, with a BOM.
write("pretty.json", b"\xef\xbb\xbf" + (json.dumps(EVENTS[3], indent=2) + "\n" + json.dumps(EVENTS[4], indent=4) + "\n").encode())
# CRLF line ends, blank lines, no final newline.
write("crlf.log", b"\r\n".join([line(EVENTS[0]).encode(), b"", line(EVENTS[1]).encode(), b"  ", line(EVENTS[2]).encode()]))
# Bad lines among good ones: every good event must still come out.
write("malformed.log", b"".join([
    lines[0],
    b'{"kind":"Event","verb":"get",\n',                      # cut JSON
    lines[1],
    b'{"kind": 0}\n',                                          # not an event
    b"\x00" * 16 + lines[2],                                   # NULs, then an event
    b'{"kind":"Event","verb":"g\xffet","auditID":"x"}\n',     # invalid UTF-8
    b"this is not json\n",
    lines[3],
    b'{"kind":"Event","auditID":"torn",'                       # torn last line
]))
print("wrote", HERE)

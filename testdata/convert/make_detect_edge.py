"""Writes detect-edge.log: events that exercise what `kaq detect` does
beyond one filter per event, for the `kaq detect --convert-to` differential
test (tests/integration/detect_sql.rs). Deterministic; run it from this
directory: python3 make_detect_edge.py > detect-edge.log

- threshold windows: bursts that fill exactly, windows that restart after a
  burst, hits spaced just inside and just outside the window, timestamps out
  of order, hits without a timestamp (they take the latest time seen), keys
  made of missing fields, distinct values repeated and expiring;
- streaming requests (exec/attach/portforward): ResponseStarted then
  ResponseComplete with the same auditID (judged once, at the start), a
  ResponseComplete without a start, a start without an auditID, two
  completions after one start (the first a get, or firing only a low
  rule), stages that are never judged;
- allow-lists (addresses in 127.0.0.0/8, users, images, namespaces).
"""
import json

S = 1_000_000  # microseconds
BASE = 1714557600 * S  # 2024-05-01T10:00:00Z
n = 0


def ts(us):
    from datetime import datetime, timezone

    sec, frac = divmod(us, S)
    t = datetime.fromtimestamp(sec, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{t}.{frac:06d}Z"


def event(verb, resource, *, user="mallory", ip="203.0.113.9", code=200, at=None,
          name=None, ns="default", sub=None, stage="ResponseComplete", aid=None,
          body=None, time_key="stageTimestamp", extra=None):
    global n
    n += 1
    e = {
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "Request",
        "auditID": aid if aid is not None else f"00000000-0000-4000-9000-{n:012d}",
        "stage": stage,
        "requestURI": f"/api/v1/namespaces/{ns}/{resource}" + (f"/{name}" if name else ""),
        "verb": verb,
        "sourceIPs": [ip] if ip is not None else [],
        "userAgent": "kubectl/v1.29.0",
        "objectRef": {"resource": resource, "namespace": ns, "apiVersion": "v1"},
        "responseStatus": {"metadata": {}, "code": code},
    }
    if user is not None:
        e["user"] = {"username": user, "groups": ["system:authenticated"]}
    if name is not None:
        e["objectRef"]["name"] = name
    if sub is not None:
        e["objectRef"]["subresource"] = sub
    if stage is None:
        del e["stage"]
    if body is not None:
        e["requestObject"] = body
    if at is not None:
        e["requestReceivedTimestamp"] = ts(at - 1000)
        if time_key:
            e[time_key] = ts(at)
    if extra:
        e.update(extra)
    print(json.dumps(e, separators=(",", ":")))


MIN = 60 * S
# forbidden-burst: count >= 10 by ip within 30m.
# 10 hits in 9 minutes: one burst; the 11th starts a new window.
for i in range(11):
    event("get", "pods", ip="198.51.100.1", code=403, at=BASE + i * MIN)
# Hits 30m apart exactly never add up (the front at the horizon is dropped).
for i in range(10):
    event("get", "pods", ip="198.51.100.2", code=401, at=BASE + i * 30 * MIN)
# Just inside: 10 hits spread over 29m59.999999s.
for i in range(10):
    event("list", "pods", ip="198.51.100.3", code=403,
          at=BASE + (i * (30 * MIN - 1)) // 9)
# Out of order: a late hit far in the past, then more.
for i, m in enumerate([0, 1, 2, 50, 3, 4, 5, 6, 7, 8, 9, 10]):
    event("get", "pods", ip="198.51.100.4", code=403, at=BASE + m * MIN)
# Hits without any timestamp take the latest time the rule has seen.
for i in range(12):
    event("get", "pods", ip="198.51.100.5", code=403,
          at=BASE + i * MIN if i % 3 == 0 else None)
# An unparseable timestamp is no time either (the text still shows).
for i in range(10):
    event("get", "pods", ip="198.51.100.6", code=403, at=BASE + i * MIN,
          extra={"stageTimestamp": "yesterday"} if i % 2 else None)
# Loopback is allowed; a missing address is a key of its own ("").
for i in range(10):
    event("get", "pods", ip="127.0.0.1", code=403, at=BASE + i * MIN)
for i in range(10):
    event("get", "pods", ip=None, code=403, at=BASE + i * MIN)
# Two keys interleaved, 20 hits each: two bursts each.
for i in range(40):
    event("get", "pods", ip=f"198.51.100.{7 + i % 2}", code=401, at=BASE + i * S)

# secret-enumeration: distinct objectRef.name >= 10 by user within 30m.
for i in range(25):
    event("get", "secrets", user="eve", name=f"s{i % 12}", at=BASE + i * MIN)
# Repeated names refresh their time; old names expire.
for i in range(30):
    event("get", "secrets", user="trent", name=f"t{i % 11}", at=BASE + i * 4 * MIN)
# Names with a comma and a space, and a missing name.
for i in range(10):
    event("get", "secrets", user="peggy", name=(f"a,b {i}" if i else None),
          at=BASE + i * S)
# Allowed users.
for i in range(10):
    event("get", "secrets", user="system:kube-controller-manager", name=f"k{i}",
          at=BASE + i * S)

# secret-access-denied-burst: count >= 20 by user within 15m.
for i in range(45):
    event("get", "secrets", user="oscar", name="x", code=403,
          at=BASE + i * 20 * S)
# A user that is missing is a key too.
for i in range(20):
    event("get", "secrets", user=None, name="y", code=403, at=BASE + i * S)

# Streaming requests: judged once, at the start.
pod = {"kind": "PodExecOptions", "command": ["sh"]}
event("create", "pods", user="alice", name="web", sub="exec", stage="ResponseStarted",
      aid="stream-1", at=BASE)
event("create", "pods", user="alice", name="web", sub="exec", aid="stream-1", at=BASE + S)
# A completion without its start is judged.
event("create", "pods", user="alice", name="web", sub="attach", aid="stream-2", at=BASE + 2 * S)
# A start without an auditID never hides a completion.
event("create", "pods", user="alice", name="db", sub="exec", stage="ResponseStarted",
      aid="", at=BASE + 3 * S)
event("create", "pods", user="alice", name="db", sub="exec", aid="", at=BASE + 4 * S)
# Two completions after one start: the first is dropped, the second judged.
event("create", "pods", user="alice", name="api", sub="portforward", stage="ResponseStarted",
      aid="stream-3", at=BASE + 5 * S)
event("create", "pods", user="alice", name="api", sub="portforward", aid="stream-3", at=BASE + 6 * S)
event("create", "pods", user="alice", name="api", sub="portforward", aid="stream-3", at=BASE + 7 * S)
# Two ends after one start, the first a get: it uses the start up, and
# the next end is judged.
event("create", "pods", user="bob", name="job", sub="exec", stage="ResponseStarted",
      aid="stream-4", at=BASE + 8 * S, ns="kube-system")
event("get", "pods", user="bob", name="job", sub="exec", aid="stream-4", at=BASE + 9 * S,
      ns="kube-system")
event("create", "pods", user="bob", name="job", sub="exec", aid="stream-4", at=BASE + 10 * S,
      ns="kube-system")
# A completion that fires only a low rule (forbidden-create) uses up the
# start, shown or not (--severity medium): the next one is judged.
event("create", "pods", user="bob", name="job2", sub="exec", stage="ResponseStarted",
      aid="stream-5", at=BASE + 10 * S + 1, ns="kube-system")
event("create", "pods", user="bob", name="job2", sub="exec", aid="stream-5", code=403,
      at=BASE + 10 * S + 2, ns="kube-system")
event("create", "pods", user="bob", name="job2", sub="exec", aid="stream-5",
      at=BASE + 10 * S + 3, ns="kube-system")
# An end that fires no rule of the default catalogue (a refused get) uses
# up the start too.
event("create", "pods", user="bob", name="job3", sub="exec", stage="ResponseStarted",
      aid="stream-6", at=BASE + 10 * S + 4, ns="kube-system")
event("get", "pods", user="bob", name="job3", sub="exec", aid="stream-6", code=403,
      at=BASE + 10 * S + 5, ns="kube-system")
event("create", "pods", user="bob", name="job3", sub="exec", aid="stream-6",
      at=BASE + 10 * S + 6, ns="kube-system")
# A stage without a value, a Panic, and stages never judged.
event("create", "pods", user="carol", name="x", sub="exec", stage=None, at=BASE + 11 * S)
event("create", "pods", user="carol", name="x", sub="exec", stage="Panic", at=BASE + 12 * S)
event("create", "pods", user="carol", name="x", sub="exec", stage="RequestReceived", at=BASE + 13 * S)
event("delete", "secrets", user="carol", name="x", stage="ResponseStarted", at=BASE + 14 * S)
event("delete", "secrets", user="carol", name="x", stage="RequestReceived", at=BASE + 15 * S)
event("delete", "secrets", user="carol", name="x", stage=7, at=BASE + 16 * S)

# Objects named by the body: a generated name, a body name.
event("create", "pods", user="dave", ns="kube-system",
      body={"kind": "Pod", "metadata": {"generateName": "debug-"},
            "spec": {"hostNetwork": True, "containers": [{"name": "c", "image": "busybox"}]}},
      at=BASE + 20 * S)
event("create", "pods", user="dave", ns="kube-system",
      body={"kind": "Pod", "metadata": {"name": "named"},
            "spec": {"hostNetwork": True, "containers": [{"name": "c", "image": "registry.k8s.io/kube-proxy:v1"}]}},
      at=BASE + 21 * S)
# Impersonation shows in the user cell.
event("delete", "secrets", user="frank", name="z", at=BASE + 22 * S,
      extra={"impersonatedUser": {"username": "admin"}})
# Only requestReceivedTimestamp, and only a v1beta1 timestamp.
event("delete", "secrets", user="grace", name="r", at=BASE + 23 * S, time_key=None)
event("delete", "secrets", user="heidi", name="v", at=None,
      extra={"timestamp": ts(BASE + 24 * S)})

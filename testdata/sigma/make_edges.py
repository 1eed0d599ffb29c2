"""Writes edges.log: audit events at the edges where a Sigma rule could
mean something else than the kaq rule it was exported from (anchors, case,
missing fields, lists, addresses, strings with odd characters). The Sigma
export's differential (tests/integration/sigma_export.rs) runs the
exported rules over them; each event names, in its userAgent, what it
probes. Run again after editing EDGES."""

import json

BASE = {
    "kind": "Event",
    "apiVersion": "audit.k8s.io/v1",
    "level": "Metadata",
    "stage": "ResponseComplete",
    "verb": "get",
    "user": {"username": "alice", "groups": ["system:authenticated"]},
    "sourceIPs": ["10.0.0.5"],
    "objectRef": {"resource": "secrets", "namespace": "default", "name": "x", "apiVersion": "v1"},
    "responseStatus": {"metadata": {}, "code": 200},
    "requestReceivedTimestamp": "2024-06-01T10:00:00.000000Z",
    "stageTimestamp": "2024-06-01T10:00:00.010000Z",
    "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""},
}

# (what it probes, changes to BASE; None deletes a member).
EDGES = [
    ("equality is anchored at the end: verb getx", {"verb": "getx"}),
    ("equality is anchored at the start: verb xget", {"verb": "xget"}),
    ("case counts: verb GET", {"verb": "GET"}),
    ("case counts: resource Secrets", {"objectRef": {"resource": "Secrets", "namespace": "default", "name": "x"}}),
    ("no response code: not code >= 400 holds", {"responseStatus": None}),
    ("code as a string is not a number", {"responseStatus": {"code": "500"}}),
    ("a prefix test on a system-looking user", {"user": {"username": "system:nodex", "groups": []}}),
    ("a user that only contains system:", {"user": {"username": "x-system:node:a", "groups": []}}),
    ("a newline after the value", {"verb": "get\n"}),
    ("regex metacharacters in a name", {"objectRef": {"resource": "configmaps", "namespace": "kube-system", "name": "aws.auth"}, "verb": "update"}),
    ("the real name beside it", {"objectRef": {"resource": "configmaps", "namespace": "kube-system", "name": "aws-auth"}, "verb": "update"}),
    ("a node from a private IPv6 address", {"user": {"username": "system:node:n1", "groups": ["system:nodes"]}, "sourceIPs": ["fd00::1"]}),
    ("a node from a public IPv6 address", {"user": {"username": "system:node:n1", "groups": ["system:nodes"]}, "sourceIPs": ["2001:db8::1"]}),
    ("a node from a public and a private address", {"user": {"username": "system:node:n1", "groups": ["system:nodes"]}, "sourceIPs": ["8.8.8.8", "10.0.0.1"]}),
    ("a node from the loopback, bare", {"user": {"username": "system:serviceaccount:a:b", "groups": []}, "sourceIPs": ["::1"]}),
    ("anonymous in the second group", {"user": {"username": "bob", "groups": ["x", "system:unauthenticated"]}, "verb": "list", "objectRef": {"resource": "pods"}}),
    ("no decision, a 2xx code", {"user": {"username": "system:anonymous", "groups": []}, "annotations": None, "verb": "list", "objectRef": {"resource": "pods"}}),
    ("an allow-listed namespace by name only", {"verb": "create", "objectRef": {"resource": "namespaces", "name": "kube-system"}, "user": {"username": "carol", "groups": []}}),
    ("a namespace glob that must not match", {"verb": "create", "objectRef": {"resource": "namespaces", "name": "kube-systemx"}, "user": {"username": "carol", "groups": []}}),
    ("a role with * among other verbs", {"verb": "create", "objectRef": {"resource": "clusterroles", "name": "r"}, "user": {"username": "carol", "groups": []}, "requestObject": {"kind": "ClusterRole", "rules": [{"verbs": ["get", "*"], "resources": ["pods"]}, {"verbs": ["list"], "resources": ["secrets"]}]}}),
    ("a role with a verb that only starts with *", {"verb": "create", "objectRef": {"resource": "clusterroles", "name": "r"}, "user": {"username": "carol", "groups": []}, "requestObject": {"kind": "ClusterRole", "rules": [{"verbs": ["*x"], "resources": ["pods/*x"]}]}}),
    ("a user agent in capitals (?i)", {"userAgent": "CURL/8.0"}),
    ("a user agent with the tool inside", {"userAgent": "x-curl/8.0"}),
    ("quotes, backslashes and unicode in a name", {"objectRef": {"resource": "secrets", "namespace": "default", "name": "a\"b\\c\u00e9\u2028"}}),
]


def merged(changes):
    e = json.loads(json.dumps(BASE))
    for k, v in changes.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


with open("edges.log", "w") as f:
    for i, (what, changes) in enumerate(EDGES, 1):
        e = merged(changes)
        e["auditID"] = f"51900000-0000-4000-8000-{i:012d}"
        e.setdefault("userAgent", f"edge: {what}")
        f.write(json.dumps(e, ensure_ascii=False) + "\n")

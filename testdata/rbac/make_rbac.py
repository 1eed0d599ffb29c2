#!/usr/bin/env python3
"""Writes testdata/rbac/audit.log: hand-designed events for `kaq rbac`.

Each tuple in EVENTS is one event:
(n, stage, user, groups, verb, objectRef or None, requestURI, code, decision, impersonated)
objectRef is (namespace, apiGroup, resource, subresource, name). `code` or
`decision` None leaves the field out. Run it again after editing EVENTS.
"""
import json
import os

ALICE = ("alice", ["dev", "system:authenticated"])
WEB = ("system:serviceaccount:shop:web",
       ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"])
ADMIN = ("admin", ["system:masters", "system:authenticated"])
MALLORY = ("mallory", ["system:authenticated"])
HOSTILE = 'web"\n  resourceNames: ["*"]\\\u001b[31m'

RC = "ResponseComplete"
EVENTS = [
    # alice, namespace shop
    (1, "RequestReceived", ALICE, "get", ("shop", "", "pods", "", "web-1"), "/api/v1/namespaces/shop/pods/web-1", None, None, None),
    (1, RC, ALICE, "get", ("shop", "", "pods", "", "web-1"), "/api/v1/namespaces/shop/pods/web-1", 200, "allow", None),
    (2, RC, ALICE, "list", ("shop", "", "pods", "", ""), "/api/v1/namespaces/shop/pods?limit=500", 200, "allow", None),
    (3, RC, ALICE, "create", ("shop", "", "pods", "exec", "web-1"), "/api/v1/namespaces/shop/pods/web-1/exec?command=sh", 101, "allow", None),
    (4, RC, ALICE, "get", ("shop", "", "pods", "log", "web-1"), "/api/v1/namespaces/shop/pods/web-1/log", 200, "allow", None),
    (5, RC, ALICE, "patch", ("shop", "apps", "deployments", "scale", "web"), "/apis/apps/v1/namespaces/shop/deployments/web/scale", 200, None, None),
    (6, RC, ALICE, "create", ("shop", "", "configmaps", "", "cfg"), "/api/v1/namespaces/shop/configmaps", 201, "allow", None),
    (7, RC, ALICE, "delete", ("shop", "", "secrets", "", "db"), "/api/v1/namespaces/shop/secrets/db", 403, "forbid", None),
    # alice, namespace billing
    (8, RC, ALICE, "get", ("billing", "", "pods", "", "api-1"), "/api/v1/namespaces/billing/pods/api-1", 200, "allow", None),
    (9, RC, ALICE, "list", ("billing", "", "pods", "", ""), "/api/v1/namespaces/billing/pods", 200, "allow", None),
    (10, "ResponseStarted", ALICE, "watch", ("billing", "", "pods", "", ""), "/api/v1/namespaces/billing/pods?watch=true", 200, "allow", None),
    (10, RC, ALICE, "watch", ("billing", "", "pods", "", ""), "/api/v1/namespaces/billing/pods?watch=true", 200, "allow", None),
    # alice, cluster-wide and non-resource
    (11, RC, ALICE, "get", ("", "", "nodes", "", "node-1"), "/api/v1/nodes/node-1", 200, "allow", None),
    (12, RC, ALICE, "get", None, "/healthz?verbose=1", 200, "allow", None),
    (13, RC, ALICE, "get", None, "/apis", 200, "allow", None),
    # admin impersonating alice: alice's permissions were used
    (14, RC, ADMIN, "get", ("shop", "", "services", "", "web"), "/api/v1/namespaces/shop/services/web", 200, "allow", ALICE),
    # alice impersonating mallory: not alice's request
    (15, RC, ALICE, "get", ("shop", "", "secrets", "", "token"), "/api/v1/namespaces/shop/secrets/token", 200, "allow", MALLORY),
    # service account shop:web
    (20, RC, WEB, "get", ("shop", "", "configmaps", "", "app-config"), "/api/v1/namespaces/shop/configmaps/app-config", 200, "allow", None),
    (21, RC, WEB, "get", ("shop", "", "configmaps", "", "feature-flags"), "/api/v1/namespaces/shop/configmaps/feature-flags", 200, "allow", None),
    (22, RC, WEB, "list", ("shop", "", "configmaps", "", ""), "/api/v1/namespaces/shop/configmaps", 200, "allow", None),
    (23, RC, WEB, "watch", ("shop", "", "configmaps", "", ""), "/api/v1/namespaces/shop/configmaps?watch=1", 200, "allow", None),
    (24, RC, WEB, "get", ("shop", "", "secrets", "", "db-password"), "/api/v1/namespaces/shop/secrets/db-password", 200, "allow", None),
    (25, RC, WEB, "create", ("shop", "", "events", "", "web.17a"), "/api/v1/namespaces/shop/events", 201, "allow", None),
    (26, RC, WEB, "get", None, "/metrics", 200, "allow", None),
    (27, RC, WEB, "get", ("shop", "", "secrets", "", "other"), "/api/v1/namespaces/shop/secrets/other", 403, "forbid", None),
    (28, "RequestReceived", WEB, "list", ("shop", "", "services", "", ""), "/api/v1/namespaces/shop/services", None, None, None),
    (29, RC, WEB, "get", ("shop", "", "configmaps", "", "app-config"), "/api/v1/namespaces/shop/configmaps/app-config", 200, "allow", None),
    # mallory: a hostile object name
    (30, RC, MALLORY, "get", ("shop", "", "pods", "", HOSTILE), "/api/v1/namespaces/shop/pods/x", 200, "allow", None),
]


def event(n, stage, who, verb, ref, uri, code, decision, imp):
    e = {
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "Metadata",
        "auditID": f"00000000-0000-4000-8000-0000000001{n:02d}",
        "stage": stage,
        "requestURI": uri,
        "verb": verb,
        "user": {"username": who[0], "groups": who[1]},
    }
    if imp:
        e["impersonatedUser"] = {"username": imp[0], "groups": imp[1]}
    if ref:
        ns, group, res, sub, name = ref
        o = {"resource": res}
        if ns:
            o["namespace"] = ns
        if name:
            o["name"] = name
        if group:
            o["apiGroup"] = group
        o["apiVersion"] = "v1"
        if sub:
            o["subresource"] = sub
        e["objectRef"] = o
    if code is not None:
        e["responseStatus"] = {"metadata": {}, "code": code}
    sec = n + (1 if stage == RC else 0)
    e["requestReceivedTimestamp"] = f"2024-05-01T10:00:{n:02d}.000000Z"
    e["stageTimestamp"] = f"2024-05-01T10:00:{sec:02d}.500000Z"
    if decision:
        e["annotations"] = {"authorization.k8s.io/decision": decision}
    return e


here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "audit.log"), "w") as f:
    for ev in EVENTS:
        f.write(json.dumps(event(*ev), separators=(",", ":")) + "\n")

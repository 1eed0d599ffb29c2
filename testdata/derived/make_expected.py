#!/usr/bin/env python3
"""Writes panther_logs.jsonl (the `log` of every Panther rule test, one per
line) and panther_expected.tsv: for each record kaq should read, the values
an independent reading of the documented mapping gives. Tests compare kaq's
output with the TSV; this script never runs in tests."""
import json, os
HERE = os.path.dirname(os.path.abspath(__file__))

def event_fields(fmt, e):
    o = e.get("objectRef") or {}
    code = (e.get("responseStatus") or {}).get("code")
    return [fmt, e.get("verb"), (e.get("user") or {}).get("username"), o.get("resource"),
            o.get("namespace"), o.get("name"), code]

def is_event(d):
    return d.get("kind") in (None, "Event") and any(k in d for k in ("auditID", "verb", "stage", "requestURI"))

def gke(entry):
    p = entry["protoPayload"]
    if p.get("serviceName") not in (None, "k8s.io") or "methodName" not in p:
        return None
    verb = p["methodName"].split(".")[-1]
    user = (p.get("authenticationInfo") or {}).get("principalEmail")
    res = ns = name = None
    rn = p.get("resourceName")
    if rn:
        seg = rn.split("/")
        if len(seg) >= 3:
            rest = seg[2:]
            if rest[0] == "namespaces" and len(rest) > 2:
                ns, rest = rest[1], rest[2:]
            res = rest[0]
            name = rest[1] if len(rest) > 1 else None
    return ["gke", verb, user, res, ns, name, None]

rows, logs = [], []
for line in open(os.path.join(HERE, "panther_k8s_rule_tests.jsonl")):
    log = json.loads(line)["log"]
    logs.append(json.dumps(log, separators=(",", ":")))
    if not isinstance(log, dict):
        continue
    if is_event(log):
        rows.append(event_fields("event", log))
    elif isinstance((log.get("properties") or {}).get("log"), str):
        inner = json.loads(log["properties"]["log"])
        rows.append(event_fields("aks", inner))
    elif "protoPayload" in log:
        r = gke(log)
        if r:
            rows.append(r)
with open(os.path.join(HERE, "panther_logs.jsonl"), "w") as f:
    f.write("\n".join(logs) + "\n")
with open(os.path.join(HERE, "panther_expected.tsv"), "w") as f:
    f.write("format\tverb\tuser.username\tobjectRef.resource\tobjectRef.namespace\tobjectRef.name\tresponseStatus.code\n")
    for r in rows:
        f.write("\t".join("" if v is None else str(v) for v in r) + "\n")
print(len(logs), "logs,", len(rows), "expected rows")

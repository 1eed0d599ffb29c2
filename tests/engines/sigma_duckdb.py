#!/usr/bin/env python3
"""pySigma's DuckDB backend, run over audit events: the reference side of
kaq's Sigma differential test (tests/integration/sigma.rs).

Usage: sigma_duckdb.py RULE.yml... -- EVENTS.log...
Prints one JSON object: {"selected": {"<sigma id>": ["<auditID>", ...]},
"errors": {"<sigma id>": "..."}, "text_table": ["<sigma id>", ...]}: the
events each rule selects (sorted), the rules the backend cannot convert or
DuckDB cannot run, and the rules run over `logs_text` (below).

How the events reach DuckDB, as a SIEM's ingestion would store them: the
backend writes a field `a.b.c` as the column "a.b.c", so each event is
flattened into one row with a column per leaf path (objects joined with
dots; arrays and objects as JSON text). Column types come from the values:
BIGINT when every value is an integer, DOUBLE for numbers, BOOLEAN, else
VARCHAR. The abstract fields of the SigmaHQ rules, which no audit event has,
are filled as kaq's SIGMA_FIELDS maps them (src/convert/fields.rs), the way
a pySigma processing pipeline would point them at an ingested field:
`hostPath` is the first hostPath.path of the request's pod volumes,
`capabilities` the first added capability of its containers (the rules test
them only with `*`, so any one stands for all), `apiGroup` is
objectRef.apiGroup.

DuckDB refuses to compare a BIGINT column with a string that is no number
(`responseStatus.code: 'ALLOW'` is a ConversionException). Such a rule is run
again over `logs_text`, the same rows with every column as text, as a SIEM
that stores values as strings would hold them; it is listed in "text_table".
"""
import json
import sys

import duckdb
from sigma.collection import SigmaCollection
from sigma_backend_duckdb import DuckDBBackend

POD_SPEC_AT = {"Pod": ["spec"], "Deployment": ["spec", "template", "spec"],
               "DaemonSet": ["spec", "template", "spec"], "StatefulSet": ["spec", "template", "spec"],
               "ReplicaSet": ["spec", "template", "spec"], "Job": ["spec", "template", "spec"],
               "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"]}


def pod_spec(e):
    body = e.get("requestObject")
    if not isinstance(body, dict):
        return None
    kind = body.get("kind") or {"pods": "Pod"}.get((e.get("objectRef") or {}).get("resource"))
    at = POD_SPEC_AT.get(kind)
    if not at:
        return None
    for k in at:
        body = body.get(k) if isinstance(body, dict) else None
    return body if isinstance(body, dict) else None


def abstract_fields(e):
    spec = pod_spec(e) or {}
    out = {}
    group = (e.get("objectRef") or {}).get("apiGroup")
    if group is not None:
        out["apiGroup"] = group
    for v in spec.get("volumes") or []:
        p = ((v or {}).get("hostPath") or {}).get("path")
        if isinstance(p, str):
            out["hostPath"] = p
            break
    for group in ("containers", "initContainers", "ephemeralContainers"):
        for c in spec.get(group) or []:
            add = (((c or {}).get("securityContext") or {}).get("capabilities") or {}).get("add") or []
            for cap in add:
                if isinstance(cap, str) and "capabilities" not in out:
                    out["capabilities"] = cap
    return out


def flatten(v, prefix, out):
    if isinstance(v, dict) and prefix != "annotations":
        for k, x in v.items():
            flatten(x, f"{prefix}.{k}" if prefix else k, out)
    elif isinstance(v, dict):  # annotations: keys hold dots themselves
        for k, x in v.items():
            out[f"{prefix}.{k}"] = x
    elif isinstance(v, list):
        out[prefix] = json.dumps(v)
    else:
        out[prefix] = v


def column_type(values):
    vs = [v for v in values if v is not None]
    if vs and all(isinstance(v, bool) for v in vs):
        return "BOOLEAN"
    if vs and all(isinstance(v, int) and not isinstance(v, bool) for v in vs):
        return "BIGINT"
    if vs and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vs):
        return "DOUBLE"
    return "VARCHAR"


def main(argv):
    sep = argv.index("--")
    rules, logs = argv[:sep], argv[sep + 1:]
    rows = []
    for path in logs:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    e = json.loads(line)
                    row = {}
                    flatten(e, "", row)
                    row.update(abstract_fields(e))
                    rows.append(row)
    cols = sorted({k for r in rows for k in r})
    types = {c: column_type([r.get(c) for r in rows]) for c in cols}
    con = duckdb.connect()
    # Sigma's plain values match case-insensitively; the backend writes them
    # as `field='value'` and `LIKE`, so the columns compare without case, as
    # a SIEM's index does. The collation reaches regexp_matches too, which
    # would make `|re` and `|cased` wrongly case-insensitive: a rule using
    # either is reported as an error below instead of being compared.
    con.execute("SET default_collation = 'nocase'")
    q = lambda c: '"' + c.replace('"', '""') + '"'
    con.execute("CREATE TABLE logs (" + ", ".join(f"{q(c)} {types[c]}" for c in cols) + ")")
    cell = lambda r, c: (str(r[c]) if types[c] == "VARCHAR" and not isinstance(r.get(c), str)
                         and r.get(c) is not None else r.get(c))
    con.executemany("INSERT INTO logs VALUES (" + ", ".join("?" for _ in cols) + ")",
                    [[cell(r, c) for c in cols] for r in rows])
    con.execute("CREATE VIEW logs_text AS SELECT "
                + ", ".join(f"CAST({q(c)} AS VARCHAR) AS {q(c)}" for c in cols) + " FROM logs")
    backend = DuckDBBackend()
    result = {"selected": {}, "errors": {}, "text_table": []}
    for path in rules:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        collection = SigmaCollection.from_yaml(text)
        for rule in collection.rules:
            rid = str(rule.id)
            if "|re" in text or "|cased" in text:
                result["errors"][rid] = "uses |re or |cased, which the nocase collation would break"
                continue
            try:
                (query,) = backend.convert(SigmaCollection([rule]))
                try:
                    got = con.execute(f'SELECT "auditID" FROM ({query})').fetchall()
                except duckdb.ConversionException:
                    text = query.replace(" FROM logs WHERE ", " FROM logs_text WHERE ", 1)
                    got = con.execute(f'SELECT "auditID" FROM ({text})').fetchall()
                    result["text_table"].append(rid)
                result["selected"][rid] = sorted(a for (a,) in got)
            except Exception as ex:  # reported, compared by the test
                result["errors"][rid] = f"{type(ex).__name__}: {ex}"
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])

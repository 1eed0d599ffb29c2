"""Runs kaq's exported Sigma rules through pySigma's DuckDB backend over
raw audit events, so a test can compare what they select with what
`kaq detect` finds: a check that the export means what kaq means.

Usage: python sigma_export_duckdb.py RULES_DIR EVENTS_OUT FILE...

Reads the raw `audit.k8s.io` Events of FILE... (JSON lines, or one JSON
object or array per file; anything else is skipped), writes the events it
compares to EVENTS_OUT (NDJSON, for `kaq detect`), and prints one JSON
object: {"rules": {rule_id: {"matched": [auditID...], "compared": N,
"skipped": [auditID...]}}}.

An event is evaluated as `kaq detect` evaluates it: at its final stage
(ResponseComplete, Panic, or none), or for exec/attach/portforward when
the stream starts (ResponseStarted).

Each Sigma field name is read from the event as Elasticsearch flattens it
(dot-separated keys, lists entered, a key with dots matched whole), and the
abstract names of kaq's SIGMA_FIELDS (`hostPath`, `capabilities`) from the
pod spec as kaq finds it. DuckDB compares one value per column: an event
whose field holds several values becomes one row per value (the event
matches if a row does) where that is exact, when the field is read by one
test of the rule and not under `not`; where another field holds several
values, the rule is not compared on that event (counted as skipped), nor
where a field's value has another JSON type than most events give it (a
column holds one type). Sigma's `not` is two-valued while SQL's
is three-valued: the backend's NOT gets `coalesce(..., false)` around its
operand, which makes a missing field a non-match as in Sigma.
"""

import itertools
import json
import os
import sys

import duckdb
import yaml
from sigma.collection import SigmaCollection
from sigma.processing.pipeline import ProcessingPipeline
from sigma_backend_duckdb import DuckDBBackend

# kaq's crate::event::computed::POD_SPEC_AT: body kind, resource, spec path.
POD_SPEC_AT = [
    ("Pod", "pods", ["spec"]),
    ("Deployment", "deployments", ["spec", "template", "spec"]),
    ("ReplicaSet", "replicasets", ["spec", "template", "spec"]),
    ("StatefulSet", "statefulsets", ["spec", "template", "spec"]),
    ("DaemonSet", "daemonsets", ["spec", "template", "spec"]),
    ("Job", "jobs", ["spec", "template", "spec"]),
    ("ReplicationController", "replicationcontrollers", ["spec", "template", "spec"]),
    ("CronJob", "cronjobs", ["spec", "jobTemplate", "spec", "template", "spec"]),
    ("PodTemplate", "podtemplates", ["template", "spec"]),
]


class Backend(DuckDBBackend):
    def convert_condition_not(self, cond, state):
        text = super().convert_condition_not(cond, state)
        prefix = self.not_token + self.token_separator
        assert text.startswith(prefix), text
        return f"{prefix}coalesce({text[len(prefix):]}, false)"


def events_of(path):
    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    try:
        whole = json.loads(text)
        docs = whole if isinstance(whole, list) else [whole]
    except ValueError:
        docs = []
        # Lines end at "\n" only: JSON may hold U+2028 raw, which
        # str.splitlines() would split at.
        for line in text.split("\n"):
            try:
                docs.append(json.loads(line))
            except ValueError:
                pass
    for d in docs:
        if isinstance(d, dict) and d.get("kind") == "EventList":
            yield from d.get("items", [])
        elif isinstance(d, dict) and d.get("kind") == "Event" and d.get("auditID"):
            yield d


def evaluated(e):
    sub = (e.get("objectRef") or {}).get("subresource")
    streaming = sub in ("exec", "attach", "portforward")
    stage = e.get("stage")
    if stage == "ResponseStarted":
        return streaming
    return stage in ("ResponseComplete", "Panic", None)


def walk(value, keys):
    """Values at the dot-separated keys, entering lists; a key holding dots
    is matched whole (annotations)."""
    if isinstance(value, list):
        for v in value:
            yield from walk(v, keys)
        return
    if not keys:
        yield value
        return
    if not isinstance(value, dict):
        return
    for n in range(len(keys), 0, -1):
        k = ".".join(keys[:n])
        if k in value:
            yield from walk(value[k], keys[n:])


def pod_spec(e):
    body = e.get("requestObject")
    if not isinstance(body, dict):
        return None
    kind = body.get("kind")
    resource = (e.get("objectRef") or {}).get("resource")
    for k, r, path in POD_SPEC_AT:
        if kind == k or (kind is None and resource == r):
            spec = body
            for p in path:
                spec = spec.get(p) if isinstance(spec, dict) else None
            return spec if isinstance(spec, dict) else None
    return None


def values(e, name):
    if name == "hostPath":
        return list(walk(pod_spec(e) or {}, ["volumes", "hostPath", "path"]))
    if name == "capabilities":
        spec = pod_spec(e) or {}
        out = []
        for member in ("containers", "initContainers", "ephemeralContainers"):
            out += walk(spec, [member, "securityContext", "capabilities", "add"])
        return out
    return list(walk(e, name.split(".")))


def sql_value(v):
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return v


def kind_of(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "num"
    return "str"


def fields_of(rule_doc):
    """The fields a rule reads, and those that may hold several values in
    one event (read by one test, not negated)."""
    detection = rule_doc["detection"]
    words = detection["condition"].replace("(", " ").replace(")", " ").split()
    negated = {w for prev, w in zip(words, words[1:]) if prev == "not"}
    uses = {}
    for name, sel in detection.items():
        if name == "condition":
            continue
        for key in sel:
            uses.setdefault(key.split("|")[0], []).append(name)
    many = {f for f, sels in uses.items() if len(sels) == 1 and sels[0] not in negated}
    return sorted(uses), many


def main():
    rules_dir, events_out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    events = [e for f in files for e in events_of(f) if evaluated(e)]
    with open(events_out, "w") as f:
        for e in events:
            f.write(json.dumps(e) + "\n")
    backend = Backend(processing_pipeline=ProcessingPipeline())
    con = duckdb.connect()
    result = {}
    for name in sorted(os.listdir(rules_dir)):
        text = open(os.path.join(rules_dir, name)).read()
        base = next(yaml.safe_load_all(text))
        # A threshold rule's file: its base rule (the events it counts).
        rule_text = text.split("\n---\n")[0]
        [query] = backend.convert(SigmaCollection.from_yaml(rule_text))
        fields, many = fields_of(base)
        rows, skipped, compared = [], [], 0
        for e in events:
            vals = [values(e, fl) for fl in fields]
            if any(len(v) > 1 and fl not in many for v, fl in zip(vals, fields)):
                skipped.append(e["auditID"])
                continue
            compared += 1
            for combo in itertools.product(*[v or [None] for v in vals]):
                rows.append([e["auditID"]] + [sql_value(v) for v in combo])
        # A column holds one type: the type most events give it; an event
        # whose value has another (a code written as a string) is not
        # compared.
        types = []
        for i in range(len(fields)):
            kinds = {}
            for r in rows:
                if r[i + 1] is not None:
                    k = kind_of(r[i + 1])
                    kinds[k] = kinds.get(k, 0) + 1
            main = max(sorted(kinds), key=lambda k: kinds[k]) if kinds else "str"
            odd = {r[0] for r in rows if r[i + 1] is not None and kind_of(r[i + 1]) != main}
            if odd:
                skipped.extend(sorted(odd - set(skipped)))
                compared -= len(odd)
                rows = [r for r in rows if r[0] not in odd]
            types.append({"bool": "BOOLEAN", "int": "BIGINT", "num": "DOUBLE"}.get(main, "VARCHAR"))
        cols = ", ".join(['"auditID" VARCHAR'] + [f'"{fl}" {t}' for fl, t in zip(fields, types)])
        con.execute("DROP TABLE IF EXISTS logs")
        con.execute(f"CREATE TABLE logs ({cols})")
        typed = [
            [r[0]]
            + [
                v if v is None or t != "VARCHAR" or isinstance(v, str) else json.dumps(v)
                for v, t in zip(r[1:], types)
            ]
            for r in rows
        ]
        if typed:
            marks = ", ".join("?" for _ in typed[0])
            con.executemany(f"INSERT INTO logs VALUES ({marks})", typed)
        matched = sorted({row[0] for row in con.execute(query).fetchall()})
        result[name[: -len(".yml")]] = {"matched": matched, "compared": compared, "skipped": skipped}
    print(json.dumps({"rules": result}))


if __name__ == "__main__":
    main()

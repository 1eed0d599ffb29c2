#!/usr/bin/env python3
"""Writes testdata/sigma/events/<rule>.match.log and <rule>.nomatch.log.

For each SigmaHQ Kubernetes audit rule in sigmahq/, events that must and must
not match it, written from the Sigma specification's semantics (plain values
are case-insensitive whole-value matches, lists are OR, maps are AND, `*`
matches any string including the empty one, numbers compare as numbers), not
from kaq's output. Run it again after editing CASES.
"""
import copy
import json
import os

BASE = {
    "kind": "Event",
    "apiVersion": "audit.k8s.io/v1",
    "level": "RequestResponse",
    "stage": "ResponseComplete",
    "requestURI": "/api/v1/namespaces/default/pods",
    "verb": "get",
    "user": {"username": "alice", "groups": ["system:authenticated"]},
    "sourceIPs": ["10.0.0.5"],
    "userAgent": "kubectl/v1.29.0 (linux/amd64) kubernetes/abc1234",
    "objectRef": {"resource": "pods", "namespace": "default", "apiVersion": "v1"},
    "responseStatus": {"metadata": {}, "code": 200},
    "requestReceivedTimestamp": "2024-05-01T10:00:00.000000Z",
    "stageTimestamp": "2024-05-01T10:00:00.100000Z",
}


def ev(verb=None, obj=None, code=None, drop=(), **top):
    e = copy.deepcopy(BASE)
    if verb is not None:
        e["verb"] = verb
    if obj is not None:
        e["objectRef"] = obj
    if code is not None:
        e["responseStatus"]["code"] = code
    for k in drop:
        e.pop(k, None)
    e.update(top)
    return e


def ref(resource, group=None, ns="default", sub=None, name="x"):
    o = {"resource": resource, "namespace": ns, "name": name}
    if group is not None:
        o["apiGroup"] = group
    if sub is not None:
        o["subresource"] = sub
    return o


def pod(spec):
    return {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p"}, "spec": spec}


MODIFY = ["create", "delete", "patch", "replace", "update"]

CASES = {
    "kubernetes_audit_change_admission_controller": (
        [ev("create", ref("mutatingwebhookconfigurations", "admissionregistration.k8s.io", ns=None)),
         ev("delete", ref("validatingwebhookconfigurations", "admissionregistration.k8s.io")),
         # Plain values match case-insensitively.
         ev("Patch", ref("ValidatingWebhookConfigurations", "AdmissionRegistration.k8s.io"))],
        [ev("get", ref("mutatingwebhookconfigurations", "admissionregistration.k8s.io")),
         ev("create", ref("mutatingwebhookconfigurations", "admissionregistration.k8s.io.evil")),
         ev("create", ref("mutatingwebhookconfigurationsx", "admissionregistration.k8s.io")),
         # A missing field matches no value.
         ev("create", ref("mutatingwebhookconfigurations"))],
    ),
    "kubernetes_audit_cronjob_modification": (
        [ev("update", ref("cronjobs", "batch")), ev("delete", ref("jobs", "batch")),
         ev("replace", ref("jobs", "batch"))],
        [ev("create", ref("cronjobs", "apps")), ev("list", ref("cronjobs", "batch")),
         ev("deletecollection", ref("jobs", "batch"))],
    ),
    "kubernetes_audit_deployment_deleted": (
        [ev("delete", ref("deployments", "apps")), ev("DELETE", ref("Deployments"))],
        [ev("delete", ref("deploymentsx", "apps")), ev("get", ref("deployments", "apps")),
         ev("deletecollection", ref("deployments", "apps"))],
    ),
    "kubernetes_audit_events_deleted": (
        [ev("delete", ref("events")), ev("delete", ref("events", "events.k8s.io"))],
        [ev("deletecollection", ref("events")), ev("create", ref("events"))],
    ),
    "kubernetes_audit_exec_into_container": (
        [ev("create", ref("pods", sub="exec"),
            requestURI="/api/v1/namespaces/default/pods/x/exec?command=sh")],
        [ev("create", ref("pods")), ev("get", ref("pods", sub="exec")),
         ev("create", ref("pods", sub="attach")), ev("create", ref("pods", sub="execx"))],
    ),
    "kubernetes_audit_hostpath_mount": (
        [ev("create", ref("pods"), requestObject=pod(
            {"containers": [{"name": "c", "image": "nginx"}],
             "volumes": [{"name": "root", "hostPath": {"path": "/"}}]})),
         # `*` matches any string, the empty one too; one element of a list suffices.
         ev("create", ref("pods"), requestObject=pod(
            {"containers": [{"name": "c", "image": "nginx"}],
             "volumes": [{"name": "e", "emptyDir": {}}, {"name": "h", "hostPath": {"path": ""}}]}))],
        [ev("create", ref("pods"), requestObject=pod(
            {"containers": [{"name": "c", "image": "nginx"}], "volumes": [{"name": "e", "emptyDir": {}}]})),
         ev("create", ref("pods"), requestObject=pod({"containers": [{"name": "c", "image": "nginx"}]})),
         ev("get", ref("pods"), requestObject=pod(
            {"containers": [{"name": "c"}], "volumes": [{"name": "root", "hostPath": {"path": "/"}}]})),
         # A null path is not a string.
         ev("create", ref("pods"), requestObject=pod(
            {"containers": [{"name": "c"}], "volumes": [{"name": "n", "hostPath": {"path": None}}]}))],
    ),
    "kubernetes_audit_pod_in_system_namespace": (
        [ev("create", ref("pods", ns="kube-system")), ev("create", ref("pods", ns="KUBE-SYSTEM"))],
        [ev("create", ref("pods", ns="kube-system-2")), ev("create", ref("pods", ns="default")),
         ev("delete", ref("pods", ns="kube-system")), ev("create", ref("pods", ns=None))],
    ),
    # `responseStatus.code: 'ALLOW'`: the code of an audit event is an HTTP
    # status number, and the string ALLOW is no number, so this published rule
    # selects nothing from a real audit log (the `allow` it means is the
    # `authorization.k8s.io/decision` annotation).
    "kubernetes_audit_potential_enumeration_activity": (
        [],
        [ev("create", ref("pods", sub="exec"),
            requestURI="/api/v1/namespaces/default/pods/x/exec?command=%2Fbin%2Fbash",
            annotations={"authorization.k8s.io/decision": "allow"}),
         ev("get", ref("pods"), userAgent="trufflehog/3.0",
            annotations={"authorization.k8s.io/decision": "allow"})],
    ),
    "kubernetes_audit_privileged_pod_creation": (
        [ev("create", ref("pods"), requestObject=pod(
            {"containers": [{"name": "c", "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}]})),
         ev("create", ref("pods"), requestObject=pod(
            {"containers": [{"name": "c"}],
             "initContainers": [{"name": "i", "securityContext": {"capabilities": {"add": ["SYS_ADMIN", "NET_RAW"]}}}]}))],
        [ev("create", ref("pods"), requestObject=pod(
            {"containers": [{"name": "c", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]})),
         ev("create", ref("pods"), requestObject=pod(
            {"containers": [{"name": "c", "securityContext": {"privileged": True}}]})),
         ev("create", ref("pods"), requestObject=pod(
            {"containers": [{"name": "c", "securityContext": {"capabilities": {"add": []}}}]})),
         ev("update", ref("pods"), requestObject=pod(
            {"containers": [{"name": "c", "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}]}))],
    ),
    "kubernetes_audit_rbac_permisions_listing": (
        [ev("create", ref("selfsubjectrulesreviews", "authorization.k8s.io", ns=None))],
        [ev("create", ref("selfsubjectaccessreviews", "authorization.k8s.io", ns=None)),
         ev("create", ref("selfsubjectrulesreviews", ns=None)),
         ev("get", ref("selfsubjectrulesreviews", "authorization.k8s.io", ns=None))],
    ),
    "kubernetes_audit_rolebinding_modification": (
        [ev(v, ref(r, "rbac.authorization.k8s.io")) for v, r in
         [("create", "clusterrolebindings"), ("delete", "rolebindings"), ("patch", "rolebindings"),
          ("update", "clusterrolebindings")]],
        [ev("create", ref("clusterroles", "rbac.authorization.k8s.io")),
         ev("get", ref("rolebindings", "rbac.authorization.k8s.io")),
         ev("create", ref("rolebindings"))],
    ),
    "kubernetes_audit_secrets_enumeration": (
        [ev("list", ref("secrets")), ev("list", ref("secrets", ns=None))],
        [ev("get", ref("secrets")), ev("watch", ref("secrets")), ev("list", ref("configmaps"))],
    ),
    "kubernetes_audit_secrets_modified_or_deleted": (
        [ev(v, ref("secrets")) for v in MODIFY],
        [ev("get", ref("secrets")), ev("list", ref("secrets")), ev("delete", ref("configmaps"))],
    ),
    "kubernetes_audit_serviceaccount_creation": (
        # A token request is a create on the serviceaccounts resource too.
        [ev("create", ref("serviceaccounts")), ev("create", ref("serviceaccounts", sub="token"))],
        [ev("delete", ref("serviceaccounts")), ev("create", ref("secrets"))],
    ),
    "kubernetes_audit_sidecar_injection": (
        [ev("patch", ref("deployments", "apps"))],
        [ev("update", ref("deployments", "apps")), ev("patch", ref("deployments", "extensions")),
         ev("patch", ref("daemonsets", "apps"))],
    ),
    "kubernetes_audit_unauthorized_unauthenticated_actions": (
        [ev("get", ref("secrets"), code=401), ev("list", ref("pods"), code=403)],
        [ev("get", ref("secrets"), code=200), ev("get", ref("secrets"), code=404),
         ev("get", ref("secrets"), code=4030), ev("get", ref("secrets"), drop=["responseStatus"])],
    ),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "events")
    os.makedirs(out, exist_ok=True)
    for rule, (yes, no) in CASES.items():
        assert os.path.exists(os.path.join(here, "sigmahq", rule + ".yml")), rule
        for kind, events in (("match", yes), ("nomatch", no)):
            with open(os.path.join(out, f"{rule}.{kind}.log"), "w") as f:
                for i, e in enumerate(events, 1):
                    e = dict(e, auditID=f"{rule}-{kind}-{i}")
                    if e["objectRef"].get("namespace") is None:
                        e["objectRef"].pop("namespace", None)
                    f.write(json.dumps(e) + "\n")


if __name__ == "__main__":
    main()

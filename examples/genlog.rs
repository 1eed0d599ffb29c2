//! Writes a realistic, deterministic audit log for benchmarks.
//!
//! ```text
//! cargo run --release --example genlog -- --size 1GiB --seed 1 > /tmp/audit.log
//! cargo run --release --example genlog -- --size 1GiB --rotated /tmp/auditdir --files 8 --gzip 6
//! ```
//!
//! `--control-plane` writes what a capture made with a log-everything policy
//! holds, for `kaq policy simulate`: every resource request at
//! RequestResponse (writes with their bodies echoed back), a RequestReceived
//! event before many requests, and the control plane's own chatter that the
//! benchmark mix leaves out: kube-proxy watches, kubelets reading nodes,
//! pods, configmaps and secrets, health checks, secrets and RBAC objects
//! written by people. The default mix (what the benchmarks use) is
//! unchanged without it.
//!
//! `--rate` sets the mean events per second of log time (default 600, a busy
//! cluster), so a gigabyte spans about half an hour; `--rate 10` spreads it
//! over a day.
//!
//! The mix follows what a busy cluster's log holds: mostly system components
//! doing get/list/watch/update on leases, endpoints, nodes and pods; some
//! people; exec, 403s, deletes, secrets; Request-level bodies with pod specs
//! (a few privileged) and RBAC bindings (a few to cluster-admin); lines average
//! about 1.1 KB with an occasional 10–50 KB response. Same seed, same bytes.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

const NAMESPACES: &[&str] = &[
    "default",
    "kube-system",
    "prod",
    "staging",
    "monitoring",
    "ingress-nginx",
    "payments",
];
const NODES: &[&str] = &["node-1", "node-2", "node-3", "node-4", "node-5", "node-6"];
const CONTROLLERS: &[&str] = &[
    "kube-controller-manager",
    "kube-scheduler",
    "replicaset-controller",
    "endpoint-controller",
    "endpointslice-controller",
    "deployment-controller",
    "namespace-controller",
    "node-controller",
];
const PEOPLE: &[&str] = &[
    "alice@example.com",
    "bob@example.com",
    "carol@example.com",
    "dave@example.com",
    "ci-deployer",
];
const APPS: &[&str] = &["web", "api", "worker", "cache", "auth", "billing", "search"];

fn hex(rng: &mut Rng, n: usize) -> String {
    let mut s = String::with_capacity(n);
    while s.len() < n {
        let _ = write!(s, "{:016x}", rng.next());
    }
    s.truncate(n);
    s
}

fn uuid(rng: &mut Rng) -> String {
    let h = hex(rng, 32);
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn timestamp(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    let frac = us.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // civil_from_days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:06}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

fn pod_spec(rng: &mut Rng, app: &str, privileged: bool) -> String {
    let n = 1 + rng.below(3);
    let mut containers = Vec::new();
    for i in 0..n {
        let sc = if privileged && i == n - 1 {
            r#","securityContext":{"privileged":true}"#.to_string()
        } else {
            r#","securityContext":{"runAsNonRoot":true,"allowPrivilegeEscalation":false}"#
                .to_string()
        };
        containers.push(format!(
            r#"{{"name":"{app}-{i}","image":"registry.example.com/{app}:1.{}.{}","ports":[{{"containerPort":8080,"protocol":"TCP"}}],"resources":{{"limits":{{"cpu":"500m","memory":"256Mi"}},"requests":{{"cpu":"100m","memory":"128Mi"}}}},"env":[{{"name":"LOG_LEVEL","value":"info"}}]{sc}}}"#,
            rng.below(20),
            rng.below(10)
        ));
    }
    format!(
        r#"{{"kind":"Pod","apiVersion":"v1","metadata":{{"generateName":"{app}-{}-","labels":{{"app":"{app}","pod-template-hash":"{}"}}}},"spec":{{"containers":[{}],"restartPolicy":"Always","serviceAccountName":"{app}"}}}}"#,
        hex(rng, 10),
        hex(rng, 10),
        containers.join(",")
    )
}

struct Gen {
    rng: Rng,
    now: i64,
    /// Mean microseconds between events (from `--rate`).
    gap: u64,
    /// `--control-plane`.
    control_plane: bool,
}

impl Gen {
    fn event(&mut self, out: &mut String) {
        if !self.control_plane {
            return self.mixed(out);
        }
        let mut line = String::new();
        if self.rng.chance(450) {
            self.control(&mut line);
        } else {
            self.mixed(&mut line);
        }
        let mut v: serde_json::Value = serde_json::from_str(&line).expect("generated JSON");
        if v.get("objectRef").is_some() {
            v["level"] = "RequestResponse".into();
            // Writes answer with the object written.
            if let Some(body) = v.get("requestObject").cloned() {
                v["responseObject"] = body;
            }
        }
        if self.rng.chance(400) {
            let mut received = v.clone();
            let map = received.as_object_mut().expect("an event");
            map.insert("stage".into(), "RequestReceived".into());
            for k in ["responseStatus", "responseObject", "annotations"] {
                map.remove(k);
            }
            let t = map["requestReceivedTimestamp"].clone();
            map.insert("stageTimestamp".into(), t);
            out.push_str(&received.to_string());
            out.push('\n');
        }
        out.push_str(&v.to_string());
        out.push('\n');
    }

    /// What the control plane says to itself, and people's writes of
    /// secrets and RBAC objects.
    fn control(&mut self, out: &mut String) {
        let r = &mut self.rng;
        self.now += (self.gap / 2 + r.below(self.gap.max(1))) as i64;
        let t0 = self.now;
        let node = *r.pick(NODES);
        let ns = *r.pick(NAMESPACES);
        let app = *r.pick(APPS);
        let id = uuid(r);
        let times = format!(
            r#""requestReceivedTimestamp":"{}","stageTimestamp":"{}""#,
            timestamp(t0),
            timestamp(t0 + 200 + r.below(3_000) as i64)
        );
        let allow = r#""annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}"#;
        let roll = r.below(100);
        let _ = match roll {
            // kube-proxy keeps watches on endpoints and services.
            0..=29 => {
                let res = *r.pick(&["endpoints", "services", "endpointslices"]);
                let group = if res == "endpointslices" {
                    "discovery.k8s.io"
                } else {
                    ""
                };
                writeln!(
                    out,
                    r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseComplete","requestURI":"/api/v1/{res}?resourceVersion={}\u0026watch=true","verb":"watch","user":{{"username":"system:kube-proxy","groups":["system:authenticated"]}},"sourceIPs":["10.0.1.{}"],"userAgent":"kube-proxy/v1.29.4 (linux/amd64) kubernetes/55019c8","objectRef":{{"resource":"{res}","apiGroup":"{group}","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":200}},{times},{allow}}}"#,
                    r.below(99_999_999),
                    10 + r.below(6)
                )
            }
            // Kubelets read their node, its pods' configmaps and secrets.
            30..=59 => {
                let (res, namespaced) = *r.pick(&[
                    ("nodes", false),
                    ("configmaps", true),
                    ("secrets", true),
                    ("pods", true),
                ]);
                let name = if res == "nodes" {
                    node.to_string()
                } else {
                    format!("{app}-{}", hex(r, 5))
                };
                let ns_path = if namespaced {
                    format!("/namespaces/{ns}")
                } else {
                    String::new()
                };
                let ns_ref = if namespaced {
                    format!(r#""namespace":"{ns}","#)
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseComplete","requestURI":"/api/v1{ns_path}/{res}/{name}","verb":"get","user":{{"username":"system:node:{node}","groups":["system:nodes","system:authenticated"]}},"sourceIPs":["10.0.1.{}"],"userAgent":"kubelet/v1.29.4 (linux/amd64) kubernetes/55019c8","objectRef":{{"resource":"{res}",{ns_ref}"name":"{name}","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":200}},"responseObject":{{"kind":"Object","apiVersion":"v1","metadata":{{"name":"{name}","resourceVersion":"{}","managedFields":[{{"manager":"kubelet","operation":"Update","apiVersion":"v1","time":"{}","fieldsType":"FieldsV1","fieldsV1":{{"f:status":{{}}}}}}]}},"data":{{"key":"{}"}}}},{times},{allow}}}"#,
                    10 + r.below(6),
                    r.below(99_999_999),
                    timestamp(t0),
                    hex(r, 64)
                )
            }
            // Health checks: non-resource requests, often anonymous.
            60..=84 => {
                let path = *r.pick(&["/healthz", "/livez", "/readyz", "/version", "/metrics"]);
                writeln!(
                    out,
                    r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseComplete","requestURI":"{path}","verb":"get","user":{{"username":"system:anonymous","groups":["system:unauthenticated"]}},"sourceIPs":["10.0.0.{}"],"userAgent":"kube-probe/1.29","responseStatus":{{"metadata":{{}},"code":200}},{times},{allow}}}"#,
                    2 + r.below(3)
                )
            }
            // People write secrets and RBAC objects.
            _ => {
                let user = *r.pick(PEOPLE);
                let (res, group) = *r.pick(&[
                    ("secrets", ""),
                    ("roles", "rbac.authorization.k8s.io"),
                    ("rolebindings", "rbac.authorization.k8s.io"),
                ]);
                let verb = *r.pick(&["create", "update", "patch", "delete"]);
                let name = format!("{app}-{}", hex(r, 5));
                let api = if group.is_empty() {
                    "/api/v1".to_string()
                } else {
                    format!("/apis/{group}/v1")
                };
                let uri = if verb == "create" {
                    format!("{api}/namespaces/{ns}/{res}")
                } else {
                    format!("{api}/namespaces/{ns}/{res}/{name}")
                };
                let body = if verb == "delete" {
                    String::new()
                } else if res == "secrets" {
                    format!(
                        r#","requestObject":{{"kind":"Secret","apiVersion":"v1","metadata":{{"name":"{name}","namespace":"{ns}"}},"type":"Opaque","data":{{"password":"{}"}}}}"#,
                        hex(r, 40)
                    )
                } else {
                    format!(
                        r#","requestObject":{{"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{{"name":"{name}","namespace":"{ns}"}},"rules":[{{"apiGroups":[""],"resources":["pods"],"verbs":["get","list"]}}]}}"#
                    )
                };
                let group_ref = if group.is_empty() {
                    String::new()
                } else {
                    format!(r#","apiGroup":"{group}""#)
                };
                writeln!(
                    out,
                    r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"{id}","stage":"ResponseComplete","requestURI":"{uri}","verb":"{verb}","user":{{"username":"{user}","groups":["developers","system:authenticated"]}},"sourceIPs":["192.168.10.{}"],"userAgent":"kubectl/v1.29.2 (darwin/arm64) kubernetes/4b8e819","objectRef":{{"resource":"{res}","namespace":"{ns}","name":"{name}"{group_ref},"apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":200}}{body},{times},{allow}}}"#,
                    r.below(250)
                )
            }
        };
    }

    /// The benchmark mix.
    fn mixed(&mut self, out: &mut String) {
        let r = &mut self.rng;
        self.now += (self.gap / 2 + r.below(self.gap.max(1))) as i64;
        let t0 = self.now;
        let roll = r.below(1000);
        let ns = *r.pick(NAMESPACES);
        let app = *r.pick(APPS);
        // (user, groups, verb, resource, subresource, group, name, level, code, body)
        let (user, groups, ua, ip): (String, &str, String, String);
        let (verb, resource, sub, group, mut name, mut level, mut code): (
            &str,
            &str,
            &str,
            &str,
            String,
            &str,
            u16,
        );
        let mut body = String::new();
        let mut ns_opt = Some(ns);
        if roll < 700 {
            // System components.
            let c = *r.pick(CONTROLLERS);
            if r.chance(300) {
                let node = *r.pick(NODES);
                user = format!("system:node:{node}");
                groups = r#"["system:nodes","system:authenticated"]"#;
                ua = "kubelet/v1.29.4 (linux/amd64) kubernetes/55019c8".into();
                ip = format!("10.0.1.{}", 10 + r.below(6));
            } else {
                user = format!("system:serviceaccount:kube-system:{c}");
                groups = r#"["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]"#;
                ua = format!("kube-controller-manager/v1.29.4 (linux/amd64) kubernetes/55019c8/system:serviceaccount:kube-system:{c}");
                ip = "10.0.0.10".into();
            }
            let kinds: &[(&str, &str, &str)] = &[
                ("update", "leases", "coordination.k8s.io"),
                ("get", "leases", "coordination.k8s.io"),
                ("get", "endpoints", ""),
                ("update", "endpoints", ""),
                ("list", "pods", ""),
                ("watch", "pods", ""),
                ("get", "nodes", ""),
                ("patch", "nodes", ""),
                ("get", "configmaps", ""),
                ("watch", "configmaps", ""),
            ];
            let k = r.pick(kinds);
            verb = k.0;
            resource = k.1;
            group = k.2;
            sub = if resource == "nodes" && verb == "patch" {
                "status"
            } else {
                ""
            };
            name = if verb == "list" || verb == "watch" {
                String::new()
            } else {
                format!("{app}-{}", hex(r, 5))
            };
            if resource == "nodes" {
                ns_opt = None;
                name = r.pick(NODES).to_string();
            }
            level = if verb == "update" || verb == "patch" {
                "Request"
            } else {
                "Metadata"
            };
            code = 200;
            if level == "Request" {
                body = format!(
                    r#"{{"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{{"name":"{name}","namespace":"{ns}","resourceVersion":"{}"}},"spec":{{"holderIdentity":"{}_{}","leaseDurationSeconds":15,"renewTime":"{}"}}}}"#,
                    r.below(99_999_999),
                    name,
                    uuid(r),
                    timestamp(t0)
                );
            }
        } else {
            // People and CI.
            user = r.pick(PEOPLE).to_string();
            groups = r#"["developers","system:authenticated"]"#;
            ua = "kubectl/v1.29.2 (darwin/arm64) kubernetes/4b8e819".into();
            ip = if r.chance(50) {
                format!("203.0.113.{}", r.below(250))
            } else {
                format!("192.168.10.{}", r.below(250))
            };
            let p = r.below(300);
            name = format!("{app}-{}", hex(r, 5));
            group = "";
            sub = "";
            level = "Metadata";
            code = 200;
            (verb, resource) = match p {
                0..=99 => ("get", "pods"),
                100..=149 => ("list", "pods"),
                150..=169 => ("get", "secrets"),
                170..=179 => ("list", "secrets"),
                180..=199 => ("get", "deployments"),
                200..=219 => ("create", "pods"),
                220..=234 => ("delete", "pods"),
                235..=244 => ("create", "pods"), // exec, below
                245..=254 => ("delete", "secrets"),
                255..=264 => ("create", "clusterrolebindings"),
                265..=279 => ("update", "configmaps"),
                _ => ("get", "configmaps"),
            };
            if verb == "list" {
                name.clear();
            }
            if resource == "clusterrolebindings" {
                ns_opt = None;
                level = "Request";
                code = 201;
                let role = if r.chance(100) {
                    "cluster-admin"
                } else {
                    "view"
                };
                body = format!(
                    r#"{{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{{"name":"{name}"}},"roleRef":{{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"{role}"}},"subjects":[{{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"{user}"}}]}}"#
                );
            } else if verb == "create" && (235..=244).contains(&p) {
                code = 101;
            } else if verb == "create" {
                level = "Request";
                code = 201;
                let privileged = r.chance(25);
                body = pod_spec(r, app, privileged);
            }
            if r.chance(120) {
                code = 403;
            }
        }
        let exec = verb == "create" && code == 101;
        let sub = if exec { "exec" } else { sub };
        let group_path = if group.is_empty() {
            "/api/v1".to_string()
        } else {
            format!("/apis/{group}/v1")
        };
        let ns_path = ns_opt
            .map(|n| format!("/namespaces/{n}"))
            .unwrap_or_default();
        let mut uri = format!("{group_path}{ns_path}/{resource}");
        if !name.is_empty() && verb != "create" || exec {
            uri.push('/');
            uri.push_str(&name);
        }
        if exec {
            let cmd = *r.pick(&[
                "command=sh\\u0026command=-c\\u0026command=id",
                "command=bash",
                "command=cat\\u0026command=%2Fetc%2Fpasswd",
            ]);
            let _ = write!(uri, "/exec?{cmd}\\u0026container={app}\\u0026stdin=true\\u0026stdout=true\\u0026tty=true");
        } else if verb == "watch" {
            let _ = write!(uri, "?allowWatchBookmarks=true\\u0026resourceVersion={}\\u0026timeout=7m35s\\u0026watch=true", r.below(99_999_999));
        } else if verb == "list" {
            uri.push_str("?limit=500");
        }
        let stage = if exec || verb == "watch" {
            "ResponseStarted"
        } else {
            "ResponseComplete"
        };
        let latency = if verb == "list" {
            2_000 + r.below(80_000)
        } else {
            300 + r.below(9_000)
        } as i64;
        let mut object_ref = format!(r#""resource":"{resource}""#);
        if let Some(n) = ns_opt {
            let _ = write!(object_ref, r#","namespace":"{n}""#);
        }
        if !name.is_empty() {
            let _ = write!(object_ref, r#","name":"{name}""#);
        }
        if !group.is_empty() {
            let _ = write!(object_ref, r#","apiGroup":"{group}""#);
        }
        object_ref.push_str(r#","apiVersion":"v1""#);
        if !sub.is_empty() {
            let _ = write!(object_ref, r#","subresource":"{sub}""#);
        }
        let status = if code == 403 {
            format!(
                r#"{{"metadata":{{}},"status":"Failure","message":"{resource} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" in the namespace \"{ns}\"","reason":"Forbidden","details":{{"kind":"{resource}"}},"code":403}}"#
            )
        } else {
            format!(r#"{{"metadata":{{}},"code":{code}}}"#)
        };
        let decision = if code == 403 { "forbid" } else { "allow" };
        let reason = if code == 403 {
            String::new()
        } else {
            format!(
                r#"RBAC: allowed by ClusterRoleBinding \"system:{app}\" of ClusterRole \"system:{app}\" to User \"{user}\""#
            )
        };
        let _ = write!(
            out,
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"{level}","auditID":"{}","stage":"{stage}","requestURI":"{uri}","verb":"{verb}","user":{{"username":"{user}","groups":{groups}}},"sourceIPs":["{ip}"],"userAgent":"{ua}","objectRef":{{{object_ref}}},"responseStatus":{status},"#,
            uuid(r)
        );
        if !body.is_empty() {
            let _ = write!(out, r#""requestObject":{body},"#);
        }
        if verb == "list" && r.chance(8) {
            // An occasional big RequestResponse list: 10-50 KB.
            let items = 10 + r.below(40);
            out.push_str(r#""responseObject":{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":["#);
            for i in 0..items {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&pod_spec(r, app, false));
            }
            out.push_str("]},");
        }
        let _ = writeln!(
            out,
            r#""requestReceivedTimestamp":"{}","stageTimestamp":"{}","annotations":{{"authorization.k8s.io/decision":"{decision}","authorization.k8s.io/reason":"{reason}"}}}}"#,
            timestamp(t0),
            timestamp(t0 + latency)
        );
    }
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = [
        ("GiB", 1u64 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
        ("G", 1_000_000_000),
        ("M", 1_000_000),
        ("K", 1_000),
    ]
    .iter()
    .find_map(|(suf, m)| s.strip_suffix(suf).map(|n| (n, *m)))
    .unwrap_or((s, 1));
    num.trim()
        .parse::<f64>()
        .ok()
        .map(|n| (n * mult as f64) as u64)
}

fn usage() -> ! {
    eprintln!("usage: genlog [--size 1GiB] [--seed N] [--rate EVENTS_PER_SEC] [--control-plane] [--rotated DIR [--files N] [--gzip N]]");
    std::process::exit(2)
}

fn main() -> io::Result<()> {
    let mut size = 100u64 << 20;
    let mut seed = 1u64;
    let mut dir: Option<std::path::PathBuf> = None;
    let mut files = 8u64;
    let mut gz = 6u64;
    let mut rate = 600u64;
    let mut control_plane = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        if a == "--control-plane" {
            control_plane = true;
            continue;
        }
        match a.as_str() {
            "--size" => size = parse_size(&val()).unwrap_or_else(|| usage()),
            "--seed" => seed = val().parse().unwrap_or_else(|_| usage()),
            "--rotated" => dir = Some(val().into()),
            "--files" => files = val().parse().unwrap_or_else(|_| usage()),
            "--gzip" => gz = val().parse().unwrap_or_else(|_| usage()),
            "--rate" => {
                rate = val()
                    .parse()
                    .ok()
                    .filter(|&r| r > 0)
                    .unwrap_or_else(|| usage())
            }
            _ => usage(),
        }
    }
    let mut g = Gen {
        rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
        now: 1_714_521_600_000_000, // 2024-05-01T00:00:00Z
        gap: 1_000_000 / rate,
        control_plane,
    };
    let mut buf = String::with_capacity(1 << 20);
    match dir {
        None => {
            let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
            let mut written = 0u64;
            while written < size {
                buf.clear();
                while buf.len() < 1 << 20 && written + (buf.len() as u64) < size {
                    g.event(&mut buf);
                }
                out.write_all(buf.as_bytes())?;
                written += buf.len() as u64;
            }
            out.flush()
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)?;
            let per_file = size / files.max(1);
            for f in 0..files {
                let live = f == files - 1;
                let name = if live {
                    "audit.log".to_string()
                } else {
                    let ts = timestamp(g.now + 1);
                    let ts = ts[..23].replace(':', "-");
                    format!("audit-{ts}.log{}", if f < gz { ".gz" } else { "" })
                };
                let file = std::fs::File::create(dir.join(&name))?;
                let mut out: Box<dyn Write> = if name.ends_with(".gz") {
                    Box::new(flate2::write::GzEncoder::new(
                        BufWriter::new(file),
                        flate2::Compression::default(),
                    ))
                } else {
                    Box::new(BufWriter::new(file))
                };
                let mut written = 0u64;
                while written < per_file {
                    buf.clear();
                    g.event(&mut buf);
                    out.write_all(buf.as_bytes())?;
                    written += buf.len() as u64;
                }
                out.flush()?;
                drop(out);
                eprintln!("genlog: wrote {}", dir.join(&name).display());
            }
            Ok(())
        }
    }
}

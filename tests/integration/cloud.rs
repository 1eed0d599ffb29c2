//! Cloud formats: AKS, EKS and GKE records, alone and mixed.

use crate::util::{data, good_lines, id, kaq, s};

const CLOUD_COLUMNS: &str =
    "format,verb,user.username,objectRef.resource,objectRef.namespace,objectRef.name,responseStatus.code";

#[test]
fn aks_samples_read_with_their_fields() {
    let r = kaq(&[
        "-o",
        "tsv",
        "--columns",
        CLOUD_COLUMNS,
        "true",
        &data("real/sysdiglabs__aks-audit-log"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<&str> = r.lines();
    // event.json: an Event Hubs batch of 22 records; two pretty files with a BOM.
    assert_eq!(rows.len(), 1 + 22 + 1 + 1);
    assert_eq!(rows.iter().filter(|l| l.starts_with("aks\t")).count(), 23);
    assert_eq!(
        rows[3],
        "aks\tcreate\taksService\tconfigmaps\tkube-system\tcoredns-custom\t409"
    );
    assert_eq!(
        rows[15],
        "aks\tget\taksService\tclusterrolebindings\t\taks-cluster-admin-binding\t200"
    );
    assert_eq!(rows[24], "event\tupdate\tsystem:serviceaccount:kube-system:daemon-set-controller\tcontrollerrevisions\tkube-system\tkube-proxy-56987cf666\t200");
    // The original record is what -o ndjson prints.
    let r = kaq(&[
        "-o",
        "ndjson",
        r#"name == "coredns-custom""#,
        &data("real/sysdiglabs__aks-audit-log/event.json"),
    ]);
    assert_eq!(r.lines().len(), 1);
    assert!(r.stdout.starts_with(r#"{ "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read", "category": "kube-audit""#), "{}", r.stdout);
}

#[test]
fn panther_eks_aks_gke_records_read_with_their_fields() {
    // Expected values come from an independent reading of the mapping
    // (testdata/derived/make_expected.py).
    let r = kaq(&[
        "-q",
        "-o",
        "tsv",
        "--columns",
        CLOUD_COLUMNS,
        "true",
        &data("derived/panther_logs.jsonl"),
    ]);
    let expected = std::fs::read_to_string(data("derived/panther_expected.tsv")).unwrap();
    assert!(r.stdout == expected, "kaq and the reference differ");
    let by_format = kaq(&[
        "-q",
        "-o",
        "csv",
        "--by",
        "format",
        "true",
        &data("derived/panther_logs.jsonl"),
    ])
    .stdout;
    // The same split as the reference: 187 events, 51 GKE, 34 AKS.
    assert_eq!(
        by_format,
        "format,count,share\nevent,187,0.6875\ngke,51,0.1875\naks,34,0.1250\n"
    );
    // What cannot be read is reported, not dropped silently.
    assert_eq!(r.code, 2);
}

/// One event in each envelope, built from hand-made events 3..=10.
fn enveloped() -> Vec<(&'static str, Vec<u8>)> {
    let g = good_lines();
    let ev = |n: usize| {
        String::from_utf8(g[n - 1].clone())
            .unwrap()
            .trim_end()
            .to_string()
    };
    let quoted = |n: usize| serde_json::Value::from(ev(n)).to_string();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, format!(r#"{{"messageType":"DATA_MESSAGE","logEvents":[{{"id":"1","timestamp":0,"message":{}}}]}}"#, quoted(10)).as_bytes()).unwrap();
    let b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap())
    };
    let gke = std::fs::read_to_string(data("derived/panther_logs.jsonl"))
        .unwrap()
        .lines()
        .find(|l| l.contains(r#""serviceName":"k8s.io""#) && l.contains("pods.create"))
        .unwrap()
        .to_string();
    vec![
        ("plain", ev(3)),
        ("aks", format!(r#"{{"category":"kube-audit","properties":{{"log":{}}}}}"#, quoted(4))),
        ("gke", gke),
        ("insights", format!(r#"[{{"field":"@timestamp","value":"2024-05-01 10:00:05.000"}},{{"field":"@message","value":{}}}]"#, quoted(5))),
        ("openshift", format!("master-0.example.com {}", ev(6))),
        ("csv", format!("2024-05-01 10:00:07.000,\"{}\"", ev(7).replace('"', "\"\""))),
        ("subscription", format!(r#"{{"logGroup":"/aws/eks/c/cluster","logEvents":[{{"id":"1","timestamp":0,"message":{}}}]}}"#, quoted(8))),
        ("cloudwatch", format!(r#"{{"timestamp":1714557609000,"message":{}}}"#, quoted(9))),
        ("base64", b64),
    ]
    .into_iter()
    .map(|(name, line)| (name, (line + "\n").into_bytes()))
    .collect()
}

#[test]
fn a_mixed_file_gives_the_same_results_as_its_parts() {
    let dir = tempfile::tempdir().unwrap();
    let parts = enveloped();
    let mut mixed = Vec::new();
    let mut files = Vec::new();
    for (name, bytes) in &parts {
        mixed.extend_from_slice(bytes);
        let f = dir.path().join(format!("{name}.log"));
        std::fs::write(&f, bytes).unwrap();
        files.push(s(&f));
    }
    let mixed_file = dir.path().join("mixed.log");
    std::fs::write(&mixed_file, &mixed).unwrap();
    for filter in [
        "true",
        r#"verb == "create""#,
        r#"user == "bob" or exists(requestObject.roleRef)"#,
        r#"format in ["aks", "gke"]"#,
    ] {
        let cols = [
            "-o",
            "csv",
            "--columns",
            "auditID,format,verb,user,resource,name",
        ];
        let mut together = cols.to_vec();
        together.extend([filter, mixed_file.to_str().unwrap()]);
        let together = kaq(&together);
        assert_eq!(together.stderr, "", "{filter}");
        let mut apart = cols.to_vec();
        apart.push(filter);
        apart.extend(files.iter().map(String::as_str));
        let apart = kaq(&apart);
        assert_eq!(together.stdout, apart.stdout, "{filter}");
    }
    let formats = kaq(&[
        "-r",
        "--columns",
        "format",
        "true",
        mixed_file.to_str().unwrap(),
    ])
    .stdout;
    assert_eq!(
        formats,
        "event\naks\ngke\neks\nopenshift\neks\neks\neks\neks\n"
    );
    let ids = kaq(&[
        "-r",
        "--columns",
        "auditID",
        r#"format != "gke""#,
        mixed_file.to_str().unwrap(),
    ])
    .stdout;
    assert_eq!(ids, ids_text(&[3, 4, 5, 6, 7, 8, 9, 10]));
    // --format forces one envelope; the others are reported.
    let r = kaq(&[
        "--format",
        "aks",
        "--count",
        "true",
        mixed_file.to_str().unwrap(),
    ]);
    assert_eq!((r.code, r.stdout.as_str()), (2, "1\n"));
    assert!(
        r.stderr
            .contains("--format aks: this record's format is event"),
        "{}",
        r.stderr
    );
}

fn ids_text(ns: &[u32]) -> String {
    ns.iter().map(|&n| id(n) + "\n").collect()
}

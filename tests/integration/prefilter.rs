//! Prefilter: properties of the byte-level prefilter and routing over every
//! event, and that it changes no answer.

use crate::util::{data, events, kaq, quiet_copy, s};

/// Event lines of the test data (with copies that spell a letter as a
/// gratuitous `\uXXXX` escape) and random filters over values that occur in
/// them, for properties that must hold for any filter on any line.
fn random_filters_and_lines() -> (Vec<String>, Vec<String>) {
    let mut lines: Vec<String> = Vec::new();
    for f in [
        "handmade/events.log",
        "real/liggitt__audit2rbac/demo.log",
        "handmade/eventlist.json",
    ] {
        lines.extend(
            std::fs::read_to_string(data(f))
                .unwrap()
                .lines()
                .map(str::to_string),
        );
    }
    for entry in std::fs::read_dir(data("real/falcosecurity__falco")).unwrap() {
        lines.extend(
            std::fs::read_to_string(entry.unwrap().path())
                .unwrap()
                .lines()
                .map(str::to_string),
        );
    }
    lines.retain(|l| l.trim_start().starts_with('{'));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |m: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % m.max(1) as u64) as usize
    };
    // Copies with a letter of some string spelled as \u00XX.
    let mut escaped = Vec::new();
    for l in &lines {
        for _ in 0..3 {
            let b = l.as_bytes();
            let i = next(b.len());
            if b[i].is_ascii_alphanumeric() && i > 0 && b[i - 1] != b'\\' {
                escaped.push(format!("{}\\u{:04x}{}", &l[..i], b[i], &l[i + 1..]));
            }
        }
    }
    lines.extend(escaped);
    let fields = [
        "verb",
        "user",
        "resource",
        "subresource",
        "namespace",
        "name",
        "userAgent",
        "uri",
        "stage",
        "level",
        "ip",
        "groups",
        "as",
        "decision",
        "requestObject.roleRef.name",
        "requestObject.spec.containers[*].image",
        "requestObject.metadata.name",
    ];
    // Values that occur, so that filters do match.
    let mut values: Vec<String> = Vec::new();
    for l in lines.iter().take(200) {
        let v: serde_json::Value = match serde_json::from_str(l) {
            Ok(v) => v,
            Err(_) => continue,
        };
        for p in [
            "/verb",
            "/user/username",
            "/objectRef/resource",
            "/objectRef/name",
            "/objectRef/namespace",
            "/userAgent",
            "/stage",
            "/requestObject/roleRef/name",
        ] {
            if let Some(s) = v.pointer(p).and_then(|s| s.as_str()) {
                values.push(s.to_string());
            }
        }
    }
    values.extend([
        "system:".into(),
        "kube".into(),
        "a".into(),
        "&".into(),
        "é".into(),
        "".into(),
    ]);
    let leaf = |next: &mut dyn FnMut(usize) -> usize| {
        let f = fields[next(fields.len())];
        let v = serde_json::Value::from(values[next(values.len())].clone()).to_string();
        let w = serde_json::Value::from(values[next(values.len())].clone()).to_string();
        let cut = |s: &str, n: usize| -> String {
            let inner: Vec<char> = s[1..s.len() - 1].chars().collect();
            let k = n % (inner.len() + 1);
            serde_json::Value::from(inner[..k].iter().collect::<String>()).to_string()
        };
        match next(9) {
            0 => format!("{f} == {v}"),
            1 => format!("{f} in [{v}, {w}]"),
            2 => format!("{f} contains {}", cut(&v, next(9))),
            3 => format!("{f} startswith {}", cut(&v, next(9))),
            4 => format!("{f} endswith {v}"),
            5 => format!("{f} ~ {}", cut(&v, next(9)).replace("\"", "").pipe_glob()),
            6 => format!("{f} != {v}"),
            7 => format!("exists({f})"),
            _ => "requestObject.spec.containers[*].securityContext.privileged == true".to_string(),
        }
    };
    trait PipeGlob {
        fn pipe_glob(self) -> String;
    }
    impl PipeGlob for String {
        fn pipe_glob(self) -> String {
            serde_json::Value::from(format!("{self}*")).to_string()
        }
    }
    let filters = (0..400)
        .map(|_| {
            let a = leaf(&mut next);
            let b = leaf(&mut next);
            match next(5) {
                0 => a,
                1 => format!("{a} and {b}"),
                2 => format!("{a} or {b}"),
                3 => format!("not ({a}) and {b}"),
                _ => format!(r#"any(requestObject.rules[*], "create" in verbs) or ({a} and {b})"#),
            }
        })
        .collect();
    (lines, filters)
}

/// Whenever the full evaluation matches a line, the literal prefilter lets it
/// through: random filters over values that occur in the events, on every
/// test line and on copies with gratuitous `\uXXXX` escapes.
#[test]
fn property_prefilter_never_drops_a_match() {
    use kaq::filter::prefilter::Prefilter;
    use kaq::filter::{parse_filter, Matcher};
    let (lines, filters) = random_filters_and_lines();
    let mut checked = 0;
    let mut kept = 0;
    for filter in &filters {
        let Ok(expr) = parse_filter(filter) else {
            continue;
        };
        let Ok(matcher) = Matcher::compile(&expr) else {
            continue;
        };
        let Some(pre) = Prefilter::derive(&expr) else {
            continue;
        };
        for l in &lines {
            let mut m = Vec::new();
            if kaq::json::index_object(l, &mut m).is_err() {
                continue;
            }
            let e = kaq::event::Event::new(l, &m);
            if matcher.matches(&e) {
                checked += 1;
                assert!(
                    pre.may_match(l.as_bytes()),
                    "prefilter {:?} dropped a match of {filter}: {l}",
                    pre.literals
                );
                let clean = Prefilter::is_clean(l.as_bytes());
                assert!(!clean || pre.may_match_clean(l.as_bytes()), "{filter}: {l}");
            } else if !pre.may_match(l.as_bytes()) {
                kept += 1;
            }
        }
    }
    assert!(checked > 500, "the property saw too few matches: {checked}");
    assert!(
        kept > 1000,
        "the prefilter rejected too little to be tested: {kept}"
    );
}

/// When the route fields alone decide a filter for an event, `kaq detect`
/// keeps that answer for every event whose route fields have the same text:
/// the full evaluation must agree on all of them.
#[test]
fn property_route_decisions_hold_for_every_event_routed_alike() {
    use kaq::filter::{parse_filter, Matcher};
    use std::collections::HashMap;
    // The groups kaq detect routes on.
    let routes: &[&[&[&str]]] = &[
        &[
            &["verb"],
            &["objectRef", "resource"],
            &["objectRef", "subresource"],
        ],
        &[&["user", "username"], &["user", "groups"]],
        &[
            &["responseStatus", "code"],
            &["annotations", "authorization.k8s.io/decision"],
        ],
        &[&["userAgent"]],
        &[&["sourceIPs"]],
    ];
    let (lines, filters) = random_filters_and_lines();
    let indexed: Vec<(&str, Vec<kaq::json::Member>)> = lines
        .iter()
        .filter_map(|l| {
            let mut m = Vec::new();
            kaq::json::index_object(l, &mut m).ok()?;
            Some((l.as_str(), m))
        })
        .collect();
    let events: Vec<kaq::event::Event<'_>> = indexed
        .iter()
        .map(|(l, m)| kaq::event::Event::new(l, m).index_nested())
        .collect();
    let matchers: Vec<(&String, Matcher)> = filters
        .iter()
        .filter_map(|f| Some((f, Matcher::compile(&parse_filter(f).ok()?).ok()?)))
        .collect();
    let (mut ruled_out, mut ruled_in) = (0, 0);
    for route in routes {
        // Each event's key: the text of its route fields' values.
        let keys: Vec<String> = events
            .iter()
            .map(|e| {
                let mut key = String::new();
                for path in route.iter() {
                    let path = kaq::event::Path::keys(path);
                    e.visit(&path, &mut |v| {
                        key.push_str(v.text());
                        false
                    });
                    key.push('\0');
                }
                key
            })
            .collect();
        for (filter, matcher) in &matchers {
            let mut decided: HashMap<&str, Option<bool>> = HashMap::new();
            for (e, key) in events.iter().zip(&keys) {
                let first = *decided
                    .entry(key.as_str())
                    .or_insert_with(|| matcher.decide(e, route));
                if let Some(answer) = first {
                    assert_eq!(
                        matcher.matches(e),
                        answer,
                        "{filter} on {route:?}: {}",
                        e.raw()
                    );
                    *(if answer {
                        &mut ruled_in
                    } else {
                        &mut ruled_out
                    }) += 1;
                }
            }
        }
    }
    assert!(
        ruled_out > 1000 && ruled_in > 100,
        "too few decisions to test: {ruled_out} false, {ruled_in} true"
    );
}

#[test]
fn prefilter_changes_no_answer() {
    let ev = events();
    let rot = data("handmade/rotated");
    for filter in [
        r#"verb == "delete" and resource == "secrets""#,
        r#"user ~ "system:serviceaccount:*""#,
        r#"requestObject.spec.containers[*].securityContext.privileged == true"#,
        r#"uri contains "command=sh""#,
        r#"verb in ["create", "patch"] or name startswith "api""#,
    ] {
        let with = kaq(&["-o", "ndjson", filter, &ev, &rot]);
        let without = kaq(&["-o", "ndjson", "--no-prefilter", filter, &ev, &rot]);
        assert_eq!(
            (with.code, &with.stdout),
            (without.code, &without.stdout),
            "{filter}"
        );
    }
    // Malformed lines that cannot match are still reported when they look
    // corrupt; --no-prefilter reports every one.
    let dir = tempfile::tempdir().unwrap();
    let f = quiet_copy(&data("handmade/malformed.log"), dir.path(), "m.log");
    let with = kaq(&["--count", r#"verb == "delete""#, &s(&f)]);
    let without = kaq(&["--count", "--no-prefilter", r#"verb == "delete""#, &s(&f)]);
    assert_eq!(with.stdout, without.stdout);
    assert_eq!(with.code, 2);
    assert!(
        with.stderr.contains("16 NUL bytes")
            && with.stderr.contains("invalid UTF-8")
            && with.stderr.contains("cut short"),
        "{}",
        with.stderr
    );
    assert!(without.stderr.contains("`kind` is 0"), "{}", without.stderr);
}

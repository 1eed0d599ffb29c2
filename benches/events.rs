//! Per-event costs, one event at a time on events warm in cache: validating
//! and indexing a line, testing filters, the literal prefilter, and the
//! whole detection catalogue. What the end-to-end benchmark
//! (`bench/run.sh`) cannot separate.
//!
//! ```text
//! cargo bench --bench events
//! cargo bench --bench events -- detect     # one group
//! ```
//!
//! The events are the generated control-plane capture in `testdata/`
//! (1,091 events, about 1 MB: resource requests at RequestResponse, pod
//! specs, RBAC objects, people and controllers).

use std::hint::black_box;
use std::io::Read;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use kaq::detect::{self, Detector, Selection};
use kaq::event::{Event, Nested};
use kaq::filter::prefilter::Prefilter;
use kaq::filter::{parse_filter, Matcher};
use kaq::json::{index_object, index_object_nested, Member};

fn lines() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/generated/control-plane.log.gz"
    );
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("the sample log"))
        .read_to_string(&mut text)
        .expect("gzip");
    text.lines().map(str::to_string).collect()
}

/// Filters of the end-to-end benchmark and a few dearer tests.
const FILTERS: &[(&str, &str)] = &[
    (
        "q1-two-equalities",
        r#"verb == "delete" and objectRef.resource == "secrets""#,
    ),
    (
        "q3-privileged-any-container",
        r#"resource == "pods" and verb in ["create", "update"] and requestObject.spec.containers[*].securityContext.privileged == true"#,
    ),
    ("glob-user", r#"user ~ "system:serviceaccount:*""#),
    (
        "regex-user-agent",
        r#"userAgent =~ "(?i)^(curl|wget|python-requests)""#,
    ),
    ("ip-within", r#"ip within ["10.0.0.0/8", "192.168.0.0/16"]"#),
];

fn parse(c: &mut Criterion) {
    let lines = lines();
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(bytes as u64));
    let mut members = Vec::new();
    g.bench_function("index_object", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(index_object(l, &mut members).is_ok());
            }
        })
    });
    g.bench_function("index_object+Event::new", |b| {
        b.iter(|| {
            for l in &lines {
                if index_object(l, &mut members).is_ok() {
                    black_box(Event::new(l, &members));
                }
            }
        })
    });
    let mut children = Vec::new();
    g.bench_function("index_object_nested+index_nested", |b| {
        b.iter(|| {
            for l in &lines {
                if index_object_nested(l, &mut members, &mut children, Nested::is_parent).is_ok() {
                    black_box(
                        Event::new(l, &members)
                            .with_children(&children)
                            .index_nested(),
                    );
                }
            }
        })
    });
    g.finish();
}

/// Each line's member index, built once: filters are timed alone.
fn indexed(lines: &[String]) -> Vec<Vec<Member>> {
    lines
        .iter()
        .map(|l| {
            let mut m = Vec::new();
            index_object(l, &mut m).expect("valid JSON");
            m
        })
        .collect()
}

fn filter(c: &mut Criterion) {
    let lines = lines();
    let members = indexed(&lines);
    let mut g = c.benchmark_group("filter");
    g.throughput(Throughput::Elements(lines.len() as u64));
    for (name, text) in FILTERS {
        let matcher = Matcher::compile(&parse_filter(text).expect("filter")).expect("compile");
        g.bench_function(*name, |b| {
            b.iter(|| {
                lines
                    .iter()
                    .zip(&members)
                    .filter(|(l, m)| matcher.matches(&Event::new(l, m)))
                    .count()
            })
        });
    }
    let prefilter =
        Prefilter::derive(&parse_filter(FILTERS[0].1).expect("filter")).expect("literals");
    g.bench_function("prefilter-q1", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|l| prefilter.may_match(l.as_bytes()))
                .count()
        })
    });
    g.finish();
}

/// An event's top-level members and its recorded nested ones.
type Indexed = (Vec<Member>, Vec<(u32, Member)>);

fn detect(c: &mut Criterion) {
    let lines = lines();
    let rules = detect::load(&[]).expect("the catalogue");
    let rules = detect::select(rules, &Selection::default()).expect("select");
    let n = rules.len();
    let detector = Detector::new(rules, false);
    let indexed: Vec<Indexed> = lines
        .iter()
        .map(|l| {
            let (mut m, mut c) = (Vec::new(), Vec::new());
            index_object_nested(l, &mut m, &mut c, Nested::is_parent).expect("valid JSON");
            (m, c)
        })
        .collect();
    let mut g = c.benchmark_group("detect");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function(format!("catalogue-{n}-rules"), |b| {
        b.iter_batched_ref(
            Vec::new,
            |hits| {
                for (i, (l, (m, ch))) in lines.iter().zip(&indexed).enumerate() {
                    hits.clear();
                    detector.evaluate(&Event::new(l, m).with_children(ch), i as u64, hits);
                }
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, parse, filter, detect);
criterion_main!(benches);

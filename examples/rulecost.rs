//! What each detection rule costs: nanoseconds per event, on one thread.
//!
//! ```text
//! cargo run --release --example rulecost -- /tmp/audit.log [RULES.yaml]...
//! cargo run --release --example rulecost -- /tmp/audit.log --filter 'user == "bob"'...
//! ```
//!
//! Reads the log into memory, indexes every event once, then times each
//! enabled rule's matcher over all events, and the parse itself, so that a
//! slow rule (a regex on every event, a walk of every body) shows up by name.
//! Timings come from repeated passes; the machine's noise still applies, so
//! compare rules within one run.

use std::time::Instant;

use kaq::detect::{self, Detector, Selection};
use kaq::event::Nested;
use kaq::event::{Event, Memo};
use kaq::json::{index_object_nested, Member};

/// An event's top-level members and its recorded nested ones.
type Indexed = (Vec<Member>, Vec<(u32, Member)>);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(log) = args.first() else {
        eprintln!("usage: rulecost LOG [RULES.yaml]...");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(log).expect("read the log");
    let rules = if args.get(1).map(String::as_str) == Some("--filter") {
        // Each filter as a rule of its own, to time one expression.
        let specs: String = args[1..]
            .chunks(2)
            .enumerate()
            .map(|(i, pair)| {
                format!(
                    "  - id: f{i}\n    title: {0:?}\n    severity: info\n    filter: {0:?}\n",
                    pair[1]
                )
            })
            .collect();
        let file = (
            "--filter".to_string(),
            format!("disable: [{}]\nrules:\n{specs}", all_ids()),
        );
        detect::load(&[file]).expect("filters")
    } else {
        let files = detect::read_rule_files(&args[1..]).expect("read the rules files");
        detect::load(&files).expect("rules")
    };
    let rules = detect::select(rules, &Selection::default()).expect("select");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let n = lines.len() as f64;
    let detector = Detector::new(rules, false);
    let count = detector.rules.len();

    // Events are measured as the scanner meets them: each block of lines is
    // indexed, then used at once while its bytes are still in cache (a cold
    // event costs a memory fetch that would be charged to whichever rule
    // touched it first).
    let passes = 3;
    let (mut parse, mut both, mut rules_only, mut index, mut wrap, mut nested) =
        (f64::MAX, f64::MAX, f64::MAX, f64::MAX, f64::MAX, f64::MAX);
    let mut nanos = vec![f64::MAX; count];
    let mut hits = vec![0usize; count];
    let mut found = Vec::new();
    let mut considered = 0usize;
    for pass in 0..passes {
        // Indexed as the scanner indexes for detect: the members of the
        // objects rules read most recorded in the validating pass.
        let mut members: Vec<Indexed> = vec![Default::default(); 32];
        let mut spent = vec![0f64; count];
        let (mut p, mut b, mut r, mut ix, mut w, mut nx) = (0f64, 0f64, 0f64, 0f64, 0f64, 0f64);
        for block in lines.chunks(32) {
            // Parse alone, then parse and evaluate, then rule by rule.
            let t = Instant::now();
            for (l, (m, c)) in block.iter().zip(&mut members) {
                let _ = index_object_nested(l, m, c, Nested::is_parent);
            }
            p += t.elapsed().as_secs_f64();
            let t = Instant::now();
            for (i, (l, (m, c))) in block.iter().zip(&mut members).enumerate() {
                if index_object_nested(l, m, c, Nested::is_parent).is_ok() {
                    found.clear();
                    detector.evaluate(&Event::new(l, m).with_children(c), i as u64, &mut found);
                }
            }
            b += t.elapsed().as_secs_f64();
            // As the detector sees them: nested fields indexed, computed
            // ones kept per event.
            let memos: Vec<Memo> = block.iter().map(|_| Memo::default()).collect();
            let t = Instant::now();
            for (l, (m, _)) in block.iter().zip(&members) {
                std::hint::black_box(Event::new(l, m));
            }
            w += t.elapsed().as_secs_f64();
            let t = Instant::now();
            for (l, (m, c)) in block.iter().zip(&members) {
                std::hint::black_box(Event::new(l, m).with_children(c).index_nested());
            }
            nx += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let mut k = 0usize;
            for (l, (m, c)) in block.iter().zip(&members) {
                let e = Event::new(l, m).with_children(c).index_nested();
                k += detector.with_candidates(&e, |c| c.len());
            }
            if pass == 0 {
                considered += k;
            }
            ix += t.elapsed().as_secs_f64();
            let events: Vec<Event<'_>> = block
                .iter()
                .zip(&members)
                .zip(&memos)
                .map(|((l, (m, c)), memo)| {
                    Event::new(l, m)
                        .with_children(c)
                        .index_nested()
                        .with_memo(memo)
                })
                .collect();
            let mut by_rule: Vec<Vec<&Event<'_>>> = vec![Vec::new(); count];
            for e in &events {
                detector.with_candidates(e, |c| {
                    for &i in c {
                        by_rule[usize::from(i)].push(e);
                    }
                });
            }
            let t = Instant::now();
            for (i, evs) in by_rule.iter().enumerate() {
                let rule = &detector.rules[i];
                let t = Instant::now();
                let n = evs.iter().filter(|e| rule.matcher.matches(e)).count();
                spent[i] += t.elapsed().as_secs_f64();
                if pass == 0 {
                    hits[i] += n;
                }
            }
            r += t.elapsed().as_secs_f64();
        }
        let per_event = |secs: f64| secs * 1e9 / n;
        parse = parse.min(per_event(p));
        both = both.min(per_event(b));
        rules_only = rules_only.min(per_event(r));
        index = index.min(per_event(ix));
        wrap = wrap.min(per_event(w));
        nested = nested.min(per_event(nx));
        for (best, s) in nanos.iter_mut().zip(spent) {
            *best = best.min(per_event(s));
        }
    }
    println!(
        "{parse:>9.1} ns/event  parse and index ({} events)",
        lines.len()
    );
    println!("{both:>9.1} ns/event  parse, index and Detector::evaluate");
    println!("{rules_only:>9.1} ns/event  the rules alone, each on its candidates");
    println!("{wrap:>9.1} ns/event  Event::new alone (slots for known members)");
    println!("{nested:>9.1} ns/event  Event::new and index_nested alone");
    println!("{index:>9.1} ns/event  Event::new, index_nested and candidates alone");
    println!(
        "{:>9.1} rules per event considered (of {count})",
        considered as f64 / n
    );
    println!();
    let mut costs: Vec<(f64, usize, usize)> = (0..count).map(|i| (nanos[i], hits[i], i)).collect();
    costs.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ns, hits, i) in costs {
        let rule = &detector.rules[i];
        let name = if rule.origin == "--filter" {
            rule.filter_text.as_str()
        } else {
            rule.id.as_str()
        };
        println!("{ns:>9.1} ns/event  {hits:>7} hits  {name}");
    }
}

/// Every built-in rule's id, to switch them all off.
fn all_ids() -> String {
    detect::load(&[])
        .expect("the catalogue")
        .iter()
        .map(|r| r.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

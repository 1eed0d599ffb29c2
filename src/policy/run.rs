//! A `kaq policy` run over logs: what each worker does with an event
//! ([`Job`], a [`Work`]) and what the main thread gathers ([`PolicySink`],
//! a [`Print`]).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use super::simulate::{replay, rewrite, Amount, Fate, Tally};
use super::{report, Level, Policy};
use crate::event::Event;
use crate::output::{Format, Rendered};
use crate::work::{Found, Origin, Print, RunInfo, Work};

/// Which `kaq policy` command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Simulate,
    Lint,
    Diff,
}

/// The policies a run replays events through, and what to keep.
#[derive(Debug)]
pub struct Job {
    pub mode: Mode,
    /// One policy (simulate, lint) or two (diff: old, new), with the name
    /// each was given as.
    pub policies: Vec<(String, Policy)>,
    /// `simulate -o ndjson`: write the events as the policy would have.
    pub rewrite: bool,
    /// `simulate --each`: one record per event saying what became of it.
    pub each: bool,
    /// Records and reports as JSON (`-o json` or `-o ndjson`).
    pub json: bool,
}

/// A chunk's share of the results.
#[derive(Debug, Default)]
pub struct Partial {
    pub tallies: Vec<Tally>,
    /// Diff: (old fate, new fate) → events, with old and new bytes.
    pub changes: BTreeMap<(Written, Written), (Amount, Amount)>,
    /// Lint: who appears in the logs.
    pub users: BTreeSet<String>,
    pub groups: BTreeSet<String>,
    /// Lint: users seen only as `impersonatedUser`.
    pub impersonated: BTreeSet<String>,
}

impl Partial {
    /// Entries held (tallies, changes, names), for a rough size.
    pub fn entries(&self) -> usize {
        self.tallies.len()
            + self.changes.len()
            + self.users.len()
            + self.groups.len()
            + self.impersonated.len()
    }
}

/// The workers' part of a policy run: the chunk's tallies and, when
/// rewriting or with `--each`, its records.
#[derive(Default)]
pub struct PolicyPart {
    pub records: Rendered,
    pub tally: Partial,
}

/// Replaying events through policies is a kind of work; a part counts one
/// record per event it writes.
impl Work for Job {
    type Part = PolicyPart;

    fn take(&self, e: &Event<'_>, _: Found, part: &mut PolicyPart) -> u64 {
        u64::from(self.apply(e, part))
    }

    fn weight(part: &PolicyPart) -> usize {
        part.records.weight() + part.tally.entries() * 64
    }
}

/// What became of an event, for comparing two policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Written {
    /// Not written (level None, or its stage omitted).
    No,
    At(Level),
}

impl Written {
    pub fn name(self) -> &'static str {
        match self {
            Written::No => "not written",
            Written::At(l) => l.name(),
        }
    }
}

impl Job {
    /// Replays one event through every policy; `out` collects the tally and,
    /// when rewriting, the event as it would have been written.
    pub fn apply(&self, e: &Event<'_>, part: &mut PolicyPart) -> bool {
        let PolicyPart {
            records: out,
            tally: partial,
        } = part;
        if partial.tallies.len() < self.policies.len() {
            partial
                .tallies
                .resize_with(self.policies.len(), Default::default);
        }
        if self.mode == Mode::Lint {
            if let Some(name) = e
                .get("impersonatedUser")
                .and_then(|u| u.get("username"))
                .and_then(|v| v.as_str())
            {
                if !partial.impersonated.contains(name.as_ref()) {
                    partial.impersonated.insert(name.into_owned());
                }
            }
            if let Some(user) = e.get("user") {
                if let Some(name) = user.get("username").and_then(|v| v.as_str()) {
                    if !partial.users.contains(name.as_ref()) {
                        partial.users.insert(name.into_owned());
                    }
                }
                for g in user.get("groups").into_iter().flat_map(|g| g.elements()) {
                    if let Some(g) = g.as_str() {
                        if !partial.groups.contains(g.as_ref()) {
                            partial.groups.insert(g.into_owned());
                        }
                    }
                }
            }
        }
        let outcomes: Vec<_> = self.policies.iter().map(|(_, p)| replay(p, e)).collect();
        for (tally, o) in partial.tallies.iter_mut().zip(&outcomes) {
            tally.add(o);
        }
        if let [old, new] = outcomes.as_slice() {
            let written = |o: &super::simulate::Outcome| match o.fate {
                Fate::Kept { level, .. } => Written::At(level),
                _ => Written::No,
            };
            let entry = partial
                .changes
                .entry((written(old), written(new)))
                .or_default();
            entry.0.events += 1;
            entry.0.bytes += old.bytes_after;
            entry.1.events += 1;
            entry.1.bytes += new.bytes_after;
        }
        if self.each {
            each_record(&self.policies[0].1, e, &outcomes[0], self.json, out);
            return true;
        }
        match (&outcomes[0].fate, self.rewrite) {
            (Fate::Kept { .. }, true) => {
                rewrite(e.raw(), &outcomes[0].edits, &mut out.bytes);
                out.ends.push(out.bytes.len());
                true
            }
            _ => false,
        }
    }
}

/// `--each`: the event's fate as a table row, or a JSON line (the sink
/// prints rows for tables, bytes otherwise).
fn each_record(
    policy: &Policy,
    e: &Event<'_>,
    o: &super::simulate::Outcome,
    json: bool,
    out: &mut Rendered,
) {
    use crate::output::columns::{sanitize, value_text, ColumnValue};
    let text = |k: &str| e.str(k).map(|s| s.into_owned()).unwrap_or_default();
    let object = format!(
        "{} {}",
        value_text(&ColumnValue::Resource, e),
        value_text(&ColumnValue::Object, e)
    )
    .trim()
    .to_string();
    let object = if object.is_empty() {
        text("requestURI")
    } else {
        object
    };
    let user = e
        .get("user")
        .and_then(|u| u.get("username"))
        .and_then(|v| v.as_str())
        .map(|s| s.into_owned())
        .unwrap_or_default();
    let fate = match o.fate {
        Fate::Dropped => "dropped",
        Fate::StageOmitted => "stage omitted",
        Fate::Kept { short: true, .. } => "short",
        Fate::Kept { .. } => "written",
    };
    let level = match o.fate {
        Fate::Kept { level, .. } => level.name(),
        _ => o.decision.level.name(),
    };
    let rule = o.decision.rule.map(|i| (i + 1, &policy.rules[i]));
    let captured = o.captured.map(|l| l.name()).unwrap_or("");
    let time = text("stageTimestamp");
    if json {
        let record = serde_json::json!({
        "auditID": text("auditID"),
        "time": time,
        "stage": text("stage"),
        "verb": text("verb"),
        "object": object,
        "user": user,
        "captured": captured,
        "level": level,
        "fate": fate,
        "rule": rule.map(|(n, _)| n),
        "line": rule.map(|(_, r)| r.line),
        "matches": rule.map(|(_, r)| super::report::describe(r)),
        });
        out.bytes.extend_from_slice(record.to_string().as_bytes());
        out.bytes.push(b'\n');
        out.ends.push(out.bytes.len());
        return;
    }
    out.rows.push(
        [
            time,
            text("verb"),
            object,
            user,
            text("stage"),
            captured.to_string(),
            level.to_string(),
            fate.to_string(),
            rule.map(|(n, r)| format!("{n} (line {})", r.line))
                .unwrap_or_else(|| "-".into()),
        ]
        .into_iter()
        .map(sanitize)
        .collect(),
    );
}

/// Gathers the chunks' results in order; prints the report at the end (or,
/// when rewriting, the events as they come).
pub struct PolicySink<'w> {
    job: &'w Job,
    total: Partial,
    format: Format,
    width: Option<u16>,
    out: Box<dyn Write + 'w>,
    /// `--each` as a table: rows until the end.
    rows: Vec<Vec<String>>,
}

impl<'w> PolicySink<'w> {
    pub fn new(job: &'w Job, format: Format, width: Option<u16>, out: Box<dyn Write + 'w>) -> Self {
        PolicySink {
            job,
            total: Partial::default(),
            format,
            width,
            out,
            rows: Vec::new(),
        }
    }

    /// Lint: the problems found, static and from the logs.
    pub fn problems(&self) -> usize {
        report::lint_issues(self.job, &self.total).len()
    }
}

impl Print for PolicySink<'_> {
    type Part = PolicyPart;

    fn write(&mut self, part: PolicyPart, _: Origin, take: usize) -> io::Result<()> {
        let PolicyPart {
            records: chunk,
            tally: p,
        } = part;
        if self.job.rewrite || (self.job.each && self.job.json) {
            let end = match take {
                0 => 0,
                n => chunk.ends[n.min(chunk.ends.len()) - 1],
            };
            self.out.write_all(&chunk.bytes[..end])?;
        }
        if self.job.each && !self.job.json {
            self.rows.extend(chunk.rows.into_iter().take(take));
        }
        {
            let t = &mut self.total;
            if t.tallies.len() < p.tallies.len() {
                t.tallies.resize_with(p.tallies.len(), Default::default);
            }
            for (into, from) in t.tallies.iter_mut().zip(p.tallies) {
                into.merge(from);
            }
            for (k, (a, b)) in p.changes {
                let e = t.changes.entry(k).or_default();
                e.0.events += a.events;
                e.0.bytes += a.bytes;
                e.1.events += b.events;
                e.1.bytes += b.bytes;
            }
            t.users.extend(p.users);
            t.groups.extend(p.groups);
            t.impersonated.extend(p.impersonated);
        }
        Ok(())
    }

    fn finish(&mut self, _info: &RunInfo) -> io::Result<()> {
        if self.job.each {
            if !self.job.json {
                let rows = std::mem::take(&mut self.rows);
                report::each_table(rows, self.width, &mut self.out)?;
            }
        } else if !self.job.rewrite {
            report::write(
                self.job,
                &self.total,
                self.format,
                self.width,
                &mut self.out,
            )?;
        }
        self.out.flush()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

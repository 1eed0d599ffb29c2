//! The main-thread half of `kaq detect`: hits arrive in log order and become
//! findings — a streaming request counted once, threshold rules counted over
//! windows — which are printed as a table, JSON, NDJSON, CSV or TSV, or
//! counted per rule (`--by rule`).

use std::collections::HashSet;
use std::io::{self, Write};

use comfy_table::{Attribute, Cell, Color};
use serde_json::{json, Map, Value};

use super::window::{Burst, Windows};
use super::{Detector, Hit, Severity, Stream};
use crate::output::columns::sanitize;
use crate::output::table::{write_table, Layout, Pieces};
use crate::output::{Delimited, Format};
use crate::time::{format_duration, format_micros};
use crate::work::{Origin, Print, RunInfo};

/// How findings are shown.
#[derive(Debug, Clone)]
pub struct Options {
    pub format: Format,
    /// `--by rule`: counts per rule instead of findings.
    pub by_rule: bool,
    /// `--severity`: findings below this are counted but not shown.
    pub show_from: Severity,
    pub color: bool,
    pub width: Option<u16>,
    /// Escape control characters in CSV/TSV (stdout is a terminal).
    pub sanitize: bool,
}

/// One finding, ready to print.
struct Finding<'a> {
    severity: Severity,
    rule: usize,
    hit: &'a Hit,
    why: Vec<String>,
    burst: Option<Burst>,
    /// Where the event is: input index and line.
    input: usize,
    line: u64,
}

#[derive(Default, Clone)]
struct PerRule {
    count: u64,
    first: String,
    last: String,
}

pub struct FindingSink<'d, 'w> {
    det: &'d Detector,
    names: Vec<String>,
    opts: Options,
    out: Box<dyn Write + 'w>,
    windows: Vec<Windows>,
    /// Streaming requests whose start was evaluated, by auditID.
    started: HashSet<String>,
    /// The end of a streaming request being dropped, and where it is: its
    /// auditID leaves `started` once the next event comes.
    closing: Option<((usize, u64), String)>,
    rows: Vec<Vec<String>>,
    row_severity: Vec<Severity>,
    wrote_json: bool,
    /// Follow mode: the findings table printed so far.
    pieces: Pieces,
    wrote_header: bool,
    per_rule: Vec<PerRule>,
    by_severity: [u64; 5],
    worst: Option<Severity>,
}

const COLUMNS: [&str; 8] = [
    "severity",
    "rule",
    "time",
    "user",
    "source ip",
    "verb",
    "object",
    "why",
];
const WIDE_COLUMNS: [&str; 5] = ["code", "user agent", "mitre", "audit id", "location"];
/// The last wide column when a rule has an author (Sigma rules: DRL 1.1 asks
/// findings to keep it); absent otherwise, so kaq's own output is unchanged.
const AUTHOR: &str = "author";
/// Cells never cut when fitting the table: severity, rule, time, verb.
const COMPACT: [bool; 8] = [true, true, true, false, true, true, false, false];

impl<'d, 'w> FindingSink<'d, 'w> {
    pub fn new(
        det: &'d Detector,
        names: Vec<String>,
        opts: Options,
        out: Box<dyn Write + 'w>,
    ) -> Self {
        FindingSink {
            windows: det.rules.iter().map(|_| Windows::default()).collect(),
            per_rule: vec![PerRule::default(); det.rules.len()],
            det,
            names,
            opts,
            out,
            started: HashSet::new(),
            closing: None,
            rows: Vec::new(),
            row_severity: Vec::new(),
            wrote_json: false,
            pieces: Pieces::default(),
            wrote_header: false,
            by_severity: [0; 5],
            worst: None,
        }
    }

    /// The most severe finding of the run, shown or not.
    pub fn worst(&self) -> Option<Severity> {
        self.worst
    }

    /// Findings of the run, shown or not.
    pub fn findings(&self) -> u64 {
        self.by_severity.iter().sum()
    }

    fn hit(&mut self, mut hit: Hit, input: usize, base: u64) -> io::Result<()> {
        let s = &hit.subject;
        let at = (input, base + s.line);
        if let Some((where_, id)) = self.closing.take() {
            if where_ == at {
                self.closing = Some((where_, id));
            } else {
                self.started.remove(&id);
            }
        }
        match s.stream {
            Stream::Started if !s.audit_id.is_empty() => {
                self.started.insert(s.audit_id.clone());
            }
            Stream::Complete if self.started.contains(&s.audit_id) => {
                self.closing = Some((at, s.audit_id.clone()));
                return Ok(());
            }
            _ => {}
        }
        let Some(i) = hit.rule else { return Ok(()) };
        let i = usize::from(i);
        let rule = &self.det.rules[i];
        let (why, burst) = match &rule.threshold {
            Some(t) if !self.det.no_thresholds => {
                let Some(b) = self.windows[i].add(t, &hit.key, hit.distinct.as_deref(), s.time)
                else {
                    return Ok(());
                };
                let keys: Vec<String> =
                    t.by.iter()
                        .zip(hit.key.split(' '))
                        .map(|((name, _), v)| format!("{name}={v}"))
                        .collect();
                let what = match &t.distinct {
                    Some((field, _)) => {
                        let mut shown: Vec<&str> =
                            b.values.iter().take(5).map(String::as_str).collect();
                        if b.values.len() > 5 {
                            shown.push("…");
                        }
                        format!("{} distinct {field} ({})", b.count, shown.join(", "))
                    }
                    None => format!("{} events", b.count),
                };
                let why = vec![format!(
                    "{what} by {} within {}",
                    keys.join(" "),
                    format_duration(b.last - b.first)
                )];
                (why, Some(b))
            }
            _ => {
                let mut why = std::mem::take(&mut hit.why);
                if let Some(cmd) = &s.command {
                    if !why.iter().any(|w| w.starts_with("exec.command=")) {
                        why.insert(
                            0,
                            format!("exec.command={}", serde_json::Value::from(cmd.as_str())),
                        );
                    }
                }
                (why, None)
            }
        };
        let f = Finding {
            severity: rule.severity,
            rule: i,
            hit: &hit,
            why,
            burst,
            input,
            line: base + hit.subject.line,
        };
        self.emit(&f)
    }

    fn emit(&mut self, f: &Finding<'_>) -> io::Result<()> {
        self.worst = self.worst.max(Some(f.severity));
        self.by_severity[f.severity as usize] += 1;
        let per = &mut self.per_rule[f.rule];
        per.count += 1;
        if per.first.is_empty() {
            per.first = f.hit.subject.time_text.clone();
        }
        per.last = f.hit.subject.time_text.clone();
        if f.severity < self.opts.show_from || self.opts.by_rule {
            return Ok(());
        }
        match self.opts.format {
            Format::Table | Format::Wide => {
                let wide = self.opts.format == Format::Wide;
                self.rows
                    .push(self.cells(f, wide).into_iter().map(sanitize).collect());
                self.row_severity.push(f.severity);
            }
            Format::Ndjson => {
                let v = self.json(f);
                serde_json::to_writer(&mut self.out, &v)?;
                self.out.write_all(b"\n")?;
            }
            Format::Json => {
                self.out
                    .write_all(if self.wrote_json { b",\n" } else { b"[\n" })?;
                let v = self.json(f);
                serde_json::to_writer(&mut self.out, &v)?;
                self.wrote_json = true;
            }
            Format::Csv | Format::Tsv | Format::Raw => {
                self.header()?;
                let mut cells = self.cells(f, true);
                if self.opts.sanitize {
                    cells = cells.into_iter().map(sanitize).collect();
                }
                self.row(&cells)?;
            }
        }
        Ok(())
    }

    fn header(&mut self) -> io::Result<()> {
        if !self.wrote_header {
            self.wrote_header = true;
            let titles: Vec<String> = if self.opts.by_rule {
                BY_RULE_COLUMNS
                    .iter()
                    .map(|s| s.replace(' ', "_"))
                    .collect()
            } else {
                COLUMNS
                    .iter()
                    .chain(&WIDE_COLUMNS)
                    .chain(self.authors().then_some(&AUTHOR))
                    .map(|s| s.replace(' ', "_"))
                    .collect()
            };
            self.row(&titles)?;
        }
        Ok(())
    }

    fn row(&mut self, cells: &[String]) -> io::Result<()> {
        let mut buf = Vec::new();
        if let Some(d) = Delimited::of(self.opts.format) {
            d.row(cells, &mut buf);
        }
        self.out.write_all(&buf)
    }

    /// Does any rule carry an author, so that wide and CSV findings show one?
    fn authors(&self) -> bool {
        self.det.rules.iter().any(|r| r.author.is_some())
    }

    fn cells(&self, f: &Finding<'_>, wide: bool) -> Vec<String> {
        let s = &f.hit.subject;
        let rule = &self.det.rules[f.rule];
        let user = match &s.impersonated {
            Some(as_) => format!("{} (as {as_})", s.user),
            None => s.user.clone(),
        };
        let mut cells = vec![
            f.severity.name().to_string(),
            rule.id.clone(),
            s.time_text.clone(),
            user,
            s.source_ip.clone(),
            s.verb.clone(),
            s.object.clone(),
            f.why.join("; "),
        ];
        if wide {
            cells.extend([
                s.code.map(|c| c.to_string()).unwrap_or_default(),
                s.user_agent.clone(),
                rule.mitre.clone().unwrap_or_default(),
                s.audit_id.clone(),
                format!("{}:{}", self.names[f.input], f.line),
            ]);
            if self.authors() {
                cells.push(rule.author.clone().unwrap_or_default());
            }
        }
        cells
    }

    fn json(&self, f: &Finding<'_>) -> Value {
        let s = &f.hit.subject;
        let rule = &self.det.rules[f.rule];
        let mut m = Map::new();
        m.insert("severity".into(), json!(f.severity.name()));
        m.insert("rule".into(), json!(rule.id));
        m.insert("title".into(), json!(rule.title));
        m.insert("mitre".into(), json!(rule.mitre));
        if let Some(author) = &rule.author {
            m.insert("author".into(), json!(author));
        }
        m.insert("time".into(), json!(s.time_text));
        m.insert("user".into(), json!(s.user));
        if let Some(imp) = &s.impersonated {
            m.insert("impersonatedUser".into(), json!(imp));
        }
        m.insert("sourceIP".into(), json!(s.source_ip));
        m.insert("userAgent".into(), json!(s.user_agent));
        m.insert("verb".into(), json!(s.verb));
        m.insert("object".into(), json!(s.object));
        m.insert("code".into(), json!(s.code));
        m.insert("why".into(), json!(f.why));
        if let Some(b) = &f.burst {
            m.insert("count".into(), json!(b.count));
            m.insert("firstTime".into(), json!(format_micros(b.first)));
            if !b.values.is_empty() {
                m.insert("values".into(), json!(b.values));
            }
        }
        m.insert("auditID".into(), json!(s.audit_id));
        m.insert("file".into(), json!(self.names[f.input]));
        m.insert("line".into(), json!(f.line));
        Value::Object(m)
    }

    fn by_rule(&mut self) -> io::Result<()> {
        let rows: Vec<(usize, PerRule)> = self
            .per_rule
            .iter()
            .cloned()
            .enumerate()
            .filter(|(i, p)| p.count > 0 && self.det.rules[*i].severity >= self.opts.show_from)
            .collect();
        let mut rows = rows;
        // Most severe first, then most findings, then id.
        rows.sort_by(|(a, pa), (b, pb)| {
            let (ra, rb) = (&self.det.rules[*a], &self.det.rules[*b]);
            rb.severity
                .cmp(&ra.severity)
                .then(pb.count.cmp(&pa.count))
                .then(ra.id.cmp(&rb.id))
        });
        let cells: Vec<(Severity, Vec<String>)> = rows
            .iter()
            .map(|(i, p)| {
                let r = &self.det.rules[*i];
                (
                    r.severity,
                    vec![
                        r.severity.name().to_string(),
                        r.id.clone(),
                        r.title.clone(),
                        p.count.to_string(),
                        p.first.clone(),
                        p.last.clone(),
                    ],
                )
            })
            .collect();
        match self.opts.format {
            Format::Table | Format::Wide => {
                let (sev, rows): (Vec<Severity>, Vec<Vec<String>>) = cells.into_iter().unzip();
                self.table(
                    BY_RULE_COLUMNS.as_slice(),
                    &[true, true, false, true, true, true],
                    rows,
                    sev,
                    false,
                )
            }
            Format::Json | Format::Ndjson => {
                let objects: Vec<Value> = rows
                    .iter()
                    .map(|(i, p)| {
                        let r = &self.det.rules[*i];
                        let mut o = json!({"severity": r.severity.name(), "rule": r.id, "title": r.title,
                               "findings": p.count, "first": p.first, "last": p.last});
                        if let Some(author) = &r.author {
                            o["author"] = json!(author);
                        }
                        o
                    })
                    .collect();
                if self.opts.format == Format::Json {
                    serde_json::to_writer_pretty(&mut self.out, &objects)?;
                    self.out.write_all(b"\n")
                } else {
                    for o in objects {
                        serde_json::to_writer(&mut self.out, &o)?;
                        self.out.write_all(b"\n")?;
                    }
                    Ok(())
                }
            }
            Format::Csv | Format::Tsv | Format::Raw => {
                self.header()?;
                for (_, row) in cells {
                    self.row(&row)?;
                }
                Ok(())
            }
        }
    }

    fn table(
        &mut self,
        titles: &[&str],
        compact: &[bool],
        rows: Vec<Vec<String>>,
        severities: Vec<Severity>,
        piece: bool,
    ) -> io::Result<()> {
        let titles: Vec<String> = titles.iter().map(|t| t.to_uppercase()).collect();
        let compact: Vec<bool> = compact
            .iter()
            .copied()
            .chain(std::iter::repeat(false))
            .take(titles.len())
            .collect();
        let layout = Layout {
            titles: &titles,
            compact: &compact,
            width: self.opts.width,
            color: self.opts.color,
        };
        let style = |row: usize, column: usize, text: String| {
            let cell = Cell::new(&text);
            if column != 0 {
                return cell;
            }
            match severities.get(row).copied().unwrap_or(Severity::Info) {
                Severity::Critical => cell.fg(Color::Red).add_attribute(Attribute::Bold),
                Severity::High => cell.fg(Color::Red),
                Severity::Medium => cell.fg(Color::Yellow),
                Severity::Low => cell.fg(Color::Cyan),
                Severity::Info => cell.add_attribute(Attribute::Dim),
            }
        };
        if self.pieces.started() || piece {
            self.pieces.write(&layout, rows, style, &mut self.out)
        } else {
            write_table(&layout, rows, style, &mut self.out)
        }
    }

    /// The findings table's titles for the format.
    fn titles(&self) -> Vec<&'static str> {
        if self.opts.format == Format::Wide {
            COLUMNS
                .iter()
                .chain(&WIDE_COLUMNS)
                .chain(self.authors().then_some(&AUTHOR))
                .copied()
                .collect()
        } else {
            COLUMNS.to_vec()
        }
    }
}

const BY_RULE_COLUMNS: [&str; 6] = ["severity", "rule", "title", "findings", "first", "last"];

/// The printer of findings: each chunk's hits, in log order, as they come
/// (threshold rules count them over windows first).
impl Print for FindingSink<'_, '_> {
    type Part = Vec<Hit>;

    fn write(&mut self, hits: Vec<Hit>, from: Origin, _take: usize) -> io::Result<()> {
        for hit in hits {
            self.hit(hit, from.input, from.first_line)?;
        }
        Ok(())
    }

    fn finish(&mut self, info: &RunInfo) -> io::Result<()> {
        if self.opts.by_rule {
            self.by_rule()?;
            return self.out.flush();
        }
        match self.opts.format {
            Format::Table | Format::Wide => {
                let rows = std::mem::take(&mut self.rows);
                let sev = std::mem::take(&mut self.row_severity);
                let titles = self.titles();
                let shown = !rows.is_empty() || self.pieces.started();
                self.table(&titles, &COMPACT, rows, sev, false)?;
                if shown {
                    writeln!(self.out)?;
                }
                writeln!(self.out, "{}", self.summary(info))?;
            }
            Format::Json => {
                self.out
                    .write_all(if self.wrote_json { b"\n]\n" } else { b"[]\n" })?;
            }
            Format::Csv | Format::Tsv | Format::Raw => self.header()?,
            Format::Ndjson => {}
        }
        self.out.flush()
    }

    /// Follow mode: table rows go out as pieces; `--by rule` waits for the
    /// end.
    fn flush(&mut self) -> io::Result<()> {
        if !self.opts.by_rule && matches!(self.opts.format, Format::Table | Format::Wide) {
            let rows = std::mem::take(&mut self.rows);
            let sev = std::mem::take(&mut self.row_severity);
            let titles = self.titles();
            return self.table(&titles, &COMPACT, rows, sev, true);
        }
        self.out.flush()
    }
}

impl FindingSink<'_, '_> {
    /// `3 findings (1 high, 2 low) from 61 rules in 1204 events`.
    fn summary(&self, info: &RunInfo) -> String {
        let total = self.findings();
        let parts: Vec<String> = (0..5)
            .rev()
            .filter(|&i| self.by_severity[i] > 0)
            .map(|i| format!("{} {}", self.by_severity[i], Severity::ALL[i].name()))
            .collect();
        let hidden = self.by_severity[..self.opts.show_from as usize]
            .iter()
            .sum::<u64>();
        let breakdown = if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        };
        let mut s = format!(
            "{total} finding{}{breakdown} from {} rules in {} events",
            if total == 1 { "" } else { "s" },
            self.det.rules.len(),
            info.events
        );
        if hidden > 0 {
            s.push_str(&format!(
                "; {hidden} below --severity {} not shown",
                self.opts.show_from
            ));
        }
        s
    }
}

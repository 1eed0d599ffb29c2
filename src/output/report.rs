//! Printing aggregate views: group-by, timeline and distinct become rows of
//! typed cells, printed as a table (with bars for timelines on a terminal),
//! JSON, NDJSON, CSV or TSV; the summary has its own one-screen layout.

use std::io::{self, Write};

use comfy_table::{presets, CellAlignment, ContentArrangement, Row, Table};
use serde_json::{json, Map, Value as Json};

use super::{Delimited, Format, OutputSpec};
use crate::agg::summary::top;
use crate::agg::{keys, Partial, Summary, Timeline, View, ViewPart};
use crate::time::{format_duration, format_micros};
use crate::work::{Origin, Print, RunInfo};

/// One cell of a report row.
#[derive(Debug, Clone)]
enum Cell {
    /// A key value; `None` when the field was missing.
    Text(Option<String>),
    Count(u64),
    /// A fraction of the matching events.
    Share(f64),
    Time(Option<i64>),
    /// A duration in seconds, or a plain number for non-duration fields.
    Stat(Option<f64>, bool),
}

impl Cell {
    fn table_text(&self) -> String {
        match self {
            Cell::Text(Some(s)) => super::columns::sanitize(s.clone()),
            Cell::Text(None) => "<none>".into(),
            Cell::Count(n) => n.to_string(),
            Cell::Share(f) => format!("{:.1}%", f * 100.0),
            Cell::Time(Some(t)) => format_micros(*t),
            Cell::Time(None) => String::new(),
            Cell::Stat(Some(v), true) => format_duration((v * 1e6).round() as i64),
            Cell::Stat(Some(v), false) => format!("{v}"),
            Cell::Stat(None, _) => String::new(),
        }
    }

    fn plain_text(&self) -> String {
        match self {
            Cell::Text(Some(s)) => s.clone(),
            Cell::Share(f) => format!("{f:.4}"),
            Cell::Stat(Some(v), _) => format!("{v}"),
            Cell::Text(None) | Cell::Time(None) | Cell::Stat(None, _) => String::new(),
            other => other.table_text(),
        }
    }

    fn json(&self) -> Json {
        match self {
            Cell::Text(s) => s.clone().map_or(Json::Null, Json::from),
            Cell::Count(n) => json!(n),
            Cell::Share(f) => json!((f * 10_000.0).round() / 10_000.0),
            Cell::Time(t) => t.map_or(Json::Null, |t| json!(format_micros(t))),
            Cell::Stat(v, _) => v.map_or(Json::Null, |v| json!(v)),
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(self, Cell::Count(_) | Cell::Share(_) | Cell::Stat(..))
    }
}

/// Rows of a report, with column names (json keys and CSV header).
struct Report {
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
    /// For timelines: the count column gets a bar on a terminal.
    bar_of: Option<usize>,
}

pub struct ReportSink<'w> {
    out: Box<dyn Write + 'w>,
    view: View,
    total: Partial,
    format: Format,
    top: Option<usize>,
    width: Option<u16>,
    /// Follow mode, `--every`: the last bucket printed, once one was.
    printed: Option<i64>,
}

impl<'w> ReportSink<'w> {
    pub fn new(spec: &OutputSpec, view: &View, out: Box<dyn Write + 'w>) -> Self {
        ReportSink {
            out,
            view: view.clone(),
            total: Partial::new(view),
            format: spec.format,
            top: spec.top,
            width: spec.width,
            printed: None,
        }
    }
}

/// The printer of a view: merges the chunks' partial aggregates in input
/// order, and prints the total at the end (a timeline in follow mode prints
/// each bucket once it closed).
impl Print for ReportSink<'_> {
    type Part = ViewPart;

    fn write(&mut self, part: ViewPart, _: Origin, _take: usize) -> io::Result<()> {
        if let Some(p) = part.partial {
            self.total.merge(p);
        }
        Ok(())
    }

    fn finish(&mut self, info: &RunInfo) -> io::Result<()> {
        if self.printed.is_some() {
            // Follow mode: the buckets still open are the last piece.
            self.print_buckets(i64::MAX)?;
            return self.out.flush();
        }
        let total = std::mem::replace(&mut self.total, Partial::new(&self.view));
        match total {
            Partial::Summary(s) => print_summary(&mut *self.out, &s, info, self.format)?,
            other => {
                let report = build(&self.view, other, self.top);
                print_report(&mut *self.out, &report, self.format, self.width)?;
            }
        }
        self.out.flush()
    }

    /// Follow mode: a timeline prints each bucket once it has closed — an
    /// event of a later bucket came, and events come in log order. Other
    /// views are printed whole, at the end. JSON (one array) waits for the
    /// end too.
    fn flush(&mut self) -> io::Result<()> {
        let Partial::Timeline(t) = &self.total else {
            return Ok(());
        };
        if self.format == Format::Json {
            return Ok(());
        }
        match t.counts.keys().map(|(b, _)| *b).max() {
            Some(newest) => self.print_buckets(newest),
            None => Ok(()),
        }
    }
}

impl ReportSink<'_> {
    /// Prints the timeline's buckets before `until` and forgets them; the
    /// header only with the first piece, empty buckets since the last piece
    /// as zeros (for a timeline without `--by`).
    fn print_buckets(&mut self, until: i64) -> io::Result<()> {
        let (Partial::Timeline(t), View::Timeline { by, .. }) = (&mut self.total, &self.view)
        else {
            return Ok(());
        };
        let (closed, open) = std::mem::take(&mut t.counts)
            .into_iter()
            .partition(|((b, _), _)| *b < until);
        t.counts = open;
        let mut piece = Timeline {
            counts: closed,
            ..Timeline::default()
        };
        let Some(mut last) = piece.counts.keys().map(|(b, _)| *b).max() else {
            return Ok(());
        };
        if by.is_empty() {
            // Every closed bucket, empty ones too, up to the open one.
            let first = match self.printed {
                Some(before) => before + 1,
                None => piece.counts.keys().map(|(b, _)| *b).min().unwrap_or(last),
            };
            if until != i64::MAX {
                last = until - 1;
            }
            for b in first..=last {
                piece.counts.entry((b, String::new())).or_insert(0);
            }
        }
        let report = build(&self.view, Partial::Timeline(piece), self.top);
        let mut buf = Vec::new();
        print_report(&mut buf, &report, self.format, self.width)?;
        let headed = matches!(
            self.format,
            Format::Table | Format::Wide | Format::Csv | Format::Tsv
        );
        let text = match (self.printed, headed) {
            (Some(_), true) => super::table::after_header(&buf),
            _ => &buf[..],
        };
        self.out.write_all(text)?;
        self.printed = Some(last);
        self.out.flush()
    }
}

fn key_cells(key: &str) -> Vec<Cell> {
    keys::split(key)
        .into_iter()
        .map(|k| Cell::Text(k.map(str::to_string)))
        .collect()
}

/// Most series a timeline with `--by` shows unless `--top` says otherwise.
const DEFAULT_SERIES: usize = 10;
/// A timeline fills empty buckets only up to this many per series.
const MAX_FILLED_BUCKETS: i64 = 10_000;

fn build(view: &View, total: Partial, top: Option<usize>) -> Report {
    match (view, total) {
        (View::GroupBy { by, stats }, Partial::GroupBy(g)) => {
            let mut columns: Vec<String> = by.iter().map(|f| f.name.clone()).collect();
            columns.extend(["count".to_string(), "share".to_string()]);
            let is_duration = stats.as_ref().is_some_and(|s| s.path.is(&["latency"]));
            if stats.is_some() {
                columns.extend(["p50", "p90", "p99", "max"].map(String::from));
            }
            let rows = biggest_first(g.groups, |grp| grp.count, top)
                .into_iter()
                .map(|(k, grp)| {
                    let mut row = if by.is_empty() {
                        Vec::new()
                    } else {
                        key_cells(&k)
                    };
                    row.push(Cell::Count(grp.count));
                    row.push(Cell::Share(grp.count as f64 / g.events.max(1) as f64));
                    if stats.is_some() {
                        for q in [0.5, 0.9, 0.99] {
                            row.push(Cell::Stat(grp.stats.quantile(q), is_duration));
                        }
                        row.push(Cell::Stat(grp.stats.max(), is_duration));
                    }
                    row
                })
                .collect();
            Report {
                columns,
                rows,
                bar_of: None,
            }
        }
        (View::Timeline { every, by }, Partial::Timeline(t)) => {
            let mut columns = vec!["time".to_string()];
            columns.extend(by.iter().map(|f| f.name.clone()));
            columns.push("count".to_string());
            // Series, biggest first.
            let mut totals: std::collections::HashMap<&str, u64> = Default::default();
            for ((_, k), n) in &t.counts {
                *totals.entry(k.as_str()).or_default() += n;
            }
            let mut series: Vec<(&str, u64)> = totals.into_iter().collect();
            series.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let limit = top.unwrap_or(if by.is_empty() {
                usize::MAX
            } else {
                DEFAULT_SERIES
            });
            series.truncate(limit);
            let (lo, hi) = t
                .counts
                .keys()
                .fold((i64::MAX, i64::MIN), |(lo, hi), (b, _)| {
                    (lo.min(*b), hi.max(*b))
                });
            let mut rows = Vec::new();
            if lo <= hi {
                let fill = hi - lo < MAX_FILLED_BUCKETS;
                let mut buckets: Vec<i64> = if fill {
                    (lo..=hi).collect()
                } else {
                    let mut b: Vec<i64> = t.counts.keys().map(|(b, _)| *b).collect();
                    b.sort_unstable();
                    b.dedup();
                    b
                };
                buckets.sort_unstable();
                for b in buckets {
                    for (k, _) in &series {
                        let n = t.counts.get(&(b, k.to_string())).copied().unwrap_or(0);
                        if n == 0 && !fill {
                            continue;
                        }
                        let mut row = vec![Cell::Time(Some(b * every))];
                        if !by.is_empty() {
                            row.extend(key_cells(k));
                        }
                        row.push(Cell::Count(n));
                        rows.push(row);
                    }
                }
            }
            let bar_of = Some(columns.len() - 1);
            Report {
                columns,
                rows,
                bar_of,
            }
        }
        (View::Distinct { field }, Partial::Distinct(d)) => {
            let columns = vec![
                field.name.clone(),
                "count".into(),
                "first_seen".into(),
                "last_seen".into(),
            ];
            let rows = biggest_first(d.values, |seen| seen.count, top)
                .into_iter()
                .map(|(k, s)| {
                    let mut row = key_cells(&k);
                    row.extend([
                        Cell::Count(s.count),
                        Cell::Time(s.first),
                        Cell::Time(s.last),
                    ]);
                    row
                })
                .collect();
            Report {
                columns,
                rows,
                bar_of: None,
            }
        }
        _ => unreachable!("the total is built for its view"),
    }
}

/// Rows of a view, biggest count first, ties by key (so output is
/// deterministic), at most `top`.
fn biggest_first<T>(
    map: impl IntoIterator<Item = (String, T)>,
    count: impl Fn(&T) -> u64,
    top: Option<usize>,
) -> Vec<(String, T)> {
    let mut rows: Vec<(String, T)> = map.into_iter().collect();
    rows.sort_by(|a, b| count(&b.1).cmp(&count(&a.1)).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(top.unwrap_or(usize::MAX));
    rows
}

/// Unicode eighth blocks, for bars.
const BLOCKS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

fn bar(n: u64, max: u64, width: usize) -> String {
    if max == 0 || n == 0 {
        return String::new();
    }
    let eighths = ((n as f64 / max as f64) * (width * 8) as f64)
        .round()
        .max(1.0) as usize;
    let mut s = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        s.push(BLOCKS[eighths % 8 - 1]);
    }
    s
}

fn print_report(
    out: &mut dyn Write,
    r: &Report,
    format: Format,
    width: Option<u16>,
) -> io::Result<()> {
    match format {
        Format::Table | Format::Wide => {
            let mut header: Vec<String> = r.columns.iter().map(|c| c.to_uppercase()).collect();
            let mut rows: Vec<Vec<String>> = r
                .rows
                .iter()
                .map(|row| row.iter().map(Cell::table_text).collect())
                .collect();
            // On a terminal, a timeline's counts get bars scaled to what is left.
            if let (Some(col), Some(w)) = (r.bar_of, width) {
                let used: usize = (0..header.len())
                    .map(|i| {
                        rows.iter()
                            .map(|row| row[i].chars().count())
                            .chain([header[i].len()])
                            .max()
                            .unwrap_or(0)
                            + 2
                    })
                    .sum();
                let room = usize::from(w).saturating_sub(used + 1).clamp(10, 60);
                let max = r
                    .rows
                    .iter()
                    .filter_map(|row| match row[col] {
                        Cell::Count(n) => Some(n),
                        _ => None,
                    })
                    .max()
                    .unwrap_or(0);
                header.push(String::new());
                for (row, cells) in rows.iter_mut().zip(&r.rows) {
                    let n = match cells[col] {
                        Cell::Count(n) => n,
                        _ => 0,
                    };
                    row.push(bar(n, max, room));
                }
            }
            if rows.is_empty() {
                return Ok(());
            }
            let mut table = Table::new();
            table.load_preset(presets::NOTHING);
            table.set_content_arrangement(ContentArrangement::Disabled);
            table.set_header(header);
            for row in rows {
                table.add_row(Row::from(row));
            }
            let numeric: Vec<bool> = (0..r.columns.len())
                .map(|i| r.rows.first().is_some_and(|row| row[i].is_numeric()))
                .collect();
            for (i, column) in table.column_iter_mut().enumerate() {
                column.set_padding((0, 2));
                if numeric.get(i).copied().unwrap_or(false) {
                    column.set_cell_alignment(CellAlignment::Right);
                }
            }
            for line in table.lines() {
                writeln!(out, "{}", line.trim_end())?;
            }
            Ok(())
        }
        Format::Json => {
            let rows: Vec<Json> = r
                .rows
                .iter()
                .map(|row| row_object(&r.columns, row))
                .collect();
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)
        }
        Format::Ndjson => {
            for row in &r.rows {
                serde_json::to_writer(&mut *out, &row_object(&r.columns, row))?;
                writeln!(out)?;
            }
            Ok(())
        }
        Format::Csv | Format::Tsv | Format::Raw => {
            let mut buf = Vec::new();
            if let Some(d) = Delimited::of(format) {
                let rows = r
                    .rows
                    .iter()
                    .map(|row| row.iter().map(Cell::plain_text).collect());
                d.table(&r.columns, rows, &mut buf);
            }
            out.write_all(&buf)
        }
    }
}

fn row_object(columns: &[String], row: &[Cell]) -> Json {
    let mut m = Map::new();
    for (c, cell) in columns.iter().zip(row) {
        m.insert(c.clone(), cell.json());
    }
    Json::Object(m)
}

// ---------------------------------------------------------------- summary

/// How many entries each "top" list of the summary shows.
const TOP: usize = 5;

/// `1.5 MB`: decimal units, one decimal.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn summary_json(s: &Summary, info: &RunInfo) -> Json {
    let tops = |m| {
        Json::Array(
            top(m, TOP)
                .into_iter()
                .map(|(k, n)| json!({"value": k, "count": n}))
                .collect(),
        )
    };
    let all = |m: &std::collections::HashMap<String, u64>| {
        let mut v: Vec<_> = m.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        Json::Object(v.into_iter().map(|(k, n)| (k.clone(), json!(n))).collect())
    };
    let span = match (s.first, s.last) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    json!({
        "files": info.inputs,
        "bytes_read": info.bytes,
        "events": s.events,
        "malformed_lines": info.bad_lines,
        "first": s.first.map(format_micros),
        "last": s.last.map(format_micros),
        "span_seconds": span.map(|us| us as f64 / 1e6),
        "events_per_second": span.filter(|&us| us > 0).map(|us| s.events as f64 / (us as f64 / 1e6)),
        "requests": s.requests.len(),
        "stages": all(&s.stages),
        "levels": all(&s.levels),
        "codes": {
            "1xx": s.code_classes[1], "2xx": s.code_classes[2], "3xx": s.code_classes[3],
            "4xx": s.code_classes[4], "5xx": s.code_classes[5], "none": s.code_classes[0],
            "401": s.unauthorized, "403": s.forbidden,
        },
        "system_user_events": s.system_users,
        "top_users": tops(&s.users),
        "top_verbs": tops(&s.verbs),
        "top_resources": tops(&s.resources),
        "top_namespaces": tops(&s.namespaces),
        "top_source_ips": tops(&s.source_ips),
        "top_user_agents": tops(&s.user_agents),
        "largest_events": s.largest.iter().map(|l| json!({
            "bytes": l.bytes, "auditID": l.audit_id, "verb": l.verb, "object": l.what, "user": l.user,
        })).collect::<Vec<_>>(),
    })
}

fn print_summary(
    out: &mut dyn Write,
    s: &Summary,
    info: &RunInfo,
    format: Format,
) -> io::Result<()> {
    if matches!(format, Format::Json | Format::Ndjson) {
        let j = summary_json(s, info);
        if format == Format::Json {
            serde_json::to_writer_pretty(&mut *out, &j)?;
        } else {
            serde_json::to_writer(&mut *out, &j)?;
        }
        return writeln!(out);
    }
    if matches!(format, Format::Csv | Format::Tsv | Format::Raw) {
        let rows = summary_rows(s, info);
        let mut buf = Vec::new();
        if let Some(d) = Delimited::of(format) {
            d.table(
                &["section", "key", "value"],
                rows.into_iter().map(Vec::from),
                &mut buf,
            );
        }
        return out.write_all(&buf);
    }

    let lines = summary_lines(s, info);
    let label_width = lines.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    for (label, value) in &lines {
        writeln!(out, "{label:<label_width$}  {value}")?;
    }
    if !s.largest.is_empty() {
        writeln!(out, "Largest events")?;
        for l in &s.largest {
            writeln!(
                out,
                "  {:>9}  {}  {} {} by {}",
                human_bytes(l.bytes),
                super::columns::sanitize(l.audit_id.clone()),
                l.verb,
                super::columns::sanitize(l.what.clone()),
                super::columns::sanitize(l.user.clone())
            )?;
        }
    }
    Ok(())
}

/// The summary as flat (section, key, value) rows, for CSV and TSV.
fn summary_rows(s: &Summary, info: &RunInfo) -> Vec<[String; 3]> {
    let mut rows: Vec<[String; 3]> = vec![
        ["input".into(), "files".into(), info.inputs.to_string()],
        ["input".into(), "bytes_read".into(), info.bytes.to_string()],
        ["input".into(), "events".into(), s.events.to_string()],
        [
            "input".into(),
            "malformed_lines".into(),
            info.bad_lines.to_string(),
        ],
        [
            "time".into(),
            "first".into(),
            s.first.map(format_micros).unwrap_or_default(),
        ],
        [
            "time".into(),
            "last".into(),
            s.last.map(format_micros).unwrap_or_default(),
        ],
        [
            "input".into(),
            "requests".into(),
            s.requests.len().to_string(),
        ],
        ["codes".into(), "401".into(), s.unauthorized.to_string()],
        ["codes".into(), "403".into(), s.forbidden.to_string()],
        [
            "users".into(),
            "system_user_events".into(),
            s.system_users.to_string(),
        ],
    ];
    for (i, class) in ["none", "1xx", "2xx", "3xx", "4xx", "5xx"]
        .iter()
        .enumerate()
    {
        rows.push([
            "codes".into(),
            class.to_string(),
            s.code_classes[i].to_string(),
        ]);
    }
    for (section, m) in [
        ("stage", &s.stages),
        ("level", &s.levels),
        ("user", &s.users),
        ("verb", &s.verbs),
        ("resource", &s.resources),
        ("namespace", &s.namespaces),
        ("source_ip", &s.source_ips),
        ("user_agent", &s.user_agents),
    ] {
        for (k, n) in top(
            m,
            if section == "stage" || section == "level" {
                usize::MAX
            } else {
                TOP
            },
        ) {
            rows.push([section.into(), k.to_string(), n.to_string()]);
        }
    }
    rows
}

/// The summary's one screen for people: a label and its text per line.
fn summary_lines(s: &Summary, info: &RunInfo) -> Vec<(String, String)> {
    let list = |m, n| {
        top(m, n)
            .into_iter()
            .map(|(k, c)| format!("{} {c}", super::columns::sanitize(k.to_string())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let pct = |n: u64| {
        if s.events == 0 {
            0.0
        } else {
            n as f64 * 100.0 / s.events as f64
        }
    };
    let mut lines: Vec<(String, String)> = Vec::new();
    lines.push((
        "Files".into(),
        format!("{} ({} read)", info.inputs, human_bytes(info.bytes)),
    ));
    let malformed = if info.bad_lines > 0 {
        format!(", {} malformed lines skipped", info.bad_lines)
    } else {
        String::new()
    };
    lines.push((
        "Events".into(),
        format!(
            "{} ({} of events){malformed}",
            s.events,
            human_bytes(s.event_bytes)
        ),
    ));
    if let (Some(a), Some(b)) = (s.first, s.last) {
        let span = b - a;
        let rate = if span > 0 {
            let r = s.events as f64 / (span as f64 / 1e6);
            if r >= 10.0 {
                format!(", {r:.0} events/s")
            } else {
                format!(", {r:.3} events/s")
            }
        } else {
            String::new()
        };
        lines.push((
            "Time span".into(),
            format!(
                "{} .. {} ({}){rate}",
                format_micros(a),
                format_micros(b),
                format_duration(span)
            ),
        ));
    }
    lines.push(("Stages".into(), list(&s.stages, usize::MAX)));
    lines.push(("Levels".into(), list(&s.levels, usize::MAX)));
    let requests = s.requests.len() as u64;
    let requests_line = if requests < s.events {
        let extra = s.events - requests;
        format!(
            "{requests} distinct requests in {} events: {extra} {} another stage or a copy of a request (--dedup counts each request once)",
            s.events,
            if extra == 1 { "event is" } else { "events are" }
        )
    } else {
        format!("{requests}, one event each")
    };
    lines.push(("Requests".into(), requests_line));
    let c = &s.code_classes;
    lines.push((
        "Responses".into(),
        format!(
            "1xx {} · 2xx {} · 3xx {} · 4xx {} · 5xx {}{} · 401: {} · 403: {}",
            c[1],
            c[2],
            c[3],
            c[4],
            c[5],
            if c[0] > 0 {
                format!(" · none {}", c[0])
            } else {
                String::new()
            },
            s.unauthorized,
            s.forbidden
        ),
    ));
    lines.push((
        "System users".into(),
        format!("{:.1}% of events ({})", pct(s.system_users), s.system_users),
    ));
    lines.push(("Top users".into(), list(&s.users, TOP)));
    lines.push(("Top verbs".into(), list(&s.verbs, TOP)));
    lines.push(("Top resources".into(), list(&s.resources, TOP)));
    lines.push(("Top namespaces".into(), list(&s.namespaces, TOP)));
    lines.push(("Top source IPs".into(), list(&s.source_ips, TOP)));
    lines.push(("Top user agents".into(), list(&s.user_agents, 3)));
    lines
}

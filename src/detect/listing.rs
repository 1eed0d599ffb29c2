//! `kaq detect --list`: the catalogue, for people (a table) or for tools
//! (JSON with every field, NDJSON one rule a line).

use std::io::{self, Write};

use serde_json::json;

use super::Rule;
use crate::output::table::{write_table, Layout};
use crate::output::Format;

pub fn write(rules: &[Rule], format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json | Format::Ndjson => {
            let objects: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    json!({
                        "id": r.id,
                        "title": r.title,
                        "severity": r.severity.name(),
                        "mitre": r.mitre,
                        "enabled": r.enabled,
                        "description": r.description,
                        "filter": r.filter_text,
                        "threshold": r.threshold.as_ref().map(|t| t.describe()),
                        "origin": r.origin,
                    })
                })
                .collect();
            if format == Format::Json {
                serde_json::to_writer_pretty(&mut *out, &objects)?;
                out.write_all(b"\n")
            } else {
                for o in objects {
                    serde_json::to_writer(&mut *out, &o)?;
                    out.write_all(b"\n")?;
                }
                Ok(())
            }
        }
        _ => {
            let titles: Vec<String> = ["ID", "SEVERITY", "MITRE", "ON", "TITLE"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let rows = rules
                .iter()
                .map(|r| {
                    let mut title = r.title.clone();
                    if let Some(t) = &r.threshold {
                        title.push_str(&format!(" ({})", t.describe()));
                    }
                    if r.origin != "built-in" {
                        title.push_str(&format!(" [{}]", r.origin));
                    }
                    vec![
                        r.id.clone(),
                        r.severity.name().to_string(),
                        r.mitre.clone().unwrap_or_default(),
                        if r.enabled { "yes" } else { "off" }.to_string(),
                        title,
                    ]
                })
                .collect();
            let layout = Layout {
                titles: &titles,
                compact: &[true, true, true, true, false],
                width: None,
                color: false,
            };
            write_table(&layout, rows, |_, _, t| comfy_table::Cell::new(t), out)
        }
    }
}

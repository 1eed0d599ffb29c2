//! The documentation stays true to the code:
//!
//! - `docs/detections.md` holds the detection catalogue, generated from
//!   `kaq detect --list -o json`. Everything below its marker line is
//!   generated; `KAQ_BLESS=1 cargo test --test docs` rewrites it (the text
//!   above the marker is written by hand and kept).
//! - Relative links between the Markdown pages (README, CONTRIBUTING,
//!   `docs/`) reach a file that exists, and a `#heading` that exists in it.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The line after which `docs/detections.md` is generated.
const MARKER: &str = "<!-- Generated from `kaq detect --list -o json` by tests/docs.rs: edit above this line only; `KAQ_BLESS=1 cargo test --test docs` rewrites the rest. -->";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

// ------------------------------------------------------------ the catalogue

/// Runs the built binary: `kaq detect --list -o json`.
fn catalogue() -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_kaq"))
        .args(["detect", "--list", "-o", "json"])
        .stdin(Stdio::null())
        .output()
        .expect("run kaq");
    assert!(
        out.status.success(),
        "kaq detect --list -o json: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("kaq detect --list -o json prints a JSON array")
}

fn text<'a>(rule: &'a serde_json::Value, key: &str) -> &'a str {
    rule[key].as_str().unwrap_or_default()
}

/// A Markdown table cell: pipes escaped, one line.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A fence longer than any run of backticks in `s`.
fn fence(s: &str) -> String {
    let longest = s
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    "`".repeat(longest.max(2) + 1)
}

/// The generated part of `docs/detections.md`, from the catalogue.
fn generated(rules: &[serde_json::Value]) -> String {
    let on = rules.iter().filter(|r| r["enabled"] == true).count();
    let mut s = String::new();
    writeln!(s, "\n## The catalogue\n").unwrap();
    writeln!(
        s,
        "{} rules, {on} of them on by default. A rule that is off runs with \
         `--only ID` or `enable: [ID]` in a rules file.\n",
        rules.len()
    )
    .unwrap();
    writeln!(s, "| rule | severity | ATT&CK | on | title |").unwrap();
    writeln!(s, "|---|---|---|---|---|").unwrap();
    for r in rules {
        let id = text(r, "id");
        writeln!(
            s,
            "| [`{id}`](#{id}) | {} | {} | {} | {} |",
            text(r, "severity"),
            text(r, "mitre"),
            if r["enabled"] == true { "yes" } else { "off" },
            cell(text(r, "title")),
        )
        .unwrap();
    }
    for r in rules {
        let id = text(r, "id");
        writeln!(s, "\n### `{id}`\n").unwrap();
        let mut facts = vec![format!("severity **{}**", text(r, "severity"))];
        if let Some(m) = r["mitre"].as_str() {
            facts.push(format!("ATT&CK {m}"));
        }
        let on = if r["enabled"] == true { "on" } else { "off" };
        facts.push(format!("{on} by default"));
        writeln!(s, "**{}** — {}.\n", text(r, "title"), facts.join(", ")).unwrap();
        writeln!(s, "{}\n", text(r, "description").trim()).unwrap();
        if let Some(t) = r["threshold"].as_str() {
            writeln!(s, "Threshold: `{t}`.\n").unwrap();
        }
        let filter = text(r, "filter").trim_end();
        let f = fence(filter);
        writeln!(s, "{f}text\n{filter}\n{f}").unwrap();
    }
    s
}

#[test]
fn detection_catalogue_page_is_current() {
    let path = root().join("docs/detections.md");
    let page = std::fs::read_to_string(&path).expect("docs/detections.md");
    let Some(at) = page.find(MARKER) else {
        panic!("docs/detections.md has lost its marker line:\n{MARKER}");
    };
    let head = &page[..at + MARKER.len()];
    let rules = catalogue();
    assert!(!rules.is_empty(), "the catalogue is empty");
    for r in &rules {
        assert_eq!(r["origin"], "built-in", "only built-in rules: {r}");
    }
    let expected = format!("{head}\n{}", generated(&rules));
    if std::env::var_os("KAQ_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    assert!(
        page == expected,
        "docs/detections.md is stale: the catalogue changed. Regenerate it with\n\
         \n    KAQ_BLESS=1 cargo test --test docs\n\n\
         (it rewrites everything below the marker line from `kaq detect --list -o json`)"
    );
}

// ------------------------------------------------------------------- links

/// The Markdown pages whose links are checked.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md"), root().join("CONTRIBUTING.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The lines of a page outside fenced code blocks.
fn prose(page: &str) -> Vec<&str> {
    let mut in_fence: Option<String> = None;
    let mut lines = Vec::new();
    for line in page.lines() {
        let t = line.trim_start();
        let ticks: String = t.chars().take_while(|&c| c == '`').collect();
        if ticks.len() >= 3 {
            match &in_fence {
                None => in_fence = Some(ticks),
                Some(open) if ticks.len() >= open.len() && t.trim() == ticks => in_fence = None,
                Some(_) => {}
            }
            continue;
        }
        if in_fence.is_none() {
            lines.push(line);
        }
    }
    lines
}

/// GitHub's anchors for a page's headings: lower case, punctuation dropped,
/// spaces to dashes, `-1`, `-2`... for repeats.
fn anchors(page: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    for line in prose(page) {
        let Some(title) = line.strip_prefix('#') else {
            continue;
        };
        let title = title.trim_start_matches('#');
        if !title.starts_with(' ') {
            continue;
        }
        let slug: String = title
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut anchor = slug.clone();
        let mut n = 0;
        while seen.contains(&anchor) {
            n += 1;
            anchor = format!("{slug}-{n}");
        }
        seen.insert(anchor);
    }
    seen
}

/// The targets of `[text](target)` links outside code.
fn links(page: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose(page) {
        // Inline code spans hold no links.
        let mut plain = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                plain.push_str(part);
            }
        }
        let mut rest = plain.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    targets
}

#[test]
fn relative_links_between_pages_resolve() {
    let mut broken = Vec::new();
    for page in pages() {
        let text =
            std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        let name = page.strip_prefix(root()).unwrap().display().to_string();
        for target in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target.as_str(), None),
            };
            let resolved = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            if !resolved.exists() {
                broken.push(format!("{name}: ({target}): no such file"));
                continue;
            }
            let Some(anchor) = anchor else { continue };
            let Ok(target_text) = std::fs::read_to_string(&resolved) else {
                broken.push(format!("{name}: ({target}): not a page with headings"));
                continue;
            };
            if !anchors(&target_text).contains(anchor) {
                broken.push(format!("{name}: ({target}): no such heading"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

//! The ATT&CK tactics of the techniques kaq's catalogue names, for Sigma's
//! `attack.<tactic>` tags. Data from MITRE ATT&CK (Enterprise, Containers
//! platform); a technique missing here gets its technique tag only.

/// Technique (without sub-technique) → its tactics, in Sigma's spelling.
const TACTICS: &[(&str, &[&str])] = &[
    ("T1040", &["credential-access", "discovery"]),
    (
        "T1053",
        &["execution", "persistence", "privilege-escalation"],
    ),
    ("T1059", &["execution"]),
    ("T1069", &["discovery"]),
    ("T1070", &["defense-evasion"]),
    (
        "T1078",
        &[
            "defense-evasion",
            "persistence",
            "privilege-escalation",
            "initial-access",
        ],
    ),
    ("T1090", &["command-and-control"]),
    ("T1098", &["persistence", "privilege-escalation"]),
    ("T1105", &["command-and-control"]),
    ("T1110", &["credential-access"]),
    ("T1133", &["persistence", "initial-access"]),
    ("T1134", &["defense-evasion", "privilege-escalation"]),
    ("T1136", &["persistence"]),
    ("T1485", &["impact"]),
    ("T1489", &["impact"]),
    ("T1525", &["persistence"]),
    ("T1528", &["credential-access"]),
    ("T1546", &["privilege-escalation", "persistence"]),
    ("T1552", &["credential-access"]),
    ("T1570", &["lateral-movement"]),
    ("T1572", &["command-and-control"]),
    ("T1609", &["execution"]),
    ("T1610", &["defense-evasion", "execution"]),
    ("T1611", &["privilege-escalation"]),
    ("T1613", &["discovery"]),
    ("T1649", &["credential-access"]),
];

/// Sigma tags for a technique id (`T1552.007`): its tactics, then the
/// technique, lowercase (`attack.credential-access`, `attack.t1552.007`).
/// Empty for text that is not a technique id.
pub fn tags(technique: &str) -> Vec<String> {
    let t = technique.trim();
    let valid = t.len() >= 5
        && t.starts_with('T')
        && t[1..]
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !valid {
        return Vec::new();
    }
    let base = t.split('.').next().unwrap_or(t);
    let mut out: Vec<String> = TACTICS
        .iter()
        .find(|(id, _)| *id == base)
        .map(|(_, ts)| ts.iter().map(|x| format!("attack.{x}")).collect())
        .unwrap_or_default();
    out.push(format!("attack.{}", t.to_ascii_lowercase()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn techniques_get_their_tactics() {
        assert_eq!(
            tags("T1552.007"),
            ["attack.credential-access", "attack.t1552.007"]
        );
        assert_eq!(tags("T9999"), ["attack.t9999"]);
        assert!(tags("lateral").is_empty());
        assert!(tags("T1.").is_empty());
    }
}

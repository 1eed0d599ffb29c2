//! Time: audit timestamps as instants, user-typed durations and times.
//!
//! Audit events carry `metav1.MicroTime` (`2022-12-09T23:51:56.997825Z`); that
//! fixed layout is parsed by hand on the hot path. Anything else RFC 3339
//! (other offsets, other fraction lengths) goes through jiff, which also
//! parses what users type for `--since`/`--until` and time literals.

/// Microseconds since the Unix epoch, UTC.
pub type Micros = i64;

/// Parses an RFC 3339 timestamp to microseconds since the epoch.
pub fn parse_timestamp(s: &str) -> Option<Micros> {
    parse_fast_utc(s.as_bytes()).or_else(|| {
        let ts: jiff::Timestamp = s.parse().ok()?;
        Some(ts.as_microsecond())
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, the layout the API server writes.
fn parse_fast_utc(b: &[u8]) -> Option<Micros> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' && b[10] != b't' {
        return None;
    }
    if b[13] != b':' || b[16] != b':' || !matches!(b[b.len() - 1], b'Z' | b'z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut micros = 0i64;
    let rest = &b[19..b.len() - 1];
    if !rest.is_empty() {
        if rest[0] != b'.' || rest.len() < 2 || rest.len() > 10 {
            return None;
        }
        let digits = &rest[1..];
        let mut scale = 100_000i64;
        for &c in digits {
            if !c.is_ascii_digit() {
                return None;
            }
            micros += i64::from(c - b'0') * scale;
            scale /= 10;
        }
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + min) * 60_000_000 + sec * 1_000_000 + micros)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses a duration such as `90s`, `15m`, `2h`, `7d`, `1w` or `1h30m` into
/// microseconds. Units: `ms`, `s`, `m`, `h`, `d` (24 h), `w` (7 d).
pub fn parse_duration(s: &str) -> Option<Micros> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => 1_000,
            "s" | "sec" => 1_000_000,
            "m" | "min" => 60_000_000,
            "h" => 3_600_000_000,
            "d" => 86_400_000_000,
            "w" => 604_800_000_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
        rest = &rest[unit_len..];
    }
    Some(total)
}

/// The current time in microseconds since the epoch.
pub fn now() -> Micros {
    jiff::Timestamp::now().as_microsecond()
}

/// Resolves a `--since`/`--until` argument: a duration back from `now`, or an
/// RFC 3339 time.
pub fn parse_time_bound(s: &str, now: Micros) -> Option<Micros> {
    parse_duration(s)
        .and_then(|d| now.checked_sub(d))
        .or_else(|| parse_timestamp(s))
}

/// Formats an instant as RFC 3339 with microseconds, like the API server.
pub fn format_micros(t: Micros) -> String {
    match jiff::Timestamp::from_microsecond(t) {
        Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        Err(_) => t.to_string(),
    }
}

/// A short human form of a duration in microseconds: `850µs`, `35ms`,
/// `1.2s`, `3m4s`, `3h0m23s`, `2d4h`.
pub fn format_duration(us: Micros) -> String {
    let sign = if us < 0 { "-" } else { "" };
    let us = us.unsigned_abs();
    let secs = us / 1_000_000;
    if us < 1_000 {
        format!("{sign}{us}µs")
    } else if us < 1_000_000 {
        format!("{sign}{}ms", us / 1_000)
    } else if us < 60_000_000 {
        format!("{sign}{:.1}s", us as f64 / 1e6)
    } else if secs < 3600 {
        format!("{sign}{}m{}s", secs / 60, secs % 60)
    } else if secs < 86_400 {
        format!("{sign}{}h{}m{}s", secs / 3600, (secs / 60) % 60, secs % 60)
    } else {
        format!("{sign}{}d{}h", secs / 86_400, (secs / 3600) % 24)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_agrees_with_jiff() {
        for s in [
            "2022-12-09T23:51:56.997825Z",
            "1970-01-01T00:00:00Z",
            "2024-02-29T12:00:00.5Z",
            "2000-03-01T00:00:00.000000001Z",
            "1969-12-31T23:59:59.999999Z",
        ] {
            let fast = parse_fast_utc(s.as_bytes()).unwrap();
            let ts: jiff::Timestamp = s.parse().unwrap();
            assert_eq!(fast, ts.as_microsecond(), "{s}");
        }
    }

    #[test]
    fn offsets_go_through_jiff() {
        assert_eq!(
            parse_timestamp("2024-01-01T02:00:00+02:00"),
            parse_timestamp("2024-01-01T00:00:00Z")
        );
        assert_eq!(parse_timestamp("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90m"), Some(90 * 60_000_000));
        assert_eq!(parse_duration("1h30m"), Some(90 * 60_000_000));
        assert_eq!(parse_duration("7d"), Some(7 * 86_400_000_000));
        assert_eq!(parse_duration("250ms"), Some(250_000));
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration("5y"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn time_bounds() {
        let now = parse_timestamp("2024-05-01T12:00:00Z").unwrap();
        assert_eq!(
            parse_time_bound("2h", now),
            parse_timestamp("2024-05-01T10:00:00Z")
        );
        assert_eq!(
            parse_time_bound("2024-05-01T00:00:00Z", now),
            parse_timestamp("2024-05-01T00:00:00Z")
        );
        assert_eq!(format_micros(now), "2024-05-01T12:00:00.000000Z");
        assert_eq!(format_duration(35_400), "35ms");
        assert_eq!(format_duration(1_250_000), "1.2s");
        assert_eq!(format_duration(10_823_000_000), "3h0m23s");
        assert_eq!(format_duration(190_800_000_000), "2d5h");
    }
}

//! RFC 3339 timestamps as microseconds since the epoch, in SQL, exactly as
//! [`crate::time::parse_timestamp`] reads them. Computed with integer
//! arithmetic from the text (not the engine's timestamp parser, whose
//! accepted forms and leap-second rules differ from kaq's).
//!
//! Forms read: `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` (`T`/`t`, `Z`/`z`; second
//! 60 counts as one more second, as kaq's fast path does) and the same with
//! a `±HH:MM` offset (second 60 read as 59, as jiff does). Anything else is
//! `NULL`: not a timestamp.

use super::dialect::Dialect;

/// The pattern of the forms read; groups are cut by position.
const FORM: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$";

/// Microseconds since the epoch of the SQL string `s`, or `NULL`.
pub fn micros(d: &dyn Dialect, text: &str) -> String {
    d.bind(text, "_t", &micros_of(d, "_t"))
}

fn micros_of(d: &dyn Dialect, s: &str) -> String {
    let n = |start: usize, len: usize| d.to_int(&d.substr(s, &start.to_string(), &len.to_string()));
    let (y, mo, day) = (n(1, 4), n(6, 2), n(9, 2));
    let (h, mi, sec) = (n(12, 2), n(15, 2), n(18, 2));
    let len = d.len_text(s);
    // The zone: the last character `Z`/`z`, or the last six `±HH:MM`.
    let zulu = format!("upper({}) = 'Z'", d.substr(s, &len, "1"));
    let off_sign = d.substr(s, &format!("{len} - 5"), "1");
    let off_h = d.to_int(&d.substr(s, &format!("{len} - 4"), "2"));
    let off_m = d.to_int(&d.substr(s, &format!("{len} - 1"), "2"));
    let offset = format!(
        "(CASE WHEN {zulu} THEN 0 ELSE (CASE WHEN {off_sign} = '-' THEN -1 ELSE 1 END) * ({off_h} * 60 + {off_m}) * 60000000 END)"
    );
    // The fraction: the characters between the seconds and the zone.
    let frac_len = format!("({len} - 19 - CASE WHEN {zulu} THEN 1 ELSE 6 END)");
    let digits = d.substr(s, "21", &format!("{frac_len} - 1"));
    let frac = format!(
        "(CASE WHEN {frac_len} > 1 THEN {} ELSE 0 END)",
        d.to_int(&d.substr(&d.rpad_zero(&digits, 9), "1", "6"))
    );
    let leap = format!("CASE WHEN {sec} = 60 AND NOT {zulu} THEN 59 ELSE {sec} END");
    let days = days_from_civil(d, &y, &mo, &day);
    let valid = format!(
        "{} AND {mo} BETWEEN 1 AND 12 AND {day} >= 1 AND {day} <= {} AND {h} <= 23 AND {mi} <= 59 AND {sec} <= 60 AND ({zulu} OR ({off_h} <= 23 AND {off_m} <= 59))",
        d.regex(s, FORM),
        days_in_month(&y, &mo),
    );
    format!(
        "(CASE WHEN {valid} THEN (({days} * 24 + {h}) * 60 + {mi}) * 60000000 + ({leap}) * 1000000 + {frac} - {offset} END)"
    )
}

fn days_in_month(y: &str, m: &str) -> String {
    format!(
        "(CASE WHEN {m} = 2 AND (({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0) THEN 29 WHEN {m} = 2 THEN 28 WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END)"
    )
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm), on a year shifted by
/// 2000 so that every division is of non-negative numbers.
fn days_from_civil(d: &dyn Dialect, y: &str, m: &str, day: &str) -> String {
    let yy = format!("({y} + 2000 - CASE WHEN {m} <= 2 THEN 1 ELSE 0 END)");
    let era = d.floor_div(&yy, "400");
    let yoe = format!("({yy} - {era} * 400)");
    let mp = format!("(({m} + 9) % 12)");
    let doy = format!(
        "({} + {day} - 1)",
        d.floor_div(&format!("153 * {mp} + 2"), "5")
    );
    let doe = format!(
        "({yoe} * 365 + {} - {} + {doy})",
        d.floor_div(&yoe, "4"),
        d.floor_div(&yoe, "100")
    );
    format!("({era} * 146097 + {doe} - 719468 - 730485)")
}

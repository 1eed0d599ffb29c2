//! `within`: an address inside a CIDR block, decided as
//! [`crate::filter::cidr`] decides it: the value is a JSON string, trimmed
//! of Unicode whitespace (`str::trim`), read by the grammar of Rust's
//! `IpAddr::from_str` (dotted quads without leading zeros; IPv6 groups of
//! one to four hex digits, one `::` standing for at least one group, an
//! IPv4 tail), and an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) counts
//! as IPv4.
//!
//! In SQL: an IPv4 address becomes a 32-bit integer; an IPv6 address
//! becomes 32 lowercase hex digits (each group padded to four, `::`
//! expanded), and a block is a prefix of those digits.

use std::net::IpAddr;

use super::dialect::{Dialect, Kind};
use crate::filter::cidr::Cidr;

/// Rust's `char::is_whitespace` (Unicode White_Space), as an RE2 class.
const SPACE: &str =
    r"[\t\n\x0B\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]";
const OCTET: &str = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const GROUP: &str = "[0-9A-Fa-f]{1,4}";

fn v4() -> String {
    format!(r"{OCTET}(\.{OCTET}){{3}}")
}

/// Every spelling Rust's parser accepts, as one anchored pattern.
fn v6() -> String {
    let v4 = v4();
    let groups = |n: usize| -> String {
        // Exactly n groups, `:`-separated.
        match n {
            0 => String::new(),
            1 => GROUP.to_string(),
            n => format!("{GROUP}(:{GROUP}){{{}}}", n - 1),
        }
    };
    let mut forms = vec![groups(8), format!("{}:{v4}", groups(6))];
    for head in 0..=7 {
        let room = 7 - head;
        let mut tails = vec![String::new()];
        for n in 1..=room {
            tails.push(groups(n));
        }
        for n in 0..=room.saturating_sub(2) {
            if room >= 2 {
                tails.push(if n == 0 {
                    v4.clone()
                } else {
                    format!("{}:{v4}", groups(n))
                });
            }
        }
        let tails: Vec<String> = tails.into_iter().map(|t| format!("({t})")).collect();
        forms.push(format!("{}::({})", groups(head), tails.join("|")));
    }
    format!("^({})$", forms.join("|"))
}

/// The test of the present value `x`: a string inside one of `blocks`.
pub fn within(d: &dyn Dialect, x: &str, blocks: &[Cidr]) -> String {
    let space = format!("^{SPACE}+|{SPACE}+$");
    let t = d.regex_replace(&d.str_value(x), &space, "");
    let body = test(d, "_ip", blocks);
    super::expr::guarded(&d.is_kind(x, Kind::String), &d.bind(&t, "_ip", &body))
}

fn test(d: &dyn Dialect, t: &str, blocks: &[Cidr]) -> String {
    let is4 = d.regex(t, &format!("^{}$", v4()));
    let is6 = d.regex(t, &v6());
    let octet = |i: usize| d.to_int(&d.at(&d.split(t, "."), i));
    let int4 = format!(
        "((({} * 256 + {}) * 256 + {}) * 256 + {})",
        octet(1),
        octet(2),
        octet(3),
        octet(4)
    );
    let hex = hex32(d, t);
    let mapped = d.starts_with("_h", &d.string("00000000000000000000ffff"));
    let hexval = |i: usize| {
        format!(
            "({} - 1)",
            d.find("'0123456789abcdef'", &d.substr("_h", &i.to_string(), "1"))
        )
    };
    let mapped_int = (25..=32).fold("0".to_string(), |acc, i| {
        format!("({acc} * 16 + {})", hexval(i))
    });
    let mut v4_tests = Vec::new();
    let mut v6_tests = Vec::new();
    for b in blocks {
        let (net, prefix) = b.parts();
        match net {
            IpAddr::V4(a) => {
                let lo = u64::from(u32::from(a));
                let size = 1u64 << (32 - u32::from(prefix));
                v4_tests.push((lo, lo + size - 1));
            }
            IpAddr::V6(a) => v6_tests.push((format!("{:032x}", u128::from(a)), prefix)),
        }
    }
    let in_v4 = |v: &str| -> String {
        let parts: Vec<String> = v4_tests
            .iter()
            .map(|(lo, hi)| format!("({v} BETWEEN {lo} AND {hi})"))
            .collect();
        if parts.is_empty() {
            "(1 = 0)".into()
        } else {
            format!("({})", parts.join(" OR "))
        }
    };
    let in_v6: Vec<String> = v6_tests
        .iter()
        .map(|(net, prefix)| {
            let full = usize::from(*prefix) / 4;
            let rem = u32::from(*prefix) % 4;
            let mut cond = format!(
                "{} = {}",
                d.substr("_h", "1", &full.to_string()),
                d.string(&net[..full])
            );
            if rem > 0 {
                let digit = u32::from_str_radix(&net[full..=full], 16).unwrap_or(0);
                let div = 1u32 << (4 - rem);
                cond = format!(
                    "{cond} AND {} = {}",
                    d.floor_div(&hexval(full + 1), &div.to_string()),
                    digit / div
                );
            }
            format!("({cond})")
        })
        .collect();
    let v6_part = if in_v6.is_empty() {
        "(1 = 0)".to_string()
    } else {
        format!("(NOT {mapped} AND ({}))", in_v6.join(" OR "))
    };
    let v6_body = format!("(({mapped} AND {}) OR {v6_part})", in_v4(&mapped_int));
    format!(
        "(CASE WHEN {is4} THEN {} WHEN {is6} THEN {} ELSE false END)",
        in_v4(&int4),
        d.bind(&hex, "_h", &v6_body)
    )
}

/// The 32 hex digits of a valid IPv6 text `t`.
fn hex32(d: &dyn Dialect, t: &str) -> String {
    // An IPv4 tail becomes two groups of hex.
    let low = format!("lower({t})");
    let with_tail = {
        let last = d.regex_replace(&low, r"^.*:", "");
        let head = d.regex_replace(&low, r"[^:]*$", "");
        let octet = |i: usize| d.hex2(&d.to_int(&d.at(&d.split(&last, "."), i)));
        format!(
            "(CASE WHEN {} > 0 THEN {} ELSE {low} END)",
            d.find(&low, "'.'"),
            d.concat(&[head, octet(1), octet(2), "':'".into(), octet(3), octet(4)])
        )
    };
    let padded = |part: &str| {
        let x = "_g";
        format!(
            "(CASE WHEN {part} = '' THEN '' ELSE {} END)",
            d.join(&d.map(&d.split(part, ":"), x, &d.lpad_zero(x, 4)), "")
        )
    };
    let count = |part: &str| {
        format!(
            "(CASE WHEN {part} = '' THEN 0 ELSE {} - {} + 1 END)",
            d.len_text(part),
            d.len_text(&format!("replace({part}, ':', '')"))
        )
    };
    let body = {
        let head = d.regex_replace("_w", "::.*$", "");
        let tail = d.regex_replace("_w", "^.*::", "");
        format!(
            "(CASE WHEN {} > 0 THEN {} ELSE {} END)",
            d.find("_w", "'::'"),
            d.concat(&[
                padded(&head),
                d.repeat(
                    "'0000'",
                    &format!("8 - {} - {}", count(&head), count(&tail))
                ),
                padded(&tail)
            ]),
            padded("_w")
        )
    };
    d.bind(&with_tail, "_w", &body)
}

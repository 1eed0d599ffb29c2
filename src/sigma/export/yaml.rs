//! Writing the YAML of a Sigma rule: every string a double-quoted scalar
//! with everything but printable ASCII escaped, so no value from a rule
//! file or a filter (quotes, `: `, `#`, a leading `*`, newlines, control
//! characters, unicode) can change the document's structure or be read
//! back as anything but itself.

use crate::number::Number;

/// A YAML scalar as Sigma reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Num(Number),
    Bool(bool),
    Null,
}

impl Scalar {
    /// The scalar as YAML text.
    pub fn render(&self) -> String {
        match self {
            Scalar::Str(s) => quote(s),
            Scalar::Num(Number::Int(n)) => n.to_string(),
            // `{:?}` keeps a `.0` or an exponent with its sign, which YAML
            // 1.1 readers (PyYAML) need to see a float.
            Scalar::Num(Number::Float(x)) => float(*x),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Null => "null".to_string(),
        }
    }
}

fn float(x: f64) -> String {
    let text = format!("{x:?}");
    match text.split_once('e') {
        // `1e20` → `1.0e+20`: PyYAML's float needs a dot and a signed
        // exponent.
        Some((mantissa, exp)) => {
            let mantissa = if mantissa.contains('.') {
                mantissa.to_string()
            } else {
                format!("{mantissa}.0")
            };
            let exp = if exp.starts_with('-') {
                exp.to_string()
            } else {
                format!("+{exp}")
            };
            format!("{mantissa}e{exp}")
        }
        None => text,
    }
}

/// `s` as a double-quoted YAML scalar: printable ASCII as is (`"` and `\`
/// escaped), everything else as `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02X}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A YAML document built line by line, two spaces an indent.
#[derive(Debug, Default)]
pub struct Doc {
    text: String,
}

impl Doc {
    /// `key: value` at `depth`; the key is quoted unless it is a plain word.
    pub fn field(&mut self, depth: usize, key: &str, value: &Scalar) {
        self.line(depth, &format!("{}: {}", key_text(key), value.render()));
    }

    /// `key:` opening a map or a list at `depth`.
    pub fn open(&mut self, depth: usize, key: &str) {
        self.line(depth, &format!("{}:", key_text(key)));
    }

    /// `- value` at `depth`.
    pub fn item(&mut self, depth: usize, value: &Scalar) {
        self.line(depth, &format!("- {}", value.render()));
    }

    /// `key:` and its values as a list, or `key: value` for one value.
    pub fn values(&mut self, depth: usize, key: &str, values: &[Scalar]) {
        match values {
            [one] => self.field(depth, key, one),
            many => {
                self.open(depth, key);
                for v in many {
                    self.item(depth + 1, v);
                }
            }
        }
    }

    /// A `#` comment line (text must be one line of plain characters).
    pub fn comment(&mut self, depth: usize, text: &str) {
        let clean: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        self.line(depth, &format!("# {clean}"));
    }

    /// A line of YAML syntax as is (`---` between documents).
    pub fn line_raw(&mut self, text: &str) {
        self.line(0, text);
    }

    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.text.push_str("  ");
        }
        self.text.push_str(text);
        self.text.push('\n');
    }

    pub fn finish(self) -> String {
        self.text
    }
}

/// Keys that need no quotes: Sigma's own (`title`, `logsource`) and
/// selection names.
fn key_text(key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        key.to_string()
    } else {
        quote(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_strings_are_one_quoted_scalar() {
        for s in [
            "a\"b",
            "c:\\path",
            "line\nbreak",
            "key: value # not a comment",
            "*leading",
            "tab\tand\u{7f}del",
            "é\u{2028}\u{feff}😀",
            "",
        ] {
            let q = quote(s);
            assert!(q.starts_with('"') && q.ends_with('"'));
            assert!(q[1..q.len() - 1]
                .bytes()
                .all(|b| (b' '..=b'~').contains(&b)));
            let back: String = serde_saphyr::from_str(&q).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn floats_read_back_as_floats() {
        assert_eq!(float(0.5), "0.5");
        assert_eq!(float(3.0), "3.0");
        assert_eq!(float(1e20), "1.0e+20");
        assert_eq!(float(1.5e-7), "1.5e-7");
    }
}

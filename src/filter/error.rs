//! Filter errors: what went wrong, where (a byte span of the filter text), and
//! an optional hint. Rendering puts a caret under the problem.

use std::fmt;

/// A byte range of the filter source. Filters built from flags carry
/// [`Span::NONE`]: there is no text to point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const NONE: Span = Span {
        start: usize::MAX,
        end: usize::MAX,
    };

    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        if self == Span::NONE {
            return other;
        }
        if other == Span::NONE {
            return self;
        }
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A filter that cannot be parsed, checked or compiled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct FilterError {
    pub span: Span,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl FilterError {
    pub fn new(span: Span, message: impl Into<String>) -> FilterError {
        FilterError {
            span,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> FilterError {
        self.hint = Some(hint.into());
        self
    }

    /// The message, the filter line with a caret under the span, and the hint:
    ///
    /// ```text
    /// invalid filter: expected a value, found `)`
    ///   verb == )
    ///           ^
    /// hint: ...
    /// ```
    pub fn render(&self, source: &str) -> String {
        let mut out = format!("invalid filter: {}", self.message);
        if self.span != Span::NONE && self.span.start <= source.len() {
            // Spans should sit on character boundaries; never trust that
            // when slicing (found by fuzzing: a span ending mid-character).
            let floor = |mut i: usize| {
                i = i.min(source.len());
                while !source.is_char_boundary(i) {
                    i -= 1;
                }
                i
            };
            let start = floor(self.span.start);
            let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = source[start..]
                .find('\n')
                .map_or(source.len(), |i| start + i);
            let line = &source[line_start..line_end];
            let col = source[line_start..start].chars().count();
            let end = floor(self.span.end.min(line_end)).max(start);
            let width = source[start..end].chars().count().max(1);
            let shown: String = line
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            out.push_str(&format!(
                "\n  {shown}\n  {}{}",
                " ".repeat(col),
                "^".repeat(width)
            ));
        }
        if let Some(h) = &self.hint {
            out.push_str(&format!("\nhint: {h}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_span() {
        let e = FilterError::new(Span::new(8, 9), "expected a value, found `)`").with_hint("h");
        assert_eq!(
            e.render("verb == )"),
            "invalid filter: expected a value, found `)`\n  verb == )\n          ^\nhint: h"
        );
    }

    /// Found by `cargo fuzz run filter`: an invalid `\u` escape followed by a
    /// multi-byte character put the span's end inside that character.
    #[test]
    fn regression_fuzz_span_inside_a_multibyte_character() {
        let src = "\"\\u2a\u{FFFD}12a17";
        let e = super::super::parse_filter(src).unwrap_err();
        let shown = e.render(src);
        assert!(shown.contains("invalid \\u escape"), "{shown}");
        let e = FilterError::new(Span::new(0, 2), "x");
        assert!(e.render("é").ends_with("^"));
    }

    #[test]
    fn renders_without_span() {
        let e = FilterError::new(Span::NONE, "bad --code");
        assert_eq!(e.render(""), "invalid filter: bad --code");
    }
}

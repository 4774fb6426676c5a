//! The one gate for every URL that reaches a page, the feed, the sitemap or JSON-LD: only
//! `http`, `https`, `mailto` and relative or site paths pass. The scheme is read the way
//! browsers read it (leading C0 controls and spaces dropped, tabs and line breaks removed
//! anywhere, case folded), so `  JaVa\tScRiPt:` is seen for what it is.

/// Schemes a link may use.
pub const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// A scheme other than [`ALLOWED_SCHEMES`] (lower-cased, as a browser reads it).
    Scheme(String),
    /// A control character, which no real URL holds and browsers silently drop.
    Control(char),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Scheme(s) => write!(
                f,
                "URL scheme `{s}:` is not allowed (only http, https, mailto and relative links)"
            ),
            Refused::Control(c) => write!(
                f,
                "URL contains the control character U+{:04X}",
                u32::from(*c)
            ),
        }
    }
}

/// Checks a URL that will be written into the site.
pub fn check(url: &str) -> Result<(), Refused> {
    if let Some(c) = url.chars().find(|c| c.is_control()) {
        return Err(Refused::Control(c));
    }
    match scheme(url) {
        Some(s) if !ALLOWED_SCHEMES.contains(&s.as_str()) => Err(Refused::Scheme(s)),
        _ => Ok(()),
    }
}

/// True when [`check`] passes.
pub fn is_allowed(url: &str) -> bool {
    check(url).is_ok()
}

/// The scheme a browser would see, lower-cased; `None` for a relative URL.
fn scheme(url: &str) -> Option<String> {
    let trimmed = url.trim_start_matches(|c: char| c <= ' ');
    let mut s = String::new();
    for c in trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')) {
        match c {
            ':' => return (!s.is_empty()).then_some(s),
            c if c.is_ascii_alphabetic() => s.push(c.to_ascii_lowercase()),
            c if !s.is_empty() && (c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) => s.push(c),
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed() {
        for ok in [
            "https://example.org/x?a=b#c",
            "HTTP://EXAMPLE.ORG",
            "mailto:a@example.org",
            "/docker/x/",
            "../x",
            "x/y:z",
            "#anchor",
            "?q=a:b",
            "//cdn.example.org/x",
            "",
            "a b",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refused_as_browsers_read_them() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "  javascript:alert(1)",
            "\u{1}javascript:x",
            "java\tscript:x",
            "java\nscript:x",
            "vbscript:x",
            "data:text/html,<script>",
            "file:///etc/passwd",
            "ftp://x",
        ] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check("Data:x"),
            Err(Refused::Scheme("data".into())),
            "case folded"
        );
        assert_eq!(check("a\u{7}b"), Err(Refused::Control('\u{7}')));
        assert_eq!(check("https://a\u{85}b"), Err(Refused::Control('\u{85}')));
    }
}

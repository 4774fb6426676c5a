//! The entry keys, "did you mean" suggestions and locating a key in the file.

/// Every key an entry may have, in the order the format documents them.
pub const KNOWN: &[&str] = &[
    "title",
    "summary",
    "likely_cause",
    "patterns",
    "fix",
    "unsafe",
    "verify",
    "confirm",
    "check",
    "causes",
    "placeholders",
    "examples",
    "related",
    "aliases",
    "links",
    "tags",
    "applies_to",
    "updated",
    "draft",
    "tool",
    "extra",
    "body",
];

pub const REQUIRED: &[&str] = &[
    "title",
    "summary",
    "likely_cause",
    "patterns",
    "fix",
    "unsafe",
    "verify",
];

/// The closest of `candidates` to `word`, when it is close enough to be a typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    crate::diag::nearest(
        &word.to_ascii_lowercase(),
        candidates.iter().copied(),
        |c| 2.max(c.len() / 4).min(c.len().saturating_sub(1)),
    )
}

pub use crate::yaml::key_line;

/// 1-based line and column (within `front`) of the first occurrence of `needle` at or
/// after line `from`.
pub fn find(front: &str, from: usize, needle: &str) -> Option<(usize, usize)> {
    let probe = needle.lines().next().unwrap_or(needle).trim();
    if probe.is_empty() {
        return None;
    }
    front
        .lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find_map(|(i, l)| l.find(probe).map(|b| (i + 1, l[..b].chars().count() + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("verfy", KNOWN), Some("verify"));
        assert_eq!(did_you_mean("likely-cause", KNOWN), Some("likely_cause"));
        assert_eq!(did_you_mean("Title", KNOWN), Some("title"));
        assert_eq!(did_you_mean("pattern", KNOWN), Some("patterns"));
        assert_eq!(did_you_mean("zzzzzz", KNOWN), None);
    }

    #[test]
    fn lines() {
        let f = "title: a\n\"fix\": []\npatterns:\n  - x y\n";
        assert_eq!(key_line(f, "title"), Some(1));
        assert_eq!(key_line(f, "fix"), Some(2));
        assert_eq!(key_line(f, "fi"), None);
        assert_eq!(find(f, 3, "x y"), Some((4, 5)));
    }
}

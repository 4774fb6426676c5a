//! What an entry may put on a page: every URL — `links[].url` and the links and images
//! in each Markdown field — through the one gate in [`crate::url`], so `check` names the
//! line of a `javascript:` link instead of the page silently losing it; and no control
//! characters, which break the feed's XML and can hide text.

use crate::markdown;
use crate::model::{Link, Step, Unsafe};

/// A refused URL: the key it is under, the URL as written (to find its line), and why.
pub(super) struct Bad {
    pub key: &'static str,
    pub url: String,
    pub why: crate::url::Refused,
}

/// The Markdown fields of an entry that are rendered on its page.
pub(super) struct Fields<'a> {
    pub summary: &'a str,
    pub likely_cause: &'a str,
    pub causes: &'a [String],
    pub steps: [(&'static str, &'a [Step]); 4],
    pub unsafe_: &'a [Unsafe],
    pub links: &'a [Link],
}

/// The refused URLs of one entry's front matter (the body is checked with its links).
pub(super) fn check(f: &Fields<'_>) -> Vec<Bad> {
    let mut bad = Vec::new();
    for l in f.links {
        if let Err(why) = crate::url::check(&l.url) {
            bad.push(Bad {
                key: "links",
                url: l.url.clone(),
                why,
            });
        }
    }
    let mut md = |key: &'static str, text: &str| {
        for (url, _) in markdown_links(text) {
            if let Err(why) = crate::url::check(&url) {
                bad.push(Bad { key, url, why });
            }
        }
    };
    md("summary", f.summary);
    md("likely_cause", f.likely_cause);
    f.causes.iter().for_each(|c| md("causes", c));
    for (key, steps) in f.steps {
        for s in steps {
            for text in [&s.title, &s.text, &s.expect].into_iter().flatten() {
                md(key, text);
            }
        }
    }
    for u in f.unsafe_ {
        md("unsafe", &u.do_not);
        md("unsafe", &u.why);
    }
    bad
}

/// Link and image destinations in a Markdown text, with their line in it. Texts that
/// cannot hold a link (no `](`, `]:` or `<`) are not parsed.
pub(super) fn markdown_links(text: &str) -> Vec<(String, usize)> {
    if !(text.contains("](") || text.contains("]:") || text.contains('<')) {
        return Vec::new();
    }
    markdown::scan(text, &[]).links
}

/// A control character that no page text may hold: C0 other than tab and line feed,
/// DEL, and C1.
pub(super) fn is_forbidden_control(c: char) -> bool {
    c.is_control() && c != '\t' && c != '\n'
}

/// Where the first [`is_forbidden_control`] character of `text` starts, found by bytes:
/// the control characters are U+0000–U+001F, U+007F and U+0080–U+009F, whose UTF-8 is one
/// byte below 0x20, 0x7F, or 0xC2 and then 0x80–0x9F (every string of every entry comes
/// here).
fn forbidden_control_at(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    b.iter().enumerate().position(|(i, &x)| {
        (x < 0x20 && x != b'\t' && x != b'\n')
            || x == 0x7F
            || (x == 0xC2 && b.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)))
    })
}

/// Strings in the front matter (as parsed) that hold a forbidden control character: the
/// top-level key and the string. `examples` are exempt (raw log output, never shown; the
/// matcher cleans them), and so are `run` commands (their own lint names the character)
/// and `extra` (the templates' business).
pub(super) fn controls_in(
    front: &serde_json::Map<String, serde_json::Value>,
) -> Vec<(String, String)> {
    fn walk(key: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::String(s) if forbidden_control_at(s).is_some() => {
                out.push((key.to_string(), s.clone()));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(key, v, out)),
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    if k != "run" {
                        walk(key, v, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, v) in front {
        if !matches!(k.as_str(), "examples" | "extra") {
            walk(k, v, &mut out);
        }
    }
    out
}

/// 1-based line and column of the first forbidden control character in `text`.
pub(super) fn first_control(text: &str) -> Option<(char, usize, usize)> {
    let at = forbidden_control_at(text)?;
    let c = text[at..].chars().next()?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    Some((c, line, col))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_found_by_bytes_are_the_unicode_ones() {
        for c in ('\0'..='\u{2ff}').chain(['\u{2028}', '\u{feff}', '\u{1f600}']) {
            let text = format!("ab\u{e9}{c}z");
            let want = is_forbidden_control(c).then_some(4);
            assert_eq!(forbidden_control_at(&text), want, "{c:?}");
        }
    }

    #[test]
    fn control_characters() {
        let front: serde_json::Value = serde_json::json!({
            "title": "ok\tfine",
            "summary": "bell \u{7} here",
            "fix": [{"run": "printf '\u{1b}[0m'", "text": "esc \u{1b}[31m"}],
            "examples": ["\u{1b}[31merror\u{1b}[0m"],
            "extra": {"x": "\u{1}"},
        });
        let found: Vec<String> = controls_in(front.as_object().expect("map"))
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(found, ["fix", "summary"]);
        assert_eq!(first_control("a\nbc\u{85}d"), Some(('\u{85}', 2, 3)));
        assert_eq!(first_control("tab\there\n"), None);
    }

    #[test]
    fn finds_script_urls_in_every_field() {
        let step = |t: &str| Step {
            text: Some(t.into()),
            ..Step::default()
        };
        let fix = [step("see [x](JavaScript:alert(1))")];
        let links = [Link {
            title: "t".into(),
            url: " javascript:alert(1)".into(),
        }];
        let unsafe_ = [Unsafe {
            do_not: "x".into(),
            why: "![i](data:image/svg+xml;base64,PHN2Zz4=)".into(),
        }];
        let causes = ["<vbscript:x>".to_string(), "[fine](https://e.org)".into()];
        let f = Fields {
            summary: "[ok](/docker/x/)\n\n[bad]: javascript:x\n\nsee [bad]",
            likely_cause: "plain",
            causes: &causes,
            steps: [
                ("fix", &fix),
                ("verify", &[]),
                ("confirm", &[]),
                ("check", &[]),
            ],
            unsafe_: &unsafe_,
            links: &links,
        };
        let keys: Vec<&str> = check(&f).iter().map(|b| b.key).collect();
        assert_eq!(keys, ["links", "summary", "causes", "fix", "unsafe"]);
    }
}

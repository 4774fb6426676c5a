//! The only module that knows syntect: code → HTML with CSS classes (never inline
//! styles), and the light/dark stylesheets generated from syntect themes. The syntax
//! set is loaded once per process from syntect's bundled binary dump.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn themes() -> &'static ThemeSet {
    static SET: OnceLock<ThemeSet> = OnceLock::new();
    SET.get_or_init(ThemeSet::load_defaults)
}

/// Names of the bundled syntect themes (for config validation and docs).
pub fn theme_names() -> Vec<&'static str> {
    themes().themes.keys().map(String::as_str).collect()
}

fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let set = syntaxes();
    let lang = lang.trim().to_ascii_lowercase();
    let token = match lang.as_str() {
        "" | "text" | "plain" | "plaintext" | "txt" | "log" | "output" => return None,
        "shell" | "console" | "zsh" | "bash" | "sh" | "terminal" | "shell-session" => "bash",
        "yml" => "yaml",
        "js" | "javascript" | "node" => "js",
        "py" | "python3" => "py",
        "rs" => "rust",
        other => other,
    };
    set.find_syntax_by_token(token)
}

/// A small cache: the same command often appears on many pages.
fn cache() -> &'static Mutex<HashMap<(String, String), String>> {
    static CACHE: OnceLock<Mutex<HashMap<(String, String), String>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// HTML for the inside of `<code>`: highlighted spans, or escaped text for an unknown
/// language (or when the highlighter fails on odd input).
pub fn highlight(code: &str, lang: &str) -> String {
    let key = (lang.to_string(), code.to_string());
    if let Ok(c) = cache().lock()
        && let Some(hit) = c.get(&key)
    {
        return hit.clone();
    }
    let html = match find_syntax(lang) {
        Some(syntax) => classed(code, syntax).unwrap_or_else(|| escape(code)),
        None => escape(code),
    };
    if let Ok(mut c) = cache().lock() {
        if c.len() > 50_000 {
            c.clear();
        }
        c.insert(key, html.clone());
    }
    html
}

fn classed(code: &str, syntax: &SyntaxReference) -> Option<String> {
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    if !code.ends_with('\n') && !code.is_empty() {
        // syntect wants a newline at the end of each line; it is trimmed below.
        generator
            .parse_html_for_line_which_includes_newline("\n")
            .ok()?;
    }
    let mut html = generator.finalize();
    if !code.ends_with('\n') {
        while html.ends_with('\n') {
            html.pop();
        }
        if let Some(stripped) = strip_trailing_newline_in_span(&html) {
            html = stripped;
        }
    }
    Some(html)
}

/// syntect may put the final newline inside a closing span: `…\n</span>`.
fn strip_trailing_newline_in_span(html: &str) -> Option<String> {
    let trimmed = html.trim_end_matches("</span>");
    let closing = &html[trimmed.len()..];
    trimmed.strip_suffix('\n').map(|t| format!("{t}{closing}"))
}

/// Highlights a command and marks its `<name>` slots with `<span class="ph">`, so the
/// theme can style them and the page's script can fill them in.
pub fn highlight_command(code: &str, lang: &str) -> String {
    let slots = crate::model::slots_in(code);
    if slots.is_empty() {
        return highlight(code, lang);
    }
    // Replace each slot with a word the highlighter keeps whole, then swap it back.
    let mut nonce = 0u32;
    let sentinel = |i: usize, n: u32| format!("errkbslot{n}x{i}z");
    while slots
        .iter()
        .enumerate()
        .any(|(i, _)| code.contains(&sentinel(i, nonce)))
    {
        nonce += 1;
    }
    let mut uniq: Vec<&str> = Vec::new();
    for s in &slots {
        if !uniq.contains(s) {
            uniq.push(s);
        }
    }
    let mut replaced = code.to_string();
    for (i, name) in uniq.iter().enumerate() {
        replaced = replaced.replace(&format!("<{name}>"), &sentinel(i, nonce));
    }
    let mut html = highlight(&replaced, lang);
    for (i, name) in uniq.iter().enumerate() {
        html = html.replace(
            &sentinel(i, nonce),
            &format!("<span class=\"ph\" data-ph=\"{name}\">&lt;{name}&gt;</span>"),
        );
    }
    html
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The code-colour stylesheet: `light` applies by default, `dark` under
/// `prefers-color-scheme: dark` unless the page forces light, and under `data-theme="dark"`.
pub fn stylesheet(light: &str, dark: &str) -> Result<String, String> {
    let get = |name: &str| {
        themes().themes.get(name).ok_or_else(|| {
            format!(
                "unknown highlight theme `{name}`; available: {}",
                theme_names().join(", ")
            )
        })
    };
    let light_css =
        css_for_theme_with_class_style(get(light)?, CLASS_STYLE).map_err(|e| e.to_string())?;
    let dark_css =
        css_for_theme_with_class_style(get(dark)?, CLASS_STYLE).map_err(|e| e.to_string())?;
    let mut out = String::from("/* Code colours, generated by errkb from syntect themes. */\n");
    out.push_str(&scope_css(&light_css, ""));
    out.push_str("@media (prefers-color-scheme: dark) {\n");
    out.push_str(&scope_css(&dark_css, ":root:not([data-theme=\"light\"]) "));
    out.push_str("}\n");
    out.push_str(&scope_css(&dark_css, ":root[data-theme=\"dark\"] "));
    Ok(out)
}

/// Prefixes every selector of a flat stylesheet (no nested blocks) with `prefix`.
fn scope_css(css: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|i| open + i) else {
            break;
        };
        let selectors = strip_comments(&rest[..open]);
        let body = &rest[open + 1..close];
        let scoped: Vec<String> = selectors
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("{prefix}{s}"))
            .collect();
        if !scoped.is_empty() {
            out.push_str(&scoped.join(", "));
            out.push_str(" {");
            out.push_str(body.trim_end());
            out.push_str("\n}\n");
        }
        rest = &rest[close + 1..];
    }
    out
}

fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        match rest[i..].find("*/") {
            Some(j) => rest = &rest[i + j + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_is_classed() {
        let html = highlight("echo \"hi\" # c", "bash");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
        assert!(!html.ends_with('\n'), "{html:?}");
    }

    #[test]
    fn unknown_language_is_escaped_text() {
        assert_eq!(
            highlight("<b>&</b>", "no-such-lang"),
            "&lt;b&gt;&amp;&lt;/b&gt;"
        );
    }

    #[test]
    fn slots_are_marked() {
        let html = highlight_command("docker login <registry> < in.txt", "bash");
        assert!(
            html.contains("<span class=\"ph\" data-ph=\"registry\">&lt;registry&gt;</span>"),
            "{html}"
        );
        assert!(!html.contains("errkbslot"), "{html}");
    }

    #[test]
    fn stylesheet_scopes_dark() {
        let css = stylesheet("InspiredGitHub", "base16-ocean.dark").expect("themes");
        assert!(
            css.contains(":root[data-theme=\"dark\"] .hl-"),
            "{}",
            &css[..300.min(css.len())]
        );
        assert!(stylesheet("nope", "base16-ocean.dark").is_err());
    }
}

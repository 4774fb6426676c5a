//! The only module that knows syntect: code → HTML with CSS classes (never inline
//! styles), and the light/dark stylesheets generated from syntect themes. The syntax
//! set is loaded once per process from syntect's bundled binary dump.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxDefinition, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// syntect's bundled syntaxes plus errkb's own shell grammar (`src/syntaxes/`).
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut builder = SyntaxSet::load_defaults_newlines().into_builder();
        // The grammar is ours and tested; should it ever fail to load, shell code
        // falls back to syntect's Bash grammar rather than failing the build.
        if let Ok(shell) = SyntaxDefinition::load_from_str(SHELL_SYNTAX, true, None) {
            builder.add(shell);
        }
        builder.build()
    })
}

const SHELL_SYNTAX: &str = include_str!("syntaxes/shell.sublime-syntax");
const SHELL_NAME: &str = "Shell (errkb)";

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
        "shell" | "console" | "zsh" | "bash" | "sh" | "terminal" | "shell-session" => {
            return set
                .find_syntax_by_name(SHELL_NAME)
                .or_else(|| set.find_syntax_by_token("bash"));
        }
        "yml" => "yaml",
        "js" | "javascript" | "node" => "js",
        "py" | "python3" => "py",
        "rs" => "rust",
        other => other,
    };
    set.find_syntax_by_token(token)
}

/// Highlighted code by (language, code): the same command often appears on many pages,
/// and `serve` re-renders pages whose code did not change. Bounded in bytes; when full
/// it starts over (cheaper and steadier than tracking recency).
#[derive(Default)]
struct Cache {
    map: HashMap<(String, String), String>,
    bytes: usize,
}

const CACHE_BYTES: usize = 8 << 20;

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Forgets every cached highlight (for benchmarks that measure highlighting itself).
pub fn clear_cache() {
    if let Ok(mut c) = cache().lock() {
        c.map.clear();
        c.bytes = 0;
    }
}

/// HTML for the inside of `<code>`: highlighted spans, or escaped text for an unknown
/// language (or when the highlighter fails on odd input).
pub fn highlight(code: &str, lang: &str) -> String {
    let key = (lang.to_string(), code.to_string());
    if let Ok(c) = cache().lock()
        && let Some(hit) = c.map.get(&key)
    {
        return hit.clone();
    }
    let html = match find_syntax(lang) {
        Some(syntax) => classed(code, syntax).unwrap_or_else(|| escape(code)),
        None => escape(code),
    };
    if let Ok(mut c) = cache().lock() {
        let size = key.0.len() + key.1.len() + html.len();
        if c.bytes + size > CACHE_BYTES {
            c.map.clear();
            c.bytes = 0;
        }
        c.bytes += size;
        c.map.insert(key, html.clone());
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
    // Code sits on the theme's own code background, not the syntect theme's: make every
    // colour readable on it (WCAG AA, 4.5:1), darkening or lightening as needed.
    let light_css = readable(&light_css, LIGHT_CODE_BG, false);
    let dark_css = readable(&dark_css, DARK_CODE_BG, true);
    let mut out = String::from("/* Code colours, generated by errkb from syntect themes. */\n");
    out.push_str(&scope_css(&light_css, ""));
    out.push_str("@media (prefers-color-scheme: dark) {\n");
    out.push_str(&scope_css(&dark_css, ":root:not([data-theme=\"light\"]) "));
    out.push_str("}\n");
    out.push_str(&scope_css(&dark_css, ":root[data-theme=\"dark\"] "));
    Ok(out)
}

/// `--code-bg` of static/style.css in the light and dark schemes.
const LIGHT_CODE_BG: [u8; 3] = [0xf6, 0xf8, 0xfa];
const DARK_CODE_BG: [u8; 3] = [0x16, 0x1b, 0x22];
const MIN_CONTRAST: f64 = 4.6;

fn luminance(c: [u8; 3]) -> f64 {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// Moves a colour toward black (or white) until it reaches [`MIN_CONTRAST`] on `bg`.
fn adjust(mut c: [u8; 3], bg: [u8; 3], lighten: bool) -> [u8; 3] {
    let target = if lighten { 255.0 } else { 0.0 };
    for _ in 0..40 {
        if contrast(c, bg) >= MIN_CONTRAST {
            break;
        }
        for v in &mut c {
            *v = (f64::from(*v) + (target - f64::from(*v)) * 0.08).round() as u8;
        }
    }
    c
}

/// Rewrites every `color: #rrggbb` of a stylesheet (backgrounds are left alone).
fn readable(css: &str, bg: [u8; 3], lighten: bool) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find("color: #") {
        let before_is_bg = rest[..i].ends_with("background-");
        let hex = rest.get(i + 8..i + 14).unwrap_or("");
        let parsed = (hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| [0, 2, 4].map(|k| u8::from_str_radix(&hex[k..k + 2], 16).unwrap_or(0)));
        match parsed {
            Some(rgb) if !before_is_bg => {
                let c = adjust(rgb, bg, lighten);
                out.push_str(&rest[..i]);
                out.push_str(&format!("color: #{:02x}{:02x}{:02x}", c[0], c[1], c[2]));
                rest = &rest[i + 14..];
            }
            _ => {
                out.push_str(&rest[..i + 8]);
                rest = &rest[i + 8..];
            }
        }
    }
    out.push_str(rest);
    out
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

    /// The text of highlighted HTML: tags removed, entities decoded.
    fn text_of(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    /// The classes of the span that holds exactly `text`.
    fn class_of<'a>(html: &'a str, text: &str) -> Option<&'a str> {
        let end = html.find(&format!(">{text}</span>"))?;
        let start = html[..end].rfind("class=\"")? + 7;
        html[start..end].strip_suffix('"')
    }

    #[test]
    fn shell_uses_errkbs_own_grammar() {
        let set = syntaxes();
        assert_eq!(
            find_syntax("bash").map(|s| s.name.as_str()),
            Some(SHELL_NAME)
        );
        assert_eq!(
            find_syntax("console").map(|s| s.name.as_str()),
            Some(SHELL_NAME)
        );
        assert!(
            set.find_syntax_by_token("py").is_some(),
            "defaults are still there"
        );
    }

    #[test]
    fn shell_grammar_marks_what_readers_scan_for() {
        let code = "sudo docker run --rm -e FOO=\"bar $HOME\" img:1.2 2>&1 | tee out.log # note\n\
                    export KUBECONFIG=~/.kube/config && kubectl get pods -n kube-system\n\
                    echo ${X:-y} $(date +%s) 'single $not'\n\
                    $ git push origin main";
        let html = highlight(code, "bash");
        assert_eq!(text_of(&html), code);
        let has = |text: &str, class: &str| {
            let got = class_of(&html, text).unwrap_or_else(|| panic!("no span for {text}: {html}"));
            assert!(got.contains(class), "{text}: {got}");
        };
        has("sudo", "hl-support");
        has("docker", "hl-variable hl-function");
        has("--rm", "hl-option");
        has("-n", "hl-option");
        has("$HOME", "hl-variable hl-other");
        has("2&gt;&amp;1", "hl-redirection");
        has("|", "hl-operator");
        has("tee", "hl-variable hl-function");
        has("# note", "hl-comment");
        has("kubectl", "hl-variable hl-function");
        has("KUBECONFIG", "hl-assignment");
        has("date", "hl-variable hl-function");
        has("$", "hl-prompt");
        has("git", "hl-variable hl-function");
        assert!(html.contains("hl-string hl-quoted hl-single"), "{html}");
        // Inside single quotes nothing expands.
        assert!(class_of(&html, "$not").is_none(), "{html}");
        // Not options: a hyphen inside a word, a path.
        let html = highlight("apt-get install -y ca-certificates ./x-y", "sh");
        assert_eq!(
            class_of(&html, "-y").map(|c| c.contains("option")),
            Some(true)
        );
        assert!(class_of(&html, "-certificates").is_none(), "{html}");
        assert!(class_of(&html, "-get").is_none(), "{html}");
    }

    #[test]
    fn shell_here_documents_end_at_their_own_word() {
        let code = "cat <<'EOF' | sudo tee /etc/x.conf >/dev/null\nkey=$value\n  EOF\nEOF\nls -l";
        let html = highlight(code, "bash");
        assert_eq!(text_of(&html), code);
        assert!(
            html.contains("hl-heredoc hl-shell\">key=$value\n"),
            "{html}"
        );
        assert_eq!(
            class_of(&html, "ls").map(|c| c.contains("function")),
            Some(true),
            "{html}"
        );
        assert_eq!(
            class_of(&html, "-l").map(|c| c.contains("option")),
            Some(true),
            "{html}"
        );
    }

    #[test]
    fn shell_grammar_survives_broken_input() {
        for code in [
            "echo \"unterminated",
            "echo 'unterminated\nnext line",
            "cat <<EOF\nnever ends",
            "echo $(",
            "echo ${",
            "echo `",
            "trailing \\",
            ") ) ( ((",
            "a=\na=b=c d=\"e\" f",
            "#!/bin/sh\n# only comments\n",
            "<<",
            "",
        ] {
            let html = highlight(code, "bash");
            assert_eq!(text_of(&html), code, "{code:?} → {html}");
        }
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
    fn colours_are_readable_on_the_code_background() {
        let css = stylesheet("InspiredGitHub", "base16-ocean.dark").expect("themes");
        let light_part = &css[..css.find("@media").expect("media")];
        for (i, _) in light_part.match_indices("color: #") {
            if light_part[..i].ends_with("background-") {
                continue;
            }
            let hex = &light_part[i + 8..i + 14];
            let rgb = [0, 2, 4].map(|k| u8::from_str_radix(&hex[k..k + 2], 16).expect("hex"));
            assert!(contrast(rgb, LIGHT_CODE_BG) >= 4.5, "#{hex}");
        }
        assert!(
            contrast(
                adjust([0xff, 0xff, 0x00], LIGHT_CODE_BG, false),
                LIGHT_CODE_BG
            ) >= 4.5
        );
        assert!(contrast(adjust([0x20, 0x20, 0x80], DARK_CODE_BG, true), DARK_CODE_BG) >= 4.5);
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

//! The only module that knows syntect: code → HTML with short CSS classes (never inline
//! styles), and the light/dark stylesheets generated from syntect themes. Shell code,
//! most of what a knowledge base shows, goes through errkb's own lexer ([`shell`]);
//! other languages through syntect's bundled grammars, loaded once per process from its
//! binary dump.

mod shell;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use syntect::highlighting::ThemeSet;
use syntect::highlighting::{FontStyle, Highlighter, Style};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// syntect's bundled syntaxes, as they come (adding one would rebuild and recompress
/// the whole set at every start).
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

/// How a code block's language is highlighted.
enum Lang {
    Shell,
    Grammar(&'static SyntaxReference),
    Plain,
}

fn find_syntax(lang: &str) -> Lang {
    let set = syntaxes();
    let lang = lang.trim().to_ascii_lowercase();
    let token = match lang.as_str() {
        "" | "text" | "plain" | "plaintext" | "txt" | "log" | "output" => return Lang::Plain,
        "shell" | "console" | "zsh" | "bash" | "sh" | "terminal" | "shell-session" => {
            return Lang::Shell;
        }
        "yml" => "yaml",
        "js" | "javascript" | "node" => "js",
        "py" | "python3" => "py",
        "rs" => "rust",
        other => other,
    };
    set.find_syntax_by_token(token)
        .map_or(Lang::Plain, Lang::Grammar)
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
    let syntax = match find_syntax(lang) {
        Lang::Plain => return escape_text(code),
        // Linear and cheap: not worth a cache lookup.
        Lang::Shell => return shell_html(code),
        Lang::Grammar(syntax) => syntax,
    };
    let key = (lang.to_string(), code.to_string());
    if let Ok(c) = cache().lock()
        && let Some(hit) = c.map.get(&key)
    {
        return hit.clone();
    }
    let html = classed(code, syntax).unwrap_or_else(|| escape_text(code));
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

fn shell_html(code: &str) -> String {
    shell_spans(code, false)
}

/// Shell code as HTML. Options (`-n`, `--force`) are left plain, as GitHub and most
/// editors leave them: a third of a command's spans, and a page is lighter by a tenth.
/// The lexer still finds them (`with_options`, for the test against the grammar).
fn shell_spans(code: &str, with_options: bool) -> String {
    let mut spans = Spans::new(code.len());
    shell::tokens(code, &mut |text, class| {
        let class = class.filter(|c| with_options || *c != "vp");
        spans.text(text, class);
    });
    spans.finish()
}

/// Token classes: a scope prefix and the short class its tokens get. A token's class is
/// decided by the innermost scope of its stack that one of these prefixes matches (the
/// first row that matches wins, so longer prefixes come first); scopes no row matches
/// (punctuation, `meta.*`, `source.*`) defer to the scope around them, so a string's
/// quotes take the string's colour and a comment's `#` the comment's.
///
/// Short classes instead of syntect's full scope names (`hl-variable hl-function
/// hl-shell`) make highlighted pages about a third of their former size; each class's
/// colours are read from the theme for its prefix (see [`stylesheet`]). A theme rule for
/// a deeper scope than the prefix (say `string.quoted.single` apart from `string`) is
/// not reproduced: the tokens people scan for in commands and config keep their colours.
const CLASSES: &[(&str, &str)] = &[
    ("comment", "c"),
    ("string.regexp", "sr"),
    ("string", "s"),
    ("constant.character.escape", "se"),
    ("constant.numeric", "n"),
    ("constant", "co"),
    ("keyword.operator", "o"),
    ("keyword", "k"),
    ("storage.type", "st"),
    ("storage", "sm"),
    ("entity.name.function", "f"),
    ("entity.name.tag", "tg"),
    ("entity.name.section", "h"),
    ("entity.name", "en"),
    ("entity.other.attribute-name", "at"),
    ("entity.other.inherited-class", "ic"),
    ("support.function", "sf"),
    ("support.type.property-name", "pn"),
    ("support", "su"),
    ("variable.function", "vf"),
    ("variable.parameter", "vp"),
    ("variable.language", "vl"),
    ("variable", "v"),
    ("markup.heading", "mh"),
    ("markup.inserted", "mi"),
    ("markup.deleted", "md"),
    ("markup.changed", "mc"),
    ("meta.diff", "dr"),
    ("punctuation.definition.prompt", "pr"),
];

/// The row of [`CLASSES`] a single scope matches, if any (cached: a build asks for the
/// same few hundred scopes millions of times).
fn class_of_scope(scope: Scope) -> Option<u8> {
    thread_local! {
        static MEMO: std::cell::RefCell<HashMap<Scope, Option<u8>>> = Default::default();
    }
    MEMO.with(|m| {
        *m.borrow_mut().entry(scope).or_insert_with(|| {
            let name = scope.build_string();
            CLASSES
                .iter()
                .position(|(prefix, _)| {
                    name.strip_prefix(prefix)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                })
                .and_then(|i| u8::try_from(i).ok())
        })
    })
}

fn class_of_stack(stack: &ScopeStack) -> Option<&'static str> {
    stack
        .as_slice()
        .iter()
        .rev()
        .find_map(|s| class_of_scope(*s))
        .map(|i| CLASSES[usize::from(i)].1)
}

/// Writes text runs into spans, opening a span only when the class changes. Whitespace
/// between two runs of one class stays inside their span; anywhere else it goes between
/// spans.
struct Spans {
    out: String,
    open: Option<&'static str>,
    /// Whitespace seen since the last run, not yet written.
    pending: String,
}

impl Spans {
    fn new(code_len: usize) -> Spans {
        Spans {
            out: String::with_capacity(code_len * 2),
            open: None,
            pending: String::new(),
        }
    }

    /// Adds `text` of `class`. Where the runs of a line are cut does not matter: the
    /// text is taken apart into whitespace and the rest here.
    fn text(&mut self, text: &str, class: Option<&'static str>) {
        let mut rest = text;
        while !rest.is_empty() {
            let ws = rest.len()
                - rest
                    .trim_start_matches(|c: char| c.is_ascii_whitespace())
                    .len();
            if ws > 0 {
                self.pending.push_str(&rest[..ws]);
                rest = &rest[ws..];
                continue;
            }
            let word = rest
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(rest.len());
            self.word(&rest[..word], class);
            rest = &rest[word..];
        }
    }

    fn word(&mut self, text: &str, class: Option<&'static str>) {
        if class != self.open {
            if self.open.is_some() {
                self.out.push_str("</span>");
            }
            self.out.push_str(&self.pending);
            if let Some(c) = class {
                // Unquoted: the classes are plain letters (valid HTML, and two bytes
                // less on each of the hundreds of spans of a page).
                self.out.push_str("<span class=");
                self.out.push_str(c);
                self.out.push('>');
            }
            self.open = class;
        } else {
            self.out.push_str(&self.pending);
        }
        self.pending.clear();
        escape_text_into(&mut self.out, text);
    }

    fn finish(mut self) -> String {
        if self.open.is_some() {
            self.out.push_str("</span>");
        }
        self.out.push_str(&self.pending);
        self.out
    }
}

fn classed(code: &str, syntax: &SyntaxReference) -> Option<String> {
    classed_in(code, syntax, syntaxes())
}

fn classed_in(code: &str, syntax: &SyntaxReference, set: &SyntaxSet) -> Option<String> {
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut spans = Spans::new(code.len());
    let mut padded = String::new();
    for line in LinesWithEndings::from(code) {
        // syntect wants every line to end in a newline; one added here is not shown.
        let (line, shown) = if line.ends_with('\n') {
            (line, line.len())
        } else {
            padded.clear();
            padded.push_str(line);
            padded.push('\n');
            (padded.as_str(), line.len())
        };
        let ops = state.parse_line(line, set).ok()?;
        let mut pos = 0;
        for (at, op) in ops {
            let at = at.min(shown);
            if at > pos {
                spans.text(&line[pos..at], class_of_stack(&stack));
                pos = at;
            }
            stack.apply(&op).ok()?;
        }
        if shown > pos {
            spans.text(&line[pos..shown], class_of_stack(&stack));
        }
    }
    Some(spans.finish())
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

/// Escapes text for HTML element content (not attribute values: quotes stay as they are,
/// which keeps highlighted code smaller).
fn escape_text_into(out: &mut String, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    escape_text_into(&mut out, s);
    out
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
/// One rule per class of [`CLASSES`] whose theme style differs from the theme's plain text.
pub fn stylesheet(light: &str, dark: &str) -> Result<String, String> {
    let get = |name: &str| {
        themes().themes.get(name).ok_or_else(|| {
            format!(
                "unknown highlight theme `{name}`; available: {}",
                theme_names().join(", ")
            )
        })
    };
    let light_rules = class_rules(get(light)?, LIGHT_CODE_BG, false);
    let dark_rules = class_rules(get(dark)?, DARK_CODE_BG, true);
    let mut out = String::from("/* Code colours, generated by errkb from syntect themes. */\n");
    let write = |out: &mut String, rules: &[(&str, String)], prefix: &str| {
        for (class, decls) in rules {
            out.push_str(&format!("{prefix}.code .{class} {{ {decls} }}\n"));
        }
    };
    write(&mut out, &light_rules, "");
    out.push_str("@media (prefers-color-scheme: dark) {\n");
    write(&mut out, &dark_rules, ":root:not([data-theme=\"light\"]) ");
    out.push_str("}\n");
    write(&mut out, &dark_rules, ":root[data-theme=\"dark\"] ");
    Ok(out)
}

/// The declarations of each class under `theme`: the colour (made readable on the code
/// background `bg`: code sits on errkb's own background, not the theme's), a background
/// where the theme sets one apart from its own (diff lines), and the font style.
fn class_rules(
    theme: &syntect::highlighting::Theme,
    bg: [u8; 3],
    lighten: bool,
) -> Vec<(&'static str, String)> {
    let highlighter = Highlighter::new(theme);
    let plain = highlighter.get_default();
    let mut rules = Vec::new();
    for (prefix, class) in CLASSES {
        // A theme colours diff headers by their full scope, not by `meta.diff` alone.
        let representative = if *prefix == "meta.diff" {
            "meta.diff.range"
        } else {
            prefix
        };
        let Ok(scope) = Scope::new(representative) else {
            continue;
        };
        let style: Style = highlighter.style_for_stack(&[scope]);
        let mut decls = Vec::new();
        if style.foreground != plain.foreground {
            let c = adjust(
                [style.foreground.r, style.foreground.g, style.foreground.b],
                bg,
                lighten,
            );
            decls.push(format!("color: #{:02x}{:02x}{:02x};", c[0], c[1], c[2]));
        }
        if style.background != plain.background && style.background.a > 0 {
            let b = style.background;
            decls.push(format!(
                "background-color: #{:02x}{:02x}{:02x};",
                b.r, b.g, b.b
            ));
        }
        if style.font_style.contains(FontStyle::BOLD) {
            decls.push("font-weight: bold;".to_string());
        }
        if style.font_style.contains(FontStyle::ITALIC) {
            decls.push("font-style: italic;".to_string());
        }
        if style.font_style.contains(FontStyle::UNDERLINE) {
            decls.push("text-decoration: underline;".to_string());
        }
        if !decls.is_empty() {
            rules.push((*class, decls.join(" ")));
        }
    }
    rules
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_is_classed() {
        let html = highlight("echo \"hi\" # c", "bash");
        assert!(html.contains("<span class=s>\"hi\"</span>"), "{html}");
        assert!(html.contains("<span class=c># c</span>"), "{html}");
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
            .replace("&amp;", "&")
    }

    /// The class of the innermost span around the first whole-word occurrence of `text`
    /// in the element text of `html` (`text` as it appears in the HTML, escaped).
    fn class_of<'a>(html: &'a str, text: &str) -> Option<&'a str> {
        let mut stack: Vec<&str> = Vec::new();
        let mut i = 0;
        let bytes = html.as_bytes();
        while i < html.len() {
            if bytes[i] == b'<' {
                let end = i + html[i..].find('>')?;
                let tag = &html[i..=end];
                if tag.starts_with("</") {
                    stack.pop();
                } else {
                    let class = tag
                        .split_once("class=")
                        .map(|(_, r)| r.trim_start_matches('"'))
                        .and_then(|r| r.split(['"', '>', ' ']).next())
                        .unwrap_or("");
                    stack.push(class);
                }
                i = end + 1;
                continue;
            }
            let before_ok = i == 0 || matches!(bytes[i - 1], b'>' | b' ' | b'\n');
            if before_ok && html[i..].starts_with(text) {
                let after = bytes.get(i + text.len()).copied();
                if matches!(after, None | Some(b'<' | b' ' | b'\n')) {
                    return stack.last().copied().filter(|c| !c.is_empty());
                }
            }
            i += html[i..].chars().next().map_or(1, char::len_utf8);
        }
        None
    }

    #[test]
    fn shell_uses_errkbs_own_lexer() {
        for lang in ["bash", "console", "sh", "Shell", " zsh "] {
            assert!(matches!(find_syntax(lang), Lang::Shell), "{lang}");
        }
        assert!(matches!(find_syntax("py"), Lang::Grammar(_)));
        assert!(matches!(find_syntax("log"), Lang::Plain));
        assert!(matches!(find_syntax("no-such-lang"), Lang::Plain));
    }

    /// errkb's shell grammar, which the hand-written lexer follows, run by syntect.
    fn by_grammar(code: &str) -> String {
        static SET: OnceLock<SyntaxSet> = OnceLock::new();
        let set = SET.get_or_init(|| {
            let mut b = syntect::parsing::SyntaxSetBuilder::new();
            b.add(
                syntect::parsing::SyntaxDefinition::load_from_str(
                    include_str!("../syntaxes/shell.sublime-syntax"),
                    true,
                    None,
                )
                .expect("grammar"),
            );
            b.build()
        });
        let syntax = set.find_syntax_by_name("Shell (errkb)").expect("shell");
        classed_in(code, syntax, set).expect("parses")
    }

    /// The lexer gives the grammar's tokens: on every line and every file of the bundled
    /// knowledge base (commands, prose, YAML: anything a lexer may meet), and on input
    /// made to trip it.
    #[test]
    fn shell_lexer_agrees_with_the_grammar() {
        let mut inputs: Vec<String> = [
            "sudo docker run --rm -e FOO=\"bar $HOME\" img:1.2 2>&1 | tee out.log # note",
            "export KUBECONFIG=~/.kube/config && kubectl get pods -n kube-system",
            "echo ${X:-y} $(date +%s) 'single $not' `uname -r` \"a $(b \"c\") d\"",
            "$ git push origin main\nPS> Get-Item x\n  > continued",
            "cat <<'EOF' | sudo tee /etc/x.conf >/dev/null\nkey=$value\n  EOF\n\tEOF\nls -l",
            "cat <<-EOF\n\tx\n\tEOF\necho <<\"Q\" y\nQ",
            "ls --all <target> | sort <in.txt >out.txt 3>&- 2>>err &>all >|f <&0",
            "a=1 b+=2 c= d make -j4 -- -x ---y -1 1.2.3 1.2.x v1 ./-z x=-q",
            "for f in *.log; do if [ -s \"$f\" ]; then echo \"$f\"; fi; done",
            "(cd /tmp && ls) | grep -v '^#' # trailing # hash\n#comment\nx#notcomment",
            "echo \"unterminated\necho 'also\nnext",
            "trailing \\\nnext line \\x \\",
            "env=1 time=2 exit-code if-else fi_x done",
            "ünïcödé --flåg 'ß' \"€\" $é ${é} <ä>",
            "",
            "\n\n",
            ") ) ( (( `` $( ${ } $",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        for f in walkdir::WalkDir::new(content)
            .into_iter()
            .filter_map(Result::ok)
        {
            if f.file_type().is_file() {
                let text = std::fs::read_to_string(f.path()).expect("read");
                inputs.extend(text.lines().map(str::to_string));
                inputs.push(text);
            }
        }
        assert!(inputs.len() > 1000, "{}", inputs.len());
        // Lines first: a difference shows on the shortest input that has it.
        inputs.sort_by_key(String::len);
        for code in &inputs {
            let (ours, theirs) = (shell_spans(code, true), by_grammar(code));
            if ours != theirs {
                let at = ours
                    .bytes()
                    .zip(theirs.bytes())
                    .position(|(a, b)| a != b)
                    .unwrap_or(ours.len().min(theirs.len()));
                let from = at.saturating_sub(60);
                let show = |s: &str| {
                    s.get(from..(at + 60).min(s.len()))
                        .unwrap_or("")
                        .to_string()
                };
                panic!(
                    "input {code:?}\n  lexer:   {:?}\n  grammar: {:?}",
                    show(&ours),
                    show(&theirs)
                );
            }
        }
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
            assert_eq!(got, class, "{text}");
        };
        has("sudo", "sf");
        has("docker", "vf");
        assert_eq!(class_of(&html, "--rm"), None, "options are plain: {html}");
        assert_eq!(class_of(&html, "-n"), None, "{html}");
        has("$HOME", "v");
        has("2&gt;&amp;1", "o");
        has("|", "o");
        has("tee", "vf");
        has("#", "c");
        has("kubectl", "vf");
        has("KUBECONFIG", "v");
        has("date", "vf");
        has("$", "pr");
        has("git", "vf");
        // A placeholder is one token, not two redirections; real redirections stay.
        let html = highlight("ls --all <target> | sort <in.txt >out.txt", "bash");
        assert_eq!(class_of(&html, "&lt;target&gt;"), Some("v"), "{html}");
        assert_eq!(class_of(&html, "&lt;in.txt"), None, "{html}");
        assert!(html.contains("<span class=o>&lt;</span>in.txt"), "{html}");
        has("'single", "s");
        // Inside single quotes nothing expands.
        assert!(class_of(&html, "$not").is_none(), "{html}");
        // Not options: a hyphen inside a word, a path.
        let html = shell_spans("apt-get install -y ca-certificates ./x-y", true);
        assert_eq!(class_of(&html, "-y"), Some("vp"), "{html}");
        assert!(class_of(&html, "-certificates").is_none(), "{html}");
        assert!(class_of(&html, "-get").is_none(), "{html}");
    }

    #[test]
    fn shell_here_documents_end_at_their_own_word() {
        let code = "cat <<'EOF' | sudo tee /etc/x.conf >/dev/null\nkey=$value\n  EOF\nEOF\nls -l";
        let html = highlight(code, "bash");
        assert_eq!(text_of(&html), code);
        assert_eq!(class_of(&html, "key=$value"), Some("s"), "{html}");
        assert_eq!(class_of(&html, "ls"), Some("vf"), "{html}");
        assert_eq!(class_of(&html, "-l"), None, "options are plain: {html}");
        let html = shell_spans(code, true);
        assert_eq!(class_of(&html, "-l"), Some("vp"), "{html}");
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
            css.contains(":root[data-theme=\"dark\"] .code .c {"),
            "{}",
            &css[..300.min(css.len())]
        );
        assert!(stylesheet("nope", "base16-ocean.dark").is_err());
        // The classes commands use most are coloured in the default themes.
        for class in ["c", "s", "o", "k", "vf"] {
            assert!(
                css.contains(&format!(".code .{class} {{")),
                "{class}: {css}"
            );
        }
    }

    #[test]
    fn classes_are_distinct_and_prefixes_valid() {
        let mut seen = std::collections::HashSet::new();
        for (prefix, class) in CLASSES {
            assert!(seen.insert(class), "{class} twice");
            assert!(Scope::new(prefix).is_ok(), "{prefix}");
        }
        // A longer prefix must come before a shorter one it extends, or it never wins.
        for (i, (a, _)) in CLASSES.iter().enumerate() {
            for (b, _) in &CLASSES[..i] {
                assert!(!a.starts_with(&format!("{b}.")), "{a} is shadowed by {b}");
            }
        }
    }

    #[test]
    fn diff_lines_and_config_keys_are_classed() {
        let html = highlight("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n", "diff");
        assert_eq!(class_of(&html, "-old"), Some("md"), "{html}");
        assert_eq!(class_of(&html, "+new"), Some("mi"), "{html}");
        let html = highlight("key: 'value' # note", "yaml");
        assert_eq!(class_of(&html, "key"), Some("tg"), "{html}");
    }
}

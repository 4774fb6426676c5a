//! The only module that knows syntect: code → HTML with short CSS classes (never inline
//! styles), and the light/dark stylesheets generated from syntect themes. Shell code,
//! most of what a knowledge base shows, goes through errkb's own lexer (`shell.rs`);
//! other languages through syntect's bundled grammars, loaded once per process from its
//! binary dump.

mod css;
mod shell;
#[cfg(test)]
mod tests;

pub use css::stylesheet;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use syntect::highlighting::ThemeSet;
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

/// Each line of `code` with its newline, and how much of it is `code`'s: grammars (syntect's
/// and the shell lexer, which follows one) see every line end in a newline, and one
/// added to the last line is not shown.
fn padded_lines(code: &str) -> impl Iterator<Item = (std::borrow::Cow<'_, str>, usize)> {
    LinesWithEndings::from(code).map(|line| {
        let shown = line.len();
        if line.ends_with('\n') {
            (std::borrow::Cow::Borrowed(line), shown)
        } else {
            (std::borrow::Cow::Owned(format!("{line}\n")), shown)
        }
    })
}

fn classed(code: &str, syntax: &SyntaxReference) -> Option<String> {
    classed_in(code, syntax, syntaxes())
}

fn classed_in(code: &str, syntax: &SyntaxReference, set: &SyntaxSet) -> Option<String> {
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut spans = Spans::new(code.len());
    for (line, shown) in padded_lines(code) {
        let line = &*line;
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
            // static/app.js reads the slot's name from its text, `<name>`.
            &format!("<span class=ph>&lt;{name}&gt;</span>"),
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

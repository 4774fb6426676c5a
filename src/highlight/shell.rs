//! Shell commands → classed tokens, by hand. Commands are most of the code a knowledge
//! base shows, and running a grammar through syntect's regex engine spent a third of a
//! large build on them. This lexer follows errkb's own grammar
//! (`src/syntaxes/shell.sublime-syntax`, which stays as its specification) rule for rule:
//! at each position the first rule of the current context that matches there wins, as
//! in syntect, so both give the same tokens (a test compares them on every command of
//! the bundled knowledge base and on tricky input). It is a highlighter, not a parser:
//! broken input still gives every character back.

/// The contexts of the grammar that can be open (the main one is the empty stack).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ctx {
    /// After a command name, up to the end of the command.
    Arguments,
    /// The value of `NAME=value`.
    Assigned,
    Single,
    Double,
    /// `$( … )`
    Subshell,
    /// `` ` … ` ``
    Backticks,
    /// `${ … }`
    Parameter,
    /// The lines of a here-document, up to its word alone on a line.
    Heredoc(String),
    /// The rest of the line that opened a here-document.
    HeredocOpening,
}

impl Ctx {
    /// The class every token inside the context has unless it has its own.
    fn class(&self) -> Option<&'static str> {
        match self {
            Ctx::Single | Ctx::Double => Some("s"),
            Ctx::Parameter => Some("v"),
            _ => None,
        }
    }
}

const KEYWORDS: [&str; 22] = [
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "in", "function", "select", "return", "exit", "export", "local", "set", "unset", "",
];
const BUILTINS: [&str; 9] = [
    "sudo", "env", "time", "exec", "xargs", "nohup", "command", "builtin", "doas",
];

/// Calls `emit` with each run of `code` and its class (`None`: plain text), in order;
/// the runs put together are `code`.
pub(super) fn tokens(code: &str, emit: &mut dyn FnMut(&str, Option<&'static str>)) {
    let mut stack = Vec::new();
    for (text, shown) in super::padded_lines(code) {
        let text = &*text;
        let mut clip = |run: &str, at: usize, class| {
            let end = (at + run.len()).min(shown);
            if at < end {
                emit(&text[at..end], class);
            }
        };
        Line {
            text,
            pos: 0,
            flushed: 0,
            stack: &mut stack,
            emit: &mut clip,
        }
        .run();
    }
}

struct Line<'a, 's> {
    text: &'a str,
    pos: usize,
    /// Plain text runs from here to `pos`.
    flushed: usize,
    stack: &'s mut Vec<Ctx>,
    emit: &'s mut dyn FnMut(&str, usize, Option<&'static str>),
}

fn is_space(c: char) -> bool {
    c.is_whitespace()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl<'a> Line<'a, '_> {
    fn run(&mut self) {
        while self.pos < self.text.len() {
            if !self.step() {
                self.pos += self.here().map_or(1, char::len_utf8);
                self.skip_inert();
            }
        }
        self.flush();
    }

    /// After a character no rule took: moves past the characters that follow and can
    /// start no rule of the current context either (they join the same plain run), so
    /// the words of arguments and strings are not tried rule by rule, byte by byte.
    /// Letters start no rule inside arguments, values, strings and `${…}` (where a
    /// command can start, they do); inside single quotes only `'` does.
    fn skip_inert(&mut self) {
        let inert: fn(&u8) -> bool = match self.stack.last() {
            Some(Ctx::Single) => |&b| b != b'\'',
            Some(
                Ctx::Arguments | Ctx::Assigned | Ctx::Double | Ctx::Parameter | Ctx::HeredocOpening,
            ) => u8::is_ascii_alphabetic,
            _ => return,
        };
        // Both stop at an ASCII byte or the end: a character boundary.
        self.pos += self.rest().bytes().take_while(inert).count();
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn here(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn before(&self) -> Option<char> {
        self.text[..self.pos].chars().next_back()
    }

    fn context_class(&self) -> Option<&'static str> {
        self.stack.iter().rev().find_map(Ctx::class)
    }

    fn flush(&mut self) {
        if self.flushed < self.pos {
            let class = self.context_class();
            (self.emit)(&self.text[self.flushed..self.pos], self.flushed, class);
        }
        self.flushed = self.pos;
    }

    /// A token of `len` bytes at `pos`: its own class, or the context's.
    fn token(&mut self, len: usize, class: Option<&'static str>) {
        self.flush();
        let class = class.or_else(|| self.context_class());
        let end = self.pos + len;
        (self.emit)(&self.text[self.pos..end], self.pos, class);
        self.pos = end;
        self.flushed = end;
    }

    fn push(&mut self, len: usize, ctx: Ctx) {
        self.flush();
        self.stack.push(ctx);
        self.token(len, None);
    }

    fn pop(&mut self, len: usize, class: Option<&'static str>) {
        self.token(len, class);
        self.stack.pop();
    }

    /// Leaves the context without consuming anything (a lookahead in the grammar).
    fn leave(&mut self) {
        self.flush();
        self.stack.pop();
    }

    /// One rule of the current context at `pos`; false when none matches there.
    fn step(&mut self) -> bool {
        let rest = self.rest();
        match self.stack.last().cloned() {
            None => self.prompt() || self.command(),
            Some(Ctx::Subshell) => {
                if rest.starts_with(')') {
                    self.pop(1, None);
                    return true;
                }
                self.command()
            }
            Some(Ctx::Backticks) => {
                if rest.starts_with('`') {
                    self.pop(1, None);
                    return true;
                }
                self.command()
            }
            Some(Ctx::Arguments) => {
                if rest.starts_with('\n') {
                    self.pop(1, None);
                } else if rest.starts_with([')', '`']) {
                    self.leave();
                } else if let Some(n) = logical(rest, true) {
                    self.pop(n, Some("o"));
                } else {
                    return self.common() || self.options();
                }
                true
            }
            Some(Ctx::HeredocOpening) => {
                if rest.starts_with('\n') {
                    self.pop(1, None);
                } else if let Some(n) = logical(rest, false) {
                    self.token(n, Some("o"));
                } else {
                    return self.common() || self.options();
                }
                true
            }
            Some(Ctx::Assigned) => {
                if self
                    .here()
                    .is_some_and(|c| is_space(c) || "|&;()<>".contains(c))
                {
                    self.leave();
                    return true;
                }
                self.common()
            }
            Some(Ctx::Single) => {
                if rest.starts_with('\'') {
                    self.pop(1, None);
                    return true;
                }
                false
            }
            Some(Ctx::Double) => {
                if rest.starts_with('"') {
                    self.pop(1, None);
                    true
                } else if let Some(n) = escape(rest) {
                    self.token(n, Some("se"));
                    true
                } else {
                    self.interpolation() || self.expansion()
                }
            }
            Some(Ctx::Parameter) => {
                if rest.starts_with('}') {
                    self.pop(1, None);
                    return true;
                }
                self.expansion()
            }
            Some(Ctx::Heredoc(word)) => {
                self.heredoc_line(&word);
                true
            }
        }
    }

    /// `$ `, `PS> ` or `> ` at the start of a line (the main context only).
    fn prompt(&mut self) -> bool {
        if self.pos != 0 {
            return false;
        }
        let lead = self.text.len() - self.text.trim_start_matches(is_space).len();
        let after = &self.text[lead..];
        let sigil = ["$", "PS>", ">"]
            .into_iter()
            .find(|s| after.starts_with(s) && after[s.len()..].starts_with(is_space));
        let Some(sigil) = sigil else {
            return false;
        };
        self.pos = lead;
        self.token(sigil.len(), Some("pr"));
        true
    }

    /// Where a command name is expected.
    fn command(&mut self) -> bool {
        if self.common() {
            return true;
        }
        let rest = self.rest();
        if self.before().is_none_or(|c| !is_word(c)) {
            let word_len = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
            let word = &rest[..word_len];
            if word_len > 0 && KEYWORDS[..21].contains(&word) {
                self.token(word_len, Some("k"));
                return true;
            }
            if word_len > 0 && BUILTINS.contains(&word) {
                self.token(word_len, Some("sf"));
                return true;
            }
        }
        if let Some((name, op)) = assignment(rest) {
            self.token(name, Some("v"));
            self.token(op, Some("o"));
            self.stack.push(Ctx::Assigned);
            return true;
        }
        let first = |c: char| !(is_space(c) || "|&;()<>'\"`$#\\=".contains(c));
        let next = |c: char| !(is_space(c) || "|&;()<>'\"`$\\".contains(c));
        if rest.starts_with(first) {
            let len = rest
                .char_indices()
                .skip(1)
                .find(|&(_, c)| !next(c))
                .map_or(rest.len(), |(i, _)| i);
            self.token(len, Some("vf"));
            self.stack.push(Ctx::Arguments);
            return true;
        }
        false
    }

    /// The rules every context but strings and here-documents shares.
    fn common(&mut self) -> bool {
        let rest = self.rest();
        if rest.starts_with("\\\n") {
            self.token(2, None);
            return true;
        }
        if rest.starts_with('#')
            && self
                .before()
                .is_none_or(|c| is_space(c) || "|&;(".contains(c))
        {
            let len = rest.find('\n').unwrap_or(rest.len());
            self.token(len, Some("c"));
            return true;
        }
        if rest.starts_with('\'') {
            self.push(1, Ctx::Single);
            return true;
        }
        if rest.starts_with('"') {
            self.push(1, Ctx::Double);
            return true;
        }
        if self.interpolation() || self.expansion() || self.heredoc_start() {
            return true;
        }
        if let Some(n) = placeholder(rest) {
            self.token(n, Some("v"));
            return true;
        }
        if let Some(n) = redirection(rest) {
            self.token(n, Some("o"));
            return true;
        }
        if let Some(n) = escape(rest) {
            self.token(n, Some("se"));
            return true;
        }
        false
    }

    /// `$(` and `` ` ``, which open a command inside.
    fn interpolation(&mut self) -> bool {
        let rest = self.rest();
        if rest.starts_with("$(") {
            self.push(2, Ctx::Subshell);
            true
        } else if rest.starts_with('`') {
            self.push(1, Ctx::Backticks);
            true
        } else {
            false
        }
    }

    /// `${` and `$NAME`, `$1`, `$@`….
    fn expansion(&mut self) -> bool {
        let rest = self.rest();
        if rest.starts_with("${") {
            self.push(2, Ctx::Parameter);
            return true;
        }
        let Some(after) = rest.strip_prefix('$') else {
            return false;
        };
        let len = if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len())
        } else if after.starts_with(|c: char| c.is_ascii_digit() || "@#?*!$-".contains(c)) {
            1
        } else {
            return false;
        };
        self.token(1 + len, Some("v"));
        true
    }

    /// `<<WORD`, `<<-'WORD'`, `<< "WORD"`.
    fn heredoc_start(&mut self) -> bool {
        let rest = self.rest();
        let Some(after) = rest.strip_prefix("<<") else {
            return false;
        };
        let op = if after.starts_with('-') { 3 } else { 2 };
        let after_op = &rest[op..];
        let gap = after_op.len() - after_op.trim_start_matches(is_space).len();
        let after_gap = &after_op[gap..];
        let quote = if after_gap.starts_with(['\'', '"']) {
            1
        } else {
            0
        };
        let word_part = &after_gap[quote..];
        if !word_part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return false;
        }
        let word_len = word_part
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(word_part.len());
        if quote == 1 && !word_part[word_len..].starts_with(&after_gap[..1]) {
            return false;
        }
        let word = word_part[..word_len].to_string();
        self.token(op, Some("o"));
        self.pos += gap + quote;
        self.token(word_len, Some("k"));
        self.pos += quote;
        self.flush();
        self.stack.push(Ctx::Heredoc(word));
        self.stack.push(Ctx::HeredocOpening);
        true
    }

    /// A whole line inside a here-document: its end word (tabs before it allowed), or text.
    fn heredoc_line(&mut self, word: &str) {
        let body = self.text.strip_suffix('\n').unwrap_or(self.text);
        if self.pos == 0 && body.trim_start_matches('\t') == word {
            self.pos = body.len() - word.len();
            self.pop(word.len(), Some("k"));
        } else if self.text.ends_with('\n') {
            let len = self.text.len() - self.pos;
            self.token(len, Some("s"));
        } else {
            self.pos = self.text.len();
        }
    }

    /// `-x`, `--long-option`, and numbers standing alone.
    fn options(&mut self) -> bool {
        let rest = self.rest();
        let before = self.before();
        if rest.starts_with('-') && before.is_none_or(|c| !(is_word(c) || "./:=-".contains(c))) {
            let dashes = if rest.starts_with("--") { 2 } else { 1 };
            let try_len = |d: usize| {
                let body = &rest[d..];
                body.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '?')
                    .then(|| {
                        d + body
                            .char_indices()
                            .skip(1)
                            .find(|&(_, c)| !(is_word(c) || c == '.' || c == '-'))
                            .map_or(body.len(), |(i, _)| i)
                    })
            };
            if let Some(len) = try_len(dashes).or_else(|| try_len(1)) {
                self.token(len, Some("vp"));
                return true;
            }
        }
        if rest.starts_with(|c: char| c.is_ascii_digit())
            && before.is_none_or(|c| !(is_word(c) || ".:/-".contains(c)))
        {
            let mut len = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            while rest[len..].starts_with('.')
                && rest[len + 1..].starts_with(|c: char| c.is_ascii_digit())
            {
                let more = &rest[len + 1..];
                len += 1 + more
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(more.len());
            }
            let next = rest[len..].chars().next();
            if next.is_none_or(|c| !(is_word(c) || ".:/-".contains(c))) {
                self.token(len, Some("n"));
                return true;
            }
        }
        false
    }
}

/// `||`, `&&`, `|`, `;`, `&`, and `(` where a command ends.
fn logical(rest: &str, paren: bool) -> Option<usize> {
    if rest.starts_with("||") || rest.starts_with("&&") {
        Some(2)
    } else if rest.starts_with(['|', ';', '&']) || (paren && rest.starts_with('(')) {
        Some(1)
    } else {
        None
    }
}

/// `\` and the character after it (not a newline).
fn escape(rest: &str) -> Option<usize> {
    let c = rest.strip_prefix('\\')?.chars().next()?;
    (c != '\n').then(|| 1 + c.len_utf8())
}

/// `NAME=` or `NAME+=`: the lengths of the name and of the operator.
fn assignment(rest: &str) -> Option<(usize, usize)> {
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    let name = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let after = &rest[name..];
    if after.starts_with("+=") {
        Some((name, 2))
    } else if after.starts_with('=') {
        Some((name, 1))
    } else {
        None
    }
}

/// `<name>` followed by the end of the line, a space, an operator or a quote.
fn placeholder(rest: &str) -> Option<usize> {
    let body = rest.strip_prefix('<')?;
    if !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || "_.-".contains(c)))
        .unwrap_or(body.len());
    let after = body[name..].strip_prefix('>')?;
    let ok = after.is_empty()
        || after == "\n"
        || after.starts_with(|c: char| is_space(c) || "|&;)'\"".contains(c));
    ok.then_some(name + 2)
}

/// `>`, `>>`, `2>&1`, `<&-`, `&>`, `>|` and friends.
fn redirection(rest: &str) -> Option<usize> {
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let op_at = &rest[digits..];
    let op = [">>", ">&", "<&", ">|", "&>", ">", "<"]
        .into_iter()
        .find(|op| op_at.starts_with(op))?
        .len();
    let after = &op_at[op..];
    let tail = after
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(after.len());
    let tail = if tail > 0 {
        tail + usize::from(after[tail..].starts_with('-'))
    } else {
        usize::from(after.starts_with('-'))
    };
    Some(digits + op + tail)
}

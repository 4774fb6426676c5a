//! Turning an error line into a template: the parts that vary from run to run become
//! slots named by their kind, so that lines differing only there are one template, and
//! the template is a valid errkb pattern (`<name>` slots, literal text elsewhere).
//!
//! Kinds, tried in this order on each whitespace-separated token (its surrounding
//! brackets and punctuation kept literal):
//!
//! | slot | what it stands for |
//! | --- | --- |
//! | `<url>` | `scheme://…` |
//! | `<email>` | `name@example.org` |
//! | `<timestamp>` | `2024-05-01T10:00:00Z`, `2024-05-01`, `10:00:00.123` |
//! | `<id>` | a UUID, or a name mixing letters and several digits (`pod-7f9c8d-x2lp`) |
//! | `<path>` | `/abs/path`, `./rel`, `~/x`, `C:\x`, `dir/file.ext`, with `:line:col` |
//! | `<ip>` | IPv4 or IPv6 address (`:<port>` kept apart) |
//! | `<host>` | a DNS name (`db.example.org`, `:<port>` kept apart) |
//! | `<version>` | `1.2.3`, `v18.20.4`, `2.0.0-rc.1` (also after `name@`) |
//! | `<hash>` | hexadecimal of 7+ characters (`sha256:` kept) |
//! | `<number>` | `42`, `-1`, `0x1f`, `3.5`, `150ms`, `12MiB`, `80%` |
//! | `<quoted>` | the text between quotes (`'…'`, `"…"`, `` `…` ``, `‘…’`, `“…”`) when it is not one of the kinds above, which then name it |
//!
//! Error codes are not slots: `E0308`, `TS2307`, `ORA-00942`, `ERR_MODULE_NOT_FOUND`
//! name the error. After `key=` and `name@`, the value alone is classified. The kinds
//! themselves are told apart in [`super::kinds`].

use super::kinds::{classify, digits, is_timestamp};

/// The most bytes of a cleaned line a template (and an example) keeps: the message of
/// an error is at its start, and a pattern that is a prefix still matches the line.
pub const MAX_TEMPLATE_BYTES: usize = 400;

/// The cleaned line cut to at most [`MAX_TEMPLATE_BYTES`], at a space when there is one
/// in the last quarter (so that no token is cut in half), else at a character boundary.
pub fn cut(line: &str) -> &str {
    let line = line.trim();
    if line.len() <= MAX_TEMPLATE_BYTES {
        return line;
    }
    let mut end = MAX_TEMPLATE_BYTES;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    match line[..end].rfind(' ') {
        Some(i) if i >= MAX_TEMPLATE_BYTES * 3 / 4 => line[..i].trim_end(),
        _ => &line[..end],
    }
}

/// The template of a cleaned line (already [`cut`]): tokens joined by one space.
pub fn template(line: &str) -> String {
    let quoted = slot_quotes(line);
    let mut out = String::with_capacity(quoted.len());
    let mut leading = true;
    for tok in quoted.split_whitespace() {
        // A timestamp the cleaner did not know (`14:20:33 `, `[2024-05-01 10:00]`) at
        // the start says nothing of the error; a pattern is found anywhere in a line.
        let bare = tok.trim_matches(|c| LEAD.contains(&c) || TRAIL.contains(&c));
        // BuildKit's step number (`#14 ERROR: …`) is as variable.
        let step = bare
            .strip_prefix('#')
            .is_some_and(|n| !n.is_empty() && digits(n) == n.len());
        if leading && (is_timestamp(bare) || step) {
            continue;
        }
        leading = false;
        if !out.is_empty() {
            out.push(' ');
        }
        slot_token(tok, &mut out);
    }
    out
}

/// Quote pairs: opening, closing.
const QUOTES: [(char, char); 5] = [('\'', '\''), ('"', '"'), ('`', '`'), ('‘', '’'), ('“', '”')];

/// The longest quoted text that becomes one slot.
const MAX_QUOTED: usize = 200;

/// Replaces the inside of each quoted span by its slot: `'x'` → `'<quoted>'`.
fn slot_quotes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let mut prev: Option<char> = None;
    while i < line.len() {
        let Some(c) = line[i..].chars().next() else {
            break;
        };
        let opener = QUOTES.iter().find(|(o, _)| *o == c);
        let can_open = prev.is_none_or(|p| p.is_whitespace() || "([{=:,<".contains(p));
        if let (Some(&(_, close)), true) = (opener, can_open) {
            let inner_start = i + c.len_utf8();
            if let Some(end) = closing(&line[inner_start..], close)
                // A key of a JSON or YAML map (`"level":`) names what follows: literal.
                && !line[inner_start + end + close.len_utf8()..].starts_with(':')
            {
                let inner = &line[inner_start..inner_start + end];
                out.push(c);
                out.push_str(&kind_of_quoted(inner));
                out.push(close);
                i = inner_start + end + close.len_utf8();
                prev = Some(close);
                continue;
            }
        }
        out.push(c);
        prev = Some(c);
        i += c.len_utf8();
    }
    out
}

/// Where `close` ends a quoted span in `rest`: followed by the end, a space or
/// punctuation, within [`MAX_QUOTED`] bytes, the span not empty.
fn closing(rest: &str, close: char) -> Option<usize> {
    for (at, c) in rest.char_indices() {
        if at > MAX_QUOTED {
            return None;
        }
        if c == close {
            if at == 0 {
                return None;
            }
            let next = rest[at + c.len_utf8()..].chars().next();
            if next.is_none_or(|n| n.is_whitespace() || ".,:;)]}!?".contains(n)) {
                return Some(at);
            }
        }
    }
    None
}

/// The slot for a quoted text: its kind when it is one token of a known kind.
fn kind_of_quoted(inner: &str) -> String {
    if !inner.contains(char::is_whitespace)
        && let Some(s) = classify(inner)
        && s.starts_with('<')
        && s.ends_with('>')
        && s.matches('<').count() == 1
    {
        return s;
    }
    "<quoted>".to_string()
}

/// Characters kept literal around a token's core.
const LEAD: &[char] = &['(', '[', '{', '"', '\'', '`'];
const TRAIL: &[char] = &[')', ']', '}', ',', ';', ':', '.', '!', '?', '"', '\'', '`'];

/// Appends the token with its variable core made a slot.
fn slot_token(tok: &str, out: &mut String) {
    // An existing slot (from a quoted span) stays as it is.
    if tok.contains("<quoted>") || (tok.contains('<') && tok.contains('>')) {
        out.push_str(tok);
        return;
    }
    let core_start = tok.len() - tok.trim_start_matches(LEAD).len();
    let core_end = tok.trim_end_matches(TRAIL).len().max(core_start);
    let (lead, core, trail) = (
        &tok[..core_start],
        &tok[core_start..core_end],
        &tok[core_end..],
    );
    out.push_str(lead);
    match classify(core).or_else(|| classify_parts(core)) {
        Some(s) => out.push_str(&s),
        None => out.push_str(core),
    }
    out.push_str(trail);
}

/// `key=value`, `name@1.2.3`, `key:value`: the value's slot after the literal key.
fn classify_parts(core: &str) -> Option<String> {
    for sep in ['=', '@', ':'] {
        let found = if sep == '@' {
            core.rfind(sep)
        } else {
            core.find(sep)
        };
        let Some(at) = found else { continue };
        let (key, value) = (&core[..at], &core[at + 1..]);
        if key.is_empty() || value.is_empty() || !key.bytes().any(|b| b.is_ascii_alphabetic()) {
            continue;
        }
        if let Some(v) = classify(value) {
            return Some(format!("{key}{sep}{v}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(line: &str) -> String {
        template(cut(line))
    }

    #[test]
    fn each_kind() {
        let cases = [
            (
                "url",
                "fetch https://registry.npmjs.org/x/-/x-1.0.0.tgz failed",
                "fetch <url> failed",
            ),
            (
                "email",
                "no key for alice@example.org",
                "no key for <email>",
            ),
            (
                "timestamp",
                "at 2024-05-01T10:00:00Z lock held",
                "at <timestamp> lock held",
            ),
            (
                "time",
                "expired 10:04:33.120 ago",
                "expired <timestamp> ago",
            ),
            (
                "uuid",
                "run 3f2c1a9e-5b7d-4c2e-9f10-0a1b2c3d4e5f died",
                "run <id> died",
            ),
            (
                "path",
                "open /etc/app/config.yaml: denied",
                "open <path>: denied",
            ),
            (
                "rel path",
                "in src/lib/app.ts:12:5 error",
                "in <path> error",
            ),
            (
                "windows path",
                r"C:\Users\ci\app.exe failed",
                "<path> failed",
            ),
            (
                "ip:port",
                "connect 10.0.3.7:5432 refused",
                "connect <ip>:<port> refused",
            ),
            ("ip", "from 192.168.1.20 denied", "from <ip> denied"),
            (
                "ipv6",
                "bind [::1]:8080 failed",
                "bind [<ip>]:<port> failed",
            ),
            (
                "host",
                "resolve db.internal.example.com failed",
                "resolve <host> failed",
            ),
            (
                "host:port",
                "dial registry.example.io:443: timeout",
                "dial <host>:<port>: timeout",
            ),
            (
                "version",
                "requires node v18.20.4 got 16.1.0",
                "requires node <version> got <version>",
            ),
            (
                "decimal",
                "took 2043.5 ms of 12.25",
                "took <number> ms of <number>",
            ),
            (
                "json keys",
                r#"{"level":"error","msg":"x y"}"#,
                r#"{"level":"<quoted>","msg":"<quoted>"}"#,
            ),
            (
                "name@version",
                "no matching lodash@4.17.21 found",
                "no matching lodash@<version> found",
            ),
            (
                "hash",
                "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 missing",
                "commit <hash> missing",
            ),
            ("short hash", "at 9fceb02 missing", "at <hash> missing"),
            (
                "digest",
                "sha256:0123456789abcdef0123 unknown",
                "sha256:<hash> unknown",
            ),
            (
                "number",
                "exit code 137 after 150ms",
                "exit code <number> after <number>",
            ),
            (
                "key=value",
                "failed status=503 retry=3",
                "failed status=<number> retry=<number>",
            ),
            ("id", "pod web-7f9c8d4b-x2lp crashed", "pod <id> crashed"),
            (
                "quoted",
                "no module named 'requests'",
                "no module named '<quoted>'",
            ),
            (
                "quoted path",
                "cannot stat \"./dist/app.js\": gone",
                "cannot stat \"<path>\": gone",
            ),
            (
                "typographic",
                "package ‘foo bar’ missing",
                "package ‘<quoted>’ missing",
            ),
        ];
        for (what, line, want) in cases {
            assert_eq!(t(line), want, "{what}: {line}");
        }
    }

    #[test]
    fn literals_that_name_the_error_stay() {
        for l in [
            "error[E0308]: mismatched types",
            "error TS2307: Cannot find module",
            "ORA-00942: table or view does not exist",
            "Error [ERR_MODULE_NOT_FOUND]: x",
            "can't open owner/repo and/or x86_64 package.json main.rs",
            "java.lang.NullPointerException at com.Example.Main",
        ] {
            assert_eq!(
                t(l),
                l.split_whitespace().collect::<Vec<_>>().join(" "),
                "{l}"
            );
        }
    }

    #[test]
    fn leading_timestamps_are_left_out() {
        assert_eq!(t("14:20:33  ERROR: script died"), "ERROR: script died");
        assert_eq!(
            t("[2024-05-01T10:00:00Z] boom at 10:00:01"),
            "boom at <timestamp>"
        );
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        assert_eq!(
            t("can't find 'x' or don't"),
            "can't find '<quoted>' or don't"
        );
    }

    #[test]
    fn lines_that_differ_in_slots_share_a_template() {
        assert_eq!(
            t("Error: connect ECONNREFUSED 127.0.0.1:6379"),
            t("Error: connect ECONNREFUSED 10.1.2.3:5432")
        );
    }

    #[test]
    fn long_lines_are_cut_at_a_space() {
        let long = format!("error: {}", "word ".repeat(200));
        let c = cut(&long);
        assert!(c.len() <= MAX_TEMPLATE_BYTES && c.ends_with("word"), "{c}");
        let solid = "é".repeat(500);
        assert!(cut(&solid).len() <= MAX_TEMPLATE_BYTES);
    }
}

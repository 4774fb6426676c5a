//! The prefixes that [`super::clean_line`] strips from the start of a line:
//! timestamps, CI markers, BuildKit steps, shell prompts and `npm-debug.log`
//! line numbers. Each `strip_*` function is mirrored by one alternative of
//! `PREFIX` in `static/pattern.js`.

/// The most prefixes stripped from one line (e.g. timestamp, then `##[error]`).
const MAX_PREFIXES: usize = 8;

/// Length of the CI and prompt prefixes at the start of `s`.
pub(super) fn prefix_len(s: &str) -> usize {
    let mut pos = 0;
    for _ in 0..MAX_PREFIXES {
        let rest = s.get(pos..).unwrap_or("");
        let step = strip_timestamp(rest)
            .or_else(|| strip_gha_marker(rest))
            .or_else(|| strip_workflow_command(rest))
            .or_else(|| strip_buildkit(rest))
            .or_else(|| strip_npm_debug(rest))
            .or_else(|| strip_prompt(rest));
        match step {
            Some(n) if n > 0 => pos += n,
            _ => break,
        }
    }
    pos
}

/// Number of ASCII digits at `bytes[i..]`.
fn digits(bytes: &[u8], i: usize) -> usize {
    bytes
        .get(i..)
        .map_or(0, |b| b.iter().take_while(|b| b.is_ascii_digit()).count())
}

/// Index after exactly `n` digits at `i`, if they are there.
fn fixed_digits(bytes: &[u8], i: usize, n: usize) -> Option<usize> {
    (digits(bytes, i) >= n).then_some(i + n)
}

fn expect(bytes: &[u8], i: usize, c: u8) -> Option<usize> {
    (bytes.get(i) == Some(&c)).then_some(i + 1)
}

/// Index after spaces and tabs at `i`.
fn skip_blanks(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// An ISO-8601 date and time: `2024-05-01T10:00:00.123Z`,
/// `2024-05-01 10:00:00,123`, `2024-05-01T10:00+02:00`...
fn iso_timestamp(b: &[u8], i: usize) -> Option<usize> {
    let i = fixed_digits(b, i, 4)?;
    let i = expect(b, i, b'-')?;
    let i = fixed_digits(b, i, 2)?;
    let i = expect(b, i, b'-')?;
    let i = fixed_digits(b, i, 2)?;
    let i = match b.get(i) {
        Some(b'T' | b't' | b' ') => i + 1,
        _ => return None,
    };
    let i = fixed_digits(b, i, 2)?;
    let i = expect(b, i, b':')?;
    let mut i = fixed_digits(b, i, 2)?;
    if b.get(i) == Some(&b':') && digits(b, i + 1) >= 2 {
        i = fixed_digits(b, i + 1, 2)?;
        if matches!(b.get(i), Some(b'.' | b',')) && digits(b, i + 1) > 0 {
            i += 1 + digits(b, i + 1);
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i += 1,
        Some(b'+' | b'-') if digits(b, i + 1) >= 2 => {
            i = fixed_digits(b, i + 1, 2)?;
            if b.get(i) == Some(&b':') && digits(b, i + 1) >= 2 {
                i += 3;
            } else if digits(b, i) >= 2 {
                i += 2;
            }
        }
        _ => {}
    }
    Some(i)
}

/// A timestamp, optionally in brackets, followed by blanks or the end.
fn strip_timestamp(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let bracketed = b.first() == Some(&b'[');
    let mut i = iso_timestamp(b, usize::from(bracketed))?;
    if bracketed {
        i = expect(b, i, b']')?;
    }
    match b.get(i) {
        None => Some(i),
        Some(b' ' | b'\t') => Some(skip_blanks(b, i)),
        _ => None,
    }
}

const GHA_MARKERS: [&str; 8] = [
    "##[error]",
    "##[warning]",
    "##[notice]",
    "##[debug]",
    "##[group]",
    "##[endgroup]",
    "##[section]",
    "##[command]",
];

/// GitHub Actions / Azure Pipelines log markers such as `##[error]`.
fn strip_gha_marker(s: &str) -> Option<usize> {
    let m = GHA_MARKERS.iter().find(|m| s.starts_with(**m))?;
    Some(skip_blanks(s.as_bytes(), m.len()))
}

const WORKFLOW_COMMANDS: [&str; 6] = ["error", "warning", "notice", "debug", "group", "endgroup"];

/// GitHub Actions workflow commands: `::error file=a.js,line=1::message`.
fn strip_workflow_command(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("::")?;
    let name_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic() || *b == b'-')
        .count();
    let name = rest.get(..name_len)?;
    if !WORKFLOW_COMMANDS.contains(&name) {
        return None;
    }
    let after = rest.get(name_len..)?;
    if !(after.starts_with("::") || after.starts_with(' ')) {
        return None;
    }
    let end = after.find("::")?;
    Some(2 + name_len + end + 2)
}

/// BuildKit progress prefix: `#12 0.345 `.
fn strip_buildkit(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let i = expect(b, 0, b'#')?;
    let n = digits(b, i);
    if n == 0 {
        return None;
    }
    let i = expect(b, i + n, b' ')?;
    let n = digits(b, i);
    if n == 0 {
        return None;
    }
    let i = expect(b, i + n, b'.')?;
    let n = digits(b, i);
    if n == 0 {
        return None;
    }
    let i = expect(b, i + n, b' ')?;
    Some(skip_blanks(b, i))
}

/// npm's log levels, as its debug log writes them after the line number.
const NPM_LEVELS: [&str; 8] = [
    "silly", "verbose", "info", "timing", "http", "notice", "warn", "error",
];

/// The line number of an `npm-debug.log` line (`12 error code EACCES`): a
/// decimal number, one space, then one of npm's log levels and a space. Only
/// the number and its space go; the level stays, so the line reads as npm's
/// own `npm error code EACCES` does without `npm `.
///
/// `1 error ` is kept: it is an English count (clang's `1 error generated.`,
/// Go's `1 error occurred:`), and npm never logs an error on line 1, which is
/// always `info` or `verbose` (the command line and npm's version).
fn strip_npm_debug(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let n = digits(b, 0);
    if n == 0 {
        return None;
    }
    let rest = s.get(n..)?.strip_prefix(' ')?;
    let level = NPM_LEVELS
        .iter()
        .find(|l| rest.strip_prefix(**l).is_some_and(|r| r.starts_with(' ')))?;
    if *level == "error" && s.get(..n) == Some("1") {
        return None;
    }
    Some(n + 1)
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

/// Shell prompts: `$ `, `> `, `user@host:path$ `, `user@host:path# `,
/// `[user@host path]$ `.
fn strip_prompt(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.starts_with(b"$ ") || b.starts_with(b"> ") {
        return Some(skip_blanks(b, 2));
    }
    let bracketed = b.first() == Some(&b'[');
    let mut i = usize::from(bracketed);
    let user = b.get(i..)?.iter().take_while(|&&c| is_name_byte(c)).count();
    if user == 0 {
        return None;
    }
    i = expect(b, i + user, b'@')?;
    let host = b.get(i..)?.iter().take_while(|&&c| is_name_byte(c)).count();
    if host == 0 {
        return None;
    }
    i += host;
    if bracketed {
        i = expect(b, i, b' ')?;
        let path = b
            .get(i..)?
            .iter()
            .take_while(|&&c| c != b']' && c != b' ')
            .count();
        i = expect(b, i + path, b']')?;
    } else {
        i = expect(b, i, b':')?;
        let path = b
            .get(i..)?
            .iter()
            .take_while(|&&c| !matches!(c, b' ' | b'\t' | b'$' | b'#'))
            .count();
        i += path;
    }
    match b.get(i) {
        Some(b'$' | b'#') => {}
        _ => return None,
    }
    let i = expect(b, i + 1, b' ')?;
    Some(skip_blanks(b, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_debug_numbers_go_for_every_level_but_not_one_error() {
        for level in NPM_LEVELS {
            let line = format!("42 {level} x");
            assert_eq!(prefix_len(&line), 3, "{line}");
        }
        assert_eq!(prefix_len("1 warn x"), 2);
        assert_eq!(prefix_len("1 error generated."), 0);
        assert_eq!(prefix_len("10 error x"), 3);
        assert_eq!(prefix_len("42 errors x"), 0);
        assert_eq!(prefix_len("42 error"), 0);
    }
}

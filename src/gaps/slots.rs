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
//! name the error. After `key=` and `name@`, the value alone is classified.

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
        let step = bare.strip_prefix('#').is_some_and(|n| !n.is_empty() && digits(n) == n.len());
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
const QUOTES: [(char, char); 5] = [
    ('\'', '\''),
    ('"', '"'),
    ('`', '`'),
    ('‘', '’'),
    ('“', '”'),
];

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

/// The slot text for a token's core, or `None` when it is literal.
pub fn classify(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    let slot = |k: &str| Some(format!("<{k}>"));
    if is_url(s) {
        return slot("url");
    }
    if is_email(s) {
        return slot("email");
    }
    if is_timestamp(s) {
        return slot("timestamp");
    }
    if is_uuid(s) {
        return slot("id");
    }
    if is_path(s) {
        return slot("path");
    }
    if let Some((addr, _)) = split_port(s) {
        if is_ipv4(addr) {
            return Some("<ip>:<port>".into());
        }
        if is_host(addr) {
            return Some("<host>:<port>".into());
        }
        // `[::1]:8080`, its `[` kept by the caller as punctuation.
        if let Some(v6) = addr.strip_suffix(']')
            && is_ipv6(v6)
        {
            return Some("<ip>]:<port>".into());
        }
    }
    if is_ipv4(s) || is_ipv6(s) {
        return slot("ip");
    }
    if is_host(s) {
        return slot("host");
    }
    if is_version(s) {
        return slot("version");
    }
    if is_number(s) {
        return slot("number");
    }
    if let Some(hex) = s.strip_prefix("sha256:").or_else(|| s.strip_prefix("sha1:"))
        && is_hash(hex)
    {
        return Some(format!("{}:<hash>", &s[..s.len() - hex.len() - 1]));
    }
    if is_hash(s) {
        return slot("hash");
    }
    if is_id(s) {
        return slot("id");
    }
    None
}

fn is_url(s: &str) -> bool {
    s.find("://").is_some_and(|i| {
        i > 0
            && s[..i]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
            && s.len() > i + 3
    })
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
        && is_host(domain)
}

fn digits(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// `2024-05-01…` or `10:00:00…`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let date = b.len() >= 10
        && digits(s) == 4
        && b[4] == b'-'
        && digits(&s[5..]) == 2
        && b[7] == b'-'
        && digits(&s[8..]) == 2;
    let time = b.len() >= 8
        && (1..=2).contains(&digits(s))
        && {
            let h = digits(s);
            b.get(h) == Some(&b':')
                && digits(&s[h + 1..]) == 2
                && b.get(h + 3) == Some(&b':')
                && digits(&s[h + 4..]) == 2
        };
    date || time
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && is_hex(p))
}

/// File extensions: a name ending in one is a file, not a host.
const FILE_EXTENSIONS: &[&str] = &[
    "a", "bin", "c", "cc", "cfg", "cjs", "class", "conf", "cpp", "crt", "cs", "css", "csv",
    "deb", "dll", "env", "exe", "gem", "go", "gradle", "gz", "h", "hpp", "html", "ini", "jar",
    "java", "js", "json", "jsx", "key", "kt", "kts", "lock", "log", "lua", "md", "mjs", "mod",
    "o", "pem", "php", "pl", "pom", "properties", "py", "pyc", "rb", "rpm", "rs", "scss", "sh",
    "so", "sql", "sum", "svg", "swift", "tar", "tf", "tgz", "toml", "ts", "tsx", "txt", "vue",
    "war", "whl", "xml", "yaml", "yml", "zip",
];

fn extension_of(s: &str) -> Option<&str> {
    let (_, ext) = s.rsplit_once('.')?;
    FILE_EXTENSIONS.contains(&ext).then_some(ext)
}

fn is_path(s: &str) -> bool {
    let b = s.as_bytes();
    if s.starts_with("//") || s.contains("://") {
        return false;
    }
    let windows = b.len() > 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\';
    if windows || s.starts_with("\\\\") {
        return true;
    }
    let rooted = (s.starts_with('/') && s.len() > 1 && b[1] != b'/')
        || s.starts_with("./")
        || s.starts_with("../")
        || s.starts_with("~/");
    if rooted {
        return true;
    }
    if !s.contains('/') || s.split('/').any(str::is_empty) {
        return false;
    }
    // `a/b` is a path when it has a file name or more than one folder; `owner/repo`,
    // `and/or` and `2/3` stay literal.
    let file = s.split(':').next().unwrap_or(s);
    let last = file.rsplit('/').next().unwrap_or("");
    extension_of(last).is_some() || s.matches('/').count() >= 2
}

/// `addr:port` with a 1-5 digit port.
fn split_port(s: &str) -> Option<(&str, &str)> {
    let (addr, port) = s.rsplit_once(':')?;
    (!addr.is_empty() && !port.is_empty() && port.len() <= 5 && digits(port) == port.len())
        .then_some((addr, port))
}

fn is_ipv4(s: &str) -> bool {
    let s = s.split_once('/').map_or(s, |(a, _)| a);
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && digits(p) == p.len() && p.parse::<u16>().is_ok_and(|n| n <= 255))
}

fn is_ipv6(s: &str) -> bool {
    let s = s.trim_start_matches('[').trim_end_matches(']');
    s.matches(':').count() >= 2
        && s.len() >= 3
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
}

/// Top-level domains of two-label names taken as hosts (three labels or more always
/// are, unless the name ends in a file extension).
const TLDS: &[&str] = &[
    "com", "org", "net", "io", "dev", "app", "cloud", "internal", "local", "localdomain", "lan",
    "corp", "co", "uk", "de", "fr", "eu", "us", "ai", "sh", "gov", "edu", "test", "example",
];

fn is_host(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() < 2
        || labels.iter().any(|l| {
            l.is_empty()
                || l.len() > 63
                || l.starts_with('-')
                || !l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
    {
        return false;
    }
    let tld = labels[labels.len() - 1];
    if tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    if labels.len() == 2 {
        TLDS.contains(&tld)
    } else {
        extension_of(s).is_none()
    }
}

/// `1.2.3`, `v18.20`, `2.0-rc.1`, `1.2.3+build`: digits and dots first, three parts
/// or a `v` or a suffix (`12.5` alone is a number).
fn is_version(s: &str) -> bool {
    let v = s.strip_prefix(['v', 'V']);
    let s = v.unwrap_or(s);
    let (core, suffix) = match s.find(['-', '+', '~']) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| !p.is_empty() && digits(p) == p.len())
        && (parts.len() >= 3 || v.is_some() || suffix.len() > 1)
}

/// Units after a number that it still stands for.
const UNITS: &[&str] = &[
    "ms", "us", "µs", "ns", "s", "m", "h", "b", "kb", "mb", "gb", "tb", "kib", "mib", "gib",
    "tib", "k", "%", "x",
];

fn is_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+', '#']).unwrap_or(s);
    if let Some(hex) = s.strip_prefix("0x") {
        return is_hex(hex);
    }
    let n = digits(s);
    if n == 0 {
        return false;
    }
    let mut rest = &s[n..];
    if let Some(frac) = rest.strip_prefix('.') {
        let f = digits(frac);
        if f == 0 {
            return false;
        }
        rest = &frac[f..];
    }
    rest.is_empty() || UNITS.contains(&rest.to_ascii_lowercase().as_str())
}

/// Hexadecimal of 7+ characters with a digit and a letter (a commit, a digest, an
/// image id), or of 16+ of any.
fn is_hash(s: &str) -> bool {
    is_hex(s)
        && s.len() >= 7
        && (s.len() >= 16
            || (s.bytes().any(|b| b.is_ascii_digit()) && s.bytes().any(|b| b.is_ascii_alphabetic())))
        && (s.bytes().all(|b| !b.is_ascii_uppercase()) || s.bytes().all(|b| !b.is_ascii_lowercase()))
}

/// An error code: capitals, an optional `-`/`_`, digits (`E0308`, `TS2307`, `ORA-00942`).
fn is_error_code(s: &str) -> bool {
    let letters = s.bytes().take_while(u8::is_ascii_uppercase).count();
    let rest = s[letters..].trim_start_matches(['-', '_']);
    letters >= 1 && !rest.is_empty() && digits(rest) == rest.len()
}

/// A generated name: letters and digits (a run of 3+ digits, or 3+ runs of them)
/// with `-`, `_` or `.`: `pod-7f9c8d-x2lp`, `i-0abc123def`, `job_88123`.
fn is_id(s: &str) -> bool {
    if is_error_code(s)
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return false;
    }
    let runs: Vec<usize> = s
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .filter(|&n| n > 0)
        .collect();
    let longest_run = runs.iter().copied().max().unwrap_or(0);
    let letters = s.bytes().any(|b| b.is_ascii_alphabetic());
    // `x86_64` and `utf8` are names; `7f9c8d` and `88123` are generated.
    letters && (longest_run >= 3 || runs.len() >= 3) && s.len() >= 5
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
            ("url", "fetch https://registry.npmjs.org/x/-/x-1.0.0.tgz failed", "fetch <url> failed"),
            ("email", "no key for alice@example.org", "no key for <email>"),
            ("timestamp", "at 2024-05-01T10:00:00Z lock held", "at <timestamp> lock held"),
            ("time", "expired 10:04:33.120 ago", "expired <timestamp> ago"),
            ("uuid", "run 3f2c1a9e-5b7d-4c2e-9f10-0a1b2c3d4e5f died", "run <id> died"),
            ("path", "open /etc/app/config.yaml: denied", "open <path>: denied"),
            ("rel path", "in src/lib/app.ts:12:5 error", "in <path> error"),
            ("windows path", r"C:\Users\ci\app.exe failed", "<path> failed"),
            ("ip:port", "connect 10.0.3.7:5432 refused", "connect <ip>:<port> refused"),
            ("ip", "from 192.168.1.20 denied", "from <ip> denied"),
            ("ipv6", "bind [::1]:8080 failed", "bind [<ip>]:<port> failed"),
            ("host", "resolve db.internal.example.com failed", "resolve <host> failed"),
            ("host:port", "dial registry.example.io:443: timeout", "dial <host>:<port>: timeout"),
            ("version", "requires node v18.20.4 got 16.1.0", "requires node <version> got <version>"),
            ("decimal", "took 2043.5 ms of 12.25", "took <number> ms of <number>"),
            ("json keys", r#"{"level":"error","msg":"x y"}"#, r#"{"level":"<quoted>","msg":"<quoted>"}"#),
            ("name@version", "no matching lodash@4.17.21 found", "no matching lodash@<version> found"),
            ("hash", "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 missing", "commit <hash> missing"),
            ("short hash", "at 9fceb02 missing", "at <hash> missing"),
            ("digest", "sha256:0123456789abcdef0123 unknown", "sha256:<hash> unknown"),
            ("number", "exit code 137 after 150ms", "exit code <number> after <number>"),
            ("key=value", "failed status=503 retry=3", "failed status=<number> retry=<number>"),
            ("id", "pod web-7f9c8d4b-x2lp crashed", "pod <id> crashed"),
            ("quoted", "no module named 'requests'", "no module named '<quoted>'"),
            ("quoted path", "cannot stat \"./dist/app.js\": gone", "cannot stat \"<path>\": gone"),
            ("typographic", "package ‘foo bar’ missing", "package ‘<quoted>’ missing"),
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
            assert_eq!(t(l), l.split_whitespace().collect::<Vec<_>>().join(" "), "{l}");
        }
    }

    #[test]
    fn leading_timestamps_are_left_out() {
        assert_eq!(t("14:20:33  ERROR: script died"), "ERROR: script died");
        assert_eq!(t("[2024-05-01T10:00:00Z] boom at 10:00:01"), "boom at <timestamp>");
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        assert_eq!(t("can't find 'x' or don't"), "can't find '<quoted>' or don't");
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

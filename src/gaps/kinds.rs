//! Telling the kinds of variable text apart, token by token: the predicates behind the
//! slots of [`super::slots`] (their table is there).

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
    if let Some(hex) = s
        .strip_prefix("sha256:")
        .or_else(|| s.strip_prefix("sha1:"))
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

pub fn digits(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// `2024-05-01…` or `10:00:00…`.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let date = b.len() >= 10
        && digits(s) == 4
        && b[4] == b'-'
        && digits(&s[5..]) == 2
        && b[7] == b'-'
        && digits(&s[8..]) == 2;
    let time = b.len() >= 8 && (1..=2).contains(&digits(s)) && {
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
    "a",
    "bin",
    "c",
    "cc",
    "cfg",
    "cjs",
    "class",
    "conf",
    "cpp",
    "crt",
    "cs",
    "css",
    "csv",
    "deb",
    "dll",
    "env",
    "exe",
    "gem",
    "go",
    "gradle",
    "gz",
    "h",
    "hpp",
    "html",
    "ini",
    "jar",
    "java",
    "js",
    "json",
    "jsx",
    "key",
    "kt",
    "kts",
    "lock",
    "log",
    "lua",
    "md",
    "mjs",
    "mod",
    "o",
    "pem",
    "php",
    "pl",
    "pom",
    "properties",
    "py",
    "pyc",
    "rb",
    "rpm",
    "rs",
    "scss",
    "sh",
    "so",
    "sql",
    "sum",
    "svg",
    "swift",
    "tar",
    "tf",
    "tgz",
    "toml",
    "ts",
    "tsx",
    "txt",
    "vue",
    "war",
    "whl",
    "xml",
    "yaml",
    "yml",
    "zip",
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
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && digits(p) == p.len()
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

fn is_ipv6(s: &str) -> bool {
    let s = s.trim_start_matches('[').trim_end_matches(']');
    s.matches(':').count() >= 2
        && s.len() >= 3
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
}

/// Top-level domains of two-label names taken as hosts (three labels or more always
/// are, unless the name ends in a file extension).
const TLDS: &[&str] = &[
    "com",
    "org",
    "net",
    "io",
    "dev",
    "app",
    "cloud",
    "internal",
    "local",
    "localdomain",
    "lan",
    "corp",
    "co",
    "uk",
    "de",
    "fr",
    "eu",
    "us",
    "ai",
    "sh",
    "gov",
    "edu",
    "test",
    "example",
];

fn is_host(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() < 2
        || labels.iter().any(|l| {
            l.is_empty()
                || l.len() > 63
                || l.starts_with('-')
                || !l
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
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
    "ms", "us", "µs", "ns", "s", "m", "h", "b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib",
    "k", "%", "x",
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
            || (s.bytes().any(|b| b.is_ascii_digit())
                && s.bytes().any(|b| b.is_ascii_alphabetic())))
        && (s.bytes().all(|b| !b.is_ascii_uppercase())
            || s.bytes().all(|b| !b.is_ascii_lowercase()))
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

//! Cases of the backtracking check (`backtrack`): the classic catastrophic regexes and
//! each kind of refusal at its column, the ordinary regexes that must pass, and a bound
//! on the time the check itself takes.

use std::time::{Duration, Instant};

use super::compile;

/// The message of the refusal of `regex:<body>`, or a panic if it is accepted.
fn refused(body: &str) -> (String, usize) {
    match compile(&format!("regex:{body}")) {
        Ok(_) => panic!("`{body}` was accepted"),
        Err(e) => (
            e.to_string(),
            e.offset.unwrap_or(0).saturating_sub("regex:".len()),
        ),
    }
}

#[track_caller]
fn accepted(body: &str) {
    if let Err(e) = compile(&format!("regex:{body}")) {
        panic!("`{body}` was refused: {e}");
    }
}

#[test]
fn the_classic_catastrophic_regexes_are_refused() {
    for body in [
        "(a+)+$",
        "(a|a)*b",
        "(.*a){20}",
        r"(\w+\s?)+$",
        "(a|aa)+$",
        "^(([a-z])+.)+[A-Z]([a-z])+$",
        "(x+x+)+y",
    ] {
        let (message, _) = refused(body);
        assert!(
            message.contains("browser's regex engine"),
            "{body}: {message}"
        );
    }
}

#[test]
fn exponential_alternatives_point_at_their_quantifier() {
    for (body, at) in [
        ("x(a|a)*b", 6),
        ("x(a|aa)+$", 7),
        (r"x(?:\d|\w)+!", 10),
        ("x(?:a|ab|b){1,100}c", 11),
        ("(?i)x(?:y|Y)+z", 12),
        ("x(?:(?:ab){1,3})+!", 16),
    ] {
        let (message, offset) = refused(body);
        assert!(
            message.contains("in more than one way"),
            "{body}: {message}"
        );
        assert_eq!(offset, at, "{body}: {message}");
    }
}

#[test]
fn chained_overlapping_loops_point_at_the_one_too_many() {
    for (body, at) in [
        (r"x\w+\s?\w+!", 9),
        ("x.*x.*y", 5),
        ("x[a-z]+[a-z0-9]+!", 15),
        (r"x\d+ ?\d*:", 8),
        (r"x\w{1,100}\w{1,100}!", 12),
        (r"x\S+@\S+: denied", 7),
        (r"^\S+@\S+@\S+: denied", 11),
    ] {
        let (message, offset) = refused(body);
        assert!(
            message.contains("can split the same text"),
            "{body}: {message}"
        );
        assert_eq!(offset, at, "{body}: {message}");
    }
}

#[test]
fn bounded_fans_of_optional_parts_are_refused() {
    let body = format!("x{}{}", "a?".repeat(12), "a".repeat(12));
    let (message, _) = refused(&body);
    assert!(message.contains("optional or alternative"), "{message}");
}

#[test]
fn ordinary_regexes_pass() {
    for body in [
        // The bundled knowledge base.
        r"(?i):\d+: command not found: \S+",
        r"(?i)\S: \d+: [^:]+: not found\s*$",
        r"(?i)(^|[\s/])(ba|da|a|k|mk)?sh: [^:\s]+: not found\s*$",
        r"(?i)^#\d+ ERROR: .*no space left on device",
        r"(?i)^env: \S+: No such file or directory",
        r"(?i)(^|[\s:])OOMKilled(\s|$)",
        r"(?i)line \d+: [^:]+: (command )?not found\s*$",
        r"(?i)python[0-9.]*(\.exe)?: No module named \S",
        "(?i)this error may indicate that the docker daemon is not running.*(cannot find the file specified|actively refused it|i/o timeout|no such host)",
        // What authors write.
        "(?i)error:? (?:cannot|can't|could not) (?:open|read|find) file",
        r"\b(?:ECONNREFUSED|ECONNRESET|ETIMEDOUT)\b",
        "[A-Z][a-z]+Error: .*",
        r"v?\d+\.\d+(?:\.\d+)?(?:-[0-9a-z.]+)?",
        r"(?:https?://)?[a-z0-9.-]+(?::\d+)?/\S*",
        r"exit (?:code|status) \d+",
        "(?i)^(?:fatal|error): .*",
        r"[0-9a-f]{7,40}\b",
        r"\d{4}-\d{2}-\d{2}",
        r"(?:\d{1,3}\.){3}\d{1,3}:\d+",
        r"^\S+@\S+: Permission",
        r"\w{3}\w*!",
        r"\S+\s+\S+!",
        "(?:ab|cd)+e",
        "x.*y.*",
        "(?i)[^a]{900}a{500}[a-z]{100}",
    ] {
        accepted(body);
    }
}

/// Patterns near the length limit with as many loops, states or overlapping
/// alternatives as fit: the analysis finishes, accepting or refusing each.
#[test]
fn the_largest_patterns_are_checked_quickly() {
    let bodies = [
        r"\d+:".repeat(199),
        r"(?:a|b)+x".repeat(110),
        format!("(?:{})+!", "a|".repeat(495)),
        format!("(?:{})+!", "[a-z]".repeat(198)),
        r"\w+ ".repeat(248),
        ".".repeat(990),
        format!("(?:{}x)+", "[^x]".repeat(196)),
        format!("x{}", "a?".repeat(495)),
        format!("(?:{})+$", "(?:a|b)".repeat(140)),
    ];
    let t = Instant::now();
    for body in &bodies {
        let _ = compile(&format!("regex:{body}"));
    }
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t.elapsed()
    );
}

//! Guessing which tool printed an error line, for the folder of a drafted entry: the
//! line's own prefix (`npm ERR!`, `error[E0308]`, `docker:`) first, else the command
//! that ran last in the log (`Run npm ci`, `$ cargo build`, `+ go test ./...`).

/// Commands and line prefixes, by the tool folder they belong in (folder names of the
/// bundled knowledge base).
const COMMANDS: &[(&str, &str)] = &[
    ("npm", "npm"),
    ("npx", "npm"),
    ("node", "node"),
    ("yarn", "yarn"),
    ("pnpm", "pnpm"),
    ("pip", "pip"),
    ("pip3", "pip"),
    ("python", "python"),
    ("python3", "python"),
    ("pytest", "python"),
    ("cargo", "rust"),
    ("rustc", "rust"),
    ("rustup", "rust"),
    ("go", "go"),
    ("gradle", "gradle"),
    ("./gradlew", "gradle"),
    ("gradlew", "gradle"),
    ("mvn", "maven"),
    ("./mvnw", "maven"),
    ("docker", "docker"),
    ("kubectl", "kubernetes"),
    ("helm", "helm"),
    ("git", "git"),
    ("ssh", "ssh"),
    ("scp", "ssh"),
    ("terraform", "terraform"),
    ("tsc", "typescript"),
    ("webpack", "webpack"),
    ("bundle", "bundler"),
    ("gem", "bundler"),
    ("composer", "composer"),
    ("curl", "curl"),
    ("psql", "postgres"),
    ("pg_dump", "postgres"),
    ("mysql", "mysql"),
    ("apt", "linux"),
    ("apt-get", "linux"),
    ("dpkg", "linux"),
    ("sudo", "linux"),
    ("aws", "aws"),
];

fn by_command(word: &str) -> Option<&'static str> {
    COMMANDS
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(word))
        .map(|&(_, t)| t)
}

/// The command a line shows being run, if it is such a line: GitHub Actions'
/// `##[group]Run <command>` (`Run <command>` once cleaned), a shell trace `+ <command>`
/// or a prompt `$ <command>` (the cleaner strips prompts, so the raw line is looked at).
pub fn echoed_command<'a>(raw: &'a str, clean: &'a str) -> Option<&'a str> {
    if let Some(c) = clean.strip_prefix("Run ") {
        return Some(c);
    }
    if let Some(c) = clean.strip_prefix("+ ") {
        return Some(c);
    }
    let t = without_leading_escapes(raw.trim_start());
    // After a timestamp the prompt is the second thing on the line.
    let rest = t.split_once(' ').map_or(t, |(_, r)| r.trim_start());
    [t, rest]
        .into_iter()
        .find_map(|s| s.strip_prefix("$ ").or_else(|| s.strip_prefix("+ ")))
}

/// The line after the colour codes at its start (GitLab colours its `$ ` prompts).
fn without_leading_escapes(mut s: &str) -> &str {
    while let Some(rest) = s.strip_prefix("\x1b[") {
        match rest.find(|c: char| c.is_ascii_alphabetic()) {
            Some(i) => s = &rest[i + 1..],
            None => return s,
        }
    }
    s
}

/// Whether the line only echoes a command (a script line like
/// `curl … || echo "upload failed"` is not an error, whatever its words).
pub fn is_command_echo(raw: &str, clean: &str) -> bool {
    raw.contains("##[group]Run ")
        || clean.starts_with("+ ")
        || (!clean.starts_with("Run ") && echoed_command(raw, clean).is_some())
}

/// The tool of the command a line shows being run ([`echoed_command`]).
pub fn command_of(raw: &str, clean: &str) -> Option<&'static str> {
    let cmd = echoed_command(raw, clean)?;
    let first = cmd.split_whitespace().find(|w| !w.contains('='))?;
    by_command(first.rsplit('/').next().unwrap_or(first)).or_else(|| by_command(first))
}

/// The tool an error line names itself: its first word (`docker:`, `npm ERR!`,
/// `fatal:` is git's), or a tell-tale form (`error[E…]` is rustc's, `TS2307` tsc's).
pub fn of_line(clean: &str) -> Option<&'static str> {
    let t = clean.trim_start();
    if t.starts_with("error[E") || t.starts_with("error: could not compile") {
        return Some("rust");
    }
    if t.starts_with("fatal: ") {
        return Some("git");
    }
    if t.starts_with("panic: ") || t.starts_with("go: ") {
        return Some("go");
    }
    if t.starts_with("E: ") {
        return Some("linux");
    }
    if t.contains(" TS") && t.contains("error TS") {
        return Some("typescript");
    }
    let first = t
        .split(|c: char| c.is_whitespace() || c == ':' || c == '[')
        .next()
        .unwrap_or("");
    by_command(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_prefixes() {
        assert_eq!(of_line("npm ERR! code E404"), Some("npm"));
        assert_eq!(of_line("error[E0308]: mismatched types"), Some("rust"));
        assert_eq!(
            of_line("docker: Error response from daemon"),
            Some("docker")
        );
        assert_eq!(of_line("fatal: not a git repository"), Some("git"));
        assert_eq!(
            of_line("src/a.ts(3,1): error TS2307: x"),
            Some("typescript")
        );
        assert_eq!(of_line("something odd happened"), None);
    }

    #[test]
    fn echoed_commands_are_not_errors() {
        assert!(is_command_echo(
            "$ docker push x || echo failed",
            "docker push x || echo failed"
        ));
        assert!(is_command_echo(
            "+ curl -f x || echo failed",
            "+ curl -f x || echo failed"
        ));
        assert!(is_command_echo(
            "##[group]Run make || exit 1",
            "Run make || exit 1"
        ));
        assert!(!is_command_echo("Run failed: exit 1", "Run failed: exit 1"));
        let gitlab = "\x1b[32;1m$ $DOCKER push x || echo failed\x1b[0;m";
        assert!(is_command_echo(gitlab, "$DOCKER push x || echo failed"));
        let jenkins = "02:00:34  + curl -f x || echo failed";
        assert!(is_command_echo(jenkins, jenkins));
        assert!(!is_command_echo("error: x", "error: x"));
    }

    #[test]
    fn commands() {
        assert_eq!(command_of("", "Run npm ci"), Some("npm"));
        assert_eq!(command_of("", "+ go test ./..."), Some("go"));
        assert_eq!(command_of("$ cargo build", "cargo build"), Some("rust"));
        assert_eq!(
            command_of(
                "2024-05-01T10:00:00Z $ kubectl apply -f x",
                "kubectl apply -f x"
            ),
            Some("kubernetes")
        );
        assert_eq!(command_of("", "Run CI=1 ./gradlew build"), Some("gradle"));
        assert_eq!(command_of("", "plain text"), None);
    }
}

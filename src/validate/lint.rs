//! Lints only an error knowledge base needs: commands in fix/verify/confirm/check that
//! are known unsafe shortcuts (rules in `unsafe-commands.yaml`), and `TODO` markers left
//! by `errkb new`.

use std::sync::OnceLock;

use regex::{Regex, RegexSet};
use serde::Deserialize;

const RULES_YAML: &str = include_str!("unsafe-commands.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: String,
    pattern: String,
    message: String,
    /// Commands the rule must flag.
    examples: Vec<String>,
    /// Safe commands that look alike: no rule may flag them.
    #[serde(default)]
    near_misses: Vec<String>,
}

#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub regex: Regex,
    pub message: String,
    pub examples: Vec<String>,
    pub near_misses: Vec<String>,
}

/// The unsafe-command rules, compiled once. A rule that does not compile is dropped
/// (the unit tests make sure none does).
pub fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let defs: Vec<RuleDef> = crate::yaml::from_str(RULES_YAML).unwrap_or_default();
        defs.into_iter()
            .filter_map(|d| {
                Some(Rule {
                    regex: Regex::new(&d.pattern).ok()?,
                    id: d.id,
                    message: d.message,
                    examples: d.examples,
                    near_misses: d.near_misses,
                })
            })
            .collect()
    })
}

/// The first rule a command breaks. Backslash-continued lines are joined first, so a
/// flag on the next line still counts.
pub fn unsafe_command(run: &str) -> Option<&'static Rule> {
    let joined = if run.contains("\\\n") {
        std::borrow::Cow::Owned(run.replace("\\\n", " "))
    } else {
        std::borrow::Cow::Borrowed(run)
    };
    // One pass of all rules at once (every command of every entry comes here), the
    // first rule in file order among those that match.
    static SET: OnceLock<Option<RegexSet>> = OnceLock::new();
    let set = SET.get_or_init(|| RegexSet::new(rules().iter().map(|r| r.regex.as_str())).ok());
    match set {
        Some(set) => set.matches(&joined).iter().next().map(|i| &rules()[i]),
        None => rules().iter().find(|r| r.regex.is_match(&joined)),
    }
}

/// The marker `errkb new` leaves in every value an author must write.
pub const TODO_MARKER: &str = "TODO:";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles_flags_its_examples_and_spares_near_misses() {
        let defs: Vec<RuleDef> = crate::yaml::from_str(RULES_YAML).expect("rules parse");
        assert_eq!(defs.len(), rules().len(), "a rule failed to compile");
        for r in rules() {
            assert!(!r.examples.is_empty(), "{} has no example", r.id);
            for e in &r.examples {
                assert!(
                    r.regex.is_match(e),
                    "{} does not flag its example {e}",
                    r.id
                );
            }
            for ok in &r.near_misses {
                assert!(
                    unsafe_command(ok).is_none(),
                    "near miss of {} flagged: {ok} ({:?})",
                    r.id,
                    unsafe_command(ok).map(|r| &r.id)
                );
            }
        }
    }

    #[test]
    fn the_rule_set_answers_as_the_rules_one_by_one() {
        assert!(RegexSet::new(rules().iter().map(|r| r.regex.as_str())).is_ok());
        for r in rules() {
            for cmd in r.examples.iter().chain(&r.near_misses) {
                for cmd in [
                    cmd.clone(),
                    format!("{cmd} \\\n  --more"),
                    format!("echo \\\n{cmd}"),
                ] {
                    let joined = cmd.replace("\\\n", " ");
                    let one_by_one = rules().iter().find(|r| r.regex.is_match(&joined));
                    assert_eq!(
                        unsafe_command(&cmd).map(|r| &r.id),
                        one_by_one.map(|r| &r.id),
                        "{cmd}"
                    );
                }
            }
        }
    }

    #[test]
    fn safe_commands_pass() {
        for ok in [
            "chmod 600 ~/.ssh/id_ed25519",
            "chmod 755 script.sh",
            "curl -fsSL https://example.org/ -o x",
            "curl --cacert ca.pem https://example.org/",
            "git push --force-with-lease origin my-branch",
            "git push origin main",
            "npm install -g typescript",
            "docker run --rm alpine",
            "ssh -o StrictHostKeyChecking=accept-new host",
            "docker system prune",
            "docker login ghcr.io -u me --password-stdin",
            "mysql -u root -p",
            "mysql -u root -P 3306 -p -h db",
        ] {
            assert!(
                unsafe_command(ok).is_none(),
                "flagged: {ok} ({:?})",
                unsafe_command(ok).map(|r| &r.id)
            );
        }
    }

    #[test]
    fn continued_lines_are_joined() {
        assert_eq!(
            unsafe_command("curl -sS \\\n  -k https://x/").map(|r| r.id.as_str()),
            Some("curl-insecure")
        );
        assert_eq!(
            unsafe_command("curl -fsSL https://get.example/ | sh").map(|r| r.id.as_str()),
            Some("pipe-to-shell")
        );
    }
}

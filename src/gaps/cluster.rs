//! Clustering near-identical templates, in the spirit of Drain: templates with the same
//! number of tokens and the same first token are compared position by position, and
//! one that differs from a cluster in at most a fifth of its tokens (never in the first
//! two, and only when it has five or more) joins it; the positions where they differ
//! become a `<value>` slot. Slots already in a cluster's template match any token.
//! Clusters are then ranked by how many logs show them, then by lines.

use std::collections::HashMap;

use super::{Stat, Tally};

/// A template and what it counts (its own lines and those of the templates it took in).
#[derive(Debug, Clone)]
pub struct Cluster {
    pub template: String,
    pub stat: Stat,
    /// How many distinct templates it took in (1 when none merged).
    pub members: usize,
}

/// Fewest tokens a template needs to take in another.
const MIN_TOKENS: usize = 5;

/// The clusters of a tally, ranked.
pub fn cluster(tally: Tally) -> Vec<Cluster> {
    let mut all: Vec<(String, Stat)> = tally.map.into_iter().collect();
    sort(&mut all, |(t, s)| (t, s));
    let mut clusters: Vec<Cluster> = Vec::new();
    // (token count, first token) → indexes into `clusters`.
    let mut groups: HashMap<(usize, String), Vec<usize>> = HashMap::new();
    for (template, stat) in all {
        let tokens: Vec<&str> = template.split(' ').collect();
        let key = (tokens.len(), tokens[0].to_string());
        let group = groups.entry(key).or_default();
        let joined = group.iter().copied().find_map(|ci| {
            let merged = merge(&clusters[ci].template, &tokens)?;
            Some((ci, merged))
        });
        match joined {
            Some((ci, merged)) => {
                let c = &mut clusters[ci];
                c.template = merged;
                c.stat.absorb(stat, false);
                c.members += 1;
            }
            None => {
                group.push(clusters.len());
                clusters.push(Cluster {
                    template,
                    stat,
                    members: 1,
                });
            }
        }
    }
    for c in &mut clusters {
        c.template = number_slots(&c.template);
    }
    sort(&mut clusters, |c| (&c.template, &c.stat));
    clusters
}

/// A pattern names each slot once: the second `<hash>` becomes `<hash2>`, the third
/// `<hash3>`.
pub fn number_slots(template: &str) -> String {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = String::with_capacity(template.len() + 8);
    let mut i = 0;
    while i < template.len() {
        if let Some((len, name)) = crate::model::slot_at(&template[i..]) {
            let n = seen.entry(name).or_insert(0);
            *n += 1;
            out.push('<');
            out.push_str(name);
            if *n > 1 {
                out.push_str(&n.to_string());
            }
            out.push('>');
            i += len;
        } else {
            let c = template[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn sort<T>(v: &mut [T], key: impl Fn(&T) -> (&String, &Stat)) {
    v.sort_by(|a, b| {
        let (ta, sa) = key(a);
        let (tb, sb) = key(b);
        (sb.logs, sb.lines)
            .cmp(&(sa.logs, sa.lines))
            .then_with(|| ta.cmp(tb))
    });
}

fn is_slot(tok: &str) -> bool {
    tok.starts_with('<') && tok.ends_with('>') && tok.len() > 2 && !tok[1..].contains('<')
}

/// The cluster's template with `tokens` taken in, or `None` when they are too far apart.
fn merge(template: &str, tokens: &[&str]) -> Option<String> {
    let mine: Vec<&str> = template.split(' ').collect();
    if mine.len() != tokens.len() || mine.len() < MIN_TOKENS {
        return None;
    }
    let mut out: Vec<String> = mine.iter().map(|s| s.to_string()).collect();
    let mut differ = Vec::new();
    for i in 0..mine.len() {
        if mine[i] == tokens[i] || is_slot(mine[i]) || globs(mine[i], tokens[i]) {
            continue;
        }
        match same_shape(mine[i], tokens[i]) {
            Some(t) => out[i] = t,
            None => differ.push(i),
        }
    }
    if differ.is_empty() || differ.len() * 5 > mine.len() || differ.iter().any(|&i| i < 2) {
        return if differ.is_empty() {
            Some(template.to_string())
        } else {
            None
        };
    }
    for i in differ {
        out[i] = wildcard(mine[i], tokens[i]);
    }
    Some(out.join(" "))
}

/// The literal parts of a token and its slots' names: `<ip>:<port>` is
/// `(["", ":", ""], ["ip", "port"])`.
fn split_slots(tok: &str) -> (Vec<&str>, Vec<&str>) {
    let (mut lits, mut names) = (Vec::new(), Vec::new());
    let mut start = 0;
    let mut i = 0;
    while i < tok.len() {
        if let Some((len, name)) = crate::model::slot_at(&tok[i..]) {
            lits.push(&tok[start..i]);
            names.push(name);
            i += len;
            start = i;
        } else {
            i += tok[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    lits.push(&tok[start..]);
    (lits, names)
}

/// Whether `tok` fits the cluster's token `pat`, its slots standing for any text:
/// `(<value>` fits `(attempt`.
fn globs(pat: &str, tok: &str) -> bool {
    let (lits, names) = split_slots(pat);
    if names.is_empty() {
        return false;
    }
    let Some(mut rest) = tok.strip_prefix(lits[0]) else {
        return false;
    };
    for (k, lit) in lits.iter().enumerate().skip(1) {
        let last = k == lits.len() - 1;
        // A slot takes at least one character.
        let Some(c) = rest.chars().next() else {
            return false;
        };
        let after = &rest[c.len_utf8()..];
        let found = if last {
            after.ends_with(lit).then(|| after.len() - lit.len())
        } else {
            after.find(lit)
        };
        match found {
            Some(at) => rest = &after[at + lit.len()..],
            None => return false,
        }
    }
    true
}

/// Two tokens with the same literal parts and slots of different kinds: one token
/// whose differing slots are named `<host>` (an IP and a host name) or `<value>`.
fn same_shape(a: &str, b: &str) -> Option<String> {
    let (la, na) = split_slots(a);
    let (lb, nb) = split_slots(b);
    if na.is_empty() || la != lb || na.len() != nb.len() {
        return None;
    }
    let mut out = String::from(la[0]);
    for (k, (x, y)) in na.iter().zip(&nb).enumerate() {
        let name = match (*x, *y) {
            (x, y) if x == y => x,
            ("ip", "host") | ("host", "ip") => "host",
            _ => "value",
        };
        out.push('<');
        out.push_str(name);
        out.push('>');
        out.push_str(la[k + 1]);
    }
    Some(out)
}

/// `<value>` between the punctuation both tokens share at their ends: `x,` and `y,`
/// give `<value>,`.
fn wildcard(a: &str, b: &str) -> String {
    let punct = |c: char| !c.is_alphanumeric() && c != '<' && c != '>';
    let lead: String = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y && punct(*x))
        .map(|(x, _)| x)
        .collect();
    let mut trail: Vec<char> = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y && punct(*x))
        .map(|(x, _)| x)
        .collect();
    // Never let the two ends overlap in a short token.
    let max_trail =
        a.chars().count().min(b.chars().count()) - lead.chars().count().min(a.chars().count());
    trail.truncate(max_trail);
    trail.reverse();
    format!("{lead}<value>{}", trail.into_iter().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_identical_templates_merge() {
        let t = "error: could not fetch index for registry alpha, giving up now";
        let toks: Vec<&str> = "error: could not fetch index for registry beta, giving up now"
            .split(' ')
            .collect();
        assert_eq!(
            merge(t, &toks).as_deref(),
            Some("error: could not fetch index for registry <value>, giving up now")
        );
    }

    #[test]
    fn slots_of_different_kinds_in_one_shape_merge() {
        assert_eq!(
            same_shape("<ip>:<port>", "<host>:<port>").as_deref(),
            Some("<host>:<port>")
        );
        assert_eq!(
            same_shape("'<quoted>'", "'<path>'").as_deref(),
            Some("'<value>'")
        );
        assert_eq!(same_shape("<ip>:<port>", "<host>"), None);
        assert!(globs("(<value>", "(attempt"));
        assert!(globs("<host>:<port>", "db:5432"));
        assert!(!globs("(<value>)", "()"));
        assert!(!globs("<a>x", "yz"));
    }

    #[test]
    fn repeated_slots_are_numbered() {
        assert_eq!(
            number_slots("expected <hash>, got <hash> at <path> <hash>"),
            "expected <hash>, got <hash2> at <path> <hash3>"
        );
    }

    #[test]
    fn different_errors_stay_apart() {
        let toks: Vec<&str> = "error: module not found".split(' ').collect();
        assert_eq!(merge("error: package not found", &toks), None);
        let toks: Vec<&str> = "fatal: a b c d e".split(' ').collect();
        assert_eq!(
            merge("fatal: x b c d e", &toks),
            None,
            "first two tokens differ"
        );
        let toks: Vec<&str> = "a b c d e f g h i j".split(' ').collect();
        assert_eq!(
            merge("a b X d Y f g h Z j", &toks),
            None,
            "three of ten differ"
        );
    }

    #[test]
    fn clusters_rank_by_logs_then_lines() {
        let mut t = Tally::new(100);
        let stat = |logs, lines| Stat {
            logs,
            lines,
            ..Default::default()
        };
        t.map.insert("b many lines".into(), stat(1, 9));
        t.map.insert("a many logs".into(), stat(3, 3));
        t.map.insert("c also many logs".into(), stat(3, 4));
        let ranked: Vec<String> = cluster(t).into_iter().map(|c| c.template).collect();
        assert_eq!(ranked, ["c also many logs", "a many logs", "b many lines"]);
    }
}

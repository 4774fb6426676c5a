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
    sort(&mut clusters, |c| (&c.template, &c.stat));
    clusters
}

fn sort<T>(v: &mut [T], key: impl Fn(&T) -> (&String, &Stat)) {
    v.sort_by(|a, b| {
        let (ta, sa) = key(a);
        let (tb, sb) = key(b);
        (sb.logs, sb.lines).cmp(&(sa.logs, sa.lines)).then_with(|| ta.cmp(tb))
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
    let differ: Vec<usize> = (0..mine.len())
        .filter(|&i| mine[i] != tokens[i] && !is_slot(mine[i]))
        .collect();
    if differ.is_empty() || differ.len() * 5 > mine.len() || differ.iter().any(|&i| i < 2) {
        return if differ.is_empty() {
            Some(template.to_string())
        } else {
            None
        };
    }
    let mut out: Vec<String> = mine.iter().map(|s| s.to_string()).collect();
    for i in differ {
        out[i] = wildcard(mine[i], tokens[i]);
    }
    Some(out.join(" "))
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
    let max_trail = a.chars().count().min(b.chars().count()) - lead.chars().count().min(a.chars().count());
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
    fn different_errors_stay_apart() {
        let toks: Vec<&str> = "error: module not found".split(' ').collect();
        assert_eq!(merge("error: package not found", &toks), None);
        let toks: Vec<&str> = "fatal: a b c d e".split(' ').collect();
        assert_eq!(merge("fatal: x b c d e", &toks), None, "first two tokens differ");
        let toks: Vec<&str> = "a b c d e f g h i j".split(' ').collect();
        assert_eq!(merge("a b X d Y f g h Z j", &toks), None, "three of ten differ");
    }

    #[test]
    fn clusters_rank_by_logs_then_lines() {
        let mut t = Tally::new(100);
        let mut stat = |logs, lines| Stat {
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

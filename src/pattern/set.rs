//! Matching many patterns against many lines.
//!
//! Each pattern's longest required literal goes into one Aho-Corasick
//! automaton (ASCII case-insensitive). A line is scanned once; only the
//! patterns whose literal occurs in it are run. Patterns without a usable
//! literal are matched through one `RegexSet`, which answers for all of them
//! in a single pass. [`PatternSet::matching`] verifies candidates without
//! building regexes where it can (see `skeleton`), for `check`, which tries
//! every pattern of a site against every example.

use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};
use memchr::memmem;
use regex::RegexSet;

use super::skeleton::{Folded, Skeleton};
use super::{Pattern, PatternKind};

/// Literals shorter than this are not worth a prefilter entry.
const MIN_PREFILTER_LEN: usize = 3;

/// One pattern matching one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The entry index given with the pattern.
    pub entry: usize,
    /// Index of the pattern in the set, in the order the patterns were given.
    pub pattern: usize,
    /// The pattern's specificity (number of literal characters).
    pub specificity: usize,
    /// Byte range of the match in the normalized line.
    pub range: Range<usize>,
}

/// Longest piece of a literal the automaton looks for. Any piece of a required literal
/// will do (the candidates are checked for every literal afterwards); the end of a
/// message is usually its most specific part (codes, names), and a short piece keeps the
/// automaton small: its size grows with the total length of what it looks for.
const MAX_PREFILTER_LEN: usize = 24;

/// More patterns than this sharing one automaton literal are narrowed by their whole
/// literal ([`Narrow`]) instead of all being verified.
const NARROW_ABOVE: usize = 8;

/// The patterns that share one automaton literal (the tail of their longest literals,
/// e.g. `0): operation timed out` in a family of messages that differ by a code), by
/// their whole longest literal, grouped by its length. A match of the tail that ends at
/// byte `e` of the line is a candidate only for the patterns whose whole literal ends
/// there too: a few hash lookups instead of verifying every sharer, so a line costs
/// the same however many entries of a large site end the same way.
#[derive(Debug, Clone, Default)]
struct Narrow {
    by_len: Vec<(usize, ByLiteral)>,
}

/// Pattern indices by their whole literal (lower-cased bytes).
type ByLiteral = HashMap<Box<[u8]>, Vec<usize>>;

impl Narrow {
    fn new(members: &[usize], patterns: &[(usize, Pattern)]) -> Narrow {
        let mut by_len: Vec<(usize, ByLiteral)> = Vec::new();
        for &i in members {
            let Some(lit) = patterns.get(i).and_then(|(_, p)| p.prefilter_literal()) else {
                continue;
            };
            let key: Box<[u8]> = lit.as_bytes().to_ascii_lowercase().into();
            let at = match by_len.iter().position(|(n, _)| *n == key.len()) {
                Some(at) => at,
                None => {
                    by_len.push((key.len(), HashMap::new()));
                    by_len.len() - 1
                }
            };
            by_len[at].1.entry(key).or_default().push(i);
        }
        Narrow { by_len }
    }

    /// The members whose whole literal ends at byte `end` of the lower-cased line.
    fn ending_at<'a>(&'a self, lower: &'a [u8], end: usize) -> impl Iterator<Item = usize> + 'a {
        self.by_len
            .iter()
            .filter_map(move |(len, map)| map.get(lower.get(end.checked_sub(*len)?..end)?))
            .flatten()
            .copied()
    }
}

/// The last [`MAX_PREFILTER_LEN`] bytes of a literal, on a character boundary.
fn tail(literal: &str) -> &str {
    let mut start = literal.len().saturating_sub(MAX_PREFILTER_LEN);
    while !literal.is_char_boundary(start) {
        start += 1;
    }
    &literal[start..]
}

/// Orders hits most specific first, then by entry and pattern, so the order is
/// deterministic.
pub fn rank(hits: &mut [Hit]) {
    hits.sort_by(|a, b| {
        b.specificity
            .cmp(&a.specificity)
            .then(a.entry.cmp(&b.entry))
            .then(a.pattern.cmp(&b.pattern))
    });
}

/// Many patterns, each belonging to an entry, matched together.
#[derive(Debug, Clone, Default)]
pub struct PatternSet {
    patterns: Vec<(usize, Pattern)>,
    /// Prefilter automaton over distinct literals.
    ac: Option<AhoCorasick>,
    /// For each automaton pattern id, the set's patterns that need it.
    by_literal: Vec<Vec<usize>>,
    /// For each automaton pattern id that more than [`NARROW_ABOVE`] patterns share,
    /// those patterns by their whole literal.
    narrow: Vec<Option<Narrow>>,
    /// Patterns without a prefilter literal.
    always: Vec<usize>,
    /// All of `always` at once; `None` when empty or too large to build.
    always_set: Option<RegexSet>,
    /// Per pattern, its skeleton when it is a template that can be matched without
    /// its regex.
    skeletons: Vec<Option<Skeleton>>,
}

impl FromIterator<(usize, Pattern)> for PatternSet {
    fn from_iter<I: IntoIterator<Item = (usize, Pattern)>>(iter: I) -> Self {
        PatternSet::new(iter)
    }
}

impl PatternSet {
    /// Builds a set from `(entry index, pattern)` pairs. The position of a
    /// pair in the input is its pattern index in [`Hit::pattern`].
    pub fn new(patterns: impl IntoIterator<Item = (usize, Pattern)>) -> Self {
        let patterns: Vec<(usize, Pattern)> = patterns.into_iter().collect();
        let mut literal_ids: HashMap<&str, usize> = HashMap::new();
        let mut literals: Vec<&str> = Vec::new();
        let mut by_literal: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, (_, p)) in patterns.iter().enumerate() {
            match p
                .prefilter_literal()
                .filter(|l| l.len() >= MIN_PREFILTER_LEN)
                .map(tail)
            {
                Some(lit) => {
                    let id = *literal_ids.entry(lit).or_insert_with(|| {
                        literals.push(lit);
                        by_literal.push(Vec::new());
                        literals.len() - 1
                    });
                    if let Some(list) = by_literal.get_mut(id) {
                        list.push(i);
                    }
                }
                None => always.push(i),
            }
        }
        let ac = if literals.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&literals)
                .ok()
        };
        let ac_failed = ac.is_none() && !literals.is_empty();
        if ac_failed {
            // Without an automaton every pattern has to be tried.
            always = (0..patterns.len()).collect();
            by_literal.clear();
        }
        let narrow = by_literal
            .iter()
            .map(|members| (members.len() > NARROW_ABOVE).then(|| Narrow::new(members, &patterns)))
            .collect();
        let always_set = if always.is_empty() {
            None
        } else {
            RegexSet::new(
                always
                    .iter()
                    .filter_map(|&i| patterns.get(i))
                    .map(|(_, p)| p.regex_source()),
            )
            .ok()
        };
        let skeletons = patterns
            .iter()
            .map(|(_, p)| match p.kind() {
                PatternKind::Template => Skeleton::new(p.atoms()),
                PatternKind::Regex => None,
            })
            .collect();
        PatternSet {
            patterns,
            ac,
            by_literal,
            narrow,
            always,
            always_set,
            skeletons,
        }
    }

    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Whether the set has no pattern.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The pattern at `index` (as in [`Hit::pattern`]) and its entry index.
    /// Every pattern in the order given.
    pub fn patterns(&self) -> impl Iterator<Item = &Pattern> {
        self.patterns.iter().map(|(_, p)| p)
    }

    pub fn get(&self, index: usize) -> Option<(usize, &Pattern)> {
        self.patterns.get(index).map(|(e, p)| (*e, p))
    }

    /// Patterns whose required literal occurs in the line, and the
    /// literal-less patterns that match it, without duplicates.
    fn candidates(&self, line: &str) -> Vec<usize> {
        self.candidates_kept(line, |_| true)
    }

    /// [`PatternSet::candidates`] that `keep` accepts. The literal-less patterns the set
    /// already matched as a whole are not asked again: the set's answer is their own.
    fn candidates_kept(&self, line: &str, mut keep: impl FnMut(usize) -> bool) -> Vec<usize> {
        let mut out = Vec::new();
        if let Some(ac) = &self.ac {
            let mut ids: Vec<usize> = Vec::new();
            // Members of shared literals, narrowed to those whose whole literal is there.
            let mut narrowed: Vec<usize> = Vec::new();
            let mut lower: Option<Vec<u8>> = None;
            for m in ac.find_overlapping_iter(line) {
                let id = m.pattern().as_usize();
                match self.narrow.get(id).and_then(Option::as_ref) {
                    Some(n) => {
                        let lower =
                            lower.get_or_insert_with(|| line.as_bytes().to_ascii_lowercase());
                        narrowed.extend(n.ending_at(lower, m.end()));
                    }
                    None => ids.push(id),
                }
            }
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                for &i in self.by_literal.get(id).into_iter().flatten() {
                    if keep(i) {
                        out.push(i);
                    }
                }
            }
            narrowed.sort_unstable();
            narrowed.dedup();
            out.extend(narrowed.into_iter().filter(|&i| keep(i)));
        }
        match &self.always_set {
            Some(set) => out.extend(
                set.matches(line)
                    .iter()
                    .filter_map(|k| self.always.get(k).copied()),
            ),
            None => out.extend(self.always.iter().copied().filter(|&i| keep(i))),
        }
        out
    }

    /// Candidates whose other required literals occur in the line too (the
    /// automaton only looked for the longest one).
    fn checked_candidates<'a>(
        &'a self,
        line: &str,
    ) -> impl Iterator<Item = (usize, usize, &'a Pattern)> + 'a {
        let candidates = self.candidates(line);
        let lower = if candidates.is_empty() {
            Vec::new()
        } else {
            line.as_bytes().to_ascii_lowercase()
        };
        candidates.into_iter().filter_map(move |i| {
            let (entry, p) = self.patterns.get(i)?;
            let lits = p.literals();
            let all_present = lits.len() < 2
                || lits
                    .iter()
                    .all(|l| memmem::find(&lower, l.as_bytes()).is_some());
            all_present.then_some((i, *entry, p))
        })
    }

    /// A cheap test: false means no pattern of the set can match the line;
    /// true means one may (and, for literal-less patterns, one does).
    pub fn could_match(&self, normalized_line: &str) -> bool {
        if self
            .ac
            .as_ref()
            .is_some_and(|ac| ac.is_match(normalized_line))
        {
            return true;
        }
        match &self.always_set {
            Some(set) => set.is_match(normalized_line),
            None => !self.always.is_empty(),
        }
    }

    /// Whether any pattern matches the line.
    pub fn is_match(&self, normalized_line: &str) -> bool {
        self.checked_candidates(normalized_line)
            .any(|(_, _, p)| p.is_match(normalized_line))
    }

    /// Every pattern matching the line, most specific first (then by entry
    /// and pattern index, so the order is deterministic).
    pub fn matches(&self, normalized_line: &str) -> Vec<Hit> {
        self.matches_by(normalized_line, |_, p| p.find_range(normalized_line))
    }

    /// [`PatternSet::matches`], but the regexes are built in `scratch` (pattern index →
    /// unbuilt copy) instead of in the set, so their memory goes when `scratch` does.
    /// For checking many lines once each, as `check` does with every example.
    pub fn matches_in(
        &self,
        normalized_line: &str,
        scratch: &mut HashMap<usize, Pattern>,
    ) -> Vec<Hit> {
        self.matches_by(normalized_line, |i, p| {
            scratch
                .entry(i)
                .or_insert_with(|| p.unbuilt())
                .find_range(normalized_line)
        })
    }

    /// The index of every pattern that matches the line, in increasing order: like
    /// [`PatternSet::matches`] without ranges or ranking. Each candidate is verified
    /// once, by its skeleton when it has one (no regex is built for it), else by its
    /// regex, which is built once and kept by the set.
    pub fn matching(&self, normalized_line: &str) -> Vec<usize> {
        let folded = Folded::new(normalized_line);
        let mut lower: Option<Vec<u8>> = None;
        let verify = |i: usize| -> bool {
            let Some((_, p)) = self.patterns.get(i) else {
                return false;
            };
            if let (Some(Some(s)), Some(f)) = (self.skeletons.get(i), &folded) {
                return s.is_match(f);
            }
            let lits = p.literals();
            if lits.len() >= 2 {
                let lower =
                    lower.get_or_insert_with(|| normalized_line.as_bytes().to_ascii_lowercase());
                if !lits
                    .iter()
                    .all(|l| memmem::find(lower, l.as_bytes()).is_some())
                {
                    return false;
                }
            }
            p.is_match(normalized_line)
        };
        let mut out = self.candidates_kept(normalized_line, verify);
        out.sort_unstable();
        out
    }

    fn matches_by(
        &self,
        normalized_line: &str,
        mut find: impl FnMut(usize, &Pattern) -> Option<Range<usize>>,
    ) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self
            .checked_candidates(normalized_line)
            .filter_map(|(i, entry, p)| {
                let range = find(i, p)?;
                Some(Hit {
                    entry,
                    pattern: i,
                    specificity: p.specificity(),
                    range,
                })
            })
            .collect();
        rank(&mut hits);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::super::{compile, normalize_line};
    use super::*;

    fn set(patterns: &[&str]) -> PatternSet {
        patterns
            .iter()
            .enumerate()
            .map(|(i, p)| (i * 10, compile(p).expect("valid test input")))
            .collect()
    }

    #[test]
    fn ranks_most_specific_first() {
        let s = set(&[
            "permission denied",
            "Permission denied (publickey)",
            "regex:^\\S+@\\S+: Permission",
            "no match here",
        ]);
        let line = normalize_line("git@github.com: Permission denied (publickey).");
        let hits = s.matches(&line);
        let entries: Vec<usize> = hits.iter().map(|h| h.entry).collect();
        assert_eq!(entries, [10, 0, 20]);
        assert_eq!(hits[1].range, 16..33);
        assert!(s.is_match(&line));
        assert!(!s.could_match("all good"));
        assert!(s.matches("all good").is_empty());
    }

    /// ASCII templates are verified by their skeleton: no regex gets built.
    #[test]
    fn templates_match_without_building_regexes() {
        let s = set(&[
            "demo: shared failed",
            "can't open <file>: permission denied",
            "regex:(?i)cannot open \\S+",
            "ÉCHEC de <x>",
        ]);
        assert!(s.skeletons[0].is_some() && s.skeletons[1].is_some());
        assert!(s.skeletons[2].is_none() && s.skeletons[3].is_none());
        let line =
            normalize_line("Can\u{2019}t open /etc/x: Permission denied; demo: SHARED failed");
        assert_eq!(s.matching(&line), [0, 1]);
        assert!(s.patterns[0].1.regex.get().is_none(), "no regex built");
        assert!(s.patterns[1].1.regex.get().is_none(), "no regex built");
        assert_eq!(
            s.matching(&normalize_line("échec de x; cannot open /y")),
            [2, 3]
        );
    }

    #[test]
    fn literal_less_patterns_are_always_tried() {
        let s = set(&["regex:^\\d+$", "<a>: <b>", "regex:x|y"]);
        assert_eq!(s.always.len(), 3);
        let hits = s.matches("12345");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].pattern, 0);
        assert!(s.could_match("k: v"));
        assert!(!s.could_match("nothing"));
    }

    #[test]
    fn prefilter_agrees_with_patterns() {
        let patterns = [
            "ÉCHEC de <x>",
            "can't open '<file>'",
            "regex:(?i)fatal: (?<what>.+)",
            "regex:Error\\b",
            "x <a> y",
            "npm ERR! code E404",
        ];
        let s = set(&patterns);
        let lines = [
            "échec de connexion",
            "can’t open “foo”",
            "FATAL: bad",
            "Errors",
            "Error!",
            "X 1 Y",
            "npm err! CODE e404",
            "ſyntax",
        ];
        for line in lines {
            assert_agrees_with_each_pattern(&s, &patterns, line);
        }
    }

    /// `matches` and `matching` find exactly the patterns that match the line one by one.
    fn assert_agrees_with_each_pattern(s: &PatternSet, patterns: &[&str], line: &str) {
        let line = normalize_line(line);
        let expected: Vec<usize> = patterns
            .iter()
            .enumerate()
            .filter(|(_, p)| compile(p).expect("valid test input").is_match(&line))
            .map(|(i, _)| i)
            .collect();
        let mut got: Vec<usize> = s.matches(&line).iter().map(|h| h.pattern).collect();
        got.sort_unstable();
        assert_eq!(got, expected, "{line}");
        assert_eq!(s.matching(&line), expected, "{line}");
    }

    /// A family of messages that end alike (the automaton's tail is shared by more than
    /// NARROW_ABOVE patterns): each line is a candidate for its own pattern only, and
    /// narrowing never loses a match, whatever the case, the slots or the regexes.
    #[test]
    fn shared_tails_are_narrowed_without_losing_matches() {
        let mut patterns: Vec<String> = (0..40)
            .map(|k| format!("could not fetch (tool 1.{k}, code E{k:02}00): operation timed out"))
            .collect();
        patterns.extend(
            (0..12).map(|k| format!("Fetch <what> failed (code E{k:02}00): operation timed out")),
        );
        patterns.push("regex:(?i)code E0100\\): operation timed out".to_string());
        patterns.push("operation timed out".to_string());
        let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
        let s = set(&refs);
        assert!(
            s.narrow.iter().flatten().count() >= 1,
            "a shared tail is narrowed"
        );
        let mut lines: Vec<String> = (0..40)
            .map(|k| {
                format!("E: could not fetch (tool 1.{k}, code E{k:02}00): operation timed out")
            })
            .collect();
        lines.extend([
            "COULD NOT FETCH (TOOL 1.7, CODE E0700): OPERATION TIMED OUT".to_string(),
            "fetch x failed (code E0300): operation timed out".to_string(),
            "(code E0100): operation timed out twice: could not fetch (tool 1.3, code E0300): operation timed out".to_string(),
            "nothing but: operation timed out".to_string(),
            "could not fetch (tool 1.99, code E9900): operation timed out".to_string(),
        ]);
        for line in &lines {
            assert_agrees_with_each_pattern(&s, &refs, line);
        }
        // A line of the family is a candidate for its own pattern and the generic ones,
        // not for the other thirty-nine.
        let line = normalize_line(&lines[5]);
        assert!(s.candidates(&line).len() <= 3, "{:?}", s.candidates(&line));
    }
}

//! The literal skeleton of a pattern: what text every match must contain.
//!
//! Both kinds of pattern are reduced to a sequence of [`Atom`]s that every
//! match contains in order. From it come the prefilter literals (ASCII runs,
//! lower-cased) and the words used by the genericity check.

/// One element of a pattern's required skeleton.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Atom {
    /// A literal character (already normalized).
    Char(char),
    /// A quote character of a template: matches any quote.
    Quote,
    /// Anything else: a slot, a class, an optional or alternative part.
    Wild,
}

/// Runs of required ASCII literal text, lower-cased, in pattern order,
/// without duplicates. A quote, a wildcard or a non-ASCII character ends a
/// run: non-ASCII letters may match another case that an ASCII-only,
/// case-insensitive search would miss.
pub(super) fn required_literals(atoms: &[Atom]) -> Vec<String> {
    let mut runs: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut flush = |cur: &mut String| {
        if !cur.is_empty() && !runs.contains(cur) {
            runs.push(std::mem::take(cur));
        }
        cur.clear();
    };
    for atom in atoms {
        match atom {
            Atom::Char(c) if c.is_ascii() => cur.push(c.to_ascii_lowercase()),
            _ => flush(&mut cur),
        }
    }
    flush(&mut cur);
    runs
}

/// Words (runs of letters) of the skeleton that no wildcard touches, so that
/// they must appear in the line as they are, e.g. `denied` in
/// `permission denied`, but not `fail` in `fail<suffix>`.
pub(super) fn standalone_words(atoms: &[Atom]) -> Vec<String> {
    let mut words = Vec::new();
    let mut i = 0;
    while i < atoms.len() {
        let is_letter = |a: &Atom| matches!(a, Atom::Char(c) if c.is_alphabetic());
        if !is_letter(&atoms[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < atoms.len() && is_letter(&atoms[i]) {
            i += 1;
        }
        let wild_before = start > 0 && atoms[start - 1] == Atom::Wild;
        let wild_after = atoms.get(i) == Some(&Atom::Wild);
        if !wild_before && !wild_after {
            let word: String = atoms[start..i]
                .iter()
                .filter_map(|a| match a {
                    Atom::Char(c) => Some(*c),
                    _ => None,
                })
                .collect();
            words.push(word);
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atoms(s: &str) -> Vec<Atom> {
        s.chars()
            .map(|c| match c {
                '*' => Atom::Wild,
                '\'' => Atom::Quote,
                c => Atom::Char(c),
            })
            .collect()
    }

    #[test]
    fn literals() {
        assert_eq!(
            required_literals(&atoms("No such 'x' *File")),
            ["no such ", "x", " ", "file"]
        );
        assert_eq!(required_literals(&atoms("abc*abc")), ["abc"]);
        assert_eq!(required_literals(&atoms("ÉCHEC")), ["chec"]);
        assert!(required_literals(&atoms("*")).is_empty());
    }

    #[test]
    fn words() {
        assert_eq!(
            standalone_words(&atoms("fail* denied: 'x'")),
            ["denied", "x"]
        );
        assert!(standalone_words(&atoms("*abcd*")).is_empty());
    }
}

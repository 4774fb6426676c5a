//! The only module that knows serde_yaml (deprecated upstream, but the chosen parser):
//! swapping it means changing this file alone. Callers get `serde_json::Value` trees and
//! typed values, and errors with a 1-based line and column in the parsed text.

use serde::de::DeserializeOwned;

/// Documents larger than this are refused before parsing (a knowledge-base entry is a few KB).
pub const MAX_DOCUMENT_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    /// 1-based line in the text given to the parser, when known.
    pub line: Option<usize>,
    pub col: Option<usize>,
}

impl YamlError {
    fn from_serde(e: &serde_yaml::Error) -> Self {
        let loc = e.location();
        let mut message = e.to_string();
        // serde_yaml appends " at line N column M"; we report the position separately.
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        YamlError {
            message,
            line: loc.as_ref().map(|l| l.line()),
            col: loc.as_ref().map(|l| l.column()),
        }
    }
}

/// Deepest `[`/`{` nesting accepted. libyaml's scanner looks ahead over every open
/// bracket before the parser's recursion limit can stop it, which is quadratic: a file of
/// 100,000 `[` would take minutes. No entry needs more than a few levels.
pub const MAX_FLOW_DEPTH: usize = 64;

/// 1-based (line, column) where flow nesting first exceeds [`MAX_FLOW_DEPTH`], if it does.
/// Brackets inside quoted strings and comments do not count.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    // With no more opening brackets in all than the limit, no nesting can pass it: one
    // vectorised count (it returns here unless there is a bracket past the limit)
    // instead of a walk through every character.
    memchr::memchr2_iter(b'[', b'{', text.as_bytes()).nth(MAX_FLOW_DEPTH)?;
    let (mut depth, mut line, mut col) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = '\n';
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            line += 1;
            col = 0;
            comment = false;
            prev = c;
            continue;
        }
        if comment {
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' if prev.is_whitespace() || "[{,:".contains(prev) => quote = Some(c),
                '#' if prev.is_whitespace() => comment = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some((line, col));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        prev = c;
    }
    None
}

fn guard(text: &str) -> Result<(), YamlError> {
    if let Some((line, col)) = too_deep(text) {
        return Err(YamlError {
            message: format!("nesting deeper than {MAX_FLOW_DEPTH} levels of [ ] or {{ }}"),
            line: Some(line),
            col: Some(col),
        });
    }
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(YamlError {
            message: format!(
                "YAML document is {} bytes, over the limit of {} bytes",
                text.len(),
                MAX_DOCUMENT_BYTES
            ),
            line: None,
            col: None,
        });
    }
    Ok(())
}

/// Parses a YAML document into a generic tree. An empty document is `null`.
pub fn parse_value(text: &str) -> Result<serde_json::Value, YamlError> {
    guard(text)?;
    tree(text)
}

/// Deserializes a YAML document straight into `T`, keeping positions in errors.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    guard(text)?;
    serde_yaml::from_str(text).map_err(|e| YamlError::from_serde(&e))
}

/// Parses a YAML document once into both a generic tree and `T`. `T` is read from the
/// tree; only when that fails is the text parsed again, for the error with its position
/// (or for a value the tree's typing refuses but the text's allows, such as `123` where
/// a string is expected), so both results are what [`parse_value`] and [`from_str`] give.
pub fn parse_typed<T: DeserializeOwned>(
    text: &str,
) -> Result<(serde_json::Value, Result<T, YamlError>), YamlError> {
    guard(text)?;
    let v = tree(text)?;
    let typed = T::deserialize(&v)
        .or_else(|_| serde_yaml::from_str(text).map_err(|e| YamlError::from_serde(&e)));
    Ok((v, typed))
}

/// The document as a `serde_json::Value`, built straight from the parser's events (every
/// entry's front matter comes here): what serde_yaml's own `Value` converted to JSON
/// gives, without building that `Value` first. Keys are strings (`true`, `1`, `null`
/// as their text, as the conversion made them), tags are dropped, and a key given twice
/// in one mapping is an error, as serde_yaml's `Value` makes it.
fn tree(text: &str) -> Result<serde_json::Value, YamlError> {
    let t = serde_yaml::from_str::<Tree>(text).map_err(|e| YamlError::from_serde(&e))?;
    if t.1 {
        // After the whole document parsed, and without a position, as the conversion
        // of serde_yaml's `Value` reported it.
        return Err(YamlError {
            message: "mapping keys must be plain strings".into(),
            line: None,
            col: None,
        });
    }
    Ok(t.0)
}

/// A tree, and whether some mapping in it has a key that is not a scalar.
struct Tree(serde_json::Value, bool);

impl<'de> serde::Deserialize<'de> for Tree {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> serde::de::Visitor<'de> for TreeVisitor {
    type Value = Tree;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Tree, E> {
        Ok(Tree(serde_json::Value::Bool(b), false))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Tree, E> {
        Ok(Tree(i.into(), false))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Tree, E> {
        Ok(Tree(u.into(), false))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Tree, E> {
        let n = serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into);
        Ok(Tree(n, false))
    }
    fn visit_str<E>(self, s: &str) -> Result<Tree, E> {
        Ok(Tree(serde_json::Value::String(s.to_string()), false))
    }
    fn visit_string<E>(self, s: String) -> Result<Tree, E> {
        Ok(Tree(serde_json::Value::String(s), false))
    }
    fn visit_unit<E>(self) -> Result<Tree, E> {
        Ok(Tree(serde_json::Value::Null, false))
    }
    fn visit_none<E>(self) -> Result<Tree, E> {
        Ok(Tree(serde_json::Value::Null, false))
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        <Tree as serde::Deserialize>::deserialize(d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        let mut complex = false;
        while let Some(Tree(v, c)) = seq.next_element()? {
            out.push(v);
            complex |= c;
        }
        Ok(Tree(serde_json::Value::Array(out), complex))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut out = serde_json::Map::new();
        let mut complex = false;
        // Keys as serde_yaml's `Value` compares them: `1` and `"1"` are two keys.
        let mut seen: Vec<Key> = Vec::new();
        while let Some(key) = map.next_key::<Key>()? {
            if seen.contains(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate entry {key}"
                )));
            }
            let Tree(v, c) = map.next_value()?;
            complex |= c;
            match key.text() {
                Some(k) => {
                    out.insert(k, v);
                }
                None => complex = true,
            }
            seen.push(key);
        }
        Ok(Tree(serde_json::Value::Object(out), complex))
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Tree, A::Error> {
        // A tagged value (`!tag x`): the tag is dropped.
        use serde::de::VariantAccess;
        let (serde::de::IgnoredAny, variant) = data.variant()?;
        variant.newtype_variant::<Tree>()
    }
}

/// A mapping key, kept with its kind: a scalar, or a sequence, mapping or tagged value
/// (which the tree cannot hold).
#[derive(PartialEq)]
enum Key {
    Str(String),
    Bool(bool),
    Num(serde_yaml::Number),
    Null,
    Complex(serde_json::Value),
}

impl Key {
    /// The key in the JSON tree; none for a complex key.
    fn text(&self) -> Option<String> {
        Some(match self {
            Key::Str(s) => s.clone(),
            Key::Bool(b) => b.to_string(),
            Key::Num(n) => n.to_string(),
            Key::Null => "null".to_string(),
            Key::Complex(_) => return None,
        })
    }
}

/// The end of serde_yaml's duplicate-key error, `duplicate entry …`, word for word.
impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Key::Str(s) => write!(f, "with key {s:?}"),
            Key::Bool(b) => write!(f, "with key `{b}`"),
            Key::Num(n) => write!(f, "with key {n}"),
            Key::Null => f.write_str("with null key"),
            Key::Complex(_) => f.write_str("in YAML map"),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a plain string")
            }
            fn visit_bool<E>(self, b: bool) -> Result<Key, E> {
                Ok(Key::Bool(b))
            }
            fn visit_i64<E>(self, i: i64) -> Result<Key, E> {
                Ok(Key::Num(i.into()))
            }
            fn visit_u64<E>(self, u: u64) -> Result<Key, E> {
                Ok(Key::Num(u.into()))
            }
            fn visit_f64<E>(self, f: f64) -> Result<Key, E> {
                Ok(Key::Num(f.into()))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key, E> {
                Ok(Key::Str(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<Key, E> {
                Ok(Key::Str(s))
            }
            fn visit_unit<E>(self) -> Result<Key, E> {
                Ok(Key::Null)
            }
            fn visit_none<E>(self) -> Result<Key, E> {
                Ok(Key::Null)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Key, A::Error> {
                TreeVisitor.visit_seq(seq).map(|t| Key::Complex(t.0))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Key, A::Error> {
                TreeVisitor.visit_map(map).map(|t| Key::Complex(t.0))
            }
            fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Key, A::Error> {
                TreeVisitor.visit_enum(data).map(|t| Key::Complex(t.0))
            }
        }
        d.deserialize_any(V)
    }
}

/// Quotes a string for YAML output (used by `errkb new`/`init`): always double-quoted.
/// 1-based line (within `text`) of a top-level `key:`.
pub fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| line_has_key(l, key))
        .map(|i| i + 1)
}

fn line_has_key(line: &str, key: &str) -> bool {
    let rest = line
        .strip_prefix(key)
        .or_else(|| line.strip_prefix(&format!("\"{key}\"")))
        .or_else(|| line.strip_prefix(&format!("'{key}'")));
    rest.is_some_and(|r| r.trim_start().starts_with(':'))
}

pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two-step way the tree was made before: serde_yaml's `Value`, then converted.
    fn reference(text: &str) -> Result<serde_json::Value, YamlError> {
        let v: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| YamlError::from_serde(&e))?;
        to_json(v)
    }

    fn to_json(v: serde_yaml::Value) -> Result<serde_json::Value, YamlError> {
        use serde_json::Value as J;
        use serde_yaml::Value as Y;
        Ok(match v {
            Y::Null => J::Null,
            Y::Bool(b) => J::Bool(b),
            Y::Number(n) => {
                if let Some(i) = n.as_i64() {
                    J::from(i)
                } else if let Some(u) = n.as_u64() {
                    J::from(u)
                } else {
                    n.as_f64()
                        .and_then(serde_json::Number::from_f64)
                        .map_or(J::Null, J::Number)
                }
            }
            Y::String(s) => J::String(s),
            Y::Sequence(seq) => J::Array(seq.into_iter().map(to_json).collect::<Result<_, _>>()?),
            Y::Mapping(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in m {
                    let key = match k {
                        Y::String(s) => s,
                        Y::Bool(b) => b.to_string(),
                        Y::Number(n) => n.to_string(),
                        Y::Null => "null".to_string(),
                        _ => {
                            return Err(YamlError {
                                message: "mapping keys must be plain strings".into(),
                                line: None,
                                col: None,
                            });
                        }
                    };
                    out.insert(key, to_json(v)?);
                }
                J::Object(out)
            }
            Y::Tagged(t) => to_json(t.value)?,
        })
    }

    #[test]
    fn the_tree_is_what_serde_yamls_value_converted_gives() {
        for text in [
            "",
            "# only a comment\n",
            "~",
            "a: 1\nb: [x, true, null, ~, 1.5, -3, 0x1F, .inf, .nan, 18446744073709551615]\n",
            "a: {b: {c: [1, {d: e}]}}\n",
            "1: one\ntrue: yes\nnull: n\n1.5: f\n~: tilde\n",
            "'1': s\n1: n\n",
            "a: !tag x\nb: !other {c: 1}\nc: !!str 12\nd: !seq [1]\n",
            "a: &x [1, 2]\nb: *x\n",
            "a: |\n  block\n  text\nb: >\n  folded\n",
            "a: 'single'\nb: \"double \\u00e9\"\n",
            "a: 1\na: 2\n",
            "a: {b: 1, b: 2}\n",
            "1: x\n1: y\n",
            "true: x\ntrue: y\n",
            "[a, b]\n",
            "? [complex]\n: key\n",
            "a: [\n",
            "a: b: c\n",
            "--- 1\n--- 2\n",
            "updated: 2024-08-04\ndraft: yes\nn: 012\n",
            "!t k: v\n",
            "? [a]\n: 1\n? [a]\n: 2\n",
            "a:\n  b: 1\n  b: 2\n",
            "a: !t\n",
            "- !t\n- x\n- !t [1, !u {b: 2}]\n",
            "a: {? {b: 1} : c}\n",
            "1.0: a\n1: b\n",
            "a: 1\n? a\n: 2\n",
            "a: \"\\x07bell\"\n",
        ] {
            let ours = parse_value(text);
            let theirs = reference(text);
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text:?}"),
                (Err(a), Err(b)) => {
                    assert_eq!((a.line, a.col), (b.line, b.col), "{text:?}: {a:?} {b:?}");
                    assert_eq!(a.message, b.message, "{text:?}");
                }
                _ => panic!("{text:?}: {ours:?} against {theirs:?}"),
            }
        }
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse_value("a: 1\nb: [\n").expect_err("bad yaml");
        assert!(e.line.is_some(), "{e:?}");
        assert!(!e.message.contains(" at line "), "{e:?}");
    }

    #[test]
    fn nesting_limit_is_exact() {
        let nested = |n: usize| format!("a: {}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse_value(&nested(MAX_FLOW_DEPTH)).is_ok());
        let e = parse_value(&nested(MAX_FLOW_DEPTH + 1)).expect_err("one too deep");
        assert_eq!((e.line, e.col), (Some(1), Some(4 + MAX_FLOW_DEPTH)));
    }

    #[test]
    fn deep_nesting_is_refused_fast() {
        let text = format!("a: {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let t = std::time::Instant::now();
        let e = parse_value(&text).expect_err("too deep");
        assert!(e.message.contains("nesting deeper"), "{e:?}");
        assert!(t.elapsed().as_secs() < 2);
        assert!(
            parse_value(
                "a: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\""
            )
            .is_ok()
        );
    }

    #[test]
    fn typed_parse_agrees_with_the_two_parses() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct T {
            a: String,
            #[serde(default)]
            b: Option<u32>,
        }
        for text in [
            "a: x\nb: 3\n",
            "a: 123\n",
            "a: 1.5\nb: 2\n",
            "a: true\n",
            "a: x\nb: three\n",
            "a: x\nc: 1\n",
            "b: 1\n",
            "a: [1]\n",
            "a: !tag x\n",
            "a: 'quoted'\n",
        ] {
            let (tree, typed) = parse_typed::<T>(text).expect("parses");
            assert_eq!(tree, parse_value(text).expect("parses"), "{text}");
            assert_eq!(typed, from_str::<T>(text), "{text}");
        }
        assert_eq!(
            parse_typed::<T>("a: [\n").expect_err("unclosed"),
            parse_value("a: [\n").expect_err("unclosed")
        );
    }

    #[test]
    fn values_convert() {
        let v = parse_value("a: 1\nb: [x, true]\nc: {d: 2.5}\n").expect("ok");
        assert_eq!(v["a"], 1);
        assert_eq!(v["b"][1], true);
        assert_eq!(v["c"]["d"], 2.5);
    }

    #[test]
    fn quoting_round_trips() {
        let q = quote("a: \"b\" # c");
        let v: String = from_str(&q).expect("ok");
        assert_eq!(v, "a: \"b\" # c");
    }
}

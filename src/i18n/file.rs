//! One translation file (`i18n/<lang>.yaml`) parsed into its sections, with a clear
//! error naming the file and line for anything that is not the expected shape.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::yaml;

/// A string, or the forms of a string that depends on a number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    Plural {
        #[serde(skip_serializing_if = "Option::is_none")]
        zero: Option<String>,
        one: String,
        other: String,
    },
}

impl Text {
    /// The form for `n`: `zero` (when given) for 0, `one` for 1, `other` otherwise. That
    /// is English's, German's and Spanish's rule; a language whose `one` covers more
    /// numbers can still say so with `zero`. A plain text is the same for every number.
    pub fn form(&self, n: i64) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Plural { zero: Some(z), .. } if n == 0 => z,
            Text::Plural { one, .. } if n == 1 => one,
            Text::Plural { other, .. } => other,
        }
    }
}

/// The sections of one file; absent keys are `None`/empty, to be filled from English.
#[derive(Debug, Clone, Default)]
pub(super) struct Parsed {
    pub name: Option<String>,
    pub date_format: Option<String>,
    pub months: Option<Vec<String>>,
    pub page: BTreeMap<String, Text>,
    pub browser: BTreeMap<String, Text>,
}

/// Parses `text`, the file shown as `shown` in errors.
pub(super) fn parse(text: &str, shown: &str) -> Result<Parsed, Diagnostic> {
    let err = |m: String, key: Option<&str>| {
        let d = Diagnostic::error(m).file(shown);
        match key.and_then(|k| key_line(text, k)) {
            Some(line) => d.at(line, None, Some(text)),
            None => d,
        }
    };
    let v = yaml::parse_value(text).map_err(|e| {
        let d = Diagnostic::error(e.message.clone()).file(shown);
        match e.line {
            Some(line) => d.at(line, e.col, Some(text)),
            None => d,
        }
    })?;
    let mut out = Parsed::default();
    let top = match v {
        Value::Null => return Ok(out),
        Value::Object(m) => m,
        _ => {
            return Err(err(
                "a translation file is a mapping with `page:` and `browser:` sections".into(),
                None,
            ));
        }
    };
    for (key, value) in top {
        match key.as_str() {
            "name" => {
                out.name = Some(plain(&value).ok_or_else(|| err(expected("name"), Some("name")))?)
            }
            "dates" => {
                let Value::Object(d) = value else {
                    return Err(err(
                        "`dates` must be a mapping with `format` and `months`".into(),
                        Some("dates"),
                    ));
                };
                for (k, v) in d {
                    match k.as_str() {
                        "format" => {
                            out.date_format = Some(
                                plain(&v)
                                    .ok_or_else(|| err(expected("dates.format"), Some("format")))?,
                            )
                        }
                        "months" => {
                            let months: Option<Vec<String>> = v
                                .as_array()
                                .map(|a| a.iter().map(plain).collect::<Option<Vec<_>>>())
                                .unwrap_or(None);
                            match months {
                                Some(m) if m.len() == 12 => out.months = Some(m),
                                _ => {
                                    return Err(err(
                                        "`dates.months` must list the 12 month names, January first".into(),
                                        Some("months"),
                                    ));
                                }
                            }
                        }
                        other => {
                            return Err(err(
                                format!(
                                    "unknown key `dates.{other}` (expected `format` or `months`)"
                                ),
                                Some(other),
                            ));
                        }
                    }
                }
            }
            "page" | "browser" => {
                let Value::Object(m) = value else {
                    return Err(err(
                        format!("`{key}` must be a mapping of strings"),
                        Some(&key),
                    ));
                };
                let section = if key == "page" {
                    &mut out.page
                } else {
                    &mut out.browser
                };
                for (k, v) in m {
                    let t =
                        text_of(&v).map_err(|why| err(format!("`{key}.{k}`: {why}"), Some(&k)))?;
                    section.insert(k, t);
                }
            }
            other => {
                return Err(err(
                    format!(
                        "unknown key `{other}` (expected `name`, `dates`, `page` or `browser`)"
                    ),
                    Some(other),
                ));
            }
        }
    }
    Ok(out)
}

fn expected(key: &str) -> String {
    format!("`{key}` must be text")
}

/// Text as written; a number (`code: 404`) is text too.
fn plain(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn text_of(v: &Value) -> Result<Text, String> {
    if let Some(s) = plain(v) {
        return Ok(Text::Plain(s));
    }
    let Value::Object(m) = v else {
        return Err(
            "must be text, or a mapping with `one` and `other` (and optionally `zero`)".into(),
        );
    };
    if let Some(k) = m
        .keys()
        .find(|k| !["zero", "one", "other"].contains(&k.as_str()))
    {
        return Err(format!(
            "unknown plural form `{k}` (the forms are `zero`, `one` and `other`)"
        ));
    }
    let form = |name: &str| {
        m.get(name)
            .map(|v| plain(v).ok_or(format!("`{name}` must be text")))
    };
    let one = form("one").ok_or("a plural needs `one` and `other`")??;
    let other = form("other").ok_or("a plural needs `one` and `other`")??;
    let zero = form("zero").transpose()?;
    Ok(Text::Plural { zero, one, other })
}

/// 1-based line of the first `key:` at any depth (keys of a translation file are unique
/// enough for pointing at a problem).
pub(super) fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix(key)
                .or_else(|| t.strip_prefix(&format!("\"{key}\"")))
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_plurals() {
        let p = parse(
            "name: X\ndates:\n  format: \"{day}\"\n  months: [a,b,c,d,e,f,g,h,i,j,k,l]\npage:\n  a: A\n  n: {one: \"{count} x\", other: \"{count} xs\"}\nbrowser:\n  code: 404\n",
            "i18n/x.yaml",
        )
        .expect("parses");
        assert_eq!(p.name.as_deref(), Some("X"));
        assert_eq!(p.months.as_ref().map(Vec::len), Some(12));
        assert_eq!(p.page["a"], Text::Plain("A".into()));
        assert_eq!(p.page["n"].form(1), "{count} x");
        assert_eq!(p.page["n"].form(0), "{count} xs");
        assert_eq!(p.browser["code"], Text::Plain("404".into()));
    }

    #[test]
    fn zero_form_only_for_zero() {
        let t = Text::Plural {
            zero: Some("none".into()),
            one: "one".into(),
            other: "many".into(),
        };
        assert_eq!(
            [t.form(0), t.form(1), t.form(2), t.form(-1)],
            ["none", "one", "many", "many"]
        );
    }

    #[test]
    fn bad_shapes_name_file_and_line() {
        for (text, says, line) in [
            ("page:\n  a: [1, 2]\n", "`page.a`", 2),
            ("page:\n  a: {one: x}\n", "needs `one` and `other`", 2),
            (
                "page:\n  a: {one: x, other: y, few: z}\n",
                "unknown plural form `few`",
                2,
            ),
            ("pages:\n  a: x\n", "unknown key `pages`", 1),
            ("dates:\n  months: [a, b]\n", "12 month names", 2),
            ("page: [\n", "", 1),
        ] {
            let d = parse(text, "i18n/x.yaml").expect_err(text);
            assert!(d.message.contains(says), "{text}: {d:?}");
            assert_eq!(d.file.as_deref(), Some(std::path::Path::new("i18n/x.yaml")));
            assert!(d.line.is_some_and(|l| l >= line), "{text}: {d:?}");
        }
    }
}

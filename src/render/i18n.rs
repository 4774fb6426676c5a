//! The translation strings in Tera: `t` (the page strings, `{{ t.fix_it_fast }}`), the
//! function `tr` for strings with arguments or plural forms
//! (`{{ tr(key="entries", count=n) }}`, `{{ tr(key="tool_errors", tool=tool.name) }}`)
//! and the filter `human_date` (`{{ entry.updated | human_date }}`).

use std::sync::Arc;

use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::highlight::escape;
use crate::i18n::{Strings, fill};

pub(super) fn register(tera: &mut Tera, strings: &Arc<Strings>) {
    tera.global_context().insert("t", &strings.page);
    let s = strings.clone();
    tera.register_function("tr", move |kw: Kwargs, _: &State| tr(&s, &kw));
    let s = strings.clone();
    tera.register_filter("human_date", move |iso: &str, _: Kwargs, _: &State| {
        s.date(iso)
    });
}

/// A key ending in `_html` is HTML from the theme (trusted like a template): only its
/// arguments are escaped. Any other string is text, escaped by Tera as usual.
fn tr(s: &Strings, kw: &Kwargs) -> TeraResult<Value> {
    let key: String = kw.must_get("key")?;
    let Some(text) = s.page.get(&key) else {
        return Err(tera::Error::message(format!(
            "tr: no string `{key}` in the translation files (see i18n/en.yaml)"
        )));
    };
    let count = match kw.get::<&Value>("count")? {
        Some(v) => Some(v.as_i64().ok_or_else(|| {
            tera::Error::message(format!("tr: `count` of `{key}` must be a whole number"))
        })?),
        None => None,
    };
    let html = key.ends_with("_html");
    let args: Vec<(String, String)> = kw
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), Some("key" | "count")))
        .map(|(k, v)| {
            let v = v.to_string();
            (k.to_string(), if html { escape(&v) } else { v })
        })
        .collect();
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = fill(text.form(count.unwrap_or(1)), count.unwrap_or(1), &args);
    Ok(if html {
        Value::safe_string(&out)
    } else {
        Value::from(out)
    })
}

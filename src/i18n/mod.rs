//! The theme's strings in the site's `language`: translation files (`i18n/<lang>.yaml`,
//! built in and overridable by the site's own `i18n/` folder, key by key), English
//! fallback with a warning per missing key, plural forms and human dates.
//!
//! Which file wins for a key, first to last: the site's `i18n/<lang>.yaml`, the built-in
//! one, then for a regional tag (`de-AT`) the same two for `de`, then English (site,
//! built-in). A site file therefore needs only the keys it changes.

pub mod dates;
mod file;

use std::collections::{BTreeMap, BTreeSet};

use crate::config::CONFIG_FILE;
use crate::diag::Diagnostic;
use crate::theme::{File, I18N_DIR, Origin, Theme};

pub use file::Text;

/// The language every other one falls back to.
pub const FALLBACK: &str = "en";

/// The strings of one language, every key filled (from English where the language's
/// files lack it).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Strings {
    /// The configured tag, as `<html lang>` shows it.
    pub language: String,
    pub date_format: String,
    pub months: Vec<String>,
    /// Strings of the templates and of page titles.
    pub page: BTreeMap<String, Text>,
    /// Strings of the scripts in `static/` (see [`Strings::script_module`]).
    pub browser: BTreeMap<String, Text>,
}

/// One parsed file and where it came from.
struct Layer {
    shown: String,
    text: String,
    parsed: file::Parsed,
}

/// The languages a site can choose: built-in and its own files.
pub fn available(theme: &Theme) -> Vec<String> {
    let names: BTreeSet<String> = theme
        .translations
        .keys()
        .chain(theme.site_translations.keys())
        .filter_map(|n| n.strip_suffix(".yaml"))
        .map(str::to_string)
        .collect();
    names.into_iter().collect()
}

/// The strings for `language` (the config's, already checked to be a plain tag). Errors:
/// no file for the language, or a file that does not parse. Warnings: keys the
/// language's files lack (English is used) and keys no English file knows.
pub fn load(
    theme: &Theme,
    language: &str,
    language_at: Option<&(usize, String)>,
) -> Result<(Strings, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut tags = vec![language.to_string()];
    if let Some((base, _)) = language.split_once('-') {
        tags.push(base.to_string());
    }
    let has = |tag: &str| {
        let name = format!("{tag}.yaml");
        theme.site_translations.contains_key(&name) || theme.translations.contains_key(&name)
    };
    if !tags.iter().any(|t| has(t)) {
        let mut d = Diagnostic::error(format!(
            "language `{language}` has no translation file; available: {}",
            available(theme).join(", ")
        ))
        .file(CONFIG_FILE)
        .hint(format!(
            "add `{I18N_DIR}/{language}.yaml` to the site to translate the theme (see docs/themes.md)"
        ));
        if let Some((line, text)) = language_at {
            // The excerpt from the line's own text, then its place in the file.
            d = d.at(1, None, Some(text));
            d.line = Some(*line);
        }
        return Err(vec![d]);
    }
    tags.retain(|t| t != FALLBACK);
    let mut errors = Vec::new();
    let mut layers = |tag: &str| -> Vec<Layer> {
        let name = format!("{tag}.yaml");
        [
            theme.site_translations.get(&name),
            theme.translations.get(&name),
        ]
        .into_iter()
        .flatten()
        .filter_map(|f| match parse_file(f, &name) {
            Ok(l) => Some(l),
            Err(d) => {
                errors.push(d);
                None
            }
        })
        .collect()
    };
    let own: Vec<Layer> = tags.iter().flat_map(|t| layers(t)).collect();
    let english = layers(FALLBACK);
    if !errors.is_empty() {
        return Err(errors);
    }
    // Keys the language's own files lack: English is used for them.
    let mut missing: Vec<String> = Vec::new();
    let mut lacks = |what: String, has: &dyn Fn(&file::Parsed) -> bool| {
        if !own.is_empty() && !own.iter().any(|l| has(&l.parsed)) {
            missing.push(what);
        }
    };
    lacks("dates.format".into(), &|p| p.date_format.is_some());
    lacks("dates.months".into(), &|p| p.months.is_some());
    let date_format = own
        .iter()
        .chain(&english)
        .find_map(|l| l.parsed.date_format.clone())
        .unwrap_or_else(|| "{year}-{mm}-{dd}".into());
    let months = own
        .iter()
        .chain(&english)
        .find_map(|l| l.parsed.months.clone())
        .unwrap_or_else(|| (1..=12).map(|m| format!("{m:02}")).collect());
    let mut warnings = Vec::new();
    let mut sections = [BTreeMap::new(), BTreeMap::new()];
    for (i, name) in ["page", "browser"].into_iter().enumerate() {
        let section = |p: &file::Parsed| {
            if i == 0 {
                p.page.clone()
            } else {
                p.browser.clone()
            }
        };
        let known: BTreeSet<String> = english
            .iter()
            .flat_map(|l| section(&l.parsed).into_keys())
            .collect();
        for key in &known {
            lacks(format!("{name}.{key}"), &|p| section(p).contains_key(key));
        }
        // Later layers first, so earlier ones (the site's own, the language's) win.
        for l in english.iter().rev().chain(own.iter().rev()) {
            sections[i].extend(section(&l.parsed));
        }
        for l in &own {
            for key in section(&l.parsed).keys().filter(|k| !known.contains(*k)) {
                let mut d = Diagnostic::warning(format!(
                    "`{name}.{key}` is not a key of the English strings, so no template or script uses it"
                ))
                .file(&l.shown)
                .hint("check its spelling against i18n/en.yaml");
                if let Some(line) = file::key_line(&l.text, key) {
                    d = d.at(line, None, Some(&l.text));
                }
                warnings.push(d);
            }
        }
    }
    // Named after the file a translator would add the key to.
    if let Some(first) = own.first() {
        for what in missing {
            warnings.push(
                Diagnostic::warning(format!("no `{what}`: the English text is used"))
                    .file(&first.shown)
                    .hint("translate it (the English text is in i18n/en.yaml: `errkb eject i18n/en.yaml`)"),
            );
        }
    }
    let [page, browser] = sections;
    Ok((
        Strings {
            language: language.to_string(),
            date_format,
            months,
            page,
            browser,
        },
        warnings,
    ))
}

fn parse_file(f: &File, name: &str) -> Result<Layer, Diagnostic> {
    let shown = match &f.origin {
        Origin::BuiltIn => format!("(built-in theme) {I18N_DIR}/{name}"),
        Origin::Site(p) => p.clone(),
    };
    let text = std::str::from_utf8(&f.bytes).map_err(|e| {
        Diagnostic::error(format!("not UTF-8 (byte {})", e.valid_up_to())).file(&shown)
    })?;
    let parsed = file::parse(text, &shown)?;
    Ok(Layer {
        shown,
        text: text.to_string(),
        parsed,
    })
}

impl Strings {
    /// The built-in English strings (for tests and tools that render without a site).
    pub fn english() -> Strings {
        let (s, _) = load(&Theme::built_in(), FALLBACK, None)
            .unwrap_or_else(|_| unreachable!("the built-in English strings parse (tested)"));
        s
    }

    /// A page string with its `{name}` arguments filled in; the key itself when unknown.
    pub fn text(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.counted(key, 1, args)
    }

    /// A page string in the form for `count` (which fills `{count}`).
    pub fn counted(&self, key: &str, count: i64, args: &[(&str, &str)]) -> String {
        match self.page.get(key) {
            Some(t) => fill(t.form(count), count, args),
            None => key.to_string(),
        }
    }

    /// A date of the content (`2026-12-06`) as the language writes it.
    pub fn date(&self, iso: &str) -> String {
        dates::format(iso, &self.date_format, &self.months)
    }

    /// The browser's strings as the JavaScript module `static/i18n.js`: data only (the
    /// functions that use it are in `static/say.js`), so the page needs no inline script
    /// under the theme's Content-Security-Policy and the strings are cached with the
    /// other scripts rather than repeated in every page.
    pub fn script_module(&self) -> String {
        let data = serde_json::json!({ "lang": self.language, "strings": self.browser });
        format!(
            "// The browser's strings in the site's language, written by errkb from the \
             translation files (i18n/).\nexport default {data};\n"
        )
    }
}

/// Fills `{count}` and each `{name}` of `args` in one pass (a filled-in value that
/// contains braces is never read again).
pub fn fill(text: &str, count: i64, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name = after.find('}').map(|c| &after[..c]);
        let value = match name {
            Some("count") => Some(count.to_string()),
            Some(n) => args
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string()),
            None => None,
        };
        match (value, name) {
            (Some(v), Some(n)) => {
                out.push_str(&v);
                rest = &after[n.len() + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;

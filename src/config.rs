//! `errkb.yaml` → [`Config`]. Every key has a default, so the file is optional.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::{fsutil, yaml};

pub const CONFIG_FILE: &str = "errkb.yaml";

/// The site's own source folders: never an output, never replaced.
pub const SOURCE_DIRS: [&str; 4] = ["content", "templates", "static", "i18n"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Site title, shown in the header and the `<title>` of every page.
    pub title: String,
    /// One line describing the site (home page meta description, feed subtitle).
    pub description: String,
    /// Where the site is published, e.g. `https://example.org/kb/`. A bare path such as
    /// `/` or `/kb/` works too, but then the sitemap, feed and canonical links are relative.
    pub base_url: String,
    /// The language of the theme's strings and dates (a translation file
    /// `i18n/<language>.yaml`: built in are `en`, `de`, `es`), and the `lang` attribute of
    /// every page.
    pub language: String,
    /// Output folder, relative to the site root.
    pub output_dir: String,
    /// Let raw HTML in Markdown through (escaped by default).
    pub allow_html: bool,
    /// "Edit this page" link; `{path}` is replaced by the entry's file path, e.g.
    /// `https://github.com/me/kb/edit/main/{path}`.
    pub edit_url: Option<String>,
    /// syntect theme for code in the light colour scheme.
    pub highlight_theme: String,
    /// syntect theme for code in the dark colour scheme.
    pub highlight_theme_dark: String,
    /// How many recently updated entries the home page lists.
    pub recent_entries: usize,
    /// Warn about entries whose `updated` is older than this many days (off when unset).
    pub stale_after_days: Option<u32>,
    /// Limits on the search index, so a growing knowledge base cannot silently make the
    /// search slow to load.
    pub search: SearchConfig,
    /// What the JSON API writes beside `api/entries.json`.
    pub api: ApiConfig,
    /// Free data handed to templates as `config.extra`.
    pub extra: serde_json::Value,
    /// Where `language:` is in errkb.yaml (line number and text), for errors about it
    /// found later, when the theme's languages are known. Not a key.
    #[serde(skip)]
    pub language_at: Option<(usize, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// The build fails when one search index file is larger than this (kB).
    pub max_file_kb: usize,
    /// The build fails when all search index files together are larger than this (kB).
    pub max_total_kb: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    /// The per-entry files `api/<tool>/<slug>.json`: `off` (none, the default: on a large
    /// knowledge base they would double the site's files and add a tenth to its bytes),
    /// `compact` (every key but the Markdown body, which the entry's page has, and no
    /// empty keys) or `full` (every key, the body too). `errkb explain --catalog` shows
    /// every step when they are there, and what the catalog has when they are not.
    pub entries: ApiEntries,
}

/// See [`ApiConfig::entries`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ApiEntries {
    #[default]
    Off,
    Compact,
    Full,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            entries: ApiEntries::Off,
        }
    }
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            max_file_kb: 512,
            max_total_kb: None,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Error knowledge base".into(),
            description: "What an error means and how to fix it safely.".into(),
            base_url: "/".into(),
            language: "en".into(),
            output_dir: "public".into(),
            allow_html: false,
            edit_url: None,
            highlight_theme: "InspiredGitHub".into(),
            highlight_theme_dark: "base16-ocean.dark".into(),
            recent_entries: 10,
            stale_after_days: None,
            search: SearchConfig::default(),
            api: ApiConfig::default(),
            extra: serde_json::Value::Object(Default::default()),
            language_at: None,
        }
    }
}

impl Config {
    /// Reads `root/errkb.yaml`, or the defaults when there is none.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        if !path.exists() {
            return Ok(Config::default());
        }
        fsutil::Boundary::new(root)
            .check_if_link(&path)
            .map_err(|m| Diagnostic::error(m).file(CONFIG_FILE))?;
        let bytes =
            fsutil::read(&path).map_err(|e| Diagnostic::error(e.to_string()).file(CONFIG_FILE))?;
        let text = fsutil::decode_text(&bytes).map_err(|e| {
            Diagnostic::error(format!("invalid UTF-8 at byte {}", e.offset))
                .file(CONFIG_FILE)
                .at(e.line, Some(e.col), None)
        })?;
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let mut cfg: Config = yaml::from_str(&text).map_err(|e| {
            let mut d = Diagnostic::error(e.message.clone()).file(CONFIG_FILE);
            if let Some(line) = e.line {
                d = d.at(line, e.col, Some(&text));
            }
            d
        })?;
        cfg.language_at = yaml::key_line(&text, "language")
            .and_then(|n| Some((n, text.lines().nth(n - 1)?.to_string())));
        cfg.check().map_err(|(key, m)| {
            let d = Diagnostic::error(m).file(CONFIG_FILE);
            match yaml::key_line(&text, key) {
                Some(line) => d.at(line, None, Some(&text)),
                None => d,
            }
        })?;
        Ok(cfg)
    }

    /// The first problem, with the key it is under.
    fn check(&self) -> Result<(), (&'static str, String)> {
        check_base_url(&self.base_url).map_err(|m| ("base_url", m))?;
        check_output_dir(&self.output_dir).map_err(|m| ("output_dir", m))?;
        check_language(&self.language).map_err(|m| ("language", m))?;
        if let Some(url) = &self.edit_url {
            crate::url::check(url).map_err(|why| ("edit_url", format!("edit_url: {why}")))?;
        }
        Ok(())
    }

    /// Replaces the base URL (from `--base-url` or `ERRKB_BASE_URL`).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        check_base_url(url)?;
        self.base_url = url.to_string();
        Ok(())
    }

    /// The base URL with exactly one trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}/", self.base_url.trim_end_matches('/'))
    }

    /// The path part of the base URL (`/kb/` for `https://example.org/kb/`), with slashes
    /// at both ends: every link in the site starts with it.
    pub fn base_path(&self) -> String {
        let url = self.base_url();
        let path = match url.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => url.as_str(),
        };
        format!("/{}", path.trim_start_matches('/'))
    }

    /// The URL of a site path (`docker/x/`): absolute when the base URL names a host,
    /// else from the site's root path. Every link errkb makes to its own pages is this.
    pub fn link(&self, path: &str) -> String {
        let base = if self.has_absolute_base() {
            self.base_url()
        } else {
            self.base_path()
        };
        format!("{base}{path}")
    }

    /// True when the base URL names a host, so absolute URLs can be made.
    pub fn has_absolute_base(&self) -> bool {
        self.base_url.contains("://")
    }
}

fn check_base_url(url: &str) -> Result<(), String> {
    if let Some(c) = url.chars().find(|c| c.is_control()) {
        return Err(format!(
            "base_url contains the control character U+{:04X}",
            u32::from(c)
        ));
    }
    if !(url.starts_with('/') || url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!(
            "base_url `{url}` must be an absolute URL (https://host/path/) or a path starting with `/`"
        ));
    }
    Ok(())
}

/// A language tag (`de`, `pt-BR`): it names a translation file, so nothing else gets in.
fn check_language(tag: &str) -> Result<(), String> {
    let ok = tag.split('-').enumerate().all(|(i, part)| {
        (if i == 0 { 2..=3 } else { 1..=8 }).contains(&part.len())
            && part.bytes().all(|b| b.is_ascii_alphanumeric())
            && (i > 0 || part.bytes().all(|b| b.is_ascii_lowercase()))
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "language `{}` is not a language tag such as `en`, `de` or `pt-BR`",
            crate::term::line(tag)
        ))
    }
}

/// `output_dir` names a folder inside the site: relative, without `..`. (`--output` may
/// point anywhere; the build checks that place through the file system.)
fn check_output_dir(dir: &str) -> Result<(), String> {
    use std::path::Component;
    let p = Path::new(dir);
    if dir.trim().is_empty() {
        return Err("output_dir is empty".into());
    }
    if p.has_root() || p.is_absolute() || dir.starts_with('~') {
        return Err(format!(
            "output_dir `{dir}` must be a relative path inside the site root, e.g. `public`"
        ));
    }
    if p.components().any(|c| c == Component::ParentDir) {
        return Err(format!(
            "output_dir `{dir}` may not contain `..`: it must stay inside the site root"
        ));
    }
    match p.components().find(|c| c != &Component::CurDir) {
        None => return Err(format!("output_dir `{dir}` is the site root itself")),
        Some(Component::Normal(first)) if SOURCE_DIRS.iter().any(|s| first == *s) => {
            return Err(format!(
                "output_dir `{dir}` is inside the site's `{}/` folder",
                first.to_string_lossy()
            ));
        }
        _ => {}
    }
    if let Some(c) = dir.chars().find(|c| c.is_control()) {
        return Err(format!(
            "output_dir contains the control character U+{:04X}",
            u32::from(c)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths() {
        let mut c = Config::default();
        assert_eq!(c.base_path(), "/");
        c.set_base_url("https://example.org/kb").expect("ok");
        assert_eq!(c.base_url(), "https://example.org/kb/");
        assert_eq!(c.base_path(), "/kb/");
        c.set_base_url("https://example.org").expect("ok");
        assert_eq!(c.base_path(), "/");
        c.set_base_url("/docs/errors/").expect("ok");
        assert_eq!(c.base_path(), "/docs/errors/");
        assert!(c.set_base_url("example.org").is_err());
        c.set_base_url("https://example.org/kb").expect("ok");
        assert_eq!(c.link("docker/x/"), "https://example.org/kb/docker/x/");
        c.set_base_url("/kb").expect("ok");
        assert_eq!(c.link("docker/x/"), "/kb/docker/x/");
        assert!(
            c.set_base_url("https://e.org/\nSitemap: https://evil/")
                .is_err()
        );
    }

    #[test]
    fn language_is_a_tag() {
        for ok in ["en", "de", "es", "pt-BR", "zh-Hant-TW", "fil"] {
            assert_eq!(check_language(ok), Ok(()), "{ok}");
        }
        for bad in [
            "", "EN", "e", "../en", "de/x", "de.yaml", "de-", "english", "de\n",
        ] {
            assert!(check_language(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn output_dir_stays_inside() {
        for ok in ["public", "build/site", "./out"] {
            assert_eq!(check_output_dir(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            ".",
            "content/x",
            "./static",
            "/tmp/x",
            "../x",
            "build/../../.ssh",
            "~/x",
            "a\u{7}",
        ] {
            assert!(check_output_dir(bad).is_err(), "{bad:?}");
        }
    }
}

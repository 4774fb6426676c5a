//! Stage 3: the typed site → output files in memory, through Tera templates.
//!
//! Site-wide values (`site`, `assets`, `tools`) go into Tera's global context once; each
//! page's context holds only that page's data, so no page carries a copy of the whole
//! site and list pages stay linear. Entry pages render in parallel.

mod assets;
mod feeds;
mod pages;
pub mod view;

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::memo::{Key, KeyBuilder, Memo};
use crate::model::Site;
use crate::theme::{Origin, Theme};

pub use assets::fingerprint;

/// One file of the output, path relative to the output folder with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Stands for the search manifest's URL while pages render; replaced afterwards. The
/// manifest's URL carries a hash of the whole index, and leaving it out of the rendered
/// bytes lets `serve` reuse an entry page when only other entries changed.
const SEARCH_TOKEN: &str = "__errkb_search_index__";

static ENTRY_PAGES: std::sync::LazyLock<Memo<Arc<Vec<u8>>>> = std::sync::LazyLock::new(Memo::new);

/// Site-wide values every template sees.
#[derive(Debug, Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: String,
    base_path: String,
    /// True when `base_url` names a host, so canonical URLs and feeds are absolute.
    absolute: bool,
    extra: &'a serde_json::Value,
}

#[derive(Debug, Serialize)]
struct ToolNav<'a> {
    id: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    url: String,
    count: usize,
}

/// Per-page values every template sees: what the `<head>` needs.
#[derive(Debug, Serialize)]
pub struct PageMeta {
    /// The `<title>` text.
    pub title: String,
    pub description: String,
    /// Path below the base URL, e.g. `docker/x/` (empty for the home page).
    pub path: String,
    /// Canonical URL (absolute when the base URL is).
    pub canonical: String,
    /// `home`, `tool`, `entry`, `tags`, `tag`, `404`, `search`.
    pub kind: &'static str,
}

/// Everything a render needs that is shared by all pages.
pub struct Renderer<'a> {
    pub tera: Tera,
    pub site: &'a Site,
    pub config: &'a Config,
    pub base_path: String,
    pub base_url: String,
    origins: BTreeMap<String, String>,
}

impl<'a> Renderer<'a> {
    /// Compiles the templates and fills the global context.
    pub fn new(
        site: &'a Site,
        config: &'a Config,
        theme: &Theme,
        asset_urls: &BTreeMap<String, String>,
        search_manifest: &str,
    ) -> Result<Renderer<'a>, Vec<Diagnostic>> {
        let mut tera = Tera::default();
        tera.autoescape_on([".html", ".xml"]);
        let mut origins = BTreeMap::new();
        let mut sources = Vec::new();
        let mut diags = Vec::new();
        for (name, file) in &theme.templates {
            let shown = match &file.origin {
                Origin::BuiltIn => format!("(built-in theme) templates/{name}"),
                Origin::Site(p) => p.clone(),
            };
            match std::str::from_utf8(&file.bytes) {
                Ok(text) => sources.push((name.clone(), text.to_string())),
                Err(e) => diags.push(
                    Diagnostic::error(format!("template is not UTF-8 (byte {})", e.valid_up_to()))
                        .file(&shown),
                ),
            }
            origins.insert(name.clone(), shown);
        }
        if let Err(e) = tera.add_raw_templates(sources) {
            diags.push(template_error(&e, &origins));
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let base_path = config.base_path();
        let base_url = config.base_url();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &site.entries {
            *counts.entry(e.id.tool.as_str()).or_default() += 1;
        }
        let tools: Vec<ToolNav> = site
            .tools
            .iter()
            .map(|t| ToolNav {
                id: &t.id,
                name: &t.name,
                description: t.description.as_deref(),
                url: format!("{base_path}{}/", t.id),
                count: counts.get(t.id.as_str()).copied().unwrap_or(0),
            })
            .collect();
        let g = tera.global_context();
        g.insert(
            "site",
            &SiteView {
                title: &config.title,
                description: &config.description,
                language: &config.language,
                base_url: base_url.clone(),
                base_path: base_path.clone(),
                absolute: config.has_absolute_base(),
                extra: &config.extra,
            },
        );
        g.insert("assets", asset_urls);
        g.insert("tools", &tools);
        g.insert("entry_count", &site.entries.len());
        // Bound after rendering (see `SEARCH_TOKEN`), so that a page's bytes before
        // substitution do not change whenever any entry's searchable text does.
        let _ = search_manifest;
        g.insert("search_index", SEARCH_TOKEN);
        Ok(Renderer {
            tera,
            site,
            config,
            base_path,
            base_url,
            origins,
        })
    }

    /// The canonical URL of a page path.
    pub fn canonical(&self, path: &str) -> String {
        if self.config.has_absolute_base() {
            format!("{}{path}", self.base_url)
        } else {
            format!("{}{path}", self.base_path)
        }
    }

    /// Renders `template` with `ctx` plus `page`, into `out_path`.
    pub fn page(
        &self,
        template: &str,
        mut ctx: Context,
        page: &PageMeta,
        out_path: String,
    ) -> Result<OutFile, Diagnostic> {
        ctx.insert("page", page);
        let html = self
            .tera
            .render(template, &ctx)
            .map_err(|e| template_error(&e, &self.origins))?;
        Ok(OutFile {
            path: out_path,
            bytes: html.into_bytes(),
        })
    }
}

fn template_error(e: &tera::Error, origins: &BTreeMap<String, String>) -> Diagnostic {
    use tera::ErrorKind;
    let template = match e.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => Some(r.filename().to_string()),
        ErrorKind::CircularExtend { tpl, .. } | ErrorKind::CircularInclude { tpl, .. } => {
            Some(tpl.clone())
        }
        ErrorKind::MissingParent { current, .. } => Some(current.clone()),
        _ => None,
    };
    // Tera's own report already shows the template line with a marker.
    let mut d = Diagnostic::error(format!("template error: {}", e.to_string().trim()));
    if let Some(shown) = template.as_ref().and_then(|t| origins.get(t)) {
        d = d.file(shown);
    }
    d
}

fn bind_search_url(f: &mut OutFile, url: &str) {
    if !f.path.ends_with(".html") {
        return;
    }
    if let Ok(text) = std::str::from_utf8(&f.bytes)
        && text.contains(SEARCH_TOKEN)
    {
        f.bytes = text.replace(SEARCH_TOKEN, url).into_bytes();
    }
}

/// Everything every page depends on: templates, configuration, asset URLs, the tools and
/// the number of entries.
fn global_key(site: &Site, config: &Config, theme: &Theme, urls: &BTreeMap<String, String>) -> Key {
    let mut k = KeyBuilder::new("render")
        .json(config)
        .json(urls)
        .json(&site.tools)
        .json(&site.entries.len());
    for (name, file) in &theme.templates {
        k = k.bytes(name.as_bytes()).bytes(&file.bytes);
    }
    k.key()
}

/// What one entry page reads besides the global inputs: the entry, the entries it links
/// to (title and summary) and its tool.
fn entry_key(global: &Key, site: &Site, e: &crate::model::Entry) -> Key {
    let related: Vec<(&str, &str, String)> = e
        .related
        .iter()
        .filter_map(|r| site.entry(r))
        .map(|r| (r.title.as_str(), r.summary.as_str(), r.id.to_string()))
        .collect();
    KeyBuilder::new("entry_page")
        .bytes(global)
        .json(e)
        .bytes(e.body_line.to_le_bytes().as_slice())
        .json(&related)
        .json(&site.tool(&e.id.tool))
        .key()
}

/// Renders every page, feed and asset of the site.
pub fn render(
    site: &Site,
    config: &Config,
    theme: &Theme,
) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let (mut files, urls) = assets::build(theme, config)
        .map_err(|m| vec![Diagnostic::error(m).file(crate::config::CONFIG_FILE)])?;
    let search = crate::index::search::build(site, config).map_err(|m| {
        vec![
            Diagnostic::error(m)
                .file(crate::config::CONFIG_FILE)
                .hint("raise the limit under `search:` in errkb.yaml"),
        ]
    })?;
    let r = Renderer::new(site, config, theme, &urls, &search.manifest)?;
    let global = global_key(site, config, theme, &urls);
    let results: Vec<Result<OutFile, Diagnostic>> = site
        .entries
        .par_iter()
        .map(|e| {
            let key = entry_key(&global, site, e);
            if let Some(bytes) = ENTRY_PAGES.get(&key) {
                return Ok(OutFile {
                    path: format!("{}index.html", e.id.path()),
                    bytes: bytes.to_vec(),
                });
            }
            let page = pages::entry(&r, e)?;
            ENTRY_PAGES.put(key, Arc::new(page.bytes.clone()));
            Ok(page)
        })
        .chain(pages::lists(&r).into_par_iter())
        .collect();
    ENTRY_PAGES.finish_run();
    let search_url = format!("{}{}", r.base_path, search.manifest);
    let mut diags = Vec::new();
    for res in results {
        match res {
            Ok(mut f) => {
                bind_search_url(&mut f, &search_url);
                files.push(f);
            }
            Err(d) => diags.push(d),
        }
    }
    files.extend(feeds::all(&r));
    files.extend(crate::index::api(site, config));
    files.extend(search.files);
    if !diags.is_empty() {
        diags.dedup_by(|a, b| a.message == b.message);
        return Err(diags);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if let Some(w) = files.windows(2).find(|w| w[0].path == w[1].path) {
        return Err(vec![
            Diagnostic::error(format!("two outputs share the path `{}`", w[0].path))
                .hint("a tool folder, tag or alias collides with a page errkb generates"),
        ]);
    }
    Ok(files)
}

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

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::Site;
use crate::theme::{Origin, Theme};

pub use assets::fingerprint;

/// One file of the output, path relative to the output folder with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

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
        g.insert("search_index", &format!("{base_path}{search_manifest}"));
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
    let results: Vec<Result<OutFile, Diagnostic>> = site
        .entries
        .par_iter()
        .map(|e| pages::entry(&r, e))
        .chain(pages::lists(&r).into_par_iter())
        .collect();
    let mut diags = Vec::new();
    for res in results {
        match res {
            Ok(f) => files.push(f),
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

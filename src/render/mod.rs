//! Stage 3: the typed site → output files in memory, through Tera templates.
//!
//! Site-wide values (`site`, `assets`, `tools`) go into Tera's global context once; each
//! page's context holds only that page's data, so no page carries a copy of the whole
//! site and list pages stay linear. Entry pages render in parallel.

mod assets;
mod feeds;
mod i18n;
mod pages;
mod tidy;
pub mod view;

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::i18n::Strings;
use crate::memo::{Key, KeyBuilder, Memo, Session};
use crate::model::Site;
use crate::theme::{Origin, Theme};

pub use assets::fingerprint;

use crate::output::Guard;
pub use crate::output::{Collect, OutFile, Sink};

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
    /// The title without the site's name after it (`og:site_name` says that), for
    /// `og:title`.
    pub og_title: String,
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
    /// The theme's strings in the site's language.
    pub strings: Arc<Strings>,
    origins: BTreeMap<String, String>,
    /// What lists show of each entry, as a key (see `pages::item_key`), by fingerprint.
    item_keys: Arc<Memo<Key>>,
    /// List pages' entry summaries, by entry fingerprint and base path.
    summaries: Arc<Memo<Arc<str>>>,
    /// Pages other than entry pages, by [`Renderer::global`] and what each lists.
    list_pages: Arc<Memo<Arc<Vec<u8>>>>,
    /// The key of everything every page reads (see `global_key`).
    pub global: Key,
    /// Pages are kept between runs (`serve`), gzip-compressed (see [`crate::output::gzip`]).
    keep: bool,
}

impl<'a> Renderer<'a> {
    /// Compiles the templates and fills the global context.
    pub fn new(
        site: &'a Site,
        config: &'a Config,
        theme: &Theme,
        strings: &Arc<Strings>,
        asset_urls: &BTreeMap<String, String>,
        session: &Session,
    ) -> Result<Renderer<'a>, Vec<Diagnostic>> {
        let mut origins = BTreeMap::new();
        for (name, file) in &theme.templates {
            let shown = match &file.origin {
                Origin::BuiltIn => format!("(built-in theme) templates/{name}"),
                Origin::Site(p) => p.clone(),
            };
            origins.insert(name.clone(), shown);
        }
        // The compiled templates depend on their text and the strings alone: `serve`
        // compiles them again only when one of those changed.
        let mut key = KeyBuilder::new("templates").json(&**strings);
        for (name, file) in &theme.templates {
            key = key.bytes(name.as_bytes()).bytes(&file.bytes);
        }
        let compiled = session.memo::<Arc<Tera>>("render.templates");
        let key = key.key();
        let tera = match compiled.get(&key) {
            Some(t) => t,
            None => {
                let t = Arc::new(compile(theme, strings, &origins)?);
                compiled.put(key, t.clone());
                t
            }
        };
        let mut tera = Arc::unwrap_or_clone(tera);
        let base_path = config.base_path();
        let base_url = config.base_url();
        let counts = tool_counts(site);
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
        // A fixed address: the manifest there names the versioned folder of the rest,
        // so a page's bytes do not change whenever some entry's searchable text does.
        g.insert(
            "search_index",
            &format!("{base_path}{}", crate::output::SEARCH_MANIFEST),
        );
        Ok(Renderer {
            tera,
            site,
            config,
            base_path,
            base_url,
            strings: strings.clone(),
            origins,
            item_keys: session.memo("render.item_keys"),
            summaries: session.memo("render.summaries"),
            list_pages: session.memo("render.list_pages"),
            global: global_key(site, config, theme, strings, asset_urls),
            keep: session.keeps(),
        })
    }

    /// A page that is not an entry page, from `serve`'s cache when `key` (what the page
    /// reads besides [`Renderer::global`]) has not changed since an earlier run.
    pub fn cached_page(
        &self,
        key: KeyBuilder,
        out_path: String,
        render: impl FnOnce() -> Result<OutFile, Diagnostic>,
    ) -> Result<OutFile, Diagnostic> {
        let key = key.bytes(&self.global).key();
        if let Some(bytes) = self.list_pages.get(&key) {
            return Ok(OutFile {
                path: out_path,
                bytes,
            });
        }
        let page = self.kept(render()?);
        self.list_pages.put(key, page.bytes.clone());
        Ok(page)
    }

    /// A page as the session keeps it: gzip when pages are kept between runs (HTML
    /// only: `serve` unpacks pages to add its reload script, and sends the rest as is).
    pub fn kept(&self, page: OutFile) -> OutFile {
        if !self.keep || !page.path.ends_with(".html") {
            return page;
        }
        OutFile {
            bytes: Arc::new(crate::output::gzip(&page.bytes)),
            path: page.path,
        }
    }

    /// The canonical URL of a page path.
    pub fn canonical(&self, path: &str) -> String {
        self.config.link(path)
    }

    /// Renders a file that is not a page (`sitemap.xml`, `robots.txt`, `atom.xml`): the
    /// template's name is the output's path.
    pub fn file(&self, template: &str, ctx: &Context) -> Result<OutFile, Diagnostic> {
        let text = self
            .tera
            .render(template, ctx)
            .map_err(|e| template_error(&e, &self.origins))?;
        Ok(OutFile::new(template, text))
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
        thread_local! {
            /// Each thread's page buffer: Tera renders into it and the tidied page is
            /// copied out at its size, so the buffer grows once per thread instead of
            /// from Tera's small first guess on every page.
            static PAGE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
            /// The page with its attribute quotes taken out, before its whitespace is
            /// collapsed into the file's own string (the two steps commute).
            static UNQUOTED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        PAGE.with_borrow_mut(|buf| {
            UNQUOTED.with_borrow_mut(|unquoted| {
                buf.clear();
                let page = self
                    .tera
                    .render_to(template, &ctx, &mut *buf)
                    .map_err(|e| template_error(&e, &self.origins))
                    .and_then(|()| {
                        // Tera writes only strings: the output is UTF-8.
                        std::str::from_utf8(buf).map_err(|e| {
                            Diagnostic::error(format!("`{template}` rendered invalid UTF-8: {e}"))
                        })
                    })
                    .map(|html| {
                        tidy::unquote_attributes_into(html, unquoted);
                        OutFile::new(out_path, tidy::collapse_whitespace(unquoted))
                    });
                // A list of thousands of entries is megabytes: `serve` would hold that
                // much per thread for hours.
                if buf.capacity() > 1 << 20 {
                    *buf = Vec::new();
                    *unquoted = String::new();
                }
                page
            })
        })
    }
}

/// Tera's autoescape, the same five characters to the same entities as its own
/// `escape_html`, but written a run at a time: Tera's writes each byte through the
/// output's `dyn Write` on its own, and every page escapes a few kilobytes of text.
fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

/// The theme's templates, compiled, with the strings' functions registered.
fn compile(
    theme: &Theme,
    strings: &Arc<Strings>,
    origins: &BTreeMap<String, String>,
) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::default();
    tera.autoescape_on([".html", ".xml"]);
    tera.set_escape_fn(escape_html);
    i18n::register(&mut tera, strings);
    let mut sources = Vec::new();
    let mut diags = Vec::new();
    for (name, file) in &theme.templates {
        match std::str::from_utf8(&file.bytes) {
            Ok(text) => sources.push((name.clone(), text.to_string())),
            Err(e) => diags.push(
                Diagnostic::error(format!("template is not UTF-8 (byte {})", e.valid_up_to()))
                    .file(origins.get(name).map_or(name.as_str(), String::as_str)),
            ),
        }
    }
    if let Err(e) = tera.add_raw_templates(sources) {
        diags.push(template_error(&e, origins));
    }
    if diags.is_empty() {
        Ok(tera)
    } else {
        Err(diags)
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

/// How many entries each tool has. Entries are sorted by id, so a tool's entries are
/// one run of them, found by bisection: a few dozen comparisons instead of a look at
/// each of thousands of entries.
fn tool_counts(site: &Site) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    let mut rest = &site.entries[..];
    while let Some(first) = rest.first() {
        let tool = first.id.tool.as_str();
        let n = rest.partition_point(|e| e.id.tool == tool);
        counts.insert(tool, n);
        rest = &rest[n..];
    }
    counts
}

/// Everything every page depends on: templates, configuration, asset URLs, the tools,
/// the number of entries and each tool's (the navigation shows them).
fn global_key(
    site: &Site,
    config: &Config,
    theme: &Theme,
    strings: &Strings,
    urls: &BTreeMap<String, String>,
) -> Key {
    let mut k = KeyBuilder::new("render")
        .json(config)
        .json(strings)
        .json(urls)
        .json(&site.tools)
        .json(&site.entries.len());
    k = k.json(&tool_counts(site));
    for (name, file) in &theme.templates {
        k = k.bytes(name.as_bytes()).bytes(&file.bytes);
    }
    k.key()
}

/// What one entry page reads besides the global inputs: the entry and the entries it
/// links to (their titles and summaries are shown; their fingerprints cover that). The
/// tool is part of the global key.
fn entry_key(global: &Key, site: &Site, e: &crate::model::Entry) -> Key {
    let mut k = KeyBuilder::new("entry_page")
        .bytes(global)
        .bytes(&e.fingerprint);
    for r in e.related.iter().filter_map(|r| site.entry(r)) {
        k = k.bytes(&r.fingerprint);
    }
    k.key()
}

/// Renders every page, feed and asset of the site into `out`, entry pages in parallel as
/// they are made (nothing waits in memory for the rest). On a template error the sink may
/// hold part of the site, which callers discard (`build` writes into a staging folder
/// that is then removed). The search index and the JSON API are the index stage's.
pub fn render(
    site: &Site,
    config: &Config,
    theme: &Theme,
    strings: &Arc<Strings>,
    out: &Guard<'_>,
    session: &Session,
) -> Result<(), Vec<Diagnostic>> {
    let (assets, urls) = assets::build(theme, config, strings)
        .map_err(|m| vec![Diagnostic::error(m).file(crate::config::CONFIG_FILE)])?;
    let r = Renderer::new(site, config, theme, strings, &urls, session)?;
    crate::timing::report_memory("templates");
    let pages_memo = session.memo::<Arc<Vec<u8>>>("render.entry_pages");
    let global = r.global;
    let mut diags: Vec<Diagnostic> = site
        .entries
        .par_iter()
        .filter_map(|e| {
            let key = pages_memo.key(|| entry_key(&global, site, e));
            let page = match pages_memo.get(&key) {
                Some(bytes) => OutFile {
                    path: format!("{}index.html", e.id.path()),
                    bytes,
                },
                None => match pages::entry(&r, e) {
                    Ok(page) => {
                        let page = r.kept(page);
                        pages_memo.put(key, page.bytes.clone());
                        page
                    }
                    Err(d) => return Some(d),
                },
            };
            out.put(page).err()
        })
        .collect();
    crate::timing::report_memory("entry pages");
    // The feeds and the sitemap are single files made on one core: beside the list
    // pages, not after them.
    let (lists, feeds) = rayon::join(|| pages::lists(&r), || feeds::all(&r));
    diags.extend(out.put_all(lists));
    crate::timing::report_memory("list pages");
    let other = assets.into_iter().map(Ok).chain(feeds).collect();
    diags.extend(out.put_all(other));
    if !diags.is_empty() {
        diags.dedup_by(|a, b| a.message == b.message);
        return Err(diags);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_tera_does() {
        let cases = [
            "",
            "plain",
            "<script>alert('x')</script>",
            "a & b \"c\" 'd' <e> &amp;",
            "&&<<>>\"\"''",
            "ünïcode ‘quotes’ — <é>",
            "tail&",
            "&head",
        ];
        for text in cases {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            escape_html(text, &mut ours).expect("vec");
            tera::escape_html(text, &mut theirs).expect("vec");
            assert_eq!(ours, theirs, "{text}");
        }
    }
}

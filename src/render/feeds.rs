//! Machine-readable files: `sitemap.xml`, `robots.txt`, `atom.xml`, `opensearch.xml`.

use super::{OutFile, Renderer};
use serde::Serialize;
use tera::Context;

use crate::memo::KeyBuilder;

use crate::diag::Diagnostic;
use crate::markdown::plain;

use crate::model::Entry;

/// Text for XML without the control characters XML 1.0 forbids (and C1), so the feed
/// and sitemap always parse; `check` refuses them in entries, this covers the rest. The
/// templates escape the markup characters.
fn xml_text(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// How many entries the Atom feed carries.
const FEED_LEN: usize = 50;

/// The machine-readable files, each from its template (`templates/sitemap.xml`,
/// `robots.txt`, `atom.xml`, `opensearch.xml`), so a site can override them like any page.
pub(super) fn all(r: &Renderer) -> Vec<Result<OutFile, Diagnostic>> {
    // The sitemap and the feed each take tens of milliseconds on a large site.
    let (sitemap, atom) = rayon::join(|| sitemap(r), || atom(r));
    vec![sitemap, robots(r), atom, opensearch(r)]
}

/// The most characters OpenSearch allows in `ShortName` and `Description`.
const SHORT_NAME_MAX: usize = 16;
const DESCRIPTION_MAX: usize = 1024;

#[derive(Serialize)]
struct OpenSearch {
    short_name: String,
    description: String,
    language: String,
    /// The search page with the query in `q`, which `search.js` reads on load.
    results: String,
    self_url: String,
    form: String,
}

/// `s` cut to `max` characters, at a word boundary when there is one in the second half.
fn cut(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max).collect();
    match head.rfind(' ') {
        Some(i) if i >= head.len() / 2 => head[..i].trim_end().to_string(),
        _ => head,
    }
}

/// The OpenSearch description: browsers offer "search this site" from the address bar.
/// Its names come from the site's `title` and `description`, never fixed English.
fn opensearch(r: &Renderer) -> Result<OutFile, Diagnostic> {
    let search_page = r.canonical("search/");
    let desc = xml_text(&r.config.description);
    let os = OpenSearch {
        short_name: cut(&xml_text(&r.config.title), SHORT_NAME_MAX),
        description: cut(
            if desc.trim().is_empty() {
                &r.config.title
            } else {
                &desc
            },
            DESCRIPTION_MAX,
        ),
        language: xml_text(&r.config.language),
        results: format!("{}?q={{searchTerms}}", xml_text(&search_page)),
        self_url: xml_text(&r.canonical("opensearch.xml")),
        form: xml_text(&search_page),
    };
    let mut ctx = Context::new();
    ctx.insert("search", &os);
    r.file("opensearch.xml", &ctx)
}

#[derive(Serialize)]
struct SitemapUrl<'a> {
    loc: String,
    lastmod: Option<&'a str>,
}

fn sitemap(r: &Renderer) -> Result<OutFile, Diagnostic> {
    // It reads each entry's id, date and tags: an edit to an entry's text keeps it.
    let mut key = KeyBuilder::new("sitemap");
    for e in &r.site.entries {
        key = key
            .bytes(e.id.tool.as_bytes())
            .bytes(e.id.slug.as_bytes())
            .bytes(&[u8::from(e.updated.is_some())])
            .bytes(e.updated.as_deref().unwrap_or("").as_bytes())
            .bytes(&(e.tags.len() as u64).to_le_bytes());
        for t in &e.tags {
            key = key.bytes(t.as_bytes());
        }
    }
    r.cached_page(key, "sitemap.xml".into(), || sitemap_now(r))
}

fn sitemap_now(r: &Renderer) -> Result<OutFile, Diagnostic> {
    let url = |path: &str, lastmod| SitemapUrl {
        loc: xml_text(&r.canonical(path)),
        lastmod,
    };
    let mut urls = vec![url("", None)];
    for t in &r.site.tools {
        urls.push(url(&format!("{}/", t.id), None));
    }
    for e in &r.site.entries {
        urls.push(url(&e.id.path(), e.updated.as_deref()));
    }
    let mut tags: Vec<&str> = r
        .site
        .entries
        .iter()
        .flat_map(|e| e.tags.iter().map(String::as_str))
        .collect();
    tags.sort_unstable();
    tags.dedup();
    if !tags.is_empty() {
        urls.push(url("tags/", None));
    }
    for t in tags {
        urls.push(url(&format!("tags/{t}/"), None));
    }
    let mut ctx = Context::new();
    ctx.insert("urls", &urls);
    r.file("sitemap.xml", &ctx)
}

fn robots(r: &Renderer) -> Result<OutFile, Diagnostic> {
    // `Sitemap:` must be an absolute URL; without a host in base_url there is none to give.
    let sitemap = r
        .config
        .has_absolute_base()
        .then(|| r.canonical("sitemap.xml"));
    let mut ctx = Context::new();
    ctx.insert("sitemap", &sitemap);
    r.file("robots.txt", &ctx)
}

#[derive(Serialize)]
struct Feed {
    title: String,
    subtitle: String,
    self_url: String,
    home_url: String,
    id: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

#[derive(Serialize)]
struct FeedEntry {
    title: String,
    url: String,
    id: String,
    updated: String,
    summary: String,
}

fn atom(r: &Renderer) -> Result<OutFile, Diagnostic> {
    // The newest entries by date: their fingerprints cover what the feed shows of them.
    let mut key = KeyBuilder::new("atom");
    for e in newest(r) {
        key = key.bytes(&e.fingerprint);
    }
    r.cached_page(key, "atom.xml".into(), || atom_now(r))
}

/// The entries the feed lists, newest first.
fn newest<'a>(r: &Renderer<'a>) -> Vec<&'a Entry> {
    super::pages::newest(r.site, FEED_LEN)
}

fn atom_now(r: &Renderer) -> Result<OutFile, Diagnostic> {
    let entries = newest(r);
    let newest = entries
        .first()
        .and_then(|e| e.updated.as_deref())
        .unwrap_or("1970-01-01");
    let id = |path: &str, eid: &str| {
        if r.config.has_absolute_base() {
            r.canonical(path)
        } else {
            format!("urn:errkb:{eid}")
        }
    };
    let feed = Feed {
        title: xml_text(&r.config.title),
        subtitle: xml_text(&r.config.description),
        self_url: xml_text(&r.canonical("atom.xml")),
        home_url: xml_text(&r.canonical("")),
        id: xml_text(&id("", "site")),
        updated: newest.to_string(),
        entries: entries
            .iter()
            .map(|e| {
                let path = e.id.path();
                FeedEntry {
                    title: xml_text(&e.title),
                    url: xml_text(&r.canonical(&path)),
                    id: xml_text(&id(&path, &e.id.to_string())),
                    updated: e.updated.as_deref().unwrap_or(newest).to_string(),
                    summary: xml_text(&plain(&e.summary)),
                }
            })
            .collect(),
    };
    let mut ctx = Context::new();
    ctx.insert("feed", &feed);
    r.file("atom.xml", &ctx)
}

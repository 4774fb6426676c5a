//! HTML pages: entries, home, tools, tags, 404 and alias redirects.

use std::collections::BTreeMap;

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::view::{self, entry_view, md_options};
use super::{OutFile, PageMeta, Renderer};
use crate::diag::Diagnostic;
use crate::markdown;
use crate::memo::{Key, KeyBuilder};
use crate::model::Entry;

/// An entry as it appears in a list.
#[derive(Debug, Serialize)]
struct Item<'a> {
    id: String,
    url: String,
    title: &'a str,
    summary_html: Arc<str>,
    tool_id: &'a str,
    tool_name: &'a str,
    updated: Option<&'a str>,
}

fn item<'a>(r: &Renderer<'a>, e: &'a Entry) -> Item<'a> {
    let key = r.summaries.key(|| {
        KeyBuilder::new("summary")
            .bytes(&e.fingerprint)
            .bytes(r.base_path.as_bytes())
            .key()
    });
    // Every list an entry is on shows the same summary: made once.
    let summary_html = r.summaries.get_or(key, || {
        markdown::render_inline(&e.summary, md_options(r.config, &r.base_path)).into()
    });
    Item {
        id: e.id.to_string(),
        url: format!("{}{}", r.base_path, e.id.path()),
        title: &e.title,
        summary_html,
        tool_id: &e.id.tool,
        tool_name: r
            .site
            .tool(&e.id.tool)
            .map_or(e.id.tool.as_str(), |t| t.name.as_str()),
        updated: e.updated.as_deref(),
    }
}

/// What a list shows of an entry ([`Item`]), as a key: an edit that leaves it as it was
/// (the body, the steps) renders no list page again. Found by the entry's fingerprint.
fn item_key(r: &Renderer, e: &Entry) -> crate::memo::Key {
    // Item keys make list pages' keys: none is needed when pages are not kept.
    if !r.list_pages.keeps() {
        return [0; 32];
    }
    r.item_keys.get_or(e.fingerprint, || {
        KeyBuilder::new("item")
            .bytes(e.id.tool.as_bytes())
            .bytes(e.id.slug.as_bytes())
            .bytes(e.title.as_bytes())
            .bytes(e.summary.as_bytes())
            .bytes(&[u8::from(e.updated.is_some())])
            .bytes(e.updated.as_deref().unwrap_or("").as_bytes())
            .key()
    })
}

fn meta(
    r: &Renderer,
    title: String,
    description: String,
    path: String,
    kind: &'static str,
) -> PageMeta {
    let suffix = format!(" – {}", r.config.title);
    PageMeta {
        canonical: r.canonical(&path),
        og_title: title.strip_suffix(&suffix).unwrap_or(&title).to_string(),
        title,
        description,
        path,
        kind,
    }
}

pub(super) fn entry(r: &Renderer, e: &Entry) -> Result<OutFile, Diagnostic> {
    let v = entry_view(e, r.site, r.config);
    let path = e.id.path();
    let page = meta(
        r,
        format!("{} ({}) – {}", e.title, v.tool_name, r.config.title),
        v.summary_text.clone(),
        path.clone(),
        "entry",
    );
    let mut ctx = Context::new();
    ctx.insert("json_ld", &json_ld(r, e, &v, &page));
    ctx.insert("entry", &v);
    r.page("entry.html", ctx, &page, format!("{path}index.html"))
        .map_err(|d| d.hint(format!("while rendering {}", e.source.display())))
}

/// schema.org `TechArticle` with its `BreadcrumbList`, as JSON for a
/// `<script type="application/ld+json">` block (data, not script: CSP does not apply).
/// Serialized from borrowed fields in one go (keys in alphabetical order): every entry
/// page has one.
fn json_ld(r: &Renderer, e: &Entry, v: &view::EntryView, page: &PageMeta) -> String {
    #[derive(Serialize)]
    struct Crumb<'a> {
        #[serde(rename = "@type")]
        kind: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        item: Option<&'a str>,
        name: &'a str,
        position: u8,
    }
    #[derive(Serialize)]
    struct Crumbs<'a> {
        #[serde(rename = "@type")]
        kind: &'static str,
        #[serde(rename = "itemListElement")]
        items: [Crumb<'a>; 3],
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Article<'a> {
        #[serde(rename = "@context")]
        context: &'static str,
        #[serde(rename = "@type")]
        kind: &'static str,
        about: &'a str,
        breadcrumb: Crumbs<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        date_modified: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        dependencies: Option<String>,
        headline: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        keywords: Option<String>,
        url: &'a str,
    }
    let home = r.canonical("");
    let tool = r.canonical(&format!("{}/", e.id.tool));
    let article = Article {
        context: "https://schema.org",
        kind: "TechArticle",
        about: v.tool_name,
        breadcrumb: Crumbs {
            kind: "BreadcrumbList",
            items: [
                Crumb {
                    kind: "ListItem",
                    item: Some(home.as_str()),
                    name: &r.config.title,
                    position: 1,
                },
                Crumb {
                    kind: "ListItem",
                    item: Some(tool.as_str()),
                    name: v.tool_name,
                    position: 2,
                },
                // The last item is this page: schema.org lets it go without `item`, and
                // the article's `url` says it once.
                Crumb {
                    kind: "ListItem",
                    item: None,
                    name: &e.title,
                    position: 3,
                },
            ],
        },
        date_modified: e.updated.as_deref(),
        dependencies: (!e.applies_to.is_empty()).then(|| e.applies_to.join(", ")),
        // The description is the page's own meta description, which search engines
        // read: not repeated here (each page is lighter by its summary).
        headline: &e.title,
        keywords: (!e.tags.is_empty()).then(|| e.tags.join(", ")),
        url: &page.canonical,
    };
    let json = serde_json::to_string(&article).unwrap_or_default();
    // Inside a <script> element `<`, `>` and `&` must not appear raw: JSON's \u escapes
    // keep the data identical and the HTML inert.
    let mut out = String::with_capacity(json.len() + 32);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// Every page that is not an entry page.
pub(super) fn lists(r: &Renderer) -> Vec<Result<OutFile, Diagnostic>> {
    // Each entry's item key, once, in the order of the site's entries: the tool and tag
    // pages' keys are made of them.
    let items: Vec<Key> = r.site.entries.par_iter().map(|e| item_key(r, e)).collect();
    let mut out = vec![home(r)];
    out.extend(tool_pages(r, &items));
    out.extend(tag_pages(r, &items));
    out.extend(fixed_pages(r));
    out.extend(redirects(r));
    out
}

/// The home page: the intro and the recently reviewed entries.
fn home(r: &Renderer) -> Result<OutFile, Diagnostic> {
    let site = r.site;
    let cfg = r.config;
    let o = md_options(cfg, &r.base_path);
    let recent = newest(site, cfg.recent_entries);
    let mut key = KeyBuilder::new("home_page").json(&site.intro);
    for e in &recent {
        key = key.bytes(&item_key(r, e));
    }
    r.cached_page(key, "index.html".into(), || {
        let mut ctx = Context::new();
        ctx.insert(
            "intro_html",
            &site.intro.as_deref().map(|m| markdown::render(m, o).html),
        );
        ctx.insert(
            "recent",
            &recent.iter().map(|e| item(r, e)).collect::<Vec<_>>(),
        );
        r.page(
            "index.html",
            ctx,
            &meta(
                r,
                cfg.title.clone(),
                cfg.description.clone(),
                String::new(),
                "home",
            ),
            "index.html".into(),
        )
    })
}

/// The `n` entries with the newest `updated` dates, newest first (the same date: by id).
/// Only the `n` are sorted: a site has thousands of entries, a list shows a few dozen.
pub(super) fn newest(site: &crate::model::Site, n: usize) -> Vec<&Entry> {
    let order = |a: &&Entry, b: &&Entry| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id));
    let mut dated: Vec<&Entry> = site
        .entries
        .iter()
        .map(|e| &**e)
        .filter(|e| e.updated.is_some())
        .collect();
    if n == 0 {
        return Vec::new();
    }
    if dated.len() > n {
        dated.select_nth_unstable_by(n - 1, order);
        dated.truncate(n);
    }
    dated.sort_by(order);
    dated
}

/// One page per tool, listing its entries.
fn tool_pages(r: &Renderer, items: &[Key]) -> Vec<Result<OutFile, Diagnostic>> {
    let site = r.site;
    let cfg = r.config;
    site.tools
        .par_iter()
        .map(|t| {
            // Entries are sorted by id, so a tool's are one run of them.
            let from = site.entries.partition_point(|e| e.id.tool < t.id);
            let to = site.entries.partition_point(|e| e.id.tool <= t.id);
            let listed: Vec<&Entry> = site.entries[from..to].iter().map(|e| &**e).collect();
            let path = format!("{}/", t.id);
            let mut key = KeyBuilder::new("tool_page").json(t);
            for k in &items[from..to] {
                key = key.bytes(k);
            }
            r.cached_page(key, format!("{path}index.html"), || {
                let entries: Vec<Item> = listed.iter().map(|e| item(r, e)).collect();
                let mut ctx = Context::new();
                ctx.insert("tool", t);
                ctx.insert("entries", &entries);
                let tr = &r.strings;
                let desc = t.description.clone().unwrap_or_else(|| {
                    tr.text(
                        "description_tool",
                        &[("tool", &t.name), ("site", &cfg.title)],
                    )
                });
                r.page(
                    "tool.html",
                    ctx,
                    &meta(
                        r,
                        tr.text("title_tool", &[("tool", &t.name), ("site", &cfg.title)]),
                        desc,
                        path.clone(),
                        "tool",
                    ),
                    format!("{path}index.html"),
                )
            })
        })
        .collect()
}

/// The tags page and one page per tag.
fn tag_pages(r: &Renderer, items: &[Key]) -> Vec<Result<OutFile, Diagnostic>> {
    let site = r.site;
    let cfg = r.config;
    // Each tag's entries, by their place in the site's entries.
    let mut tags: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in site.entries.iter().enumerate() {
        for t in &e.tags {
            tags.entry(t.as_str()).or_default().push(i);
        }
    }
    #[derive(Serialize)]
    struct TagCount<'a> {
        name: &'a str,
        url: String,
        count: usize,
    }
    let counts: Vec<TagCount> = tags
        .iter()
        .map(|(t, v)| TagCount {
            name: t,
            url: format!("{}tags/{t}/", r.base_path),
            count: v.len(),
        })
        .collect();
    let key = KeyBuilder::new("tags_page").json(&counts);
    let mut out = vec![r.cached_page(key, "tags/index.html".into(), || {
        let mut ctx = Context::new();
        ctx.insert("tags", &counts);
        r.page(
            "tags.html",
            ctx,
            &meta(
                r,
                r.strings.text("title_tags", &[("site", &cfg.title)]),
                r.strings.text("description_tags", &[("site", &cfg.title)]),
                "tags/".into(),
                "tags",
            ),
            "tags/index.html".into(),
        )
    })];
    let tags: Vec<(&str, Vec<usize>)> = tags.into_iter().collect();
    let tag_pages: Vec<_> = tags
        .par_iter()
        .map(|(t, listed)| {
            let path = format!("tags/{t}/");
            let mut key = KeyBuilder::new("tag_page").bytes(t.as_bytes());
            for &i in listed {
                key = key.bytes(&items[i]);
            }
            r.cached_page(key, format!("{path}index.html"), || {
                let entries: Vec<&Entry> = listed.iter().map(|&i| &*site.entries[i]).collect();
                let mut ctx = Context::new();
                ctx.insert("tag", t);
                ctx.insert(
                    "entries",
                    &entries.iter().map(|e| item(r, e)).collect::<Vec<_>>(),
                );
                r.page(
                    "tag.html",
                    ctx,
                    &meta(
                        r,
                        r.strings
                            .text("title_tag", &[("tag", t), ("site", &cfg.title)]),
                        r.strings.counted(
                            "description_tag",
                            i64::try_from(entries.len()).unwrap_or(i64::MAX),
                            &[("tag", t)],
                        ),
                        path.clone(),
                        "tag",
                    ),
                    format!("{path}index.html"),
                )
            })
        })
        .collect();
    out.extend(tag_pages);
    out
}

/// The search page and the 404 page.
fn fixed_pages(r: &Renderer) -> Vec<Result<OutFile, Diagnostic>> {
    let cfg = r.config;
    vec![
        // The search page: results for `search/?q=…`, so a search can be linked.
        r.page(
            "search.html",
            Context::new(),
            &meta(
                r,
                r.strings.text("title_search", &[("site", &cfg.title)]),
                r.strings
                    .text("description_search", &[("site", &cfg.title)]),
                "search/".into(),
                "search",
            ),
            "search/index.html".into(),
        ),
        // 404: links in it are absolute, since it is served at any depth.
        r.page(
            "404.html",
            Context::new(),
            &meta(
                r,
                r.strings.text("title_not_found", &[("site", &cfg.title)]),
                r.strings.text("description_not_found", &[]),
                "404.html".into(),
                "404",
            ),
            "404.html".into(),
        ),
    ]
}

/// A redirect page at each former id (`aliases`).
fn redirects(r: &Renderer) -> Vec<Result<OutFile, Diagnostic>> {
    let site = r.site;
    let mut out = Vec::new();
    for e in &site.entries {
        for a in &e.aliases {
            let mut ctx = Context::new();
            let target = r.canonical(&e.id.path());
            ctx.insert("target", &target);
            ctx.insert("target_title", &e.title);
            let path = a.path();
            let mut page = meta(
                r,
                r.strings.text("title_moved", &[("title", &e.title)]),
                crate::markdown::plain(&e.summary),
                e.id.path(),
                "redirect",
            );
            page.canonical = target;
            out.push(r.page("redirect.html", ctx, &page, format!("{path}index.html")));
        }
    }
    out
}

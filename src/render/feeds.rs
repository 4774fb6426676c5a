//! Machine-readable files: `sitemap.xml`, `robots.txt`, `atom.xml`.

use super::{OutFile, Renderer};
use crate::highlight::escape;
use crate::markdown::plain;

use crate::model::Entry;

/// Escapes text for XML, dropping the control characters XML 1.0 forbids (and C1), so the
/// feed and sitemap always parse; `check` refuses them in entries, this covers the rest.
fn xml(s: &str) -> String {
    if !s
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return escape(s);
    }
    let kept: String = s
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    escape(&kept)
}

/// How many entries the Atom feed carries.
const FEED_LEN: usize = 50;

pub fn all(r: &Renderer) -> Vec<OutFile> {
    vec![sitemap(r), robots(r), atom(r)]
}

fn sitemap(r: &Renderer) -> OutFile {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut url = |path: &str, lastmod: Option<&str>| {
        s.push_str("  <url><loc>");
        s.push_str(&xml(&r.canonical(path)));
        s.push_str("</loc>");
        if let Some(d) = lastmod {
            s.push_str("<lastmod>");
            s.push_str(d);
            s.push_str("</lastmod>");
        }
        s.push_str("</url>\n");
    };
    url("", None);
    for t in &r.site.tools {
        url(&format!("{}/", t.id), None);
    }
    for e in &r.site.entries {
        url(&e.id.path(), e.updated.as_deref());
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
        url("tags/", None);
    }
    for t in tags {
        url(&format!("tags/{t}/"), None);
    }
    s.push_str("</urlset>\n");
    OutFile {
        path: "sitemap.xml".into(),
        bytes: s.into_bytes().into(),
    }
}

fn robots(r: &Renderer) -> OutFile {
    // `Sitemap:` must be an absolute URL; without a host in base_url there is none to give.
    let sitemap = if r.config.has_absolute_base() {
        format!("Sitemap: {}\n", r.canonical("sitemap.xml"))
    } else {
        String::new()
    };
    OutFile {
        path: "robots.txt".into(),
        bytes: format!("User-agent: *\nAllow: /\n{sitemap}")
            .into_bytes()
            .into(),
    }
}

fn atom(r: &Renderer) -> OutFile {
    let mut entries: Vec<&Entry> = r
        .site
        .entries
        .iter()
        .map(|e| &**e)
        .filter(|e| e.updated.is_some())
        .collect();
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
    entries.truncate(FEED_LEN);
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
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    s.push_str(&format!("  <title>{}</title>\n", xml(&r.config.title)));
    s.push_str(&format!(
        "  <subtitle>{}</subtitle>\n",
        xml(&r.config.description)
    ));
    s.push_str(&format!(
        "  <link rel=\"self\" href=\"{}\"/>\n",
        xml(&r.canonical("atom.xml"))
    ));
    s.push_str(&format!(
        "  <link rel=\"alternate\" href=\"{}\"/>\n",
        xml(&r.canonical(""))
    ));
    s.push_str(&format!("  <id>{}</id>\n", xml(&id("", "site"))));
    s.push_str(&format!("  <updated>{newest}T00:00:00Z</updated>\n"));
    for e in entries {
        let path = e.id.path();
        s.push_str("  <entry>\n");
        s.push_str(&format!("    <title>{}</title>\n", xml(&e.title)));
        s.push_str(&format!(
            "    <link rel=\"alternate\" href=\"{}\"/>\n",
            xml(&r.canonical(&path))
        ));
        s.push_str(&format!(
            "    <id>{}</id>\n",
            xml(&id(&path, &e.id.to_string()))
        ));
        s.push_str(&format!(
            "    <updated>{}T00:00:00Z</updated>\n",
            e.updated.as_deref().unwrap_or(newest)
        ));
        s.push_str(&format!(
            "    <author><name>{}</name></author>\n",
            xml(&r.config.title)
        ));
        s.push_str(&format!(
            "    <summary>{}</summary>\n",
            xml(&plain(&e.summary))
        ));
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    OutFile {
        path: "atom.xml".into(),
        bytes: s.into_bytes().into(),
    }
}

//! Markdown → HTML with pulldown-cmark: GitHub-style extensions, heading ids with
//! self-links, a table of contents from h2/h3, code blocks through [`highlight`], raw HTML
//! escaped unless the site allows it, and site-absolute links (`/tool/slug/`) prefixed
//! with the base path.

use std::collections::HashSet;

use pulldown_cmark::{
    Alignment, CodeBlockKind, CowStr, Event, HeadingLevel, Options as CmOptions, Parser, Tag,
    TagEnd, html,
};
use serde::Serialize;

use crate::highlight::{self, escape};

#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub allow_html: bool,
    /// Prefixed to links that start with `/` (e.g. `/kb/`).
    pub base_path: &'a str,
    /// Ids the page template already uses; headings never take them.
    pub reserved_ids: &'a [&'a str],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocItem {
    pub level: u8,
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocItem>,
    /// Heading ids, for checking `#anchor` links.
    pub anchors: Vec<String>,
    /// Link destinations as written, for the link checker.
    pub links: Vec<String>,
}

fn cm_options() -> CmOptions {
    CmOptions::ENABLE_TABLES
        | CmOptions::ENABLE_FOOTNOTES
        | CmOptions::ENABLE_STRIKETHROUGH
        | CmOptions::ENABLE_TASKLISTS
        | CmOptions::ENABLE_GFM
}

/// Slug for a heading id: lower case words joined by `-`.
pub fn slugify(text: &str) -> String {
    let out = crate::model::dashed(text, char::is_alphanumeric);
    if out.is_empty() {
        "section".into()
    } else {
        out
    }
}

/// Gives each heading a unique id, never one of the page's reserved ids. Nothing is
/// allocated until a heading comes: most Markdown on a page (summaries, causes, step
/// texts) has none.
struct HeadingIds<'a> {
    reserved: &'a [&'a str],
    used: HashSet<String>,
}

impl<'a> HeadingIds<'a> {
    fn new(reserved: &'a [&'a str]) -> Self {
        HeadingIds {
            reserved,
            used: HashSet::new(),
        }
    }

    fn taken(&self, id: &str) -> bool {
        self.reserved.contains(&id) || self.used.contains(id)
    }

    fn next(&mut self, text: &str) -> String {
        let base = slugify(text);
        let mut id = base.clone();
        let mut n = 1;
        while self.taken(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.used.insert(id.clone());
        id
    }
}

/// What the link checker needs from a body, without rendering it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Heading ids, as [`render`] assigns them.
    pub anchors: Vec<String>,
    /// Link and image destinations with the 1-based line (within the body) they are on.
    pub links: Vec<(String, usize)>,
}

/// Collects heading ids and link destinations of a Markdown document.
pub fn scan(md: &str, reserved: &[&str]) -> Scan {
    let mut out = Scan::default();
    let mut ids = HeadingIds::new(reserved);
    let mut heading: Option<Vec<Event>> = None;
    let line_of = |offset: usize| md[..offset.min(md.len())].matches('\n').count() + 1;
    for (ev, range) in Parser::new_ext(md, cm_options()).into_offset_iter() {
        match ev {
            Event::Start(Tag::Heading { .. }) => heading = Some(Vec::new()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(inner) = heading.take() {
                    out.anchors.push(ids.next(&plain_text(&inner)));
                }
            }
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                out.links.push((dest_url.to_string(), line_of(range.start)));
            }
            other => {
                if let Some(h) = &mut heading {
                    h.push(other);
                }
            }
        }
    }
    out
}

/// Renders a Markdown document (an entry body, `_index.md`).
pub fn render(md: &str, opts: Options) -> Rendered {
    let mut out = Rendered::default();
    let mut events: Vec<Event> = Vec::new();
    let mut ids = HeadingIds::new(opts.reserved_ids);
    let mut heading: Option<(HeadingLevel, Vec<Event>)> = None;
    let mut code: Option<(String, String)> = None;
    let mut table = TableCells::default();
    for ev in Parser::new_ext(md, cm_options()) {
        if let Some((lang, buf)) = &mut code {
            match ev {
                Event::Text(t) => buf.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let cls = if lang.is_empty() {
                        String::new()
                    } else {
                        format!(" class=\"language-{}\"", escape(lang))
                    };
                    let body = highlight::highlight(buf.strip_suffix('\n').unwrap_or(buf), lang);
                    events.push(Event::Html(CowStr::from(format!(
                        "<pre><code{cls}>{body}</code></pre>\n"
                    ))));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        if let Some((_, buf)) = &mut heading {
            match ev {
                Event::End(TagEnd::Heading(_)) => {
                    let Some((level, inner)) = heading.take() else {
                        continue;
                    };
                    let text = plain_text(&inner);
                    let id = ids.next(&text);
                    // The page's H1 is the error message: body headings start at h2.
                    let lvl = (level as u8).clamp(2, 6);
                    if lvl <= 3 {
                        out.toc.push(TocItem {
                            level: lvl,
                            id: id.clone(),
                            title: text.clone(),
                        });
                    }
                    out.anchors.push(id.clone());
                    let mut inner_html = String::new();
                    html::push_html(
                        &mut inner_html,
                        inner.into_iter().map(|e| sanitize(e, opts)),
                    );
                    events.push(Event::Html(CowStr::from(format!(
                        "<h{lvl} id=\"{id}\"><a class=\"heading-link\" href=\"#{id}\">{inner_html}</a></h{lvl}>\n"
                    ))));
                }
                Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) => {}
                // Images inside headings go through the same gate as everywhere else.
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => buf.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: absolutize(&dest_url, opts.base_path),
                    title,
                    id,
                })),
                other => buf.push(sanitize(other, opts)),
            }
            continue;
        }
        match ev {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, Vec::new())),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',')
                        .next()
                        .unwrap_or("")
                        .to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                out.links.push(dest_url.to_string());
                let dest = absolutize(&dest_url, opts.base_path);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = absolutize(&dest_url, opts.base_path);
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Table(aligns)) => {
                // Alignment becomes a class on each cell (`TableCells`); pulldown-cmark
                // would write `style="text-align: …"`, which the pages' CSP forbids.
                let n = aligns.len();
                table.aligns = aligns;
                events.push(Event::Start(Tag::Table(vec![Alignment::None; n])));
            }
            Event::Start(Tag::TableHead) => {
                table.start_row(true);
                events.push(Event::Start(Tag::TableHead));
            }
            Event::End(TagEnd::TableHead) => {
                table.in_head = false;
                events.push(Event::End(TagEnd::TableHead));
            }
            Event::Start(Tag::TableRow) => {
                table.start_row(false);
                events.push(Event::Start(Tag::TableRow));
            }
            Event::Start(Tag::TableCell) => events.push(Event::Html(table.open_cell())),
            other => events.push(sanitize(other, opts)),
        }
    }
    html::push_html(&mut out.html, events.into_iter());
    out
}

/// The open tag of each table cell, with the column's alignment as a class (`ta-l`,
/// `ta-c`, `ta-r` in style.css) instead of an inline style. pulldown-cmark still writes
/// the rows and the closing tags.
#[derive(Default)]
struct TableCells {
    aligns: Vec<Alignment>,
    in_head: bool,
    col: usize,
}

impl TableCells {
    fn start_row(&mut self, head: bool) {
        self.in_head = head;
        self.col = 0;
    }

    fn open_cell(&mut self) -> CowStr<'static> {
        let tag = if self.in_head { "th" } else { "td" };
        let class = match self.aligns.get(self.col) {
            Some(Alignment::Left) => " class=\"ta-l\"",
            Some(Alignment::Center) => " class=\"ta-c\"",
            Some(Alignment::Right) => " class=\"ta-r\"",
            _ => "",
        };
        self.col += 1;
        CowStr::from(format!("<{tag}{class}>"))
    }
}

/// Renders inline Markdown (a summary, a cause) without the wrapping paragraph.
pub fn render_inline(md: &str, opts: Options) -> String {
    if is_plain_text(md) {
        return md.to_string();
    }
    let r = render(md, opts);
    let html = r.html.trim();
    match html
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html.to_string(),
    }
}

/// Whether `md` is one line of words that Markdown would show exactly as written, with
/// nothing to escape: most summaries, causes and step titles are. [`render_inline`] and
/// [`plain`] give such text back as it is instead of parsing it (a page has about ten of
/// them). Conservative: it starts with a letter, which no block marker (`1.`, `-`, `+`,
/// `>`, `#`, indentation) does; it has no character that could open an inline construct,
/// an entity or an HTML tag, no line break and no run of spaces. (A property test checks
/// the shortcut against the parser.)
fn is_plain_text(md: &str) -> bool {
    let b = md.as_bytes();
    b.first().is_some_and(u8::is_ascii_alphabetic)
        && !b.ends_with(b" ")
        && !b.windows(2).any(|w| w == b"  ")
        && b.iter().all(|&c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    b' ' | b','
                        | b'.'
                        | b';'
                        | b':'
                        | b'('
                        | b')'
                        | b'/'
                        | b'='
                        | b'%'
                        | b'?'
                        | b'+'
                        | b'@'
                        | b'-'
                        | b'!'
                )
        })
}

/// Escapes raw HTML unless allowed.
fn sanitize<'e>(ev: Event<'e>, opts: Options) -> Event<'e> {
    match ev {
        Event::Html(h) | Event::InlineHtml(h) if !opts.allow_html => Event::Text(h),
        other => other,
    }
}

fn absolutize<'a>(dest: &CowStr<'a>, base_path: &str) -> CowStr<'a> {
    if is_script_url(dest) {
        return CowStr::from("#");
    }
    if dest.starts_with('/') && !dest.starts_with("//") && base_path != "/" {
        CowStr::from(format!("{}{}", base_path.trim_end_matches('/'), dest))
    } else {
        dest.clone()
    }
}

/// A URL the gate refuses (`javascript:` and the like) is never linked. `check` reports
/// it at its line; this keeps the page safe even where a check was skipped.
fn is_script_url(dest: &str) -> bool {
    !crate::url::is_allowed(dest)
}

fn plain_text(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_string()
}

/// Plain text of inline Markdown, for meta descriptions and feeds.
pub fn plain(md: &str) -> String {
    if is_plain_text(md) {
        return md.to_string();
    }
    let mut out = String::new();
    for ev in pulldown_cmark::Parser::new(md) {
        match ev {
            pulldown_cmark::Event::Text(t) | pulldown_cmark::Event::Code(t) => out.push_str(&t),
            pulldown_cmark::Event::SoftBreak | pulldown_cmark::Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const O: Options = Options {
        allow_html: false,
        base_path: "/",
        reserved_ids: &["confirm"],
    };

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn plain_text_shortcut_is_what_the_parser_gives(
            md in "[a-zA-Z0-9 ,.;:()/=%?+@!\\-]{0,40}"
        ) {
            if is_plain_text(&md) {
                let r = render(&md, O);
                let inner = r.html.trim().strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>"));
                proptest::prop_assert_eq!(inner, Some(md.as_str()));
                let mut parsed = String::new();
                for ev in pulldown_cmark::Parser::new(&md) {
                    if let Event::Text(t) = ev {
                        parsed.push_str(&t);
                    }
                }
                proptest::prop_assert_eq!(parsed.trim(), md.as_str());
            }
        }
    }

    #[test]
    fn plain_text_shortcut_takes_only_plain_text() {
        for md in [
            "Port permission follower.",
            "Run it (twice), then: stop!",
            "a-b c/d e=f 10% ok?",
        ] {
            assert!(is_plain_text(md), "{md}");
            assert_eq!(render_inline(md, O), md);
            assert_eq!(plain(md), md);
        }
        for md in [
            "",
            " lead",
            "trail ",
            "two  spaces",
            "1. list",
            "- item",
            "# head",
            "a *b*",
            "a_b_",
            "`c`",
            "a<b",
            "a & b",
            "line\nbreak",
            "[x](y)",
            "a~b~",
            "a|b",
            "don't",
            "say \"x\"",
            "a\\b",
            "ünï",
        ] {
            assert!(!is_plain_text(md), "{md}");
        }
    }

    #[test]
    fn headings_get_ids_toc_and_links() {
        let r = render("# Top\n## Why it happens\n### Why it happens\n#### Deep", O);
        assert!(r.html.contains("<h2 id=\"top\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"why-it-happens\"><a class=\"heading-link\" href=\"#why-it-happens\">Why it happens</a></h2>"), "{}", r.html);
        assert!(r.html.contains("id=\"why-it-happens-1\""), "{}", r.html);
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.anchors.len(), 4);
        let r = render("## Confirm", O);
        assert!(r.html.contains("id=\"confirm-1\""), "{}", r.html);
    }

    #[test]
    fn scan_agrees_with_render() {
        let md = "## A\n\n## A\n\n[x](/t/y/) ![i](/i.png)\n\n## Confirm";
        let r = render(md, O);
        let s = scan(md, O.reserved_ids);
        assert_eq!(r.anchors, s.anchors);
        assert_eq!(
            s.links,
            vec![("/t/y/".to_string(), 5), ("/i.png".to_string(), 5)]
        );
    }

    #[test]
    fn raw_html_is_escaped_unless_allowed() {
        let md = "<script>alert(1)</script>\n\nx <b>y</b>";
        let r = render(md, O);
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"), "{}", r.html);
        assert!(r.html.contains("&lt;b&gt;"), "{}", r.html);
        let r = render(
            md,
            Options {
                allow_html: true,
                ..O
            },
        );
        assert!(r.html.contains("<b>y</b>"), "{}", r.html);
    }

    #[test]
    fn extensions() {
        let r = render(
            "| a |\n|---|\n| b |\n\n~~x~~ [^1]\n\n- [x] done\n\n[^1]: note",
            O,
        );
        for needle in ["<table>", "<del>x</del>", "type=\"checkbox\"", "footnote"] {
            assert!(r.html.contains(needle), "{needle}: {}", r.html);
        }
    }

    #[test]
    fn table_alignment_is_a_class_not_an_inline_style() {
        let r = render(
            "| l | c | r | n |\n| :-- | :-: | --: | --- |\n| 1 | 2 | 3 | 4 |\n| 5 | 6 |\n\n| x |\n| --: |\n| y |\n",
            O,
        );
        assert!(!r.html.contains("style="), "{}", r.html);
        let want = "<table><thead><tr><th class=\"ta-l\">l</th><th class=\"ta-c\">c</th>\
            <th class=\"ta-r\">r</th><th>n</th></tr></thead><tbody>\n\
            <tr><td class=\"ta-l\">1</td><td class=\"ta-c\">2</td><td class=\"ta-r\">3</td><td>4</td></tr>\n\
            <tr><td class=\"ta-l\">5</td><td class=\"ta-c\">6</td><td class=\"ta-r\"></td><td></td></tr>\n\
            </tbody></table>\n\
            <table><thead><tr><th class=\"ta-r\">x</th></tr></thead><tbody>\n\
            <tr><td class=\"ta-r\">y</td></tr>\n</tbody></table>\n";
        assert_eq!(r.html, want);
    }

    #[test]
    fn code_blocks_are_highlighted() {
        let r = render("```bash\necho hi\n```\n\n```nosuch\n<x>\n```", O);
        assert!(
            r.html.contains(
                "<pre><code class=\"language-bash\"><span class=vf>echo</span> hi</code>"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("&lt;x&gt;"), "{}", r.html);
    }

    #[test]
    fn site_links_get_base_path() {
        let r = render(
            "[a](/docker/x/) [b](https://e.org/) [c](#why)",
            Options {
                base_path: "/kb/",
                ..O
            },
        );
        assert!(r.html.contains("href=\"/kb/docker/x/\""), "{}", r.html);
        assert!(r.html.contains("href=\"https://e.org/\""), "{}", r.html);
        assert_eq!(r.links, vec!["/docker/x/", "https://e.org/", "#why"]);
    }

    #[test]
    fn script_urls_are_dropped() {
        let r = render(
            "[a](javascript:alert(1)) [b]( JavaScript:x) ![c](data:text/html,x)",
            O,
        );
        assert!(!r.html.to_lowercase().contains("javascript:"), "{}", r.html);
        assert!(!r.html.contains("data:"), "{}", r.html);
        let h = render(
            "# Title ![x](javascript:alert(1)) [y]( JaVa\tScript:x)\n\n![z](\u{1}javascript:x)",
            O,
        );
        let lower = h.html.to_lowercase();
        assert!(
            !lower.contains("href=\"javascript") && !lower.contains("src=\"javascript"),
            "{}",
            h.html
        );
        assert!(lower.contains("<img src=\"#\""), "{}", h.html);
    }

    #[test]
    fn inline() {
        assert_eq!(render_inline("a `b` *c*", O), "a <code>b</code> <em>c</em>");
        assert_eq!(
            render_inline("<img src=x onerror=alert(1)>", O),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
    }
}

//! Entry → the data an entry template sees: every text field rendered to HTML once,
//! commands highlighted with their slots marked, related entries resolved.

use serde::Serialize;

use crate::config::Config;
use crate::highlight;
use crate::markdown::{self, Options, TocItem};
use crate::model::{Entry, Site, Step};

#[derive(Debug, Serialize)]
pub struct StepView {
    pub title_html: Option<String>,
    pub text_html: Option<String>,
    /// The command as written (what the copy button copies, with slots unfilled).
    pub run: Option<String>,
    pub run_html: Option<String>,
    pub lang: String,
    pub expect: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct UnsafeView {
    pub do_not_html: String,
    pub why_html: String,
}

#[derive(Debug, Serialize)]
pub struct LinkView {
    pub id: String,
    pub url: String,
    pub title: String,
    pub summary_html: String,
}

#[derive(Debug, Serialize)]
pub struct PlaceholderView {
    pub name: String,
    pub example: Option<String>,
    pub help: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TagView {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct EntryView<'a> {
    pub id: String,
    pub url: String,
    pub title: &'a str,
    pub summary_html: String,
    pub summary_text: String,
    pub likely_cause_html: String,
    pub tool_id: &'a str,
    pub tool_name: &'a str,
    pub tool_url: String,
    pub patterns: &'a [String],
    pub confirm: Vec<StepView>,
    pub check: Vec<StepView>,
    pub fix: Vec<StepView>,
    pub verify: Vec<StepView>,
    #[serde(rename = "unsafe")]
    pub unsafe_: Vec<UnsafeView>,
    pub causes_html: Vec<String>,
    pub placeholders: Vec<PlaceholderView>,
    pub related: Vec<LinkView>,
    pub tags: Vec<TagView>,
    pub applies_to: &'a [String],
    pub updated: Option<&'a str>,
    pub links: &'a [crate::model::Link],
    pub body_html: String,
    pub toc: Vec<TocItem>,
    pub edit_url: Option<String>,
    pub extra: &'a serde_json::Value,
}

pub fn md_options<'a>(config: &Config, base_path: &'a str) -> Options<'a> {
    Options {
        allow_html: config.allow_html,
        base_path,
        reserved_ids: crate::theme::ENTRY_PAGE_IDS,
    }
}

fn step_view(s: &Step, o: Options) -> StepView {
    StepView {
        title_html: s.title.as_deref().map(|t| markdown::render_inline(t, o)),
        text_html: s.text.as_deref().map(|t| markdown::render(t, o).html),
        run: s.run.as_ref().map(|r| r.trim_end().to_string()),
        run_html: s
            .run
            .as_deref()
            .map(|r| highlight::highlight_command(r.trim_end(), s.lang())),
        lang: s.lang().to_string(),
        expect: s.expect.as_ref().map(|e| e.trim_end().to_string()),
    }
}

pub fn entry_view<'a>(e: &'a Entry, site: &'a Site, config: &Config) -> EntryView<'a> {
    let base = config.base_path();
    let o = md_options(config, &base);
    let tool = site.tool(&e.id.tool);
    let body = markdown::render(&e.body, o);
    let steps = |v: &[Step]| v.iter().map(|s| step_view(s, o)).collect::<Vec<_>>();
    EntryView {
        id: e.id.to_string(),
        url: format!("{base}{}", e.id.path()),
        title: &e.title,
        summary_html: markdown::render_inline(&e.summary, o),
        summary_text: markdown::plain(&e.summary),
        likely_cause_html: markdown::render_inline(&e.likely_cause, o),
        tool_id: &e.id.tool,
        tool_name: tool.map_or(e.id.tool.as_str(), |t| t.name.as_str()),
        tool_url: format!("{base}{}/", e.id.tool),
        patterns: &e.patterns,
        confirm: steps(&e.confirm),
        check: steps(&e.check),
        fix: steps(&e.fix),
        verify: steps(&e.verify),
        unsafe_: e
            .unsafe_
            .iter()
            .map(|u| UnsafeView {
                do_not_html: markdown::render_inline(&u.do_not, o),
                why_html: markdown::render_inline(&u.why, o),
            })
            .collect(),
        causes_html: e
            .causes
            .iter()
            .map(|c| markdown::render_inline(c, o))
            .collect(),
        placeholders: e
            .placeholders
            .iter()
            .map(|(k, p)| PlaceholderView {
                name: k.clone(),
                example: p.example.clone(),
                help: p.help.clone(),
            })
            .collect(),
        related: e
            .related
            .iter()
            .filter_map(|r| site.entry(r))
            .map(|r| LinkView {
                id: r.id.to_string(),
                url: format!("{base}{}", r.id.path()),
                title: r.title.clone(),
                summary_html: markdown::render_inline(&r.summary, o),
            })
            .collect(),
        tags: e
            .tags
            .iter()
            .map(|t| TagView {
                name: t.clone(),
                url: format!("{base}tags/{t}/"),
            })
            .collect(),
        applies_to: &e.applies_to,
        updated: e.updated.as_deref(),
        links: &e.links,
        body_html: body.html,
        toc: body.toc,
        edit_url: config
            .edit_url
            .as_ref()
            .map(|u| u.replace("{path}", &e.source.to_string_lossy().replace('\\', "/"))),
        extra: &e.extra,
    }
}

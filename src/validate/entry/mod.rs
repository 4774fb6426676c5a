//! One entry: keys, types and the rules that need nothing but the entry itself.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::keys::{self, KNOWN, REQUIRED};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::{EntryKind, RawEntry};
use crate::model::{Entry, EntryId, Link, Placeholder, Step, Unsafe, is_valid_segment};
use crate::yaml;

mod fields;

use fields::{
    ids, no_controls, patterns, placeholder_names, steps, tags, todo_markers, unsafe_items, updated,
};
pub use fields::{is_real_date, is_valid_tag};

/// The typed front matter. Every field defaults, because missing keys are reported
/// (all of them, by name) from the generic tree before this is parsed. The JSON Schema
/// for editors (`errkb schema entry`) is derived from this struct: its doc comments are
/// what an editor shows for each key.
#[derive(Deserialize, Default, JsonSchema)]
#[serde(default)]
#[schemars(deny_unknown_fields)]
pub(super) struct Fields {
    /// The error message exactly as the tool prints it (one line); the page's heading.
    title: String,
    /// One or two sentences: what failed and why (inline Markdown).
    summary: String,
    /// The single most likely cause, shown first ("Most likely: …").
    likely_cause: String,
    /// Text that identifies this error in a log; `<name>` stands for a part that varies,
    /// `regex:` starts a regular expression, `context:` a pattern that only ranks.
    patterns: Vec<String>,
    /// The safe fix, in order.
    fix: Vec<StepDe>,
    /// Tempting shortcuts to avoid, and why each is harmful.
    #[serde(rename = "unsafe")]
    unsafe_: Vec<Unsafe>,
    /// How to prove the fix worked.
    verify: Vec<StepDe>,
    /// How to confirm that this is the error you have.
    confirm: Vec<StepDe>,
    /// How to find which cause applies.
    check: Vec<StepDe>,
    /// Other known causes (inline Markdown).
    causes: Vec<String>,
    /// The `<name>` slots used in commands: name → example value and help.
    placeholders: BTreeMap<String, Option<Placeholder>>,
    /// Real log excerpts of this error; `errkb check` proves the patterns match them.
    examples: Vec<String>,
    /// Other entries (`tool/slug`); each must exist.
    related: Vec<String>,
    /// Former ids of this entry (`tool/slug`); each gets a redirect page to the new URL.
    aliases: Vec<String>,
    /// Further reading: official docs, the upstream source line that raises the error.
    links: Vec<Link>,
    /// Tags (a-z, 0-9 and dashes); each tag gets a page.
    tags: Vec<String>,
    /// Versions or platforms the entry is known to hold for.
    applies_to: Vec<String>,
    /// Last reviewed, `YYYY-MM-DD` (a real calendar date).
    updated: Option<String>,
    /// Left out of the build unless `--drafts`.
    draft: bool,
    /// Display name of the tool, when `_tool.yaml` does not give one.
    tool: Option<String>,
    /// Free data handed to templates as it is.
    extra: Option<serde_json::Value>,
    /// YAML entries only: the Markdown body. (In a Markdown entry the body follows the
    /// closing `---`.)
    body: Option<String>,
}

/// A step is a Markdown string or a map; parsed by hand so errors keep their position.
struct StepDe(Step);

impl<'de> Deserialize<'de> for StepDe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StepDe;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a step: a Markdown string or a map with title/run/text/lang/expect")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StepDe, E> {
                Ok(StepDe(Step {
                    text: Some(v.to_string()),
                    ..Step::default()
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StepDe, A::Error> {
                Step::deserialize(de::value::MapAccessDeserializer::new(map)).map(StepDe)
            }
        }
        d.deserialize_any(V)
    }
}

/// What [`StepDe`] accepts: a non-blank Markdown string, or a [`Step`] map with at least
/// one of `title`, `run`, `text` that says something (the rule of `Step::is_empty`).
impl JsonSchema for StepDe {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StepOrText".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut map = generator.subschema_for::<Step>();
        let filled = |key: &str| serde_json::json!({ "required": [key], "properties": { key: { "pattern": "\\S" } } });
        map.insert(
            "anyOf".into(),
            serde_json::json!([filled("title"), filled("run"), filled("text")]),
        );
        schemars::json_schema!({
            "description": "A step: a Markdown string, or a map with at least one of title, run, text",
            "anyOf": [
                { "type": "string", "pattern": "\\S" },
                map,
            ],
        })
    }
}

/// What to do about a refused URL.
pub(super) const URL_HINT: &str =
    "links may be http(s)://, mailto: or a path in the site; anything else could run script";

struct Ctx<'a> {
    raw: &'a RawEntry,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    /// A diagnostic at 1-based `line` and `col` of the front matter.
    fn at(&mut self, d: Diagnostic, line: usize, col: Option<usize>) {
        let d =
            d.file(&self.raw.path)
                .at(self.raw.front_line + line - 1, col, Some(&self.raw.text));
        self.diags.push(d);
    }

    /// At the line of a top-level key (the first line when the key is absent).
    fn key(&mut self, key: &str, d: Diagnostic) {
        match keys::key_line(self.raw.front(), key) {
            Some(l) => self.at(d, l, Some(1)),
            None => self.at(d, 1, None),
        }
    }

    /// At the place where `needle` appears below `key`.
    fn item(&mut self, key: &str, needle: &str, d: Diagnostic) {
        self.item_at(key, needle, None, d);
    }

    /// Like [`Ctx::item`], pointing `offset` characters into the needle when given.
    fn item_at(&mut self, key: &str, needle: &str, offset: Option<usize>, d: Diagnostic) {
        let from = keys::key_line(self.raw.front(), key).unwrap_or(1);
        match keys::find(self.raw.front(), from, needle) {
            Some((l, c)) => {
                let len = needle.lines().next().unwrap_or("").trim().chars().count();
                let d = match offset {
                    Some(o) => {
                        let lead = needle.chars().take_while(|c| c.is_whitespace()).count();
                        return self.at(d.span(1), l, Some(c + o.saturating_sub(lead)));
                    }
                    None => d.span(len),
                };
                self.at(d, l, Some(c))
            }
            None => self.at(d, from, None),
        }
    }
}

fn control_error(c: char, what: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "{what} contains the control character U+{:04X}",
        u32::from(c)
    ))
    .hint("remove it: control characters break the feed's XML and can hide text (a pasted terminal colour code?)")
}

/// Turns one raw file into an [`Entry`], or reports why it cannot.
pub fn validate_entry(raw: &RawEntry, config: &Config) -> (Option<Entry>, Vec<Diagnostic>) {
    let mut cx = Ctx {
        raw,
        diags: Vec::new(),
    };
    let entry = parse(&mut cx, config);
    (entry, cx.diags)
}

fn parse(cx: &mut Ctx, config: &Config) -> Option<Entry> {
    let raw = cx.raw;
    // One parse for both the key checks (the tree) and the fields.
    let (tree, fields) = match yaml::parse_typed::<Fields>(raw.front()) {
        Ok(t) => t,
        Err(e) => {
            yaml_error(cx, &e);
            return None;
        }
    };
    let Some(map) = tree.as_object() else {
        let what = if tree.is_null() {
            "empty"
        } else {
            "not a mapping of keys"
        };
        cx.at(
            Diagnostic::error(format!("front matter is {what}"))
                .hint(format!("an entry needs at least: {}", REQUIRED.join(", "))),
            1,
            None,
        );
        return None;
    };
    let mut ok = true;
    for key in map.keys() {
        let known =
            KNOWN.contains(&key.as_str()) && !(key == "body" && raw.kind == EntryKind::Markdown);
        if known {
            continue;
        }
        ok = false;
        let mut d = Diagnostic::error(format!("unknown key `{key}`"));
        if key == "body" {
            d = d.hint("in a Markdown entry the body goes after the closing `---`");
        } else if let Some(s) = keys::did_you_mean(key, KNOWN) {
            d = d.hint(format!("did you mean `{s}`?"));
        } else {
            d = d.hint(format!("known keys: {}", KNOWN.join(", ")));
        }
        cx.key(key, d);
    }
    for key in REQUIRED {
        if !map.contains_key(*key) {
            ok = false;
            // Point at the opening `---` (or the first line of a YAML entry).
            let line = raw.front_line.saturating_sub(1).max(1);
            cx.diags.push(
                Diagnostic::error(format!("missing required key `{key}`"))
                    .file(&raw.path)
                    .at(line, None, Some(&raw.text)),
            );
        }
    }
    let fields: Fields = match fields {
        Ok(f) => f,
        Err(e) => {
            yaml_error(cx, &e);
            return None;
        }
    };
    let before = cx.diags.len();
    todo_markers(cx);
    ok &= cx.diags.len() == before;
    let entry = build(cx, fields, config, map);
    if ok { entry } else { None }
}

fn yaml_error(cx: &mut Ctx, e: &yaml::YamlError) {
    let mut d = Diagnostic::error(format!("invalid YAML: {}", e.message));
    if let Some(field) = e.message.split_once(": unknown field `").map(|(_, r)| r) {
        let name = field.split('`').next().unwrap_or("");
        const STEP: &[&str] = &["title", "run", "text", "lang", "expect", "allow_unsafe"];
        if let Some(s) = keys::did_you_mean(name, STEP) {
            d = d.hint(format!("did you mean `{s}`?"));
        }
    }
    let d = d.file(&cx.raw.path);
    let d = match e.line {
        Some(l) => d.at(cx.raw.front_line + l - 1, e.col, Some(&cx.raw.text)),
        None => d.at(cx.raw.front_line, None, Some(&cx.raw.text)),
    };
    cx.diags.push(d);
}

fn build(
    cx: &mut Ctx,
    f: Fields,
    config: &Config,
    present: &serde_json::Map<String, serde_json::Value>,
) -> Option<Entry> {
    let raw = cx.raw;
    let mut ok = required(cx, &f, present);
    let (patterns_ok, compiled) = patterns(cx, &f.patterns);
    ok &= patterns_ok;
    let to_steps = |v: Vec<StepDe>| v.into_iter().map(|s| s.0).collect::<Vec<Step>>();
    let (fix, verify, confirm, check) = (
        to_steps(f.fix),
        to_steps(f.verify),
        to_steps(f.confirm),
        to_steps(f.check),
    );
    let procedures = [
        ("fix", &fix[..]),
        ("verify", &verify[..]),
        ("confirm", &confirm[..]),
        ("check", &check[..]),
    ];
    let (steps_ok, used) = steps(cx, &procedures);
    ok &= steps_ok;
    ok &= unsafe_items(cx, &f.unsafe_);
    let placeholders: BTreeMap<String, Placeholder> = f
        .placeholders
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect();
    ok &= placeholder_names(cx, &placeholders, &used);
    let (related, related_ok) = ids(cx, "related", f.related);
    let (aliases, aliases_ok) = ids(cx, "aliases", f.aliases);
    ok &= related_ok && aliases_ok;
    ok &= tags(cx, &f.tags);
    ok &= updated(cx, f.updated.as_deref(), config);
    let refused = super::safety::check(&super::safety::Fields {
        summary: &f.summary,
        likely_cause: &f.likely_cause,
        causes: &f.causes,
        steps: procedures,
        unsafe_: &f.unsafe_,
        links: &f.links,
    });
    for b in refused {
        ok = false;
        cx.item(
            b.key,
            &b.url,
            Diagnostic::error(b.why.to_string()).hint(URL_HINT),
        );
    }
    for l in &f.links {
        if l.url.trim().is_empty() || l.title.trim().is_empty() {
            ok = false;
            cx.key(
                "links",
                Diagnostic::error("a link needs a `title` and a `url`"),
            );
        }
    }
    ok &= no_controls(cx, present);
    let id = EntryId {
        tool: raw.tool.clone(),
        slug: raw.slug.clone(),
    };
    debug_assert!(is_valid_segment(&id.tool) && is_valid_segment(&id.slug));
    let (body, body_line) = match raw.kind {
        EntryKind::Markdown => (raw.shared_body(), raw.body_line),
        EntryKind::Yaml => {
            let line = keys::key_line(raw.front(), "body").unwrap_or(1) + raw.front_line;
            (f.body.unwrap_or_default().into(), line)
        }
    };
    ok.then(|| Entry {
        id,
        source: raw.path.clone(),
        title: f.title.trim().to_string(),
        summary: f.summary.trim().to_string(),
        likely_cause: f.likely_cause.trim().to_string(),
        patterns: f.patterns,
        fix,
        unsafe_: f.unsafe_,
        verify,
        confirm,
        check,
        causes: f.causes,
        placeholders,
        examples: f.examples,
        related,
        aliases,
        links: f.links,
        tags: f.tags,
        applies_to: f.applies_to,
        updated: f.updated,
        draft: f.draft,
        tool: f.tool,
        extra: f
            .extra
            .unwrap_or_else(|| serde_json::Value::Object(Default::default())),
        body,
        body_line,
        fingerprint: [0; 32],
        overlap_key: [0; 32],
        compiled: compiled.into(),
    })
    .map(super::overlap::keyed)
}

/// The required keys have content (a missing one was reported already); the title is
/// one line.
fn required(
    cx: &mut Ctx,
    f: &Fields,
    present: &serde_json::Map<String, serde_json::Value>,
) -> bool {
    let mut ok = true;
    for (key, val) in [
        ("title", &f.title),
        ("summary", &f.summary),
        ("likely_cause", &f.likely_cause),
    ] {
        if val.trim().is_empty() && present.contains_key(key) {
            ok = false;
            cx.key(key, Diagnostic::error(format!("`{key}` is empty")));
        }
    }
    if f.title.contains('\n') {
        cx.key(
            "title",
            Diagnostic::error("`title` spans several lines")
                .hint("the title is the one-line error message; put the rest in `summary`"),
        );
        ok = false;
    }
    for (key, len) in [
        ("patterns", f.patterns.len()),
        ("fix", f.fix.len()),
        ("unsafe", f.unsafe_.len()),
        ("verify", f.verify.len()),
    ] {
        if len == 0 && present.contains_key(key) {
            ok = false;
            cx.key(
                key,
                Diagnostic::error(format!("`{key}` needs at least one item")),
            );
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::slots_in;

    #[test]
    fn slots_in_commands() {
        assert_eq!(
            slots_in("docker login <registry> -u <user_1>"),
            vec!["registry", "user_1"]
        );
        assert!(slots_in("a < b > c <Bad> <9x> <>").is_empty());
        assert_eq!(slots_in("cat <<EOF\n<name>\nEOF"), vec!["name"]);
    }

    /// The patterns kept compiled with an entry are its patterns, one for one, in order:
    /// the overlap check and the search index read them instead of the sources.
    #[test]
    fn an_entry_keeps_its_patterns_compiled_in_order() {
        let text = "---\ntitle: \"E1: disk quota exceeded on volume\"\nsummary: s\nlikely_cause: c\n\
                    patterns:\n  - \"E1: disk quota exceeded on <volume>\"\n  - \"context: write failed for quota reasons\"\n  \
                    - \"regex:quota of [0-9]+ bytes exceeded\"\nfix: [\"Free space.\"]\n\
                    unsafe: [{do_not: \"Delete data.\", why: \"It is lost.\"}]\nverify: [\"Write again.\"]\n---\n";
        let raw = RawEntry::new(
            "t".into(),
            "x".into(),
            "content/t/x.md".into(),
            EntryKind::Markdown,
            text.into(),
            [0; 32],
        )
        .expect("raw");
        let (entry, diags) = validate_entry(&raw, &Config::default());
        let entry = entry.unwrap_or_else(|| panic!("entry: {diags:?}"));
        let sources: Vec<&str> = entry.compiled.iter().map(|p| p.source()).collect();
        assert_eq!(sources, entry.patterns);
        assert!(entry.compiled[1].is_context());
    }

    #[test]
    fn dates() {
        assert!(is_real_date("2024-02-29"));
        assert!(!is_real_date("2023-02-29"));
        assert!(!is_real_date("2024-13-01"));
        assert!(!is_real_date("2024-1-01"));
    }
}

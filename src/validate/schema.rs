//! JSON Schema (draft 2020-12) of an entry's keys and of `errkb.yaml`, for editors: both
//! are generated from the very types `check` deserializes into (`Fields`, `Step`,
//! `Config`…), then tightened with the rules `check` applies by code where JSON Schema
//! can say them (required keys, non-empty lists, id and tag shapes, dates). What only
//! code can judge (pattern syntax, links, TODO markers) stays with `check`.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::{Value, json};

use super::entry::Fields;
use super::keys::REQUIRED;
use crate::config::Config;
use crate::model::MAX_SEGMENT_LEN;
use crate::output::OutFile;

/// Where the built site serves the entry schema, below the base URL.
pub const ENTRY_PATH: &str = "api/schema/entry.json";
/// Where the built site serves the `errkb.yaml` schema, below the base URL.
pub const CONFIG_PATH: &str = "api/schema/config.json";

/// One id segment (`[a-z0-9]+(-[a-z0-9]+)*`, as [`crate::model::is_valid_segment`]).
const SEGMENT: &str = "[a-z0-9]+(-[a-z0-9]+)*";
/// A placeholder name, as `check` accepts it.
pub const PLACEHOLDER_NAME: &str = "^[a-z][a-z0-9_]*$";
/// Has a character that is not white space: `check` trims text before judging it empty.
const NOT_BLANK: &str = "\\S";

/// An entry id as `related` and `aliases` take it: `tool/slug`, surrounding slashes and
/// white space allowed (check trims them).
pub fn id_pattern() -> String {
    format!("^\\s*/*{SEGMENT}/{SEGMENT}/*\\s*$")
}

fn generate<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// The schema of an entry: a Markdown entry's front matter, or a whole YAML entry.
pub fn entry() -> Value {
    let mut schema = generate::<Fields>();
    refine_entry(&mut schema);
    schema.to_value()
}

/// The schema of `errkb.yaml`.
pub fn config() -> Value {
    let mut schema = generate::<Config>();
    schema.insert("title".into(), json!("errkb.yaml"));
    let themes: Vec<&str> = crate::highlight::theme_names();
    for key in ["highlight_theme", "highlight_theme_dark"] {
        if let Some(p) = schema.pointer_mut(&format!("/properties/{key}")) {
            p["enum"] = json!(themes);
        }
    }
    if let Some(p) = schema.pointer_mut("/properties/base_url") {
        p["pattern"] = json!("^(/|https?://)");
    }
    schema.to_value()
}

/// The first line of a YAML file that tells the YAML language server (VS Code's YAML
/// extension, Neovim's yamlls…) which schema to check it against.
pub fn modeline(url: &str) -> String {
    format!("# yaml-language-server: $schema={url}\n")
}

/// Where a new file `depth` folders below the site root finds the schema at `path`
/// ([`ENTRY_PATH`] or [`CONFIG_PATH`]): on the published site when `base_url` names a
/// host (it serves the schema of the errkb that built it), else in the local output
/// folder, relative to the file, which exists after the first `errkb build`.
pub fn editor_url(config: &Config, path: &str, depth: usize) -> String {
    if config.has_absolute_base() {
        return format!("{}{path}", config.base_url());
    }
    // A space would end the URL on the comment line: each folder name is percent-encoded.
    const UNSAFE: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'`')
        .add(b'{')
        .add(b'}');
    let out: Vec<String> = config
        .output_dir
        .replace('\\', "/")
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .map(|s| utf8_percent_encode(s, UNSAFE).to_string())
        .collect();
    format!("{}{}/{path}", "../".repeat(depth), out.join("/"))
}

/// A schema as the file errkb prints and publishes: pretty, ending in a line break.
pub fn text(schema: &Value) -> String {
    let mut s = serde_json::to_string_pretty(schema).unwrap_or_default();
    s.push('\n');
    s
}

/// Both schemas as files of the built site.
pub fn files() -> Vec<OutFile> {
    vec![
        OutFile::new(ENTRY_PATH, text(&entry())),
        OutFile::new(CONFIG_PATH, text(&config())),
    ]
}

/// The rules `check` applies by code, in schema words.
fn refine_entry(schema: &mut Schema) {
    schema.insert("title".into(), json!("errkb entry"));
    schema.insert(
        "description".into(),
        json!(
            "The keys of an errkb entry: the front matter of a Markdown entry, or a whole YAML entry. \
             `errkb check` checks more than this schema can (pattern syntax, links, examples)."
        ),
    );
    schema.insert("required".into(), json!(REQUIRED));
    let Some(Value::Object(props)) = schema.get_mut("properties") else {
        return;
    };
    for (key, p) in props.iter_mut() {
        // Defaults of the parsing struct ("" for a title) are not advice for an author.
        if let Some(p) = p.as_object_mut() {
            p.remove("default");
        }
        if REQUIRED.contains(&key.as_str()) && p["type"] == "array" {
            p["minItems"] = json!(1);
        }
    }
    for key in ["title", "summary", "likely_cause"] {
        props[key]["pattern"] = json!(NOT_BLANK);
    }
    // One line: the title is the error message as the tool prints it.
    props["title"]["not"] = json!({ "pattern": "\n" });
    for key in ["related", "aliases"] {
        props[key]["items"] = json!({ "type": "string", "pattern": id_pattern() });
    }
    props["tags"]["items"] = json!({
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_SEGMENT_LEN,
        "not": { "pattern": "[^a-z0-9-]" },
    });
    props["placeholders"]["propertyNames"] = json!({ "pattern": PLACEHOLDER_NAME });
    props["updated"]["format"] = json!("date");
    props["updated"]["pattern"] = json!("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
    // Both parts of a shortcut to avoid, and of a link, must say something.
    for (def, keys) in [("Unsafe", ["do_not", "why"]), ("Link", ["title", "url"])] {
        for key in keys {
            if let Some(p) = schema.pointer_mut(&format!("/$defs/{def}/properties/{key}")) {
                p["pattern"] = json!(NOT_BLANK);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::keys::KNOWN;
    use std::collections::BTreeSet;

    fn keys(schema: &Value) -> BTreeSet<String> {
        schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn every_key_check_knows_is_in_the_entry_schema_and_no_other() {
        let schema = entry();
        let known: BTreeSet<String> = KNOWN.iter().map(|k| k.to_string()).collect();
        assert_eq!(keys(&schema), known);
        assert_eq!(schema["required"], json!(REQUIRED));
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }

    #[test]
    fn every_config_key_is_in_the_config_schema_and_no_other() {
        let schema = config();
        let defaults = serde_json::to_value(Config::default()).expect("config");
        let known: BTreeSet<String> = defaults.as_object().expect("map").keys().cloned().collect();
        assert_eq!(keys(&schema), known);
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(schema["properties"]["recent_entries"]["default"], json!(10));
        let search = &schema["$defs"]["SearchConfig"];
        assert_eq!(search["additionalProperties"], json!(false));
        let themes = schema["properties"]["highlight_theme"]["enum"]
            .as_array()
            .expect("enum");
        assert!(themes.contains(&json!(Config::default().highlight_theme)));
    }

    #[test]
    fn descriptions_come_from_the_doc_comments() {
        let e = entry();
        for key in KNOWN {
            assert!(
                e["properties"][key]["description"].is_string(),
                "no description for `{key}`"
            );
        }
        let c = config();
        assert!(
            c["properties"]["base_url"]["description"]
                .as_str()
                .is_some_and(|d| d.contains("published"))
        );
    }

    /// The id pattern agrees with the parser `check` uses, on ids near every edge.
    #[test]
    fn id_pattern_matches_what_check_accepts() {
        let re = regex::Regex::new(&id_pattern()).expect("regex");
        for s in [
            "docker/x", "a-b/c-1", "/t/x/", " t/x ", "t/-x", "t/x-", "t/a--b", "T/x", "t/x/y", "t",
            "t/", "/x", "t/x.y", "t/x_y",
        ] {
            let check = crate::model::EntryId::parse(s.trim().trim_matches('/')).is_some();
            assert_eq!(re.is_match(s), check, "{s:?}");
        }
    }

    #[test]
    fn placeholder_name_pattern_matches_check() {
        let re = regex::Regex::new(PLACEHOLDER_NAME).expect("regex");
        for (s, ok) in [
            ("host", true),
            ("a_1", true),
            ("1a", false),
            ("Host", false),
        ] {
            assert_eq!(re.is_match(s), ok, "{s}");
        }
    }

    #[test]
    fn editor_urls() {
        let mut c = Config::default();
        assert_eq!(
            editor_url(&c, ENTRY_PATH, 2),
            "../../public/api/schema/entry.json"
        );
        c.output_dir = "./build/site/".into();
        assert_eq!(
            editor_url(&c, CONFIG_PATH, 0),
            "build/site/api/schema/config.json"
        );
        c.output_dir = "my site/out#1".into();
        assert_eq!(
            editor_url(&c, ENTRY_PATH, 1),
            "../my%20site/out%231/api/schema/entry.json"
        );
        c.set_base_url("https://example.org/kb").expect("url");
        assert_eq!(
            editor_url(&c, ENTRY_PATH, 2),
            "https://example.org/kb/api/schema/entry.json"
        );
        assert_eq!(
            modeline("x.json"),
            "# yaml-language-server: $schema=x.json\n"
        );
    }

    #[test]
    fn output_is_stable() {
        assert_eq!(text(&entry()), text(&entry()));
        assert!(text(&config()).ends_with("}\n"));
    }
}

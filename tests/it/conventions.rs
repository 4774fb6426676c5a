//! The conventions users expect of a command-line tool and a site: `errkb schema`, the
//! schema line in the files `new` and `init` write, `--quiet`, `--color`, `--version`,
//! and the OpenSearch description linked from every page.

use std::process::Command;

use crate::{Run, Site, fixtures, run_in, snapshot};

/// `errkb <args>` in `cwd` with exactly the colour variables given (NO_COLOR and
/// CLICOLOR_FORCE removed otherwise).
fn run_env(cwd: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_errkb"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("ERRKB_BASE_URL")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run(cmd.output().expect("run errkb"))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn schema_prints_draft_2020_12_for_entries_and_config() {
    let entry = json(&run_in(&fixtures(), &["schema", "entry"]).ok().stdout());
    assert_eq!(
        entry["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(entry["additionalProperties"], false);
    assert!(entry["properties"]["verify"]["description"].is_string());
    assert!(
        entry["required"]
            .as_array()
            .expect("required")
            .contains(&"likely_cause".into())
    );
    let config = json(&run_in(&fixtures(), &["schema", "config"]).ok().stdout());
    assert!(config["properties"]["base_url"].is_object());
    assert_eq!(config["additionalProperties"], false);
    let bad = run_in(&fixtures(), &["schema", "entries"]).fails(2);
    assert!(bad.stderr().contains("entry"), "{}", bad.stderr());
}

#[test]
fn the_built_site_serves_the_schemas_byte_identical_between_builds() {
    let s = Site::new("ok-basic");
    s.run(&["build", "-q"]).ok();
    let first = snapshot(&s.path("public"));
    let printed = s.run(&["schema", "entry"]).ok().stdout();
    assert_eq!(s.read("public/api/schema/entry.json"), printed);
    let printed = s.run(&["schema", "config"]).ok().stdout();
    assert_eq!(s.read("public/api/schema/config.json"), printed);
    s.run(&["build", "-q"]).ok();
    assert!(first == snapshot(&s.path("public")), "output changed");
}

#[test]
fn init_and_new_point_the_editor_at_the_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    run_in(dir.path(), &["init", "kb"]).ok();
    let kb = dir.path().join("kb");
    let read = |rel: &str| std::fs::read_to_string(kb.join(rel)).expect(rel);
    assert!(
        read("errkb.yaml")
            .starts_with("# yaml-language-server: $schema=public/api/schema/config.json\n")
    );
    assert!(
        read("content/make/no-rule-to-make-target.md").starts_with(
            "---\n# yaml-language-server: $schema=../../public/api/schema/entry.json\n"
        )
    );
    // The comment line is accepted by check and by the build, which writes the files
    // the relative paths name.
    run_in(&kb, &["check", "--deny-warnings"]).ok();
    run_in(&kb, &["build", "-q"]).ok();
    assert!(kb.join("public/api/schema/entry.json").is_file());
    assert!(kb.join("public/api/schema/config.json").is_file());

    run_in(&kb, &["new", "make/missing-separator"]).ok();
    assert!(
        read("content/make/missing-separator.md").starts_with(
            "---\n# yaml-language-server: $schema=../../public/api/schema/entry.json\n"
        )
    );
    // With a published address, new files use the published schema.
    let config = read("errkb.yaml").replace(
        "# base_url: \"/\"",
        "base_url: \"https://kb.example.org/errors/\"",
    );
    std::fs::write(kb.join("errkb.yaml"), config).expect("write");
    run_in(&kb, &["new", "npm/enoent"]).ok();
    assert!(read("content/npm/enoent.md").starts_with(
        "---\n# yaml-language-server: $schema=https://kb.example.org/errors/api/schema/entry.json\n"
    ));
}

#[test]
fn a_yaml_entry_may_open_with_the_schema_line() {
    let s = Site::new("ok-basic");
    let text = s.read("content/demo/yaml-form.yaml");
    s.write(
        "content/demo/yaml-form.yaml",
        &format!("# yaml-language-server: $schema=../../public/api/schema/entry.json\n{text}"),
    );
    s.run(&["check"]).ok();
}

#[test]
fn quiet_build_prints_nothing_on_success_and_errors_only() {
    let s = Site::new("warn-stale");
    let loud = s.run(&["build"]).ok();
    assert!(loud.stderr().contains("warning"), "{}", loud.stderr());
    let quiet = s.run(&["build", "--quiet"]).ok();
    assert_eq!(quiet.stdout(), "");
    assert_eq!(quiet.stderr(), "", "warnings are not errors");

    let s = Site::new("err-unknown-key");
    let r = s.run(&["build", "-q"]).fails(1);
    assert_eq!(r.stdout(), "");
    assert!(r.stderr().contains("unknown key `verfy`"), "{}", r.stderr());
    assert!(r.stderr().contains("build failed"), "{}", r.stderr());
}

const ESC: char = '\u{1b}';

fn has_ansi(r: &Run) -> bool {
    r.stdout().contains(ESC) || r.stderr().contains(ESC)
}

#[test]
fn color_always_never_and_the_environment() {
    let site = fixtures().join("err-unknown-key");
    let check = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        run_env(&site, &all, env).fails(1)
    };
    // Output here is a pipe: `auto` colours it only when CLICOLOR_FORCE says so.
    assert!(!has_ansi(&check(&[], &[])));
    assert!(has_ansi(&check(&["--color", "always"], &[])));
    assert!(has_ansi(&check(&["--color=always"], &[("NO_COLOR", "1")])));
    assert!(!has_ansi(&check(
        &["--color", "never"],
        &[("CLICOLOR_FORCE", "1")]
    )));
    assert!(has_ansi(&check(&[], &[("CLICOLOR_FORCE", "1")])));
    assert!(!has_ansi(&check(
        &["--color", "auto"],
        &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]
    )));
    // A global option: before or after the command.
    assert!(has_ansi(
        &run_env(&site, &["--color", "always", "check"], &[]).fails(1)
    ));
    let bad = run_env(&site, &["check", "--color", "sometimes"], &[]).fails(2);
    assert!(bad.stderr().contains("always"), "{}", bad.stderr());
    // clap's own usage errors follow the choice too.
    assert!(has_ansi(
        &run_env(&site, &["--color", "always", "chek"], &[]).fails(2)
    ));
    assert!(!has_ansi(
        &run_env(
            &site,
            &["chek", "--color=never"],
            &[("CLICOLOR_FORCE", "1")]
        )
        .fails(2)
    ));
}

#[test]
fn every_command_takes_color() {
    for cmd in [
        "build",
        "serve",
        "check",
        "new",
        "init",
        "eject",
        "match",
        "explain",
        "schema",
        "completions",
    ] {
        let r = run_in(&fixtures(), &[cmd, "--color", "never", "--help"]).ok();
        assert!(
            r.stdout().contains("--color <WHEN>"),
            "{cmd}: {}",
            r.stdout()
        );
    }
}

#[test]
fn version_names_the_commit_and_its_date() {
    let out = run_in(&fixtures(), &["--version"]).ok().stdout();
    let rest = out
        .strip_prefix(&format!("errkb {}", env!("CARGO_PKG_VERSION")))
        .unwrap_or_else(|| panic!("{out}"));
    if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".git")
        .exists()
    {
        // ` (0123456789 2026-01-31)`: the commit, and the commit's date, so that two
        // builds of one commit print the same.
        let inner = rest
            .trim_end()
            .strip_prefix(" (")
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or_else(|| panic!("{out}"));
        let (commit, date) = inner.split_once(' ').unwrap_or_else(|| panic!("{out}"));
        assert_eq!(commit.len(), 10, "{out}");
        assert!(commit.bytes().all(|b| b.is_ascii_hexdigit()), "{out}");
        assert_eq!(date.len(), 10, "{out}");
        assert!(
            date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }),
            "{out}"
        );
    }
    let sub = run_in(&fixtures(), &["build", "--version"]).ok().stdout();
    assert_eq!(
        sub.trim_start_matches("errkb-build"),
        out.trim_start_matches("errkb")
    );
}

/// Builds `ok-basic` with a title that needs escaping and is too long for `ShortName`.
fn opensearch_site() -> Site {
    let s = Site::new("ok-basic");
    s.write(
        "errkb.yaml",
        "title: \"Errors & fixes <for> \\\"everyone\\\" at Example Corp\"\ndescription: \"What broke & why\"\n",
    );
    s.run(&["build", "-q", "--base-url", "https://kb.example.org/docs/"])
        .ok();
    s
}

#[test]
fn opensearch_description_is_well_formed_and_points_at_the_search_page() {
    let s = opensearch_site();
    let text = s.read("public/opensearch.xml");
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "OpenSearchDescription");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://a9.com/-/spec/opensearch/1.1/")
    );
    let child = |name: &str| {
        root.children()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_string()
    };
    let short = child("ShortName");
    assert!(short.chars().count() <= 16, "{short}");
    assert!(short.starts_with("Errors & fixes"), "{short}");
    assert_eq!(child("Description"), "What broke & why");
    let html = root
        .children()
        .find(|n| n.attribute("type") == Some("text/html"))
        .expect("html Url");
    assert_eq!(
        html.attribute("template"),
        Some("https://kb.example.org/docs/search/?q={searchTerms}")
    );
    // The search page reads that parameter.
    let js = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/search.js"),
    )
    .expect("search.js");
    assert!(js.contains("queryParam(window.location.search)"));
}

#[test]
fn every_page_links_the_opensearch_description() {
    let s = opensearch_site();
    let link = "<link rel=search type=application/opensearchdescription+xml title=\"Errors &amp; fixes &lt;for&gt; &quot;everyone&quot; at Example Corp\" href=/docs/opensearch.xml>";
    let mut kinds = std::collections::BTreeSet::new();
    for (path, bytes) in snapshot(&s.path("public")) {
        if !path.ends_with(".html") {
            continue;
        }
        let page = String::from_utf8(bytes).expect("utf-8");
        if page.contains("http-equiv=refresh") {
            continue; // an alias's redirect, not a page
        }
        assert!(page.contains(link), "{path} lacks the search link");
        if let Some(kind) = page
            .split("<body class=page-")
            .nth(1)
            .and_then(|r| r.split('>').next())
        {
            kinds.insert(kind.to_string());
        }
    }
    for kind in ["entry", "home", "tool", "tag", "tags", "search", "404"] {
        assert!(kinds.contains(kind), "no {kind} page among {kinds:?}");
    }
}

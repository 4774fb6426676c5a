//! `errkb check`, `new` and `init`: every defect class has a fixture, and each test
//! asserts the file, line and message a person would see.

use crate::{Site, fixtures, run_in};

/// Runs `errkb check --format json` on a fixture and returns (severity, file, line, message).
fn diags(fixture: &str) -> Vec<(String, String, Option<u64>, String)> {
    let r = run_in(&fixtures().join(fixture), &["check", "--format", "json"]);
    crate::json_lines(&r.stdout())
        .iter()
        .map(|v| {
            (
                crate::field(v, "severity"),
                crate::field(v, "file"),
                v["line"].as_u64(),
                crate::field(v, "message"),
            )
        })
        .collect()
}

#[track_caller]
fn expect(fixture: &str, wanted: &[(&str, &str, Option<u64>, &str)]) {
    let got = diags(fixture);
    for (sev, file, line, msg) in wanted {
        assert!(
            got.iter()
                .any(|(s, f, l, m)| s == sev && f == file && l == line && m.contains(msg)),
            "{fixture}: no {sev} {file}:{line:?} `{msg}` in\n{got:#?}"
        );
    }
    assert_eq!(
        got.len(),
        wanted.len(),
        "{fixture}: unexpected extra diagnostics\n{got:#?}"
    );
}

#[test]
fn yaml_syntax_error_at_its_line() {
    expect(
        "err-yaml-syntax",
        &[(
            "error",
            "content/t/broken.md",
            Some(4),
            "invalid YAML: did not find expected ',' or ']'",
        )],
    );
}

#[test]
fn a_key_given_twice_is_an_error_at_its_mapping() {
    expect(
        "err-yaml-duplicate-key",
        &[
            (
                "error",
                "content/t/twice.md",
                Some(2),
                "invalid YAML: duplicate entry with key \"summary\"",
            ),
            (
                "error",
                "content/t/nested.yaml",
                Some(7),
                "invalid YAML: fix[0]: duplicate entry with key \"run\"",
            ),
        ],
    );
}

#[test]
fn unterminated_and_missing_front_matter() {
    expect(
        "err-unterminated",
        &[(
            "error",
            "content/t/open.md",
            Some(1),
            "unterminated front matter",
        )],
    );
    expect(
        "err-no-front-matter",
        &[(
            "error",
            "content/t/plain.md",
            Some(1),
            "missing front matter",
        )],
    );
}

#[test]
fn wrong_type() {
    expect(
        "err-wrong-type",
        &[(
            "error",
            "content/t/types.md",
            Some(7),
            "draft: invalid type: string \"maybe\", expected a boolean",
        )],
    );
}

#[test]
fn missing_required_keys_are_named() {
    expect(
        "err-missing-keys",
        &[
            (
                "error",
                "content/t/missing.md",
                Some(1),
                "missing required key `likely_cause`",
            ),
            (
                "error",
                "content/t/missing.md",
                Some(1),
                "missing required key `unsafe`",
            ),
            (
                "error",
                "content/t/missing.md",
                Some(1),
                "missing required key `verify`",
            ),
        ],
    );
}

#[test]
fn unknown_key_suggests_the_right_one() {
    expect(
        "err-unknown-key",
        &[(
            "error",
            "content/t/typo.md",
            Some(12),
            "unknown key `verfy`",
        )],
    );
    let r = run_in(&fixtures().join("err-unknown-key"), &["check"]).fails(1);
    assert!(
        r.stdout().contains("did you mean `verify`?"),
        "{}",
        r.stdout()
    );
    assert!(
        r.stdout().contains("12 | verfy:"),
        "shows the line: {}",
        r.stdout()
    );
}

#[test]
fn invalid_ids_suggest_a_valid_name() {
    expect(
        "err-bad-id",
        &[
            (
                "error",
                "content/t/Bad_Name.md",
                None,
                "invalid entry file name `Bad_Name.md`",
            ),
            (
                "error",
                "content/Tool One",
                None,
                "invalid tool folder name `Tool One`",
            ),
        ],
    );
    let r = run_in(&fixtures().join("err-bad-id"), &["check"]);
    assert!(
        r.stdout().contains("rename it to `bad-name.md`"),
        "{}",
        r.stdout()
    );
    assert!(
        r.stdout().contains("rename it to `tool-one`"),
        "{}",
        r.stdout()
    );
}

#[test]
fn duplicate_ids_name_both_files() {
    expect(
        "err-duplicate-id",
        &[(
            "error",
            "content/t/twin.yaml",
            None,
            "duplicate entry id `t/twin`: also defined by content/t/twin.md",
        )],
    );
}

#[test]
fn related_entry_must_exist() {
    expect(
        "err-related-missing",
        &[(
            "error",
            "content/t/rel.md",
            Some(15),
            "related entry `t/no-such-entry` does not exist",
        )],
    );
}

#[test]
fn placeholder_warnings() {
    expect(
        "warn-placeholders",
        &[
            (
                "warning",
                "content/t/slots.md",
                Some(8),
                "placeholder `<host>` is used in a command but not declared",
            ),
            (
                "warning",
                "content/t/slots.md",
                Some(16),
                "placeholder `port` is declared but no command uses `<port>`",
            ),
        ],
    );
    // Warnings pass, unless denied.
    run_in(&fixtures().join("warn-placeholders"), &["check"]).ok();
    run_in(
        &fixtures().join("warn-placeholders"),
        &["check", "--deny-warnings"],
    )
    .fails(1);
}

#[test]
fn same_pattern_in_two_entries() {
    expect(
        "err-same-pattern",
        &[
            (
                "error",
                "content/t/two.md",
                Some(6),
                "pattern `demo: shared failed` is also a pattern of `t/one`",
            ),
            (
                "warning",
                "content/t/one.md",
                Some(2),
                "the title is also matched by `t/two`",
            ),
            (
                "warning",
                "content/t/two.md",
                Some(2),
                "the title is also matched by `t/one`",
            ),
        ],
    );
}

#[test]
fn impossible_date() {
    expect(
        "err-date",
        &[(
            "error",
            "content/t/date.md",
            Some(15),
            "`updated: 2023-02-30` is not a real date",
        )],
    );
}

#[test]
fn bad_tag() {
    expect(
        "err-tag",
        &[(
            "error",
            "content/t/tag.md",
            Some(15),
            "invalid tag `Bad Tag`",
        )],
    );
}

#[test]
fn empty_step() {
    expect(
        "err-empty-step",
        &[(
            "error",
            "content/t/empty.md",
            Some(7),
            "`fix` step 2 is empty",
        )],
    );
}

#[test]
fn todo_markers() {
    expect(
        "err-todo",
        &[(
            "error",
            "content/t/todo.md",
            Some(3),
            "unfinished entry: `TODO:` marker left in",
        )],
    );
}

#[test]
fn invalid_utf8_with_byte_offset() {
    expect(
        "err-utf8",
        &[(
            "error",
            "content/t/latin1.md",
            Some(16),
            "invalid UTF-8 at byte offset 274",
        )],
    );
}

#[test]
fn broken_internal_links_and_anchors() {
    expect(
        "err-links",
        &[
            (
                "error",
                "content/t/links.md",
                Some(18),
                "link to `/t/nope/`: no entry `t/nope`",
            ),
            (
                "error",
                "content/t/links.md",
                Some(18),
                "link to `/tags/no-tag/`: no entry has the tag `no-tag`",
            ),
            (
                "error",
                "content/t/links.md",
                Some(18),
                "link to `#no-anchor`: no heading with that id on this page",
            ),
        ],
    );
}

#[test]
fn alias_colliding_with_a_live_id() {
    expect(
        "err-alias",
        &[(
            "error",
            "content/t/a.md",
            Some(15),
            "alias `t/b` is the id of a live entry",
        )],
    );
}

#[test]
fn stale_entries_warn() {
    let got = diags("warn-stale");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (got[0].0.as_str(), got[0].1.as_str(), got[0].2),
        ("warning", "content/t/old.md", Some(15))
    );
    assert!(
        got[0].3.starts_with("entry was last reviewed 2001-01-01"),
        "{}",
        got[0].3
    );
}

#[test]
fn unsafe_command_in_a_fix_warns() {
    expect(
        "warn-unsafe-command",
        &[(
            "warning",
            "content/t/risky.md",
            Some(8),
            "`fix` command uses an unsafe shortcut (curl-insecure)",
        )],
    );
    let s = Site::new("warn-unsafe-command");
    let text = s.read("content/t/risky.md").replace(
        "run: \"curl -k https://example.org/fix.sh -o fix.sh\"",
        "run: \"curl -k https://example.org/fix.sh -o fix.sh\"\n    allow_unsafe: \"the test server uses a throwaway self-signed certificate\"",
    );
    s.write("content/t/risky.md", &text);
    s.run(&["check", "--deny-warnings"]).ok();
}

#[test]
fn github_format_annotates() {
    let r = run_in(
        &fixtures().join("err-unknown-key"),
        &["check", "--format", "github"],
    )
    .fails(1);
    assert_eq!(
        r.stdout().trim(),
        "::error file=content/t/typo.md,line=12,col=1::unknown key `verfy` (hint: did you mean `verify`?)"
    );
}

#[test]
fn build_refuses_what_check_rejects() {
    let s = Site::new("err-unknown-key");
    let r = s.run(&["build"]).fails(1);
    assert!(r.stderr().contains("unknown key `verfy`"), "{}", r.stderr());
    assert!(!s.path("public").exists());
}

#[test]
fn new_writes_a_skeleton_that_check_rejects_until_done() {
    let s = Site::new("ok-basic");
    s.run(&[
        "new",
        "docker/exec-format-error",
        "--title",
        "exec /app: exec format error",
    ])
    .ok();
    let text = s.read("content/docker/exec-format-error.md");
    for key in [
        "title:",
        "summary:",
        "likely_cause:",
        "patterns:",
        "fix:",
        "unsafe:",
        "verify:",
        "examples:",
    ] {
        assert!(text.contains(key), "{key}");
    }
    assert!(text.contains("title: \"exec /app: exec format error\""));
    assert!(
        s.path("content/docker/_tool.yaml").is_file(),
        "new tool folder gets _tool.yaml"
    );
    let r = s.run(&["check"]).fails(1);
    assert!(
        r.stdout().contains("`TODO:` marker left in"),
        "{}",
        r.stdout()
    );
    // Refuses to overwrite, and refuses bad ids with a suggestion.
    let r = s.run(&["new", "docker/exec-format-error"]).fails(2);
    assert!(r.stderr().contains("already exists"), "{}", r.stderr());
    let r = s.run(&["new", "Docker/Exec Format"]).fails(2);
    assert!(
        r.stderr().contains("did you mean `docker/exec-format`?"),
        "{}",
        r.stderr()
    );
    assert_eq!(s.read("content/docker/exec-format-error.md"), text);
}

#[test]
fn init_makes_a_site_that_checks_and_builds() {
    let tmp = tempfile::tempdir().expect("tmp");
    run_in(tmp.path(), &["init", "demo"]).ok();
    let demo = tmp.path().join("demo");
    for f in [
        "errkb.yaml",
        ".gitignore",
        ".github/workflows/errkb.yml",
        "content/_index.md",
    ] {
        assert!(demo.join(f).is_file(), "{f}");
    }
    run_in(&demo, &["check", "--deny-warnings"]).ok();
    run_in(&demo, &["build", "-q"]).ok();
    assert!(
        demo.join("public/make/no-rule-to-make-target/index.html")
            .is_file()
    );
    // A non-empty folder is refused.
    let r = run_in(tmp.path(), &["init", "demo"]).fails(2);
    assert!(r.stderr().contains("not empty"), "{}", r.stderr());
}

#[test]
fn completions() {
    let r = run_in(&fixtures(), &["completions", "bash"]).ok();
    assert!(r.stdout().contains("errkb"), "{}", r.stdout());
}

#[test]
fn bundled_knowledge_base_passes_deny_warnings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let r = run_in(root, &["check", "--deny-warnings"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    let entries = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 2
                && !name.starts_with('_')
                && (name.ends_with(".md") || name.ends_with(".yaml"))
        })
        .count();
    assert!(entries > 0);
    assert!(
        r.stderr().contains(&format!("{entries} entries")),
        "{entries}: {}",
        r.stderr()
    );
}

#[test]
fn external_links_only_when_asked_and_only_as_warnings() {
    use std::io::{Read, Write};
    // A local server: /ok answers 200, anything else 404.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        for stream in listener.incoming().take(2) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 2048];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]);
            let status = if req.contains(" /ok ") {
                "200 OK"
            } else {
                "404 Not Found"
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    let s = Site::new("ok-basic");
    let page = s.read("content/demo/widget-locked.md").replace(
        "More text.[^1]",
        &format!(
            "More text.[^1] [up](http://127.0.0.1:{port}/ok) [down](http://127.0.0.1:{port}/gone)"
        ),
    );
    s.write("content/demo/widget-locked.md", &page);
    s.run(&["check", "--deny-warnings"]).ok();
    let r = s
        .run(&["check", "--external-links", "--format", "json"])
        .ok();
    let out = r.stdout();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains(&format!(
            "external link http://127.0.0.1:{port}/gone answered HTTP 404"
        )),
        "{out}"
    );
    assert!(
        out.contains("\"severity\":\"warning\"") && out.contains("\"line\":74"),
        "{out}"
    );
    server.join().expect("server");
}

#[test]
fn invalid_regex_and_constructs_outside_the_shared_subset() {
    expect(
        "err-regex",
        &[
            (
                "error",
                "content/t/rx.md",
                Some(7),
                "invalid pattern `regex:demo (unclosed`: invalid regular expression: unclosed group",
            ),
            (
                "error",
                "content/t/rx.md",
                Some(8),
                "look-around (`(?=`, `(?!`, `(?<=`, `(?<!`) is not supported",
            ),
        ],
    );
}

#[test]
fn too_generic_pattern() {
    expect(
        "err-generic-pattern",
        &[(
            "error",
            "content/t/generic.md",
            Some(7),
            "pattern `error:` is too generic",
        )],
    );
}

#[test]
fn examples_must_be_matched_by_their_own_entry_first() {
    expect(
        "err-examples",
        &[(
            "error",
            "content/t/ex.md",
            Some(17),
            "the example is not matched by any pattern of this entry",
        )],
    );
    // Another entry with a more specific pattern for the same line ranks above: error.
    let s = Site::new("ok-basic");
    s.write(
        "content/web/widget-alpha.md",
        "---\ntitle: \"error: widget alpha is locked by another process\"\nsummary: s\nlikely_cause: c\npatterns: [\"error: widget alpha is locked by another process\"]\nfix: [x]\nunsafe: [{do_not: a, why: b}]\nverify: [y]\n---\n",
    );
    let r = s.run(&["check", "--format", "json"]).fails(1);
    let out = r.stdout();
    assert!(out.contains("the example: `web/widget-alpha` ranks above this entry on the line `error: widget alpha is locked by another process`"), "{out}");
    assert!(
        out.contains("\"file\":\"content/demo/widget-locked.md\",\"line\":10"),
        "{out}"
    );
}

/// `eject` copies theme files into the site without overwriting, and the site then builds
/// with them as overrides.
#[test]
fn eject_copies_theme_files_and_never_overwrites() {
    let s = crate::Site::new("ok-basic");
    s.write("templates/partials/footer.html", "<footer>mine</footer>");
    let r = s
        .run(&[
            "eject",
            "partials/entry/unsafe.html",
            "style.css",
            "partials/footer.html",
        ])
        .ok();
    assert!(
        r.stderr().contains("kept templates/partials/footer.html"),
        "{}",
        r.stderr()
    );
    assert_eq!(
        s.read("templates/partials/footer.html"),
        "<footer>mine</footer>"
    );
    assert!(
        s.read("templates/partials/entry/unsafe.html")
            .contains("unsafe-shortcuts")
    );
    assert!(s.read("static/style.css").contains('{'));
    s.run(&["eject", "no-such.html"]).fails(2);
    let listed = s.run(&["eject", "--list"]).ok().stdout();
    assert!(
        listed.lines().any(|l| l == "templates/entry.html"),
        "{listed}"
    );
    s.run(&["build", "-q"]).ok();
    assert!(
        s.read("public/index.html")
            .contains("<footer>mine</footer>")
    );
}

/// An entry `demo/<slug>` with these patterns and one example.
fn context_entry(title: &str, patterns: &[&str], example: &str) -> String {
    let list: String = patterns.iter().map(|p| format!("  - \"{p}\"\n")).collect();
    format!(
        "---\ntitle: \"{title}\"\nsummary: \"s\"\nlikely_cause: \"c\"\npatterns:\n{list}examples:\n  - |\n{}\nfix:\n  - run: \"demo repair\"\nunsafe:\n  - do_not: \"Ignore it\"\n    why: \"It stays broken.\"\nverify:\n  - run: \"demo status\"\n---\nBody.\n",
        example
            .lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// A family's summary line may be a `context:` pattern of several entries (no "shared
/// pattern" error, no overlap warning), but an entry needs a pattern of its own.
#[test]
fn context_patterns_are_shared_but_not_enough_alone() {
    let s = Site::new("ok-basic");
    let summary = "context:demo: push of <ref> failed";
    s.write(
        "content/demo/push-behind.md",
        &context_entry(
            "demo: rejected <ref> (behind)",
            &["demo: rejected <ref> (behind)", summary],
            "demo: rejected main (behind)\ndemo: push of main failed",
        ),
    );
    s.write(
        "content/demo/push-hook.md",
        &context_entry(
            "demo: hook said no to <ref>",
            &["demo: hook said no to <ref>", summary],
            "demo: hook said no to main\ndemo: push of main failed",
        ),
    );
    s.run(&["check", "--deny-warnings"]).ok();
    s.write(
        "content/demo/push-only.md",
        &context_entry(
            "demo: push of <ref> failed",
            &[summary],
            "demo: push of main failed",
        ),
    );
    let r = s.run(&["check", "--format", "json"]).fails(1);
    let out = r.stdout();
    assert!(
        out.contains("every pattern is a `context:` pattern") && out.contains("push-only.md"),
        "{out}"
    );
    assert!(!out.contains("is also a pattern of"), "{out}");
}

/// `--version` names the version, and the commit and its date when built from git.
#[test]
fn version_names_the_build() {
    let out = run_in(&fixtures(), &["--version"]).ok().stdout();
    let want = format!("errkb {}", env!("CARGO_PKG_VERSION"));
    assert!(out.starts_with(&want), "{out}");
    if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".git")
        .exists()
    {
        assert!(out.contains(" ("), "no commit in {out}");
    }
}

//! `errkb match` and `errkb explain` over realistic CI logs of every bundled family,
//! and a noise corpus of successful builds on which nothing may match.

use std::path::{Path, PathBuf};

use crate::{Site, run_in};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn logs() -> PathBuf {
    repo().join("tests/fixtures/logs")
}

fn matched_ids(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut a = vec!["match", "--format", "json"];
    a.extend_from_slice(args);
    let r = run_in(dir, &a);
    r.stdout()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            v["id"].as_str().expect("id").to_string()
        })
        .collect()
}

#[test]
fn finds_the_right_entries_in_ci_logs_of_every_family() {
    let expected: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(logs().join("expected.json")).expect("expected.json"),
    )
    .expect("json");
    assert!(expected.len() >= 11);
    for (file, ids) in &expected {
        let want: Vec<String> = ids
            .as_array()
            .expect("ids")
            .iter()
            .map(|v| v.as_str().expect("id").to_string())
            .collect();
        let log = logs().join(file);
        let got = matched_ids(&repo(), &[log.to_str().expect("utf8 path")]);
        assert_eq!(got, want, "{file}");
    }
}

/// `errkb match --format json` on a log given on standard input: the lines it prints.
/// Runs `errkb match <args>` in the repository with `log` on standard input.
fn match_stdin(args: &[&str], log: &[u8]) -> std::process::Output {
    let mut all = vec!["match"];
    all.extend_from_slice(args);
    crate::run_with_stdin(&repo(), &all, log).0
}

fn match_json_stdin(log: &str) -> (i32, Vec<serde_json::Value>) {
    let out = match_stdin(&["--format", "json"], log.as_bytes());
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    (out.status.code().unwrap_or(-1), lines)
}

/// The summary line every failed push ends with names no cause: alone, it lists the push
/// entries as candidates without a cause or a fix; with the `[rejected]` line, only the
/// entry of that line is reported.
#[test]
fn a_push_summary_line_alone_is_generic() {
    let (code, got) =
        match_json_stdin("To github.com:acme/app.git\nerror: failed to push some refs to 'x'\n");
    assert_eq!(code, 0, "a generic line is a finding: {got:?}");
    assert_eq!(got.len(), 1, "{got:?}");
    let g = &got[0];
    assert_eq!(g["generic"], true);
    assert_eq!(g["line_number"], 2);
    assert!(
        g.get("likely_cause").is_none() && g.get("first_fix").is_none() && g.get("id").is_none()
    );
    let candidates: Vec<&str> = g["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|v| v.as_str().expect("id"))
        .collect();
    for id in [
        "git/failed-to-push-some-refs",
        "git/file-too-large-push",
        "git/pre-receive-hook-declined",
        "git/protected-branch-push-declined",
        "git/src-refspec-does-not-match-any",
        "git/write-access-not-granted",
    ] {
        assert!(candidates.contains(&id), "{id} missing from {candidates:?}");
    }

    let (code, got) = match_json_stdin(
        "To github.com:acme/app.git\n ! [rejected]        main -> main (non-fast-forward)\nerror: failed to push some refs to 'x'\n",
    );
    assert_eq!(code, 0);
    let ids: Vec<&str> = got.iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(ids, ["git/failed-to-push-some-refs"]);
    assert!(got.iter().all(|v| v.get("generic").is_none()), "{got:?}");

    // The human form says so in words, and `explain` refuses to pick one.
    let r = run_in(
        &repo(),
        &["explain", "error: failed to push some refs to 'x'"],
    );
    assert_eq!(r.code(), 1);
    assert!(r.stderr().contains("generic:"), "{}", r.stderr());
    assert!(
        r.stderr().contains("git/src-refspec-does-not-match-any"),
        "{}",
        r.stderr()
    );
    assert!(!r.stdout().contains("git pull"), "{}", r.stdout());
}

#[test]
fn nothing_matches_ordinary_build_output() {
    let r = run_in(
        &repo(),
        &["match", logs().join("noise.log").to_str().expect("path")],
    );
    assert_eq!(r.code(), 1, "{}", r.stdout());
    assert!(r.stdout().is_empty(), "{}", r.stdout());
    assert!(r.stderr().contains("no known error found"));
}

#[test]
fn reads_stdin_and_prints_the_fix() {
    let out = match_stdin(
        &[],
        b"Step 4/9 : RUN npm ci\n\x1b[31mnpm error\x1b[0m code ERESOLVE\nnpm error ERESOLVE could not resolve\n",
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("<stdin>:2: npm error code ERESOLVE"),
        "{text}"
    );
    assert!(
        text.contains("[npm/eresolve]")
            && text.contains("Most likely:")
            && text.contains("Fix: ")
            && text.contains("/npm/eresolve/"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "no colour when piped: {text:?}");
}

#[test]
fn github_annotations_and_catalog_mode() {
    let site = Site::new("ok-basic");
    site.write(
        "ci.log",
        "2024-01-01T00:00:00.0000000Z ##[error]error: widget beta is locked by another process\n",
    );
    let r = site.run(&["match", "--format", "github", "ci.log"]).ok();
    assert_eq!(
        r.stdout().trim(),
        "::error title=error%3A widget <name> is locked by another process::ci.log:1: error: widget beta is locked by another process%0AMost likely: A previous `demo` run crashed and left its lock file behind.%0AFix: kill <pid>%0ASee /demo/widget-locked/"
    );
    // From a built site alone: no sources needed.
    site.run(&["build", "-q", "--base-url", "https://kb.example.org/"])
        .ok();
    let elsewhere = tempfile::tempdir().expect("tmp");
    std::fs::copy(site.path("ci.log"), elsewhere.path().join("ci.log")).expect("copy");
    let catalog = site.path("public/api/entries.json");
    let r = run_in(
        elsewhere.path(),
        &[
            "match",
            "--format",
            "json",
            "--catalog",
            catalog.to_str().expect("path"),
            "ci.log",
        ],
    )
    .ok();
    let v: serde_json::Value = serde_json::from_str(r.stdout().trim()).expect("json");
    assert_eq!(v["id"], "demo/widget-locked");
    assert_eq!(v["url"], "https://kb.example.org/demo/widget-locked/");
    assert_eq!(v["line_number"], 1);
    assert_eq!(v["first_fix"], "kill <pid>\ndemo locks --widget <widget>");
    let r = run_in(
        elsewhere.path(),
        &[
            "explain",
            "demo/widget-locked",
            "--catalog",
            catalog.to_str().expect("path"),
        ],
    )
    .ok();
    assert!(r.stdout().contains("Apply the safe fix"), "{}", r.stdout());
    // Usage errors exit 2.
    run_in(elsewhere.path(), &["match", "--catalog", "nope.json"]).fails(2);
    run_in(
        elsewhere.path(),
        &[
            "match",
            "no-such.log",
            "--catalog",
            catalog.to_str().expect("path"),
        ],
    )
    .fails(2);
}

#[test]
fn explain_by_id_and_by_text() {
    let r = run_in(&repo(), &["explain", "docker/exec-format-error"]).ok();
    let out = r.stdout();
    for part in [
        "exec format error",
        "Most likely:",
        "Apply the safe fix",
        "Don't use unsafe shortcuts",
        "Verify it works",
        "/docker/exec-format-error/",
    ] {
        assert!(out.contains(part), "{part}: {out}");
    }
    assert!(!out.contains('\x1b'), "plain when piped");
    let r = run_in(
        &repo(),
        &[
            "explain",
            "fatal: detected dubious ownership in repository at '/src'",
        ],
    )
    .ok();
    assert!(
        r.stdout()
            .starts_with("Best match for: fatal: detected dubious ownership"),
        "{}",
        r.stdout()
    );
    let r = run_in(&repo(), &["explain", "everything is fine"]).fails(1);
    assert!(r.stderr().contains("no entry matches"), "{}", r.stderr());
}

/// Against a built site without per-entry files, `explain --catalog` prints what the
/// catalog has (title, likely cause, first fix) and says where the rest is; with them,
/// every step.
#[test]
fn explain_from_a_catalog_with_and_without_entry_files() {
    let s = Site::new("ok-basic");
    s.write("errkb.yaml", "title: Demo KB\n");
    s.run(&["build", "-q"]).ok();
    let cat = s.path("public/api/entries.json");
    let cat = cat.to_str().expect("utf-8");
    let r = s
        .run(&["explain", "demo/widget-locked", "--catalog", cat])
        .ok();
    assert!(r.stdout().contains("Most likely:"), "{}", r.stdout());
    assert!(
        r.stdout().contains("/demo/widget-locked/"),
        "{}",
        r.stdout()
    );
    assert!(!r.stdout().contains("Verify it works"), "{}", r.stdout());
    assert!(r.stderr().contains("api.entries"), "{}", r.stderr());

    s.write("errkb.yaml", "title: Demo KB\napi:\n  entries: compact\n");
    s.run(&["build", "-q"]).ok();
    let r = s
        .run(&["explain", "demo/widget-locked", "--catalog", cat])
        .ok();
    assert!(r.stdout().contains("Verify it works"), "{}", r.stdout());
    assert!(r.stderr().is_empty(), "{}", r.stderr());
}

//! `errkb gaps`: planted uncovered errors come out on top with the right slots, covered
//! errors and passing-step warnings stay out, drafts fail `check` only on their `TODO:`
//! markers, and hostile logs (escapes, huge lines, binary data, `../` names) do no harm.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Run, Site, fixtures, run_in};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn logs() -> PathBuf {
    fixtures().join("gaps/logs")
}

/// `errkb gaps` run in the repository (whose bundled knowledge base is what covers).
fn gaps(args: &[&str]) -> Run {
    let mut all = vec!["gaps"];
    all.extend_from_slice(args);
    run_in(&repo(), &all)
}

fn gaps_stdin(args: &[&str], input: &[u8]) -> Run {
    let mut all = vec!["gaps"];
    all.extend_from_slice(args);
    crate::run_with_stdin(&repo(), &all, input)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout()))
}

fn templates(v: &serde_json::Value) -> Vec<String> {
    v["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .map(|g| g["template"].as_str().expect("template").to_string())
        .collect()
}

#[test]
fn planted_errors_are_the_top_templates_with_their_slots() {
    let run = gaps(&["--format", "json", logs().to_str().expect("utf-8")]).ok();
    let v = json(&run);
    let gaps = v["gaps"].as_array().expect("gaps");
    let top: Vec<(String, u64, u64, Vec<String>)> = gaps
        .iter()
        .map(|g| {
            (
                g["template"].as_str().expect("t").to_string(),
                g["logs"].as_u64().expect("logs"),
                g["lines"].as_u64().expect("lines"),
                g["slots"]
                    .as_array()
                    .expect("slots")
                    .iter()
                    .map(|s| s.as_str().expect("slot").to_string())
                    .collect(),
            )
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        top,
        [
            (
                // Four wordings: hosts, an IP, `attempt` and `try` (merged by clustering).
                "quokka: cannot reach license server <host>:<port> (<value> <number>)".into(),
                4,
                16,
                s(&["host", "port", "value", "number"])
            ),
            (
                "ERROR widgetd: checksum mismatch for <path>: expected <hash>, got <hash2>".into(),
                3,
                12,
                s(&["path", "hash", "hash"])
            ),
            (
                "FrobnicatorException: frobnication of <value> failed after <number>".into(),
                2,
                8,
                s(&["value", "number"])
            ),
        ]
    );
    assert_eq!(v["logs"], 4, "the nested folder is read: {v}");
    assert_eq!(v["covered_lines"], 12, "{v}");
    // Real lines as examples, with where they come from.
    let ex = &gaps[0]["examples"][0];
    assert_eq!(
        ex["line"],
        "quokka: cannot reach license server lic-7.internal.example.com:27000 (attempt 3)"
    );
    assert!(
        ex["source"].as_str().expect("source").ends_with("ci-1.log"),
        "{ex}"
    );
}

#[test]
fn covered_errors_warnings_and_outcomes_stay_out() {
    let run = gaps(&[
        "--format",
        "json",
        "--top",
        "100",
        logs().to_str().expect("utf-8"),
    ])
    .ok();
    let all = templates(&json(&run)).join("\n").to_lowercase();
    for absent in [
        "not a git repository",
        "eresolve",
        "unused import",
        "deprecated",
        "passed",
        "0 errors",
        "cache not found",
        "process completed",
        "failed download",
    ] {
        assert!(
            !all.contains(absent),
            "`{absent}` should not be a gap:\n{all}"
        );
    }
}

#[test]
fn human_table_and_markdown() {
    let dir = logs();
    let run = gaps(&[dir.to_str().expect("utf-8")]).ok();
    let out = run.stdout();
    let first = out.lines().next().expect("header");
    assert_eq!(first, "rank   logs   lines  template");
    assert!(
        out.contains("   1      4      16  quokka: cannot reach license server <host>:<port> (<value> <number>)"),
        "{out}"
    );
    assert!(out.contains("e.g. "), "{out}");
    assert!(run.stderr().contains("4 logs read"), "{}", run.stderr());

    let md = gaps(&["--format", "markdown", dir.to_str().expect("utf-8")])
        .ok()
        .stdout();
    assert!(
        md.contains("| # | logs | lines | template | example |"),
        "{md}"
    );
    assert!(
        md.contains("| 1 | 4 | 16 | `quokka: cannot reach license server <host>:<port> (<value> <number>)` |"),
        "{md}"
    );
}

#[test]
fn gzip_and_stdin_are_logs_too() {
    let tmp = tempfile::tempdir().expect("tmp");
    let text = std::fs::read(logs().join("ci-1.log")).expect("read");
    let gz = tmp.path().join("ci-1.log.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).expect("create"),
        flate2::Compression::fast(),
    );
    enc.write_all(&text).expect("gz");
    enc.finish().expect("finish");
    let v = json(&gaps(&["--format", "json", gz.to_str().expect("utf-8")]).ok());
    assert!(
        templates(&v).contains(
            &"quokka: cannot reach license server <host>:<port> (<value> <number>)".to_string()
        ),
        "{v}"
    );
    let v = json(&gaps_stdin(&["--format", "json", "-"], &text).ok());
    assert_eq!(v["logs"], 1);
    assert_eq!(v["gaps"][0]["examples"][0]["source"], "<stdin>");
}

#[test]
fn drafts_fail_check_only_on_their_todo_markers_and_never_overwrite() {
    let site = Site::new("ok-basic");
    let root = site.root().to_str().expect("utf-8").to_string();
    let run = gaps(&["--new", &root, logs().to_str().expect("utf-8")]).ok();
    let err = run.stderr();
    assert_eq!(err.matches("drafted ").count(), 3, "{err}");
    let draft = site.read("content/unsorted/quokka-cannot-reach-license-server.md");
    assert!(
        draft.contains("patterns:\n  - \"quokka: cannot reach license server <host>:<port> (<value> <number>)\"\n"),
        "{draft}"
    );
    assert!(
        draft.contains("examples:\n  - |\n    quokka: cannot reach license server lic-7.internal.example.com:27000 (attempt 3)\n"),
        "{draft}"
    );
    assert_eq!(
        draft.matches("    quokka: ").count(),
        3,
        "three real lines: {draft}"
    );

    let check = site.run(&["check", "--format", "json"]).fails(1);
    let diags = super::json_lines(&check.stdout());
    assert!(!diags.is_empty());
    for d in &diags {
        assert_eq!(
            super::field(d, "message"),
            "unfinished entry: `TODO:` marker left in",
            "a draft fails check on something else: {d}"
        );
    }
    let files: std::collections::BTreeSet<String> =
        diags.iter().map(|d| super::field(d, "file")).collect();
    assert_eq!(files.len(), 3, "{files:?}");

    // Once the TODO lines are filled in, the drafts pass: their patterns match their
    // examples and are specific enough.
    for f in walkdir::WalkDir::new(site.path("content/unsorted")) {
        let f = f.expect("walk");
        if f.path().extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(f.path()).expect("read");
            std::fs::write(f.path(), text.replace("TODO:", "Filled in:")).expect("write");
        }
    }
    site.run(&["check"]).ok();

    // A second run finds the same gaps and overwrites nothing.
    let before = super::snapshot(site.root());
    let again = gaps(&["--new", &root, logs().to_str().expect("utf-8")]).ok();
    assert_eq!(
        again
            .stderr()
            .matches("already exists; not overwriting it")
            .count(),
        3,
        "{}",
        again.stderr()
    );
    assert_eq!(before, super::snapshot(site.root()));
}

#[test]
fn a_template_too_generic_for_check_is_not_drafted() {
    let site = Site::new("ok-basic");
    let root = site.root().to_str().expect("utf-8").to_string();
    // `Error <number>`: only words every error line has.
    let run = gaps_stdin(&["--new", &root, "-"], b"Error 503\nError 404\n").ok();
    assert!(
        run.stderr()
            .contains("skipped `Error <number>`: too generic for `errkb check`"),
        "{}",
        run.stderr()
    );
    assert!(!site.path("content/unsorted").exists());
}

#[test]
fn names_from_logs_stay_inside_the_site() {
    // The site inside a folder of its own, so that everything written around it shows.
    let outer = tempfile::tempdir().expect("tmp");
    let site_dir = outer.path().join("site");
    super::copy_dir(&fixtures().join("ok-basic"), &site_dir);
    let root = site_dir.to_str().expect("utf-8").to_string();
    let log = "+ ../../../tmp/evil build\n../../x/../../etc: Permission denied while opening /etc/shadow for the frobnicator\nRun ../../escape\nerror: ../..\\..\\x cannot load the widget registry at /a/b.json\n";
    let before_parent = super::snapshot(outer.path());
    let run = gaps_stdin(&["--new", &root, "-"], log.as_bytes()).ok();
    let after = super::snapshot(outer.path());
    let new: Vec<&String> = after
        .iter()
        .map(|(p, _)| p)
        .filter(|p| !before_parent.iter().any(|(q, _)| q == *p))
        .collect();
    assert!(!new.is_empty(), "{}", run.stderr());
    for p in new {
        assert!(
            Path::new(p).starts_with("site/content"),
            "{p} is outside the site's content/"
        );
    }
}

#[test]
fn terminal_escapes_in_logs_never_reach_the_terminal() {
    let log = "error: \x1b]0;pwned\x07widget \x1b[31mexploded\x1b[0m at \u{202e}/srv/x\u{202c} with code 5\x1b[2J\n";
    for format in ["human", "json", "markdown"] {
        let run = gaps_stdin(&["--format", format, "-"], log.as_bytes()).ok();
        let out = run.stdout() + &run.stderr();
        assert!(!out.contains('\x1b'), "{format}: {out:?}");
        assert!(!out.contains('\u{202e}'), "{format}: {out:?}");
        assert!(!out.contains('\x07'), "{format}: {out:?}");
        assert!(out.contains("exploded"), "{format}: {out}");
    }
}

#[test]
fn huge_lines_binary_data_and_empty_input() {
    let tmp = tempfile::tempdir().expect("tmp");
    let huge = tmp.path().join("huge.log");
    let mut text = "error: the blob store rejected the upload ".to_string();
    text.push_str(&"x".repeat(3 << 20));
    text.push_str("\nerror: the blob store rejected the upload again\n");
    std::fs::write(&huge, text).expect("write");
    let bin = tmp.path().join("core.bin");
    let mut garbage = vec![0u8, 159, 146, 150];
    garbage.extend((0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&bin, garbage).expect("write");
    let empty = tmp.path().join("empty.log");
    std::fs::write(&empty, "").expect("write");

    let run = gaps(&["--format", "json", tmp.path().to_str().expect("utf-8")]).ok();
    let v = json(&run);
    assert_eq!(v["logs"], 2, "the binary file is skipped: {v}");
    assert!(
        run.stderr()
            .contains("core.bin: binary data, not a log; skipped"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("longer than 1 MiB"),
        "{}",
        run.stderr()
    );
    for g in v["gaps"].as_array().expect("gaps") {
        assert!(g["template"].as_str().expect("t").len() <= 400, "{g}");
        assert!(
            g["examples"][0]["line"].as_str().expect("l").len() <= 400,
            "{g}"
        );
    }

    let none = gaps_stdin(&[], b"").ok();
    assert_eq!(none.stdout(), "");
    assert!(
        none.stderr().contains("1 log read (0 lines)"),
        "{}",
        none.stderr()
    );

    assert_eq!(v["skipped"][0]["reason"], "binary data, not a log", "{v}");

    let no_site = gaps(&["--new", tmp.path().to_str().expect("utf-8"), "-"]).fails(2);
    assert!(
        no_site.stderr().contains("no content/ folder there"),
        "{}",
        no_site.stderr()
    );

    let missing = gaps(&["no/such/log.txt"]).fails(2);
    assert!(
        missing.stderr().contains("cannot read no/such/log.txt"),
        "{}",
        missing.stderr()
    );
}

#[test]
fn the_template_cap_drops_the_rarest_and_says_so() {
    let mut log = String::new();
    for i in 0..200 {
        // 200 distinct wordings (letters, not slots), one of them repeated.
        let w: String = (0..4)
            .map(|k| char::from(b'a' + ((i >> (k * 2)) % 26) as u8))
            .collect();
        // Two of eight tokens differ: too many for clustering to merge them.
        log.push_str(&format!("error: the {w} {w} subsystem refused to start\n"));
    }
    for _ in 0..5 {
        log.push_str("error: the common common subsystem refused to start\n");
    }
    let run = gaps_stdin(
        &["--format", "json", "--max-templates", "10", "-"],
        log.as_bytes(),
    )
    .ok();
    let v = json(&run);
    assert!(v["dropped_templates"].as_u64().expect("dropped") > 0, "{v}");
    assert_eq!(
        v["gaps"][0]["template"],
        "error: the common common subsystem refused to start"
    );
}

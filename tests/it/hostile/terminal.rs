//! Terminal output cannot be hijacked; remote catalogs are bounded and validated.
//!
//! A catalog or an entry can come from anyone's server (`--catalog https://…`), and a
//! knowledge base takes pull requests: what errkb prints must never reach the terminal
//! as a control sequence (clipboard writes, fake links, a cleared screen, reordered
//! text). Each hostile string below must come out visible and inert.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::{Run, Site, run_in};

/// Writes the clipboard (OSC 52), draws a fake link (OSC 8), clears the screen, starts
/// an 8-bit CSI (C1), reverses the text (bidi override), returns the cursor (CR) and
/// rings the bell: everything a terminal would act on.
const EVIL: &str = "safe\x1b]52;c;cm0gLXJmIH4K\x07\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\\x1b[2J\x1b[H\u{9b}31m\u{202e}desrever\u{2066}\rFAKE\u{7f}\u{200f}\u{61c}\u{200b}end";

/// Characters that must never reach stdout or stderr raw.
const ACTIVE: &[char] = &[
    '\x1b', '\x07', '\r', '\u{7f}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{200f}', '\u{61c}',
    '\u{200b}',
];

#[track_caller]
fn assert_inert(what: &str, out: &str) {
    for c in ACTIVE {
        assert!(
            !out.contains(*c),
            "{what}: raw U+{:04X} in output:\n{out:?}",
            *c as u32
        );
    }
}

/// A built site's `api/` folder with one hostile entry, as a server would publish it.
fn hostile_api(dir: &Path) -> std::path::PathBuf {
    let api = dir.join("api");
    std::fs::create_dir_all(api.join("demo")).expect("mkdir");
    let catalog = json!({
        "version": 1,
        "entries": [{
            "id": "demo/evil",
            "url": format!("https://kb.example.org/demo/evil/{EVIL}"),
            "title": format!("demo: evil failed {EVIL}"),
            "summary": EVIL,
            "likely_cause": EVIL,
            "patterns": ["demo: evil failed"],
            "first_fix": format!("echo one {EVIL}\necho two {EVIL}"),
        }]
    });
    std::fs::write(api.join("entries.json"), catalog.to_string()).expect("write");
    let step = json!({"title": EVIL, "text": EVIL, "run": format!("echo {EVIL}"), "expect": EVIL});
    let entry = json!({
        "id": {"tool": "demo", "slug": "evil"},
        "title": format!("demo: evil failed {EVIL}"),
        "summary": EVIL,
        "likely_cause": EVIL,
        "fix": [step, {"text": EVIL}],
        "verify": [step],
        "confirm": [step],
        "check": [{"text": EVIL}],
        "unsafe": [{"do_not": EVIL, "why": EVIL}],
    });
    std::fs::write(api.join("demo/evil.json"), entry.to_string()).expect("write");
    api.join("entries.json")
}

fn log_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tmp");
    std::fs::write(
        d.path().join("ci.log"),
        "step 1\ndemo: evil failed \u{202e}here\x1b]52;c;eA==\x07\n",
    )
    .expect("write");
    d
}

#[test]
fn match_prints_catalog_strings_inert() {
    let d = log_dir();
    let cat = hostile_api(d.path());
    let cat = cat.to_str().expect("path");
    for format in ["human", "github"] {
        let r = run_in(
            d.path(),
            &["match", "--format", format, "--catalog", cat, "ci.log"],
        )
        .ok();
        assert_inert(format, &r.stdout());
        assert_inert(format, &r.stderr());
        // Shown, not hidden: the reader sees that something odd is there.
        assert!(r.stdout().contains(r"\u{1b}]52;c;"), "{}", r.stdout());
        assert!(r.stdout().contains(r"\u{202e}desrever"), "{}", r.stdout());
    }
    // The human form keeps the fix's line breaks (they are meant), nothing else.
    let r = run_in(d.path(), &["match", "--catalog", cat, "ci.log"]).ok();
    assert!(
        r.stdout().contains("\n       echo two safe"),
        "{}",
        r.stdout()
    );
}

#[test]
fn match_json_carries_the_exact_strings_escaped() {
    let d = log_dir();
    let cat = hostile_api(d.path());
    let r = run_in(
        d.path(),
        &[
            "match",
            "--format",
            "json",
            "--catalog",
            cat.to_str().expect("path"),
            "ci.log",
        ],
    )
    .ok();
    // Printed to a terminal, JSON must be as inert as text; parsed, it is the same data.
    assert_inert("json", &r.stdout());
    let v: serde_json::Value = serde_json::from_str(r.stdout().trim()).expect("json");
    assert_eq!(v["likely_cause"], EVIL);
    assert_eq!(v["title"], format!("demo: evil failed {EVIL}"));
}

#[test]
fn explain_prints_entry_strings_inert() {
    let d = log_dir();
    let cat = hostile_api(d.path());
    let cat = cat.to_str().expect("path");
    for query in ["demo/evil", "demo: evil failed \u{202e}x"] {
        let r = run_in(d.path(), &["explain", query, "--catalog", cat]).ok();
        let out = r.stdout();
        assert_inert(query, &out);
        assert_inert(query, &r.stderr());
        for part in [
            "Apply the safe fix",
            "Verify it works",
            "don't:",
            r"\u{1b}[2J",
        ] {
            assert!(out.contains(part), "{part}: {out}");
        }
    }
}

/// Serves `dir` over HTTP on 127.0.0.1 until the test ends.
fn serve(dir: &Path) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("bind");
    let port = server.server_addr().to_ip().expect("ip").port();
    let root = dir.to_path_buf();
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let path = root.join(req.url().trim_start_matches('/'));
            let resp = match std::fs::read(&path) {
                Ok(b) => tiny_http::Response::from_data(b),
                Err(_) => {
                    tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404)
                }
            };
            let _ = req.respond(resp);
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[test]
fn remote_catalog_over_http_is_inert() {
    let d = log_dir();
    hostile_api(d.path());
    let url = format!("{}/api/entries.json", serve(d.path()));
    let r = run_in(d.path(), &["explain", "demo/evil", "--catalog", &url]).ok();
    assert_inert("explain over http", &r.stdout());
    assert!(r.stdout().contains("Apply the safe fix"), "{}", r.stdout());
    let r = run_in(d.path(), &["match", "--catalog", &url, "ci.log"]).ok();
    assert_inert("match over http", &r.stdout());
}

/// Runs errkb as on a terminal that asked for colour.
fn run_coloured(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("ERRKB_BASE_URL")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .expect("run errkb");
    Run(out)
}

#[test]
fn errkbs_own_colours_still_work() {
    let d = log_dir();
    let cat = hostile_api(d.path());
    let cat = cat.to_str().expect("path");
    for args in [
        vec!["match", "--catalog", cat, "ci.log"],
        vec!["explain", "demo/evil", "--catalog", cat],
    ] {
        let r = run_coloured(d.path(), &args).ok();
        let out = r.stdout();
        // errkb's styles (SGR `ESC [ … m`) are there; the hostile sequences are not.
        assert!(out.contains("\x1b[1m"), "{args:?}: {out:?}");
        assert!(!out.contains("\x1b]"), "{args:?}: {out:?}");
        assert!(!out.contains("\x1b[2J"), "{args:?}: {out:?}");
        assert!(!out.contains('\u{202e}') && !out.contains('\r'), "{out:?}");
    }
}

#[test]
fn check_output_is_inert_in_every_format() {
    let s = Site::new("ok-basic");
    // A key and a value that end up in messages, and a file name that ends up in paths.
    s.write(
        "content/demo/odd.md",
        "---\ntitle: \"demo: odd\"\nsummary: s\nlikely_cause: c\npatterns: [\"demo: odd input failed\"]\nfix: [x]\nunsafe: [{do_not: a, why: b}]\nverify: [y]\n\"\\e]52;c;eA==\\a\\u202Ekey\": 1\ntags: [\"\\e[2J\\u009B\"]\n---\n",
    );
    s.write("content/demo/name\x1b]8;;http:\x07\u{202e}.md", "x");
    for format in ["human", "github", "json"] {
        let r = s.run(&["check", "--format", format]).fails(1);
        assert_inert(format, &r.stdout());
        assert_inert(format, &r.stderr());
        assert!(r.stdout().contains("odd.md"), "{format}: {}", r.stdout());
    }
    // With colour on, errkb's own SGR sequences are the only escapes.
    let r = run_coloured(s.root(), &["check"]).fails(1);
    let sgr = regex::Regex::new("\x1b\\[[0-9;]*m").expect("regex");
    assert!(sgr.is_match(&r.stdout()), "{:?}", r.stdout());
    assert_inert("coloured", &sgr.replace_all(&r.stdout(), ""));
}

#[test]
fn commands_with_hidden_characters_are_errors() {
    let s = Site::new("ok-basic");
    let cases = [
        ("esc", r#""printf ok\e[8m; rm -rf ~""#, "U+001B"),
        ("cr", r#""echo safe\rrm -rf ~""#, "U+000D"),
        ("bidi", r#""echo \u202Egnp.exe""#, "U+202E"),
        ("isolate", r#""ls \u2066x\u2069""#, "U+2066"),
        (
            "zero-width",
            r#""curl https://exa\u200Bmple.org/""#,
            "U+200B",
        ),
        ("bom", r#""ls \uFEFFx""#, "U+FEFF"),
    ];
    for (name, run, _) in &cases {
        s.write(
            &format!("content/demo/{name}.md"),
            &format!(
                "---\ntitle: \"demo: {name} failed\"\nsummary: s\nlikely_cause: c\npatterns: [\"demo: {name} input failed\"]\nfix:\n  - title: t\n    run: {run}\nunsafe: [{{do_not: a, why: b}}]\nverify: [y]\n---\n"
            ),
        );
    }
    // Written raw in the file (not as a YAML escape): the error points at the character.
    s.write(
        "content/demo/raw.md",
        "---\ntitle: \"demo: raw failed\"\nsummary: s\nlikely_cause: c\npatterns: [\"demo: raw input failed\"]\nverify:\n  - run: \"echo ok\"\nfix:\n  - run: \"echo \u{202e}gnp.exe\"\nunsafe: [{do_not: a, why: b}]\n---\n",
    );
    let r = s.run(&["check", "--format", "json"]).fails(1);
    let diags: Vec<serde_json::Value> = r
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    for (name, _, code) in &cases {
        let file = format!("content/demo/{name}.md");
        let d = diags
            .iter()
            .find(|d| {
                d["file"] == file.as_str()
                    && d["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("command holds"))
            })
            .unwrap_or_else(|| panic!("no diagnostic for {file}: {}", r.stdout()));
        assert_eq!(d["severity"], "error", "{d}");
        assert_eq!(d["line"], 8, "{d}");
        assert!(d["message"].as_str().expect("msg").contains(code), "{d}");
    }
    let d = diags
        .iter()
        .find(|d| d["file"] == "content/demo/raw.md" && d["severity"] == "error")
        .unwrap_or_else(|| panic!("raw: {}", r.stdout()));
    assert_eq!(
        (d["line"].as_u64(), d["col"].as_u64()),
        (Some(9), Some(16)),
        "{d}"
    );
    // Prose may hold them: a right-to-left language needs its marks.
    s.write(
        "content/demo/prose.md",
        "---\ntitle: \"demo: prose failed\"\nsummary: \"\u{200f}\u{202b}x\u{202c}\"\nlikely_cause: c\npatterns: [\"demo: prose input failed\"]\nfix: [{title: \"\u{200f}t\", run: \"echo ok\"}]\nunsafe: [{do_not: \"a\u{202e}\", why: b}]\nverify: [y]\n---\n",
    );
    let r = s.run(&["check", "--format", "json"]).fails(1);
    assert!(
        !r.stdout()
            .lines()
            .any(|l| l.contains("prose.md") && l.contains("\"error\"")),
        "{}",
        r.stdout()
    );
}

#[test]
fn catalog_id_with_dot_dot_cannot_read_other_files() {
    let d = tempfile::tempdir().expect("tmp");
    let api = d.path().join("kb/api");
    std::fs::create_dir_all(&api).expect("mkdir");
    // A file that is not an entry, outside the api folder.
    std::fs::write(
        d.path().join("kb/secret.json"),
        json!({"title": "SECRET TOKEN abc123", "summary": "s", "likely_cause": "c"}).to_string(),
    )
    .expect("write");
    for id in [
        "../secret",
        "demo/../../secret",
        "demo/x/../../../secret",
        "Demo/X",
        "demo",
    ] {
        let catalog = json!({"entries": [{
            "id": id, "url": "https://x/", "title": "t", "likely_cause": "c",
            "patterns": ["demo: traversal marker text"]
        }]});
        std::fs::write(api.join("entries.json"), catalog.to_string()).expect("write");
        let r = run_in(
            d.path(),
            &[
                "explain",
                "demo: traversal marker text",
                "--catalog",
                "kb/api/entries.json",
            ],
        )
        .fails(2);
        assert!(!r.stdout().contains("SECRET"), "{id}: {}", r.stdout());
        assert!(
            r.stderr().contains("entries[0].id") && r.stderr().contains("not an entry id"),
            "{id}: {}",
            r.stderr()
        );
    }
}

#[test]
fn catalog_types_are_checked_with_the_field_named() {
    let d = tempfile::tempdir().expect("tmp");
    let ok = json!({"id": "demo/x", "url": "https://x/", "title": "t", "likely_cause": "c", "patterns": ["demo: typed marker text"]});
    let with = |k: &str, v: serde_json::Value| {
        let mut e = ok.clone();
        e[k] = v;
        json!({ "entries": [ok.clone(), e] })
    };
    let cases = [
        (json!({"entries": {"a": 1}}), "entries"),
        (json!([1, 2]), "entries"),
        (json!({"entries": [1]}), "entries[0]"),
        (with("title", json!(5)), "entries[1].title"),
        (with("patterns", json!("demo: x")), "entries[1].patterns"),
        (with("patterns", json!([5])), "entries[1].patterns[0]"),
        (
            with("first_fix", json!({"run": "x"})),
            "entries[1].first_fix",
        ),
        (with("url", serde_json::Value::Null), "entries[1].url"),
    ];
    for (cat, field) in &cases {
        std::fs::write(d.path().join("entries.json"), cat.to_string()).expect("write");
        let r = run_in(d.path(), &["match", "--catalog", "entries.json", "-"]).fails(2);
        assert!(!r.stderr().contains("panicked"), "{}", r.stderr());
        assert!(
            r.stderr().contains(&format!("{field}:")) || r.stderr().contains(&format!("`{field}`")),
            "{field}: {}",
            r.stderr()
        );
    }
    // An entry file of the wrong shape is an error too, never a half-empty page.
    std::fs::create_dir_all(d.path().join("demo")).expect("mkdir");
    std::fs::write(
        d.path().join("entries.json"),
        json!({"entries": [ok]}).to_string(),
    )
    .expect("write");
    for (entry, field) in [
        (
            json!({"title": 5, "summary": "s", "likely_cause": "c"}),
            "title",
        ),
        (
            json!({"title": "t", "summary": "s", "likely_cause": "c", "fix": "x"}),
            "fix",
        ),
        (
            json!({"title": "t", "summary": "s", "likely_cause": "c", "fix": [{"run": 5}]}),
            "fix[0].run",
        ),
        (
            json!({"title": "t", "summary": "s", "likely_cause": "c", "unsafe": [{"do_not": "x"}]}),
            "unsafe[0].why",
        ),
        (json!("just a string"), "entry"),
    ] {
        std::fs::write(d.path().join("demo/x.json"), entry.to_string()).expect("write");
        let r = run_in(
            d.path(),
            &["explain", "demo/x", "--catalog", "entries.json"],
        )
        .fails(2);
        assert!(r.stderr().contains(field), "{field}: {}", r.stderr());
        assert!(!r.stderr().contains("panicked"), "{}", r.stderr());
    }
}

/// Runs errkb and kills it after `limit`: the test fails instead of hanging.
fn run_bounded(cwd: &Path, args: &[&str], limit: Duration) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            child
                .stderr
                .take()
                .expect("stderr")
                .read_to_string(&mut err)
                .expect("read");
            return (status.code(), err);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return (None, format!("still running after {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn catalog_reads_are_capped_and_never_hang() {
    let d = tempfile::tempdir().expect("tmp");
    // Larger than the cap, without using the disk (a sparse file).
    let big = d.path().join("big.json");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(65 << 20))
        .expect("sparse file");
    let fifo = d.path().join("fifo.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    for (what, loc, want) in [
        ("/dev/zero", "/dev/zero".to_string(), "64 MiB"),
        ("a 65 MiB file", big.display().to_string(), "64 MiB"),
        (
            "a FIFO nobody writes to",
            fifo.display().to_string(),
            "empty",
        ),
        ("a folder", d.path().display().to_string(), "cannot read"),
    ] {
        for cmd in ["match", "explain"] {
            let args = if cmd == "match" {
                vec!["match", "--catalog", &loc, "-"]
            } else {
                vec!["explain", "demo/x", "--catalog", &loc]
            };
            let (code, err) = run_bounded(d.path(), &args, Duration::from_secs(10));
            assert_eq!(code, Some(2), "{cmd} on {what}: {err}");
            assert!(err.contains(want), "{cmd} on {what}: {err}");
        }
    }
}

#[test]
fn remote_catalog_size_is_capped() {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("bind");
    let port = server.server_addr().to_ip().expect("ip").port();
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            std::thread::spawn(move || {
                // An endless body, sent without a length.
                let body = std::io::repeat(b' ').take(1 << 34);
                let resp = tiny_http::Response::new(200.into(), vec![], body, None, None);
                let _ = req.respond(resp);
            });
        }
    });
    let d = tempfile::tempdir().expect("tmp");
    let url = format!("http://127.0.0.1:{port}/api/entries.json");
    let (code, err) = run_bounded(
        d.path(),
        &["match", "--catalog", &url, "-"],
        Duration::from_secs(10),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("64 MiB"), "{err}");
    // Standard input carries the log: it cannot be the catalog too.
    let r = run_in(d.path(), &["match", "--catalog", "-"]).fails(2);
    assert!(r.stderr().contains("standard input"), "{}", r.stderr());
}

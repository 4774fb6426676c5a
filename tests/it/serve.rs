//! `errkb serve`: a real server on a free port over a temporary copy of a fixture.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Site, snapshot};

/// The server process; killed when the test ends, however it ends.
pub(crate) struct Server {
    pub child: Child,
    pub url: String,
}

impl Server {
    /// `127.0.0.1:PORT`, for raw connections.
    pub(crate) fn addr(&self) -> &str {
        self.url.trim_start_matches("http://").trim_end_matches('/')
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start(site: &Site) -> Server {
    start_with(site, true)
}

/// Starts the server with `--root DIR`, or (as a user would) from inside the site.
fn start_with(site: &Site, root_flag: bool) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_errkb"));
    cmd.args(["serve", "--port", "0", "--quiet"])
        .current_dir(site.root());
    if root_flag {
        cmd.arg("--root").arg(site.root());
    }
    spawn(cmd)
}

/// Runs a prepared `errkb serve` command and waits for the URL it prints.
pub(crate) fn spawn(mut cmd: Command) -> Server {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start errkb serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read url");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    Server { child, url }
}

pub(crate) fn get(url: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent.get(url).call().expect("request");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap_or_default())
}

fn status(s: &Server) -> serde_json::Value {
    serde_json::from_str(&get(&format!("{}__errkb/status", s.url)).1).expect("status json")
}

/// Waits until the server's build status satisfies `ok` (an editor's save can take
/// more than one rebuild, so tests wait for a state, not a count).
fn wait_for(s: &Server, what: &str, ok: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let t = Instant::now();
    loop {
        let st = status(s);
        if ok(&st) {
            return st;
        }
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}: {st}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until `page` is served with `needle` in it (the edit has been rebuilt).
pub(crate) fn wait_served(page: &str, needle: &str) {
    let t = Instant::now();
    while !get(page).1.contains(needle) {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "edit never served: {needle}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A plain `GET target` as a browser on this machine sends it.
fn get_req(s: &Server, target: &str) -> String {
    format!(
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        s.addr()
    )
}

fn raw(s: &Server, request: &str) -> String {
    let mut c = TcpStream::connect(s.addr()).expect("connect");
    c.write_all(request.as_bytes()).expect("write");
    let mut out = String::new();
    let _ = c.read_to_string(&mut out);
    out
}

#[test]
fn serves_rebuilds_and_reports_problems() {
    let site = Site::new("ok-basic");
    let s = start(&site);
    let (code, home) = get(&s.url);
    assert_eq!(code, 200);
    assert!(home.contains("Demo KB"));
    assert!(
        home.contains("/__errkb/livereload.js"),
        "live reload injected"
    );
    assert!(!site.path("public").exists(), "serve never writes public/");

    // An edit is served after the rebuild.
    let page = format!("{}demo/widget-locked/", s.url);
    let text = site.read("content/demo/widget-locked.md");
    site.write(
        "content/demo/widget-locked.md",
        &text.replace(
            "Demo takes a lock per widget.",
            "Demo takes one lock per widget, freshly edited.",
        ),
    );
    wait_served(&page, "freshly edited");

    // A broken entry keeps the last good site and reports file and line.
    site.write(
        "content/demo/widget-locked.md",
        &text.replace("verify:", "verfy:"),
    );
    let st = wait_for(&s, "problems", |st| !st["problems"].is_null());
    let problems = st["problems"].to_string();
    assert!(
        problems.contains("content/demo/widget-locked.md")
            && problems.contains("unknown key `verfy`"),
        "{problems}"
    );
    assert!(problems.contains("\"line\":"), "{problems}");
    let (code, body) = get(&page);
    assert_eq!(code, 200);
    assert!(
        body.contains("freshly edited"),
        "last good page still served"
    );

    // Fixing it clears the problems; deleting an entry makes its page a 404.
    site.write("content/demo/widget-locked.md", &text);
    wait_for(&s, "a clean build", |st| st["problems"].is_null());
    std::fs::remove_file(site.path("content/demo/crlf-bom.md")).expect("rm");
    let gone = format!("{}demo/crlf-bom/", s.url);
    let t = Instant::now();
    while get(&gone).0 != 404 {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "deleted entry still served"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (code, body) = get(&gone);
    assert_eq!(code, 404);
    assert!(body.contains("Page not found"));
}

#[test]
fn refuses_paths_outside_the_site() {
    let site = Site::new("ok-basic");
    let s = start(&site);
    for target in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/demo/../../x",
        "//etc/passwd",
    ] {
        let resp = raw(&s, &get_req(&s, target));
        let code = resp.split_whitespace().nth(1).unwrap_or("");
        assert!(code == "400" || code == "404", "{target}: {resp}");
        assert!(
            !resp.contains("[package]") && !resp.contains("root:"),
            "{target} leaked"
        );
    }
    let resp = raw(&s, &get_req(&s, "/demo"));
    assert!(
        resp.starts_with("HTTP/1.1 301") && resp.contains("Location: /demo/"),
        "{resp}"
    );
    let resp = raw(&s, &get_req(&s, "/"));
    assert!(resp.contains("Cache-Control: no-cache"), "{resp}");
}

#[test]
fn folder_redirect_keeps_the_query_and_sends_security_headers() {
    let site = Site::new("ok-basic");
    let s = start(&site);
    let resp = raw(&s, &get_req(&s, "/demo?x=1&y=%20z")).to_ascii_lowercase();
    assert!(
        resp.starts_with("http/1.1 301") && resp.contains("\r\nlocation: /demo/?x=1&y=%20z\r\n"),
        "{resp}"
    );
    for target in ["/", "/demo/", "/__errkb/livereload.js", "/nope/"] {
        let resp = raw(&s, &get_req(&s, target)).to_ascii_lowercase();
        assert!(
            resp.contains("\r\nx-content-type-options: nosniff\r\n"),
            "{target}: {resp}"
        );
        assert!(
            resp.contains("\r\ncross-origin-resource-policy: same-origin\r\n"),
            "{target}: {resp}"
        );
    }
}

#[test]
fn sends_reload_after_the_rebuild() {
    let site = Site::new("ok-basic");
    let s = start(&site);
    let mut c = TcpStream::connect(s.addr()).expect("connect");
    c.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    c.write_all(format!("GET /__errkb/events HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr()).as_bytes())
        .expect("write");
    let mut reader = BufReader::new(c);
    let mut seen = String::new();
    while !seen.contains("connected") {
        let mut l = String::new();
        assert!(
            reader.read_line(&mut l).expect("read") > 0,
            "stream ended: {seen}"
        );
        seen.push_str(&l);
    }
    let text = site.read("content/web/tls-handshake-failed.md");
    site.write(
        "content/web/tls-handshake-failed.md",
        &text
            .replace("Windows editors.", "x")
            .replace("Weak ciphers", "Weak old ciphers"),
    );
    while !seen.contains("event: reload") {
        let mut l = String::new();
        assert!(
            reader.read_line(&mut l).expect("read") > 0,
            "stream ended: {seen}"
        );
        seen.push_str(&l);
    }
}

#[test]
fn serves_what_build_writes_byte_for_byte() {
    let site = Site::new("ok-basic");
    let s = start(&site);
    // One edit first, so the comparison covers pages reused from the previous build
    // (unchanged entries) as well as re-rendered ones.
    replace_in(
        &site,
        "content/web/tls-handshake-failed.md",
        "Weak ciphers can be broken.",
        "Weak ciphers can be broken, today.",
    );
    let page = format!("{}web/tls-handshake-failed/", s.url);
    wait_served(&page, "broken, today.");
    // Then an entry in the YAML form, whose text shows in lists, the API and search.
    replace_in(
        &site,
        "content/demo/yaml-form.yaml",
        "Demo looks for",
        "Demo, edited twice, looks for",
    );
    wait_served(
        &format!("{}demo/yaml-form/", s.url),
        "Demo, edited twice, looks for",
    );
    assert_serves_build(&site, &s);
}

/// Rewrites `path` with `from` replaced by `to` (which must occur) and returns the text
/// it had before.
fn replace_in(site: &Site, path: &str, from: &str, to: &str) -> String {
    let text = site.read(path);
    assert!(text.contains(from), "{path} has no {from:?}");
    site.write(path, &text.replace(from, to));
    text
}

/// Waits for the search index of the served pages, then checks that every file `errkb
/// build` writes for the site as it is now is served with the same bytes.
fn assert_serves_build(site: &Site, s: &Server) {
    // Pages are served first; the search index follows them.
    wait_for(s, "the search index of the last build", |st| {
        st["indexed"] == st["generation"] && st["problems"].is_null()
    });
    site.run(&["build", "-q", "--base-url", &s.url]).ok();
    let snippet = "<script src=\"/__errkb/livereload.js\"></script>\n";
    let mut checked = 0;
    for (path, bytes) in snapshot(&site.path("public")) {
        if path == ".errkb-output" {
            continue;
        }
        let url = format!("{}{}", s.url, path.trim_end_matches("index.html"));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent.get(&url).call().expect("request");
        let served = r
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .expect("body");
        let served = if path.ends_with(".html") {
            String::from_utf8(served)
                .expect("utf8")
                .replacen(snippet, "", 1)
                .into_bytes()
        } else {
            served
        };
        assert_eq!(served, bytes, "{path} differs");
        checked += 1;
    }
    assert!(checked > 20, "{checked}");
}

/// Waits until `url` answers with `code`.
fn wait_status(url: &str, code: u16) {
    let t = Instant::now();
    while get(url).0 != code {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "{url} never answered {code}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

const NEW_ENTRY: &str = "---
title: \"fatal: gadget <name> overheated\"
summary: \"The demo gadget stopped because it got too hot.\"
likely_cause: \"It ran for hours without a pause.\"
patterns:
  - \"fatal: gadget <name> overheated\"
examples:
  - \"fatal: gadget beta overheated\"
fix:
  - title: \"Let it cool\"
    text: \"Wait a few minutes before the next run.\"
unsafe:
  - do_not: \"Cool it with water\"
    why: \"Gadgets are electrical.\"
verify:
  - title: \"Run again\"
    run: \"demo run --gadget beta\"
related: [demo/widget-locked]
tags: [demo-tool, heat]
updated: 2024-06-02
---

## Why it happens

Gadgets heat up.
";

/// Serve answers each kind of change (they take different ways through a rebuild: a
/// re-read of one file, a walk of the tree, every page at once) with what a fresh build
/// of the changed site writes.
#[test]
fn serves_what_build_writes_after_every_kind_of_change() {
    let site = Site::new("ok-basic");
    // A template of the site's own, there before the server starts watching.
    let robots = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/robots.txt"),
    )
    .expect("built-in robots.txt");
    site.write("templates/robots.txt", &robots);
    let s = start(&site);
    assert_serves_build(&site, &s);

    // A new entry (a file the last load did not know).
    site.write("content/demo/gadget-hot.md", NEW_ENTRY);
    wait_status(&format!("{}demo/gadget-hot/", s.url), 200);
    assert_serves_build(&site, &s);

    // Its body edited (the file alone is read again).
    site.write(
        "content/demo/gadget-hot.md",
        &NEW_ENTRY.replace("Gadgets heat up.", "Gadgets heat up, edited."),
    );
    wait_served(&format!("{}demo/gadget-hot/", s.url), "heat up, edited.");
    assert_serves_build(&site, &s);

    // Renamed: the old page goes, the new one comes.
    std::fs::rename(
        site.path("content/demo/gadget-hot.md"),
        site.path("content/demo/gadget-overheated.md"),
    )
    .expect("rename");
    wait_status(&format!("{}demo/gadget-overheated/", s.url), 200);
    wait_status(&format!("{}demo/gadget-hot/", s.url), 404);
    assert_serves_build(&site, &s);

    // Deleted.
    std::fs::remove_file(site.path("content/demo/gadget-overheated.md")).expect("rm");
    wait_status(&format!("{}demo/gadget-overheated/", s.url), 404);
    assert_serves_build(&site, &s);

    // The tool's name, the site's title and a template: every page changes.
    let tool = site.read("content/demo/_tool.yaml");
    site.write(
        "content/demo/_tool.yaml",
        &tool.replace("Demo Tool", "Demo Gadgetry"),
    );
    wait_served(&s.url, "Demo Gadgetry");
    assert_serves_build(&site, &s);
    let config = site.read("errkb.yaml");
    site.write("errkb.yaml", &config.replace("Demo KB", "Demo KB, renamed"));
    wait_served(&s.url, "Demo KB, renamed");
    assert_serves_build(&site, &s);
    site.write("templates/robots.txt", &format!("{robots}# edited\n"));
    wait_served(&format!("{}robots.txt", s.url), "# edited");
    assert_serves_build(&site, &s);

    // An edit that breaks the entry shows the problems and keeps the last good site;
    // the fix is served like any edit.
    let text = replace_in(&site, "content/demo/widget-locked.md", "verify:", "verfy:");
    let st = wait_for(&s, "problems", |st| !st["problems"].is_null());
    assert!(st["problems"].to_string().contains("unknown key `verfy`"));
    site.write(
        "content/demo/widget-locked.md",
        &text.replace("More text.", "More text, fixed."),
    );
    wait_served(
        &format!("{}demo/widget-locked/", s.url),
        "More text, fixed.",
    );
    assert_serves_build(&site, &s);
}

#[test]
fn rebuilds_when_run_from_inside_the_site() {
    let site = Site::new("ok-basic");
    let s = start_with(&site, false);
    let page = format!("{}demo/yaml-form/", s.url);
    let text = site.read("content/demo/yaml-form.yaml");
    site.write(
        "content/demo/yaml-form.yaml",
        &text.replace(
            "Demo looks for",
            "Demo, edited from the site folder, looks for",
        ),
    );
    wait_served(&page, "edited from the site folder");
}

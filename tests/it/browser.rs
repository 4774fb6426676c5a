//! Real-browser tests in headless Chromium (Debian's `chromium`), driven over the
//! DevTools protocol. They are `#[ignore]`d so a plain `cargo test` passes without a
//! browser; `.ci/run` installs Chromium, axe-core and vnu and runs them with
//! `cargo test --test it browser -- --ignored`, where a missing browser is a failure.
//!
//! Environment: `ERRKB_CHROMIUM` (default `/usr/bin/chromium`), `AXE_JS` (axe.min.js from
//! npm's axe-core), `VNU_JAR` (vnu.jar from npm's vnu-jar), `ERRKB_SCREENSHOTS=1` to
//! write the screenshots in `docs/screenshots/`.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use errkb::serve::http::{self as site_http, Files, Resolved};
use headless_chrome::protocol::cdp::Page;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::{Browser, LaunchOptions, Tab};

use crate::{Site, run_in};

mod i18n;
mod trust;

// ---------- a plain static server (what a deploy looks like) ----------

// Plain `std::net`, one thread and one request per connection. (With tiny_http, when a
// page had more requests in flight than Chromium's six connections per host, a response
// was now and then written by the server's account and never received, and the page
// waited for it forever.)
struct StaticServer {
    url: String,
    stop: Arc<std::sync::atomic::AtomicBool>,
    addr: std::net::SocketAddr,
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = std::net::TcpStream::connect(self.addr);
    }
}

/// Serves `dir` under `prefix` (`/` or `/kb/`), like any static host: no live reload.
fn serve_dir(dir: &Path, prefix: &str) -> StaticServer {
    let mut files = Files::default();
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let rel = e
            .path()
            .strip_prefix(dir)
            .expect("prefix")
            .to_string_lossy()
            .replace('\\', "/");
        files.insert(rel, Arc::new(std::fs::read(e.path()).expect("read")));
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let url = format!("http://127.0.0.1:{}{prefix}", addr.port());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let prefix = prefix.to_string();
    let files = Arc::new(files);
    let stopping = stop.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if stopping.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let files = files.clone();
            let prefix = prefix.clone();
            std::thread::spawn(move || answer(stream, &files, &prefix));
        }
    });
    StaticServer { url, stop, addr }
}

/// Reads one request (its line and headers; a `search/?q=` line can be megabytes) and
/// answers it, then closes the connection.
fn answer(mut stream: std::net::TcpStream, files: &Files, prefix: &str) {
    use std::io::{Read, Write};
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut head = Vec::new();
    let mut buf = [0u8; 65536];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 << 20 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let url = head.split(' ').nth(1).unwrap_or("/").to_string();
    let trace = std::env::var("ERRKB_TRACE").is_ok();
    if trace {
        eprintln!("serve_dir: <- {}", &url[..url.len().min(200)]);
    }
    let mut location = None;
    let (status, ctype, body) = match url.strip_prefix(prefix.trim_end_matches('/')) {
        Some(rest) if rest.starts_with('/') => match site_http::resolve(files, rest) {
            Resolved::File { path, bytes } => (200, site_http::content_type(&path), bytes.to_vec()),
            Resolved::Redirect(to) => {
                location = Some(format!("{}{}", prefix.trim_end_matches('/'), to));
                (301, "text/plain", Vec::new())
            }
            Resolved::NotFound(Some(p)) => (404, "text/html; charset=utf-8", p.to_vec()),
            _ => (404, "text/plain", b"not found".to_vec()),
        },
        _ => (404, "text/plain", b"not found".to_vec()),
    };
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        _ => "Not Found",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(to) = location {
        out.push_str(&format!("Location: {to}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&body);
    let r = stream.write_all(&bytes).and_then(|()| stream.flush());
    let _ = stream.shutdown(std::net::Shutdown::Write);
    if trace {
        eprintln!(
            "serve_dir: -> {} {status} {r:?}",
            &url[..url.len().min(200)]
        );
    }
}

/// The bundled knowledge base, built once per test process.
fn bundled() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("public");
        run_in(
            Path::new(env!("CARGO_MANIFEST_DIR")),
            &["build", "-q", "--output", out.to_str().expect("path")],
        )
        .ok();
        tmp
    })
    .path()
    .join("public")
    .leak()
}

// ---------- the browser ----------

fn chromium() -> PathBuf {
    let p = PathBuf::from(
        std::env::var("ERRKB_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
    );
    assert!(
        p.exists(),
        "Chromium not found at {} (apt-get install chromium, or set ERRKB_CHROMIUM)",
        p.display()
    );
    p
}

fn browser(width: u32, height: u32) -> Browser {
    let args: Vec<&OsStr> = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--force-color-profile=srgb",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    // A fresh profile per browser: two instances never share (or lock) one.
    let profile = tempfile::tempdir().expect("profile").keep();
    let opts = LaunchOptions::default_builder()
        .path(Some(chromium()))
        .user_data_dir(Some(profile))
        .sandbox(false)
        .headless(true)
        .window_size(Some((width, height)))
        .args(args)
        .idle_browser_timeout(Duration::from_secs(180))
        .build()
        .expect("launch options");
    Browser::new(opts).expect("start Chromium")
}

/// The browser's tab, brought to the front: a background tab may not finish loading
/// module scripts in headless mode.
fn front_tab(b: &Browser) -> Arc<Tab> {
    let tab = b.new_tab().expect("tab");
    tab.activate().expect("activate");
    tab.bring_to_front().expect("front");
    tab
}

/// Errors the page reports: exceptions, console.error, failed loads.
#[derive(Clone, Default)]
struct Console(Arc<Mutex<Vec<String>>>);

impl Console {
    fn attach(tab: &Arc<Tab>) -> Console {
        let c = Console::default();
        let sink = c.0.clone();
        tab.enable_log().expect("log");
        tab.enable_runtime().expect("runtime");
        tab.add_event_listener(Arc::new(move |ev: &Event| {
            let msg = match ev {
                Event::RuntimeExceptionThrown(e) => {
                    Some(format!("exception: {:?}", e.params.exception_details.text))
                }
                Event::LogEntryAdded(e) if format!("{:?}", e.params.entry.level) == "Error" => {
                    Some(format!(
                        "log: {} {:?}",
                        e.params.entry.text, e.params.entry.url
                    ))
                }
                Event::RuntimeConsoleAPICalled(e) if format!("{:?}", e.params.Type) == "Error" => {
                    Some(format!("console.error: {:?}", e.params.args))
                }
                _ => None,
            };
            if let Some(m) = msg
                && let Ok(mut v) = sink.lock()
            {
                v.push(m);
            }
        }))
        .expect("listener");
        c
    }

    fn take(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

/// Navigates and waits until the new page has loaded and its module scripts have run.
/// (Polls the page itself: the protocol's navigation events are racy.)
fn open(tab: &Arc<Tab>, url: &str) {
    tab.evaluate("window.__errkbOld = true", false).ok();
    tab.navigate_to(url).expect("navigate");
    let t = std::time::Instant::now();
    loop {
        let ready = tab
            .evaluate(
                "!window.__errkbOld && (performance.getEntriesByType('navigation')[0] || {}).domContentLoadedEventEnd > 0",
                false,
            )
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if ready {
            break;
        }
        if t.elapsed() > Duration::from_secs(30) {
            let state = tab
                .evaluate("location.href + ' ' + document.readyState + ' ' + !!window.__errkbOld + ' loaded: ' + performance.getEntriesByType('resource').map(e => e.name.split('/').pop() + ':' + Math.round(e.duration)).join(',')", false)
                .map(|r| r.value);
            panic!(
                "page did not load: {url} (tab at {}, {state:?})",
                tab.get_url()
            );
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    // Module scripts have run once DOMContentLoaded has finished; give them a frame.
    eval(
        tab,
        "new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))",
    );
}

fn eval(tab: &Arc<Tab>, js: &str) -> serde_json::Value {
    let wrapped = format!(
        "(async () => {{ try {{ const v = await ({js}); return JSON.stringify(v === undefined ? null : v); }} catch (e) {{ return JSON.stringify('JS ERROR: ' + (e && e.message)); }} }})()"
    );
    let r = tab
        .evaluate(&wrapped, true)
        .unwrap_or_else(|e| panic!("evaluate {js}: {e}"));
    let s = r
        .value
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "null".into());
    serde_json::from_str(&s).unwrap_or(serde_json::Value::Null)
}

/// Polls `cond` (a JS expression) in the page until it is truthy, returning its value.
fn wait_js(tab: &Arc<Tab>, cond: &str) -> serde_json::Value {
    let js = format!(
        "new Promise((resolve, reject) => {{ const t0 = Date.now(); const tick = () => {{ let v; try {{ v = ({cond}); }} catch (e) {{ v = null; }} if (v) resolve(v); else if (Date.now() - t0 > 20000) reject(new Error('timed out: ' + {q})); else setTimeout(tick, 25); }}; tick(); }})",
        q = serde_json::to_string(cond).expect("json")
    );
    let v = eval(tab, &js);
    if let Some(e) = v.as_str().filter(|s| s.starts_with("JS ERROR")) {
        let status = eval(
            tab,
            "[(document.querySelector('[data-search-status]') || {}).textContent, (document.querySelector('[data-search-page-status]') || {}).textContent]",
        );
        panic!("{e} (search status: {status})");
    }
    v
}

/// Serious and critical axe-core violations on the current page.
fn axe_violations(tab: &Arc<Tab>, axe_source: &str) -> Vec<serde_json::Value> {
    tab.evaluate(axe_source, false).expect("inject axe");
    let v = eval(
        tab,
        "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))",
    );
    v.as_array().cloned().unwrap_or_default()
}

/// Pastes `text` into the header search box as a user would (a paste event with data).
fn paste(tab: &Arc<Tab>, text: &str) {
    let js = format!(
        "(() => {{ const i = document.querySelector('input[type=search]'); i.focus(); const dt = new DataTransfer(); dt.setData('text/plain', {t}); i.dispatchEvent(new ClipboardEvent('paste', {{clipboardData: dt, bubbles: true, cancelable: true}})); return true; }})()",
        t = serde_json::to_string(text).expect("json")
    );
    eval(tab, &js);
}

fn first_result(tab: &Arc<Tab>) -> String {
    wait_js(tab, "document.querySelector('[data-search-result]') && document.querySelector('[data-search-result]').getAttribute('data-search-result')")
        .as_str()
        .unwrap_or("")
        .to_string()
}

// ---------- tests ----------

/// Copies the repository's `files` (at their paths) into a temporary folder with an empty
/// page, and serves it; the folder lives as long as the returned guard.
fn serve_repo_files(files: &[&str]) -> (tempfile::TempDir, StaticServer) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tmp");
    for f in files {
        let to = dir.path().join(f);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(root.join(f), to).expect("copy");
    }
    std::fs::write(
        dir.path().join("index.html"),
        "<!DOCTYPE html><title>checks</title>",
    )
    .expect("write");
    let srv = serve_dir(dir.path(), "/");
    (dir, srv)
}

/// Runs `script` (an expression giving a summary `"… N passed, M failed"`) in a page
/// served from a copy of the repository's `files`, at their paths, so the checkers'
/// relative imports (`../../static/…`) resolve; asserts that something passed and
/// nothing failed.
fn vectors_pass_in_chromium(files: &[&str], script: &str) {
    let (_dir, srv) = serve_repo_files(files);
    let b = browser(800, 600);
    let tab = front_tab(&b);
    open(&tab, &srv.url);
    let summary = eval(&tab, script);
    let s = summary.as_str().unwrap_or("");
    assert!(
        s.ends_with(" 0 failed") && !s.starts_with("0 passed") && !s.contains(" 0 passed"),
        "{s}"
    );
}

#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_pattern_vectors_pass_in_chromium() {
    vectors_pass_in_chromium(
        &[
            "static/pattern.js",
            "tests/js/vector-check.mjs",
            "tests/vectors/compiled.json",
        ],
        "(async () => { const engine = await import('/static/pattern.js'); const { checkVectors } = await import('/tests/js/vector-check.mjs'); const v = await (await fetch('/tests/vectors/compiled.json')).json(); const r = checkVectors(v, engine); return r.summary + (r.failed ? ' ' + JSON.stringify(r.failures.slice(0, 3)) : ''); })()",
    );
}

/// The tokenizer, shard hashing and ranking tie-breaks of `tests/vectors/search.json`
/// in the browser's own engine (Unicode tables and lower-casing are the browser's).
#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_search_vectors_pass_in_chromium() {
    vectors_pass_in_chromium(
        &[
            "static/tokenize.js",
            "static/search-tiers.js",
            "static/pattern.js",
            "static/limits.js",
            "static/say.js",
            "static/i18n.js",
            "tests/js/search-check.mjs",
            "tests/vectors/search.json",
        ],
        "(async () => { const { checkSearchVectors } = await import('/tests/js/search-check.mjs'); const v = await (await fetch('/tests/vectors/search.json')).json(); const r = checkSearchVectors(v); return r.summary + (r.failed ? ' ' + JSON.stringify(r.failures.slice(0, 3)) : ''); })()",
    );
}

#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_search_finds_pasted_logs_and_typed_words() {
    let srv = serve_dir(bundled(), "/");
    let b = browser(1280, 800);
    let tab = front_tab(&b);
    let console = Console::attach(&tab);
    open(&tab, &format!("{}docker/exec-format-error/", srv.url));
    // A whole CI log pasted into the box.
    let log = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/logs/node.log"),
    )
    .expect("log");
    paste(&tab, &log);
    // Every entry `errkb match` finds in the log is listed as an exact match, most specific first.
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/logs/expected.json"),
        )
        .expect("expected"),
    )
    .expect("json");
    let mut want: Vec<String> = expected["node.log"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    wait_js(
        &tab,
        &format!(
            "document.querySelectorAll('[data-search-result] .result-exact').length >= {}",
            want.len()
        ),
    );
    let got = eval(
        &tab,
        "Array.from(document.querySelectorAll('[data-search-result]')).filter(li => li.querySelector('.result-exact')).map(li => li.getAttribute('data-search-result'))",
    );
    let mut got: Vec<String> = got
        .as_array()
        .expect("ids")
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    want.sort();
    got.sort();
    let html = eval(
        &tab,
        "document.querySelector('[data-search-results]').innerText",
    );
    assert_eq!(got, want, "pasted node.log; results: {html}");
    let exact = eval(
        &tab,
        "document.querySelector('[data-search-result] .result-exact') !== null",
    );
    assert_eq!(
        exact,
        serde_json::Value::Bool(true),
        "pattern hits are marked"
    );
    // One pasted error line.
    eval(
        &tab,
        "(() => { const i = document.querySelector('input[type=search]'); i.value = ''; i.dispatchEvent(new Event('input')); })()",
    );
    paste(
        &tab,
        "2024-05-01T10:00:00.1234567Z ##[error]fatal: detected dubious ownership in repository at '/__w/app/app'\n",
    );
    assert_eq!(first_result(&tab), "git/dubious-ownership");
    // Typed words: prefix of the word being typed, codes kept whole, one typo.
    for (typed, want) in [
        ("ERESOL", "npm/eresolve"),
        ("1045", "mysql/access-denied-for-user"),
        ("docker.sock permission", "docker/socket-permission-denied"),
        ("crashloopbakoff", "kubernetes/crashloopbackoff"),
    ] {
        eval(
            &tab,
            &format!(
                "(() => {{ const i = document.querySelector('input[type=search]'); i.focus(); i.value = {v}; i.dispatchEvent(new Event('input')); document.querySelector('[data-search-results]').replaceChildren(); }})()",
                v = serde_json::to_string(typed).expect("json")
            ),
        );
        assert_eq!(first_result(&tab), want, "typed {typed:?}");
    }
    // Keyboard: down into the results, Enter opens the entry.
    tab.press_key("ArrowDown").expect("key");
    let focused = eval(
        &tab,
        "document.activeElement && document.activeElement.closest('[data-search-result]') && document.activeElement.closest('[data-search-result]').getAttribute('data-search-result')",
    );
    assert_eq!(focused.as_str(), Some("kubernetes/crashloopbackoff"));
    tab.press_key("Enter").expect("key");
    wait_js(
        &tab,
        "location.pathname === '/kubernetes/crashloopbackoff/'",
    );
    // `/` focuses the box from anywhere on the page.
    eval(&tab, "new Promise(r => setTimeout(r, 100))");
    tab.press_key("/").expect("key");
    wait_js(
        &tab,
        "document.activeElement && document.activeElement.type === 'search'",
    );
    assert_eq!(console.take(), Vec::<String>::new(), "console errors");
}

/// Opens the site at `url` and focuses its search box, which loads the index's manifest;
/// returns once the manifest has arrived, as it would while a reader starts typing.
fn focus_search(tab: &Arc<Tab>, url: &str) {
    open(tab, url);
    eval(
        tab,
        "(() => { document.querySelector('input[type=search]').focus(); return true; })()",
    );
    wait_js(
        tab,
        "performance.getEntriesByType('resource').some(e => e.name.endsWith('/search/index.json'))",
    );
}

/// Opens the bundled site and types an npm error into the search box key by key, as
/// fast as the browser takes them, until its entry is listed first as an exact match;
/// the entry's id.
fn type_until_exact(tab: &Arc<Tab>, url: &str) -> serde_json::Value {
    focus_search(tab, url);
    tab.type_str("npm error code ERESOLVE").expect("type");
    wait_js(
        tab,
        "(() => { const li = document.querySelector('[data-search-result]'); return li && li.querySelector('.result-exact') && li.getAttribute('data-search-result'); })()",
    )
}

#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_search_typed_key_by_key_ends_on_the_exact_match() {
    // A first query: the box prefetches during the burst (no results are on screen
    // yet), searches after it, and once typing pauses counts the last word as whole, so
    // a typed error message ends on its entry marked as an exact match.
    let srv = serve_dir(bundled(), "/");
    let b = browser(1280, 800);
    let tab = front_tab(&b);
    let console = Console::attach(&tab);
    let exact = type_until_exact(&tab, &srv.url);
    assert_eq!(exact.as_str(), Some("npm/eresolve"));
    // The script gives the box its screen-reader hint and turns off the browser's own
    // suggestions (the page carries neither: without the script they would be wrong).
    let input = eval(
        &tab,
        "(() => { const i = document.getElementById('site-search-input'); const h = document.getElementById(i.getAttribute('aria-describedby')); return [h && h.textContent, i.autocomplete, i.spellcheck]; })()",
    );
    assert_eq!(
        input,
        serde_json::json!([
            "Type keywords or paste error output. Results appear below; use the down arrow key to move into them and Escape to close.",
            "off",
            false
        ])
    );
    assert_eq!(console.take(), Vec::<String>::new(), "console errors");
}

#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_search_looks_ahead_in_a_fast_burst_once_results_are_shown() {
    // With results on screen, keys 20 ms apart: each key's search runs unseen, its
    // results' details included, so details are downloaded during the burst (the search
    // after the pause, 36 ms after the last key, would fetch them later), and the list
    // ends on the text the burst left.
    let srv = serve_dir(bundled(), "/");
    let b = browser(1280, 800);
    let tab = front_tab(&b);
    let console = Console::attach(&tab);
    type_until_exact(&tab, &srv.url);
    let burst = eval(
        &tab,
        r#"new Promise((resolve) => {
          const input = document.querySelector('input[type=search]');
          const text = 'unauthorized: authentication required';
          const t0 = performance.now();
          input.select();
          let i = 0;
          const key = () => {
            i += 1;
            input.value = text.slice(0, i);
            input.dispatchEvent(new InputEvent('input', { inputType: 'insertText', data: text[i - 1], bubbles: true }));
            if (i < text.length) setTimeout(key, 20);
            else resolve({ t0, last: performance.now() });
          };
          key();
        })"#,
    );
    let first = wait_js(
        &tab,
        "(() => { const li = document.querySelector('[data-search-result]'); return li && li.querySelector('.result-exact') && li.getAttribute('data-search-result'); })()",
    );
    assert_eq!(
        first.as_str(),
        Some("docker/unauthorized-authentication-required")
    );
    let (t0, last) = (
        burst["t0"].as_f64().expect("t0"),
        burst["last"].as_f64().expect("last"),
    );
    let early = eval(
        &tab,
        &format!(
            r"performance.getEntriesByType('resource').filter(e => /\/d[0-9]+\.json\.gz$/.test(e.name) && e.startTime > {t0} && e.startTime < {last} + 30).length"
        ),
    );
    assert!(
        early.as_u64().unwrap_or(0) > 0,
        "no result details fetched during the burst: {early}"
    );
    assert_eq!(console.take(), Vec::<String>::new(), "console errors");
}

#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_search_waits_on_a_first_key_alone() {
    // With the index's manifest loaded and nothing on screen, a first key of one or two
    // letters is not answered at once: a burst may follow, and results shown now would
    // make every later key fetch its results' details. Left alone, it is answered after
    // the burst wait (75 ms).
    let srv = serve_dir(bundled(), "/");
    let b = browser(1280, 800);
    let tab = front_tab(&b);
    let console = Console::attach(&tab);
    focus_search(&tab, &srv.url);
    let early = eval(
        &tab,
        r#"new Promise((resolve) => {
          // The manifest has arrived; give its parse a moment.
          setTimeout(() => {
            const input = document.querySelector('input[type=search]');
            input.value = 'do';
            input.dispatchEvent(new InputEvent('input', { inputType: 'insertText', data: 'do', bubbles: true }));
            setTimeout(() => resolve({
              results: document.querySelectorAll('[data-search-result]').length,
              details: performance.getEntriesByType('resource').filter(e => /\/d[0-9]+\.json\.gz$/.test(e.name)).length,
            }), 40);
          }, 100);
        })"#,
    );
    assert_eq!(early["results"], 0, "results shown at once: {early}");
    assert_eq!(early["details"], 0, "details fetched at once: {early}");
    // Then, with no key after it, the results come.
    wait_js(
        &tab,
        "document.querySelectorAll('[data-search-result]').length > 0",
    );
    assert_eq!(console.take(), Vec::<String>::new(), "console errors");
}

#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_search_page_and_base_path() {
    let site = Site::new("ok-basic");
    let probe = tiny_http::Server::http("127.0.0.1:0").expect("bind");
    let port = probe.server_addr().to_ip().expect("ip").port();
    drop(probe);
    // Build for /kb/ and serve there.
    site.run(&[
        "build",
        "-q",
        "--base-url",
        &format!("http://127.0.0.1:{port}/kb/"),
    ])
    .ok();
    let srv = serve_dir(&site.path("public"), "/kb/");
    let b = browser(1280, 800);
    let tab = front_tab(&b);
    let console = Console::attach(&tab);
    open(
        &tab,
        &format!(
            "{}search/?q={}",
            srv.url, "error%3A%20widget%20alpha%20is%20locked%20by%20another%20process"
        ),
    );
    let first = wait_js(
        &tab,
        "document.querySelector('.search-page-results [data-search-result]') && document.querySelector('.search-page-results [data-search-result]').getAttribute('data-search-result')",
    );
    assert_eq!(first.as_str(), Some("demo/widget-locked"));
    let href = eval(
        &tab,
        "document.querySelector('.search-page-results a').getAttribute('href')",
    );
    assert_eq!(href.as_str(), Some("/kb/demo/widget-locked/"));
    tab.find_element(".search-page-results a")
        .expect("link")
        .click()
        .expect("click");
    wait_js(
        &tab,
        "location.pathname === '/kb/demo/widget-locked/' && document.readyState === 'complete'",
    );
    let css_ok = eval(
        &tab,
        "getComputedStyle(document.querySelector('.unsafe')).borderTopStyle === 'solid'",
    );
    assert_eq!(
        css_ok,
        serde_json::Value::Bool(true),
        "stylesheet loaded under /kb/"
    );
    assert_eq!(
        console.take(),
        Vec::<String>::new(),
        "console errors under /kb/"
    );
}

#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_fill_copy_and_theme() {
    let srv = serve_dir(bundled(), "/");
    let b = browser(1280, 800);
    let tab = front_tab(&b);
    let console = Console::attach(&tab);
    let page = format!("{}docker/unauthorized-authentication-required/", srv.url);
    open(&tab, &page);
    let name = eval(
        &tab,
        "document.querySelector('[data-fill-form] input[name]').name",
    );
    let name = name.as_str().expect("a placeholder input").to_string();
    // The script turns off the browser's suggestions for every value input.
    let off = eval(
        &tab,
        "Array.from(document.querySelectorAll('[data-fill-form] input')).every(i => i.autocomplete === 'off' && !i.spellcheck)",
    );
    assert_eq!(off, serde_json::Value::Bool(true));
    let input = tab
        .find_element(&format!("[data-fill-form] input[name='{name}']"))
        .expect("input");
    input.click().expect("click");
    tab.type_str("ghcr.io").expect("type");
    let filled = eval(
        &tab,
        &format!(
            "Array.from(document.querySelectorAll('.ph[data-ph={name}]')).map(e => e.textContent)"
        ),
    );
    let filled = filled.as_array().expect("slots");
    assert!(
        !filled.is_empty() && filled.iter().all(|v| v == "ghcr.io"),
        "{filled:?}"
    );
    // The copy button copies the filled-in command.
    eval(
        &tab,
        "(() => { window.__copied = null; navigator.clipboard.writeText = async (t) => { window.__copied = t; }; })()",
    );
    let expected = eval(
        &tab,
        &format!(
            "(() => {{ const c = document.querySelector('.ph[data-ph={name}]').closest('code'); window.__button = c.parentElement.querySelector('button.copy'); window.__button.click(); return c.textContent; }})()"
        ),
    );
    let copied = wait_js(&tab, "window.__copied");
    assert_eq!(copied, expected);
    assert!(copied.as_str().unwrap_or("").contains("ghcr.io"));
    wait_js(&tab, "window.__button.textContent === 'Copied'");
    // Values carry to the next entry (sessionStorage); an empty field shows the slot again.
    open(&tab, &page);
    let kept = eval(
        &tab,
        &format!("document.querySelector('.ph[data-ph={name}]').textContent"),
    );
    assert_eq!(kept.as_str(), Some("ghcr.io"));
    eval(
        &tab,
        &format!(
            "(() => {{ const i = document.querySelector('[data-fill-form] input[name={name}]'); i.value = ''; i.dispatchEvent(new Event('input')); }})()"
        ),
    );
    let back = eval(
        &tab,
        &format!("document.querySelector('.ph[data-ph={name}]').textContent"),
    );
    assert_eq!(back.as_str().map(str::to_string), Some(format!("<{name}>")));
    // Theme toggle, remembered across pages.
    let before = eval(&tab, "getComputedStyle(document.body).backgroundColor");
    tab.find_element("[data-theme-toggle]")
        .expect("toggle")
        .click()
        .expect("click");
    let theme = eval(&tab, "document.documentElement.getAttribute('data-theme')");
    assert!(theme == "dark" || theme == "light", "{theme}");
    let after = eval(&tab, "getComputedStyle(document.body).backgroundColor");
    assert_ne!(before, after, "colours change");
    open(&tab, &srv.url);
    assert_eq!(
        eval(&tab, "document.documentElement.getAttribute('data-theme')"),
        theme,
        "persists"
    );
    assert_eq!(console.take(), Vec::<String>::new(), "console errors");
}

#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_every_page_type_loads_cleanly_and_is_accessible() {
    let srv = serve_dir(bundled(), "/");
    let axe = std::env::var("AXE_JS")
        .ok()
        .map(|p| std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("AXE_JS={p}: {e}")));
    let b = browser(1280, 800);
    let tab = front_tab(&b);
    let console = Console::attach(&tab);
    let pages = [
        ("home", String::new()),
        ("tool", "docker/".into()),
        ("tag", "tags/ssh/".into()),
        ("tags", "tags/".into()),
        ("entry", "git/dubious-ownership/".into()),
        ("search", "search/?q=permission%20denied".into()),
        ("404", "no/such/page/".into()),
    ];
    let mut report = Vec::new();
    for (kind, path) in &pages {
        open(&tab, &format!("{}{path}", srv.url));
        if *kind == "404" {
            assert_eq!(
                eval(&tab, "document.querySelector('h1').textContent"),
                "Page not found"
            );
        }
        if *kind == "search" {
            wait_js(
                &tab,
                "document.querySelector('.search-page-results [data-search-result]')",
            );
        }
        let h1 = eval(&tab, "document.querySelectorAll('h1').length");
        assert_eq!(h1, 1, "{kind}: one h1");
        let landmarks = eval(
            &tab,
            "['header', 'main', 'footer', 'nav'].every(t => document.querySelector(t))",
        );
        assert_eq!(
            landmarks,
            serde_json::Value::Bool(true),
            "{kind}: landmarks"
        );
        if let Some(src) = &axe {
            let v = axe_violations(&tab, src);
            report.push(format!("{kind}: {} serious/critical", v.len()));
            assert!(v.is_empty(), "axe on {kind}: {v:#?}");
        }
        let errors: Vec<String> = console
            .take()
            .into_iter()
            // A 404 page is served with status 404, which Chromium logs for the page itself.
            .filter(|e| {
                !(*kind == "404" && e.contains("status of 404") && e.contains(path.as_str()))
            })
            .collect();
        assert_eq!(errors, Vec::<String>::new(), "console errors on {kind}");
    }
    // The dark scheme too.
    if let Some(src) = &axe {
        for path in ["", "git/dubious-ownership/"] {
            open(&tab, &format!("{}{path}", srv.url));
            eval(
                &tab,
                "document.documentElement.setAttribute('data-theme', 'dark')",
            );
            let v = axe_violations(&tab, src);
            report.push(format!("{path} (dark): {} serious/critical", v.len()));
            assert!(v.is_empty(), "axe on {path} in the dark scheme: {v:#?}");
        }
    } else {
        assert!(std::env::var("CI").is_err(), "AXE_JS must be set in CI");
    }
    eprintln!("axe: {}", report.join("; "));
}

#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_layout_on_desktop_and_phone() {
    let srv = serve_dir(bundled(), "/");
    for (w, h) in [(1280, 800), (390, 844), (320, 640)] {
        let b = browser(w, h);
        let tab = front_tab(&b);
        open(
            &tab,
            &format!("{}docker/socket-permission-denied/", srv.url),
        );
        if w >= 390 {
            let fold = eval(
                &tab,
                "(() => { const r = document.querySelector('.fast h2').getBoundingClientRect(); return r.bottom <= innerHeight; })()",
            );
            assert_eq!(
                fold,
                serde_json::Value::Bool(true),
                "'Fix it fast' above the fold at {w}x{h}"
            );
        }
        let overflow = eval(
            &tab,
            "document.documentElement.scrollWidth - document.documentElement.clientWidth",
        );
        assert_eq!(overflow, 0, "no horizontal scrolling at {w}px");
    }
}

#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_screenshots() {
    let srv = serve_dir(bundled(), "/");
    let write = std::env::var("ERRKB_SCREENSHOTS").is_ok_and(|v| v == "1");
    let out = if write {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots")
    } else {
        tempfile::tempdir().expect("tmp").keep()
    };
    std::fs::create_dir_all(&out).expect("mkdir");
    let mut shots = HashMap::new();
    for (device, w, h) in [("desktop", 1280, 800), ("phone", 390, 844)] {
        let b = browser(w, h);
        let tab = front_tab(&b);
        let _console = Console::attach(&tab);
        for theme in ["light", "dark"] {
            for (name, path) in [
                ("home", ""),
                ("entry", "docker/unauthorized-authentication-required/"),
            ] {
                open(&tab, &format!("{}{path}", srv.url));
                eval(
                    &tab,
                    &format!(
                        "(() => {{ localStorage.setItem('errkb-theme', '{theme}'); document.documentElement.setAttribute('data-theme', '{theme}'); }})()"
                    ),
                );
                let png = tab
                    .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
                    .expect("screenshot");
                assert!(
                    png.starts_with(b"\x89PNG") && png.len() > 5_000,
                    "{name} {theme} {device}"
                );
                let file = out.join(format!("{name}-{theme}-{device}.png"));
                std::fs::write(&file, &png).expect("write");
                shots.insert(file, png.len());
            }
        }
    }
    assert_eq!(shots.len(), 8);
}

#[test]
#[ignore = "needs vnu (VNU_JAR); run by .ci/run"]
fn browser_html_is_valid_per_vnu() {
    let Ok(jar) = std::env::var("VNU_JAR") else {
        assert!(std::env::var("CI").is_err(), "VNU_JAR must be set in CI");
        return;
    };
    let out = std::process::Command::new("java")
        .args([
            "-jar",
            &jar,
            "--errors-only",
            "--skip-non-html",
            "--format",
            "gnu",
        ])
        .arg(bundled())
        .output()
        .expect("run java -jar vnu.jar");
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "vnu errors:\n{text}");
}

/// A pasted push summary line alone lists the push entries as "Generic line" candidates,
/// never as an exact match; with the `[rejected]` line, that entry alone is exact.
#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_search_lists_a_summary_line_as_generic() {
    let srv = serve_dir(bundled(), "/");
    let b = browser(1280, 800);
    let tab = front_tab(&b);
    let ids = |sel: &str| -> Vec<String> {
        let v = eval(
            &tab,
            &format!(
                "Array.from(document.querySelectorAll('[data-search-result]')).filter(li => li.querySelector('{sel}')).map(li => li.getAttribute('data-search-result'))"
            ),
        );
        v.as_array()
            .expect("ids")
            .iter()
            .map(|v| v.as_str().unwrap_or("").to_string())
            .collect()
    };
    open(&tab, &format!("{}docker/exec-format-error/", srv.url));
    paste(
        &tab,
        "To github.com:acme/app.git\nerror: failed to push some refs to 'github.com:acme/app.git'\n",
    );
    wait_js(
        &tab,
        "document.querySelectorAll('[data-search-result] .result-generic').length >= 6",
    );
    let generic = ids(".result-generic");
    for id in [
        "git/failed-to-push-some-refs",
        "git/src-refspec-does-not-match-any",
        "git/pre-receive-hook-declined",
    ] {
        assert!(generic.iter().any(|g| g == id), "{id} not in {generic:?}");
    }
    assert!(ids(".result-exact").is_empty());

    open(&tab, &format!("{}docker/exec-format-error/", srv.url));
    paste(
        &tab,
        "To github.com:acme/app.git\n ! [rejected]        main -> main (non-fast-forward)\nerror: failed to push some refs to 'github.com:acme/app.git'\n",
    );
    wait_js(
        &tab,
        "document.querySelectorAll('[data-search-result] .result-exact').length >= 1",
    );
    assert_eq!(ids(".result-exact"), ["git/failed-to-push-some-refs"]);
    assert!(ids(".result-generic").is_empty());
}

/// A pasted log's words point at most of a large site's signature shards. The key-word
/// filter (`s-keys.txt`) lets the browser fetch only the shards of words that are some
/// pattern's key, and the entry is still found on the first paste.
#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_search_paste_fetches_only_the_shards_of_key_words() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("site");
    std::fs::create_dir_all(&root).expect("mk");
    std::fs::write(root.join("errkb.yaml"), "title: Many patterns\n").expect("config");
    // 2,000 patterns: 20 signature shards, each pattern filed under its `quuxNNNN`.
    for i in 0..2000 {
        let dir = root.join(format!("content/tool{}", i % 4));
        std::fs::create_dir_all(&dir).expect("mk");
        std::fs::write(
            dir.join(format!("spindle-{i:04}.md")),
            format!(
                "---\ntitle: \"quux{i:04}: cannot frobnicate the spindle\"\nsummary: \"Spindle {i}.\"\n\
                 likely_cause: \"A worn spindle.\"\npatterns:\n  - \"quux{i:04}: cannot frobnicate the spindle\"\n\
                 fix: [\"Replace the spindle.\"]\nunsafe: [{{do_not: \"Force it.\", why: \"It breaks.\"}}]\n\
                 verify: [\"Frobnicate again.\"]\n---\n"
            ),
        )
        .expect("entry");
    }
    let out = tmp.path().join("public");
    let run = run_in(&root, &["build", "-q", "-o", out.to_str().expect("path")]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("search/index.json")).expect("manifest"),
    )
    .expect("json");
    let sig = manifest["sig"].as_u64().expect("sig");
    assert!(
        sig >= 15 && manifest["keys"].as_u64().unwrap_or(0) > 0,
        "{manifest}"
    );
    // 400 lines of an ordinary build, then the error.
    let mut log: String = (0..400)
        .map(|i| {
            format!(
                "2024-05-01T10:00:{:02}Z compiled module alpha{i} (step {i} of 400) in {i}ms\n",
                i % 60
            )
        })
        .collect();
    log.push_str("2024-05-01T10:07:00Z error: quux1234: cannot frobnicate the spindle\n");
    // Without the filter its words would fetch nearly every shard.
    let fnv = errkb::index::tokenize::fnv1a;
    let words: std::collections::BTreeSet<String> = log
        .to_lowercase()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.len() >= 3)
        .map(str::to_string)
        .collect();
    let pointed: std::collections::BTreeSet<u64> =
        words.iter().map(|w| u64::from(fnv(w)) % sig).collect();
    assert!(
        pointed.len() as u64 >= sig - 2,
        "{} of {sig}",
        pointed.len()
    );

    let srv = serve_dir(&out, "/");
    let b = browser(1280, 800);
    let tab = front_tab(&b);
    let console = Console::attach(&tab);
    open(&tab, &srv.url);
    paste(&tab, &log);
    assert_eq!(first_result(&tab), "tool2/spindle-1234");
    let fetched = eval(
        &tab,
        "performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.includes('/search/'))",
    );
    let fetched: Vec<&str> = fetched
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let shards = fetched
        .iter()
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap_or("");
            name.starts_with('s') && name[1..].starts_with(|c: char| c.is_ascii_digit())
        })
        .count();
    assert!(
        fetched.iter().any(|p| p.ends_with("/s-keys.txt.gz")),
        "the filter was not read: {fetched:?}"
    );
    // The key word `quux1234`, and at most a couple of words the filter lets through.
    assert!((1..=3).contains(&shards), "{shards} shards: {fetched:?}");
    assert_eq!(console.take(), Vec::<String>::new(), "console errors");
}

//! `errkb serve`: build the site in memory, serve it over HTTP, rebuild on every change
//! and reload open pages when the new site is complete.
//!
//! There is no second code path: each rebuild runs the same [`pipeline`] as `build`
//! (its stages memoize their per-entry work), and the result replaces the served site
//! only when it built without errors. Nothing is written to disk, so `public/` is never
//! touched. The server uses tiny_http; pages get the live-reload script added as they
//! are served, so the built site for deployment never contains it.

pub mod http;
pub mod reload;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

use crate::diag::{self, Diagnostic};
use crate::pipeline;
use http::{Files, Resolved};
use reload::{EventStream, Hub};

#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub drafts: bool,
    pub open: bool,
    pub quiet: bool,
}

struct Shared {
    files: RwLock<Arc<Files>>,
    hub: Arc<Hub>,
    built_once: RwLock<bool>,
    /// One rebuild at a time, so an older build can never replace a newer one.
    building: std::sync::Mutex<()>,
}

/// A listening socket whose connections send at once: tiny_http writes a response's
/// headers and body separately, and with Nagle's algorithm on, the last piece waits for
/// the browser's delayed acknowledgement (40 ms) on every request of a kept-alive
/// connection. Accepted connections inherit TCP_NODELAY from the listener.
fn listen(addr: SocketAddr) -> Result<Server, String> {
    use socket2::{Domain, Socket, Type};
    let socket =
        Socket::new(Domain::for_address(addr), Type::STREAM, None).map_err(|e| e.to_string())?;
    #[cfg(unix)]
    socket.set_reuse_address(true).map_err(|e| e.to_string())?;
    socket.set_tcp_nodelay(true).map_err(|e| e.to_string())?;
    socket.bind(&addr.into()).map_err(|e| e.to_string())?;
    socket.listen(128).map_err(|e| e.to_string())?;
    let listener: std::net::TcpListener = socket.into();
    Server::from_listener(listener, None).map_err(|e| e.to_string())
}

/// How many ports after the asked one are tried when it is taken.
const PORT_TRIES: u16 = 10;

fn bind(opts: &Options) -> Result<Server, String> {
    let tries = if opts.port == 0 { 1 } else { PORT_TRIES };
    let mut last = String::new();
    for i in 0..tries {
        let port = opts.port.saturating_add(i);
        match listen(SocketAddr::new(opts.bind, port)) {
            Ok(s) => {
                if i > 0 {
                    eprintln!("port {} is in use; using {port} instead", opts.port);
                }
                return Ok(s);
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!(
        "cannot listen on {}:{} (or the {} ports after it): {last}",
        opts.bind,
        opts.port,
        tries - 1
    ))
}

/// Runs until the process is stopped (Ctrl-C). Everything lives in memory, so there is
/// nothing to clean up afterwards.
pub fn run(opts: &Options) -> Result<(), String> {
    // Rebuilds reuse the per-entry work of the builds before them.
    crate::memo::enable();
    let server = bind(opts)?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or("the server has no TCP address")?;
    let host = if opts.bind.is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        opts.bind.to_string()
    };
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    let url = format!("http://{host}:{port}/");
    let shared = Arc::new(Shared {
        files: RwLock::new(Arc::new(Files::new())),
        hub: Arc::new(Hub::default()),
        built_once: RwLock::new(false),
        building: std::sync::Mutex::new(()),
    });
    let pipe = pipeline::Options {
        root: opts.root.clone(),
        base_url: Some(url.clone()),
        drafts: opts.drafts,
        external_links: false,
    };
    // Watch before the first build, so a change made while it runs is not missed.
    let watcher = watch(&opts.root, pipe.clone(), shared.clone(), opts.quiet)?;
    rebuild(&pipe, &shared, opts.quiet, None);
    println!("Serving {} at {url} (Ctrl-C to stop)", opts.root.display());
    if !opts.bind.is_loopback() {
        eprintln!(
            "note: listening on {}, not only on this machine: anyone who can reach it can read the site",
            opts.bind
        );
    }
    if opts.open {
        open_browser(&url);
    }
    for request in server.incoming_requests() {
        let shared = shared.clone();
        std::thread::spawn(move || handle(request, &shared));
    }
    drop(watcher);
    Ok(())
}

/// Rebuilds and swaps in the new site; `changed` is what changed and when that was
/// noticed (for the message).
fn rebuild(
    pipe: &pipeline::Options,
    shared: &Shared,
    quiet: bool,
    changed: Option<(&[PathBuf], Instant)>,
) {
    let _one_at_a_time = shared.building.lock();
    let started = Instant::now();
    let mut out = pipeline::render_all(pipe);
    if std::env::var_os("ERRKB_TIMINGS").is_some() {
        for (step, d) in &out.timings {
            eprintln!("timing: {step:<10} {:>8.1} ms", d.as_secs_f64() * 1e3);
        }
    }
    let mut diags = std::mem::take(&mut out.diagnostics);
    diag::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        anstream::eprint!("{}", diag::render(&diags, diag::Format::Human, true));
        anstream::eprintln!(
            "{}; still serving the last good build",
            diag::summary(&diags)
        );
        let json = serde_json::to_string(&diags).unwrap_or_else(|_| "[]".into());
        shared.hub.failed(json);
        return;
    }
    if !diags.is_empty() {
        anstream::eprint!("{}", diag::render(&diags, diag::Format::Human, true));
    }
    let files: Files = out.files.into_iter().map(|f| (f.path, f.bytes)).collect();
    let count = files.len();
    if let Ok(mut w) = shared.files.write() {
        *w = Arc::new(files);
    }
    if let Ok(mut b) = shared.built_once.write() {
        *b = true;
    }
    shared.hub.built();
    if !quiet {
        let what = match changed {
            Some(([one], at)) => format!(
                " after a change to {} ({} ms after it was seen)",
                one.display(),
                at.elapsed().as_millis()
            ),
            Some((many, at)) if !many.is_empty() => format!(
                " after {} changes ({} ms after the first was seen)",
                many.len(),
                at.elapsed().as_millis()
            ),
            _ => String::new(),
        };
        eprintln!(
            "built {count} files in {} ms{what}",
            started.elapsed().as_millis()
        );
    }
}

/// Quiet time that ends a burst of file events (an editor writing a temp file and
/// renaming it is one change).
const DEBOUNCE: Duration = Duration::from_millis(20);

/// Watches the site's sources; each burst of changes becomes one rebuild. Reads are
/// ignored (the rebuild itself reads every file).
fn watch(
    root: &std::path::Path,
    pipe: pipeline::Options,
    shared: Arc<Shared>,
    quiet: bool,
) -> Result<notify::RecommendedWatcher, String> {
    use notify::{EventKind, RecursiveMode, Watcher};
    let (tx, rx) = mpsc::channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(ev) = res else { return };
        if matches!(ev.kind, EventKind::Access(_) | EventKind::Other) {
            return;
        }
        for p in ev.paths {
            let _ = tx.send(p);
        }
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    for dir in [
        crate::load::CONTENT_DIR,
        crate::theme::TEMPLATES_DIR,
        crate::theme::STATIC_DIR,
    ] {
        let p = root.join(dir);
        if p.is_dir() {
            watcher
                .watch(&p, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch {}: {e}", p.display()))?;
        }
    }
    // errkb.yaml shows up as a change in the root itself.
    watcher
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    // Events carry absolute paths; compare them with an absolute root (the default root
    // is `.`).
    let root = crate::fsutil::absolute(root);
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            let noticed = Instant::now();
            let mut changed = vec![first];
            while let Ok(more) = rx.recv_timeout(DEBOUNCE) {
                changed.push(more);
            }
            let mut changed: Vec<PathBuf> = changed
                .into_iter()
                .filter(|p| relevant(&root, p))
                .map(|p| p.strip_prefix(&root).map(|r| r.to_path_buf()).unwrap_or(p))
                .collect();
            if changed.is_empty() {
                continue;
            }
            changed.sort();
            changed.dedup();
            rebuild(&pipe, &shared, quiet, Some((&changed, noticed)));
        }
    });
    Ok(watcher)
}

/// Only sources count: not the output folder, editor swap files or VCS folders.
fn relevant(root: &std::path::Path, p: &std::path::Path) -> bool {
    let Ok(rel) = p.strip_prefix(root) else {
        return false;
    };
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with(".#")
    {
        return false;
    }
    match rel.components().next() {
        Some(std::path::Component::Normal(first)) => {
            let first = first.to_string_lossy();
            first == crate::load::CONTENT_DIR
                || first == crate::theme::TEMPLATES_DIR
                || first == crate::theme::STATIC_DIR
                || first == crate::config::CONFIG_FILE
        }
        _ => false,
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|_| Header::from_bytes(&b"X-Errkb"[..], &b"1"[..]).expect("static header"))
}

fn respond(request: Request, status: u16, ctype: &str, body: Vec<u8>) {
    let resp = Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", ctype))
        .with_header(header("Cache-Control", "no-cache"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    let _ = request.respond(resp);
}

fn handle(request: Request, shared: &Shared) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        respond(
            request,
            405,
            "text/plain; charset=utf-8",
            b"method not allowed\n".to_vec(),
        );
        return;
    }
    let url = request.url().to_string();
    let path = url.split('?').next().unwrap_or("");
    match path {
        reload::SCRIPT_PATH => {
            return respond(
                request,
                200,
                "text/javascript; charset=utf-8",
                reload::SCRIPT.as_bytes().to_vec(),
            );
        }
        reload::STATUS_PATH => {
            let s = shared.hub.snapshot();
            let body = format!(
                "{{\"generation\":{},\"attempts\":{},\"problems\":{}}}",
                s.generation,
                s.attempts,
                s.problems.as_deref().unwrap_or("null")
            );
            return respond(request, 200, "application/json", body.into_bytes());
        }
        reload::EVENTS_PATH => {
            // Written by hand so each event is flushed at once (tiny_http would buffer a
            // chunked body); the thread ends when the browser goes away.
            let mut events = EventStream::new(shared.hub.clone());
            let mut w = request.into_writer();
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
            if w.write_all(head.as_bytes())
                .and_then(|()| w.flush())
                .is_err()
            {
                return;
            }
            loop {
                let ev = events.next_event();
                if w.write_all(&ev).and_then(|()| w.flush()).is_err() {
                    return;
                }
            }
        }
        _ => {}
    }
    let files = shared.files.read().map(|f| f.clone()).unwrap_or_default();
    match http::resolve(&files, &url) {
        Resolved::File { path, bytes } => {
            let ctype = http::content_type(&path);
            let body = if ctype.starts_with("text/html") {
                reload::inject(&bytes)
            } else {
                bytes.to_vec()
            };
            respond(request, 200, ctype, body);
        }
        Resolved::Redirect(to) => {
            let resp = Response::empty(StatusCode(301))
                .with_header(header("Location", &to))
                .with_header(header("Cache-Control", "no-cache"));
            let _ = request.respond(resp);
        }
        Resolved::NotFound(Some(page)) => respond(
            request,
            404,
            "text/html; charset=utf-8",
            reload::inject(&page),
        ),
        Resolved::NotFound(None) => {
            let built = shared.built_once.read().map(|b| *b).unwrap_or(false);
            let msg = if built {
                "Not found."
            } else {
                "The site has not built yet: see the problems in the terminal."
            };
            let page = format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>errkb serve</title></head><body><p>{msg}</p></body></html>"
            );
            respond(
                request,
                404,
                "text/html; charset=utf-8",
                reload::inject(page.as_bytes()),
            );
        }
        Resolved::BadRequest => respond(
            request,
            400,
            "text/plain; charset=utf-8",
            b"bad request\n".to_vec(),
        ),
    }
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        vec!["open", url]
    } else if cfg!(windows) {
        vec!["cmd", "/C", "start", "", url]
    } else {
        vec!["xdg-open", url]
    };
    if let Err(e) = std::process::Command::new(cmd[0])
        .args(&cmd[1..])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("could not open a browser ({e}); open {url} yourself");
    }
}

//! `errkb serve`: build the site in memory, serve it over HTTP, rebuild on every change
//! and reload open pages when the new site is complete.
//!
//! There is no second code path: each rebuild runs the same [`pipeline`] as `build`
//! (its stages memoize their per-entry work), and the result replaces the served site
//! only when it built without errors. Nothing is written to disk, so `public/` is never
//! touched. Pages get the live-reload script added as they are served, so the built
//! site for deployment never contains it. The server is hyper on a two-thread tokio
//! runtime (`net` says why and what limits it keeps); rebuilds run on their own thread.

pub mod http;
mod net;
pub mod reload;
mod respond;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::diag::{self, Diagnostic};
use crate::pipeline;
use http::{Files, HostPolicy};
use reload::Hub;

#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub drafts: bool,
    pub open: bool,
    pub quiet: bool,
}

/// What the rebuild thread and the connections share.
struct Shared {
    files: RwLock<Arc<Files>>,
    hub: Hub,
    built_once: AtomicBool,
    /// One rebuild at a time, so an older build can never replace a newer one.
    building: std::sync::Mutex<()>,
    hosts: HostPolicy,
    /// Places for live-reload streams (see [`net::Limits`]).
    streams: Arc<tokio::sync::Semaphore>,
}

impl Shared {
    fn new(hosts: HostPolicy, streams: usize) -> Self {
        Shared {
            files: RwLock::new(Arc::new(Files::new())),
            hub: Hub::default(),
            built_once: AtomicBool::new(false),
            building: std::sync::Mutex::new(()),
            hosts,
            streams: Arc::new(tokio::sync::Semaphore::new(streams)),
        }
    }

    fn files(&self) -> Arc<Files> {
        self.files.read().map(|f| f.clone()).unwrap_or_default()
    }

    fn replace_files(&self, files: Files) {
        if let Ok(mut w) = self.files.write() {
            *w = Arc::new(files);
        }
        self.built_once.store(true, Ordering::Release);
    }

    fn built_once(&self) -> bool {
        self.built_once.load(Ordering::Acquire)
    }
}

/// Why the server could not start (once it runs, it never stops on an error).
#[derive(Debug)]
pub enum ServeError {
    /// No port could be listened on (the asked one and the next ones).
    Listen {
        addr: std::net::SocketAddr,
        tries: u16,
        source: std::io::Error,
    },
    /// The runtime or the socket could not be set up.
    Start(std::io::Error),
    /// The site's files cannot be watched for changes.
    Watch {
        path: PathBuf,
        source: notify::Error,
    },
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Listen {
                addr,
                tries,
                source,
            } => write!(
                f,
                "cannot listen on {addr} (or the {} ports after it): {source}",
                tries.saturating_sub(1)
            ),
            ServeError::Start(e) => write!(f, "cannot start the server: {e}"),
            ServeError::Watch { path, source } => {
                write!(f, "cannot watch {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for ServeError {}

/// Runs until the process is stopped (Ctrl-C). Everything lives in memory, so there is
/// nothing to clean up afterwards.
pub fn run(opts: &Options) -> Result<(), ServeError> {
    let limits = net::limits();
    let listener = net::bind(opts.bind, opts.port)?;
    let port = listener.local_addr().map_err(ServeError::Start)?.port();
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
    let shared = Arc::new(Shared::new(
        HostPolicy::new(opts.bind, port),
        limits.streams,
    ));
    let pipe = pipeline::Options {
        root: opts.root.clone(),
        base_url: Some(url.clone()),
        drafts: opts.drafts,
        external_links: false,
        // Rebuilds reuse the per-entry work of the builds before them.
        session: Arc::new(crate::memo::Session::kept()),
        search_apart: true,
    };
    // Two workers answer every connection (the site is in memory, so answering is
    // cheap); the build's CPU work stays on the rebuild thread and rayon.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(2)
        .thread_name("errkb-serve")
        .enable_io()
        .enable_time()
        .build()
        .map_err(ServeError::Start)?;
    // Watch before the first build, so a change made while it runs is not missed.
    let watcher = watch(&opts.root, pipe.clone(), shared.clone(), opts.quiet)?;
    rebuild(&pipe, &shared, opts.quiet, None);
    println!("Serving {} at {url} (Ctrl-C to stop)", opts.root.display());
    if !opts.bind.is_loopback() {
        eprintln!(
            "note: listening on {}, not only on this machine: anyone who can reach it can read the site, under any host name",
            opts.bind
        );
    }
    if opts.open {
        open_browser(&url);
    }
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(ServeError::Start)?;
        net::accept_loop(listener, shared, limits.connections).await;
        Ok::<(), ServeError>(())
    })?;
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
    // The pages first, with the search index of the last build: an edited page is
    // served (and open pages reload) without waiting for the index, which depends on
    // every entry and follows a moment later.
    let mut files: Files = out.files.into_iter().map(stored).collect();
    let previous = shared.files();
    files.extend(
        previous
            .iter()
            .filter(|(path, _)| is_search_file(path))
            .map(|(p, b)| (p.clone(), b.clone())),
    );
    drop(previous);
    shared.replace_files(files);
    shared.hub.built();
    let pages_ms = started.elapsed().as_millis();
    let index = pipeline::search_index(pipe, &out.site, &out.config);
    let mut files: Files = (*shared.files()).clone();
    files.retain(|path, _| !is_search_file(path));
    match index {
        Ok(index) => files.extend(index.into_iter().map(|f| (f.path, f.bytes))),
        Err(d) => {
            let diags = vec![d];
            anstream::eprint!("{}", diag::render(&diags, diag::Format::Human, true));
            anstream::eprintln!(
                "{}; the search index is the last good one",
                diag::summary(&diags)
            );
            shared
                .hub
                .failed(serde_json::to_string(&diags).unwrap_or_else(|_| "[]".into()));
            return;
        }
    }
    let count = files.len();
    shared.replace_files(files);
    shared.hub.indexed();
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
            "built {count} files in {} ms (pages served after {pages_ms} ms){what}",
            started.elapsed().as_millis()
        );
    }
}

/// A file as the server keeps it: every page gzip (the render cache already gives most
/// of them so), the rest as it is.
fn stored(f: crate::output::OutFile) -> (String, Arc<Vec<u8>>) {
    if f.path.ends_with(".html") && !crate::output::is_gzip(&f.bytes) {
        let packed = Arc::new(crate::output::gzip(&f.bytes));
        return (f.path, packed);
    }
    (f.path, f.bytes)
}

/// The search index's files: the manifest and its versioned folder (`search/<v>/…`; the
/// search page is `search/index.html`, and no entry may live under `search/`).
fn is_search_file(path: &str) -> bool {
    path == crate::output::SEARCH_MANIFEST
        || (path.starts_with("search/") && path.matches('/').count() == 2)
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
) -> Result<notify::RecommendedWatcher, ServeError> {
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
    .map_err(|source| ServeError::Watch {
        path: root.to_path_buf(),
        source,
    })?;
    for dir in [
        crate::load::CONTENT_DIR,
        crate::theme::TEMPLATES_DIR,
        crate::theme::STATIC_DIR,
        crate::theme::I18N_DIR,
    ] {
        let p = root.join(dir);
        if p.is_dir() {
            watcher
                .watch(&p, RecursiveMode::Recursive)
                .map_err(|source| ServeError::Watch {
                    path: p.clone(),
                    source,
                })?;
        }
    }
    // errkb.yaml shows up as a change in the root itself.
    watcher
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(|source| ServeError::Watch {
            path: root.to_path_buf(),
            source,
        })?;
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
                || first == crate::theme::I18N_DIR
                || first == crate::config::CONFIG_FILE
        }
        _ => false,
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

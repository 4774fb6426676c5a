//! `errkb serve`: build the site in memory, serve it over HTTP, rebuild on every change
//! and reload open pages when the new site is complete.
//!
//! There is no second code path: each rebuild runs the same [`pipeline`] as `build`
//! (its stages memoize their per-entry work), and the result replaces the served site
//! only when it built without errors. Nothing is written to disk, so `public/` is never
//! touched. Pages get the live-reload script added as they are served, so the built
//! site for deployment never contains it. The server is hyper on a two-thread tokio
//! runtime (`net` says why and what limits it keeps); rebuilds run on their own thread
//! (`watch`), and the search index after each on another, at low priority (`index`).

pub mod http;
mod index;
mod net;
pub mod reload;
mod respond;
mod watch;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::diag::{self, Diagnostic};
use crate::pipeline;
use http::{Files, HostPolicy, Lookup};
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
    /// Every file of the site but the search index's.
    pages: RwLock<Arc<Files>>,
    /// The search index's files, made after the pages (see `index`).
    search: RwLock<Arc<Files>>,
    hub: Hub,
    built_once: AtomicBool,
    /// One rebuild at a time, so an older build can never replace a newer one.
    building: std::sync::Mutex<()>,
    /// The next search index to make.
    index: index::Queue,
    hosts: HostPolicy,
    /// Places for live-reload streams (see [`net::Limits`]).
    streams: Arc<tokio::sync::Semaphore>,
}

/// The site as served at one moment: its pages and its search index.
struct Served {
    pages: Arc<Files>,
    search: Arc<Files>,
}

impl Lookup for Served {
    fn find(&self, path: &str) -> Option<&Arc<Vec<u8>>> {
        self.pages.get(path).or_else(|| self.search.get(path))
    }
}

impl Shared {
    fn new(hosts: HostPolicy, streams: usize) -> Self {
        Shared {
            pages: RwLock::default(),
            search: RwLock::default(),
            hub: Hub::default(),
            built_once: AtomicBool::new(false),
            building: std::sync::Mutex::new(()),
            index: index::Queue::default(),
            hosts,
            streams: Arc::new(tokio::sync::Semaphore::new(streams)),
        }
    }

    fn files(&self) -> Served {
        let read = |l: &RwLock<Arc<Files>>| l.read().map(|f| f.clone()).unwrap_or_default();
        Served {
            pages: read(&self.pages),
            search: read(&self.search),
        }
    }

    /// Serves `files` as the site's pages (the search index stays as it is).
    fn replace_files(&self, files: Files) {
        if let Ok(mut w) = self.pages.write() {
            *w = Arc::new(files);
        }
        self.built_once.store(true, Ordering::Release);
    }

    fn replace_search(&self, files: Files) {
        if let Ok(mut w) = self.search.write() {
            *w = Arc::new(files);
        }
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
    index::start(shared.clone(), &pipe);
    // Watch before the first build, so a change made while it runs is not missed.
    let watcher = watch::start(&opts.root, pipe.clone(), shared.clone(), opts.quiet)?;
    rebuild(&pipe, &shared, opts.quiet, None);
    // The first build is served whole, search index included.
    shared.index.wait_idle();
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

/// Rebuilds and swaps in the new pages, then hands the site to the search index's
/// thread; `changed` is what changed and when that was noticed (for the message).
fn rebuild(
    pipe: &pipeline::Options,
    shared: &Shared,
    quiet: bool,
    changed: Option<(&[PathBuf], Instant)>,
) {
    let _one_at_a_time = shared.building.lock();
    let started = Instant::now();
    let sink = Sink::with_room(shared.files().pages.len());
    let mut out = pipeline::render_into(pipe, &sink);
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
    // The pages first, with the search index of an earlier build: an edited page is
    // served (and open pages reload) without waiting for the index, which depends on
    // every entry and follows when its thread has made it.
    let files = sink.into_files();
    let count = files.len();
    shared.replace_files(files);
    let generation = shared.hub.built();
    shared.index.push(index::Job {
        generation,
        site: out.site,
        config: out.config,
    });
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
            "built {count} files in {} ms{what}; the search index follows",
            started.elapsed().as_millis()
        );
    }
}

/// Where a rebuild's files go: straight into the map they are served from, every page
/// gzip (the render cache already gives most of them so), the rest as it is.
struct Sink(std::sync::Mutex<Files>);

impl Sink {
    fn with_room(n: usize) -> Sink {
        Sink(std::sync::Mutex::new(Files::with_capacity_and_hasher(
            n,
            Default::default(),
        )))
    }

    fn into_files(self) -> Files {
        self.0.into_inner().unwrap_or_default()
    }
}

impl crate::output::Sink for Sink {
    fn put(&self, f: crate::output::OutFile) -> Result<(), String> {
        let bytes = if f.path.ends_with(".html") && !crate::output::is_gzip(&f.bytes) {
            Arc::new(crate::output::gzip(&f.bytes))
        } else {
            f.bytes
        };
        self.0
            .lock()
            .map_err(|_| "output collector poisoned".to_string())?
            .insert(f.path, bytes);
        Ok(())
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

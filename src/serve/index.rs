//! The search index of each rebuild, made on a thread of its own after the pages are
//! served. It depends on every entry and takes longer than the pages of an edit, so the
//! rebuild thread never waits for it. It starts once the site has not changed for
//! [`IDLE`] (while someone saves edit after edit, only the last one's index is made),
//! and its threads run at the lowest priority, so an edit's pages take the processor
//! from an index still being made.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::Shared;
use crate::config::Config;
use crate::diag;
use crate::model::Site;
use crate::pipeline;

/// How long the site must stay unchanged before its index is made. Made while edits
/// keep coming, the index would slow their pages down (the machine's caches and memory
/// are shared, whatever the priority) for an index that is replaced a moment later.
const IDLE: Duration = Duration::from_millis(300);

/// A site whose pages are served, for its search index.
pub(super) struct Job {
    pub generation: u64,
    pub site: Site,
    pub config: Config,
}

/// The newest site waiting for its index, and whether one is being made.
#[derive(Default)]
pub(super) struct Queue {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    next: Option<Job>,
    busy: bool,
}

impl Queue {
    /// Asks for `job`'s index, in place of any older site still waiting.
    pub(super) fn push(&self, job: Job) {
        if let Ok(mut s) = self.state.lock() {
            s.next = Some(job);
            self.changed.notify_all();
        }
    }

    /// Waits until every site asked for has its index (or failed to).
    pub(super) fn wait_idle(&self) {
        let Ok(mut s) = self.state.lock() else { return };
        while s.busy || s.next.is_some() {
            match self.changed.wait(s) {
                Ok(g) => s = g,
                Err(_) => return,
            }
        }
    }

    /// The next site to index, once no newer one came for `idle`.
    fn take(&self, idle: Duration) -> Option<Job> {
        let mut s = self.state.lock().ok()?;
        s.busy = false;
        self.changed.notify_all();
        loop {
            if let Some(job) = s.next.take() {
                s.busy = true;
                // Wait for quiet: a newer site replaces this one and the wait starts over.
                let (g, _) = self
                    .changed
                    .wait_timeout_while(s, idle, |s| s.next.is_none())
                    .ok()?;
                s = g;
                if s.next.is_some() {
                    continue;
                }
                return Some(job);
            }
            s = self.changed.wait(s).ok()?;
        }
    }

    fn newer_waiting(&self) -> bool {
        self.state.lock().is_ok_and(|s| s.next.is_some())
    }
}

/// Starts the thread that makes the search indexes. It has caches of its own, so its
/// runs and the page rebuilds' never end each other's.
pub(super) fn start(shared: Arc<Shared>, pipe: &pipeline::Options) {
    let pipe = pipeline::Options {
        session: Arc::new(crate::memo::Session::kept()),
        ..pipe.clone()
    };
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("errkb-index-{i}"))
        .start_handler(|_| lowest_priority())
        .build();
    std::thread::spawn(move || {
        lowest_priority();
        // The first build's index at once: the server starts serving after it.
        let mut idle = Duration::ZERO;
        while let Some(job) = shared.index.take(idle) {
            idle = IDLE;
            let index = match &pool {
                Ok(pool) => pool.install(|| pipeline::search_index(&pipe, &job.site, &job.config)),
                Err(_) => pipeline::search_index(&pipe, &job.site, &job.config),
            };
            drop(job.site);
            match index {
                Ok(files) => {
                    shared.replace_search(files.into_iter().map(|f| (f.path, f.bytes)).collect());
                    shared.hub.indexed(job.generation);
                }
                // An error of a site that already changed again is not worth showing.
                Err(_) if shared.index.newer_waiting() => {}
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
                }
            }
        }
    });
}

/// Lowers the calling thread's priority as far as it goes (Linux: per thread).
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19);
    }
}

//! `serve`'s loads after the first: the file watcher says which files changed, so a
//! load that only has edited entry files to account for reads those again and takes
//! the rest from the last load, instead of walking `content/` and stat-ing every file
//! (about 50 ms at 10,000 entries).
//!
//! Anything else falls back to the whole load, which is always right: a file the last
//! load did not know (added, or not an entry), one that is gone (deleted or renamed),
//! a watcher that lost events, a tree with symbolic links (the watcher does not see
//! their targets), and every [`RESCAN_EVERY`] whatever happened.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{CONTENT_DIR, Job, Loaded, RawEntry, read_job};
use crate::diag::Diagnostic;
use crate::fsutil;
use crate::memo::Session;

/// The session's names for the two values below.
const CHANGES: &str = "load.changes";
pub(super) const KNOWN: &str = "load.known";

/// A whole load at least this often, as a safety net under the watcher.
const RESCAN_EVERY: Duration = Duration::from_secs(30);

/// The changes a file watcher saw since the last load.
#[derive(Debug, Default)]
pub struct Changes(Mutex<Pending>);

#[derive(Debug, Default, Clone)]
pub(super) struct Pending {
    /// A watcher reports every change (nothing is trusted before it says so).
    watching: bool,
    /// The watcher lost events or failed: walk everything.
    rescan: bool,
    /// Paths relative to the site root.
    paths: BTreeSet<PathBuf>,
}

/// The session's record of changes, which its owner (`serve`'s watcher) fills in.
pub fn changes(session: &Session) -> Arc<Changes> {
    session.shared::<Changes>(CHANGES)
}

impl Changes {
    /// From now on every change under the site root is reported here.
    pub fn watching(&self) {
        self.with(|p| p.watching = true);
    }

    /// `path` (relative to the site root) changed: created, written, removed or renamed.
    pub fn changed(&self, path: PathBuf) {
        self.with(|p| {
            p.paths.insert(path);
        });
    }

    /// Changes may have been missed: the next load walks everything.
    pub fn rescan(&self) {
        self.with(|p| p.rescan = true);
    }

    /// What changed since the last call; the watching flag stays.
    pub(super) fn take(&self) -> Pending {
        let Ok(mut p) = self.0.lock() else {
            return Pending::default();
        };
        Pending {
            watching: p.watching,
            rescan: std::mem::take(&mut p.rescan),
            paths: std::mem::take(&mut p.paths),
        }
    }

    fn with(&self, f: impl FnOnce(&mut Pending)) {
        if let Ok(mut p) = self.0.lock() {
            f(&mut p);
        }
    }
}

/// The last load as a later one can start from it.
pub(super) struct Snapshot {
    /// What the walk found besides the entries (tools, intro, its own diagnostics).
    walked: Loaded,
    jobs: Vec<Job>,
    /// Each job's result, in the walk's order.
    read: Vec<Result<RawEntry, Diagnostic>>,
    /// A job's place by its path relative to the root.
    by_path: HashMap<PathBuf, usize>,
    /// The walk followed a symbolic link.
    links: bool,
    walked_at: Instant,
}

impl Snapshot {
    pub(super) fn new(
        walked: Loaded,
        jobs: Vec<Job>,
        read: Vec<Result<RawEntry, Diagnostic>>,
        links: bool,
    ) -> Snapshot {
        let by_path = jobs
            .iter()
            .enumerate()
            .map(|(i, j)| (j.relp.clone(), i))
            .collect();
        Snapshot {
            walked,
            jobs,
            read,
            by_path,
            links,
            walked_at: Instant::now(),
        }
    }

    /// The load's result: the walk's findings, then each entry in order (the problems of
    /// the entries that could not be read after the walk's own).
    pub(super) fn loaded(&self) -> Loaded {
        use rayon::prelude::*;
        let mut diagnostics = self.walked.diagnostics.clone();
        diagnostics.extend(self.read.iter().filter_map(|r| r.as_ref().err().cloned()));
        Loaded {
            // Thousands of small copies: on every core.
            entries: self
                .read
                .par_iter()
                .filter_map(|r| r.as_ref().ok().cloned())
                .collect(),
            tools: self.walked.tools.clone(),
            intro: self.walked.intro.clone(),
            diagnostics,
        }
    }
}

/// The last load, kept by `serve`'s session.
#[derive(Default)]
pub(super) struct Known(Mutex<Option<Snapshot>>);

impl Known {
    pub(super) fn keep(&self, snapshot: Option<Snapshot>) {
        if let Ok(mut k) = self.0.lock() {
            *k = snapshot;
        }
    }

    /// The load after `pending`, when it can be made from the last one; `None` when the
    /// tree must be walked.
    pub(super) fn reload(&self, pending: &Pending) -> Option<Loaded> {
        if !pending.watching || pending.rescan {
            return None;
        }
        let mut guard = self.0.lock().ok()?;
        let snap = guard.as_mut()?;
        if snap.links || snap.walked_at.elapsed() > RESCAN_EVERY {
            return None;
        }
        let mut again = Vec::new();
        for p in &pending.paths {
            // Templates, static files, translations and errkb.yaml are read by each run.
            if !p.starts_with(CONTENT_DIR) {
                continue;
            }
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if fsutil::is_litter(name) {
                continue;
            }
            let &i = snap.by_path.get(p)?;
            // Still a file where the walk found one (not removed, renamed or replaced by
            // a folder or a link).
            let still = std::fs::symlink_metadata(&snap.jobs[i].path)
                .is_ok_and(|m| m.file_type().is_file());
            if !still {
                return None;
            }
            again.push(i);
        }
        for i in again {
            snap.read[i] = read_job(&snap.jobs[i], None, true);
        }
        Some(snap.loaded())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = dir.path().join("content/web");
        std::fs::create_dir_all(&t).expect("mkdir");
        std::fs::write(t.join("a.md"), "---\ntitle: A\n---\nfirst\n").expect("write");
        std::fs::write(t.join("b.md"), "---\ntitle: B\n---\nb\n").expect("write");
        dir
    }

    fn bodies(l: &Loaded) -> Vec<String> {
        l.entries.iter().map(|e| e.body().to_string()).collect()
    }

    #[test]
    fn rereads_only_what_the_watcher_reported() {
        let dir = site();
        let root = dir.path();
        let session = Session::kept();
        let changes = changes(&session);
        changes.watching();
        assert_eq!(
            bodies(&super::super::load(root, &session)),
            ["first\n", "b\n"]
        );
        let a = root.join("content/web/a.md");
        std::fs::write(&a, "---\ntitle: A\n---\nsecond\n").expect("write");
        std::fs::write(
            root.join("content/web/b.md"),
            "---\ntitle: B\n---\nunseen\n",
        )
        .expect("write");
        // Only a.md is reported: b.md's edit is not read (which shows the walk was not).
        changes.changed(PathBuf::from("content/web/a.md"));
        assert_eq!(
            bodies(&super::super::load(root, &session)),
            ["second\n", "b\n"]
        );
        // A file the last load did not know means a walk, which sees everything.
        std::fs::write(root.join("content/web/c.md"), "---\ntitle: C\n---\nc\n").expect("write");
        changes.changed(PathBuf::from("content/web/c.md"));
        assert_eq!(
            bodies(&super::super::load(root, &session)),
            ["second\n", "unseen\n", "c\n"]
        );
        // A reported file that is gone means a walk too.
        std::fs::remove_file(&a).expect("rm");
        changes.changed(PathBuf::from("content/web/a.md"));
        assert_eq!(
            bodies(&super::super::load(root, &session)),
            ["unseen\n", "c\n"]
        );
    }

    #[test]
    fn walks_without_a_watcher_or_after_lost_events() {
        let dir = site();
        let root = dir.path();
        let session = Session::kept();
        super::super::load(root, &session);
        let b = root.join("content/web/b.md");
        std::fs::write(&b, "---\ntitle: B\n---\nnew\n").expect("write");
        // No watcher: every load walks.
        assert_eq!(
            bodies(&super::super::load(root, &session)),
            ["first\n", "new\n"]
        );
        let changes = changes(&session);
        changes.watching();
        std::fs::write(&b, "---\ntitle: B\n---\nnewer\n").expect("write");
        changes.rescan();
        assert_eq!(
            bodies(&super::super::load(root, &session)),
            ["first\n", "newer\n"]
        );
    }
}

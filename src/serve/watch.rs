//! The file watcher: each burst of changes to the site's sources becomes one rebuild,
//! and the changed paths go to the load stage (see [`crate::load::Changes`]), which then
//! reads only those files again instead of walking the whole tree.

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use super::{ServeError, Shared, rebuild};
use crate::pipeline;

/// Quiet time that ends a burst of file events (an editor writing a temp file and
/// renaming it is one change).
const DEBOUNCE: Duration = Duration::from_millis(20);

/// The quiet time after a file was closed from writing: the save is complete, so only
/// what an editor does right after it (removing a backup) is waited for.
const SETTLE: Duration = Duration::from_millis(3);

/// What the watcher saw.
enum Seen {
    /// A file or folder was created, written, removed or renamed.
    Path(PathBuf),
    /// A file was closed after writing.
    Written(PathBuf),
    /// Events were lost (the system's queue overflowed) or the watcher failed: anything
    /// may have changed.
    Lost,
}

/// Watches the site's sources and starts the thread that rebuilds after changes. Reads
/// are ignored (the rebuild itself reads files).
pub(super) fn start(
    root: &Path,
    pipe: pipeline::Options,
    shared: Arc<Shared>,
    quiet: bool,
) -> Result<notify::RecommendedWatcher, ServeError> {
    use notify::event::{AccessKind, AccessMode};
    use notify::{EventKind, RecursiveMode, Watcher};
    let (tx, rx) = mpsc::channel::<Seen>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let ev = match res {
            Ok(ev) if !ev.need_rescan() => ev,
            _ => {
                let _ = tx.send(Seen::Lost);
                return;
            }
        };
        let written = matches!(
            ev.kind,
            EventKind::Access(AccessKind::Close(AccessMode::Write))
        );
        if !written && matches!(ev.kind, EventKind::Access(_) | EventKind::Other) {
            return;
        }
        for p in ev.paths {
            let _ = tx.send(if written {
                Seen::Written(p)
            } else {
                Seen::Path(p)
            });
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
    // From here on every change is reported, so loads may trust the reports.
    let changes = crate::load::changes(&pipe.session);
    changes.watching();
    // Events carry absolute paths; compare them with an absolute root (the default root
    // is `.`).
    let root = crate::fsutil::absolute(root);
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            let noticed = Instant::now();
            let quiet_after = |s: &Seen| match s {
                Seen::Written(p) if relevant(&root, p) => SETTLE,
                _ => DEBOUNCE,
            };
            let mut wait = quiet_after(&first);
            let mut seen = vec![first];
            while let Ok(more) = rx.recv_timeout(wait) {
                wait = quiet_after(&more);
                seen.push(more);
            }
            let mut lost = false;
            let mut changed = Vec::new();
            for s in seen {
                match s {
                    Seen::Lost => lost = true,
                    Seen::Path(p) | Seen::Written(p) if relevant(&root, &p) => {
                        changed.push(p.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(p));
                    }
                    Seen::Path(_) | Seen::Written(_) => {}
                }
            }
            if changed.is_empty() && !lost {
                continue;
            }
            changed.sort();
            changed.dedup();
            if lost {
                changes.rescan();
            }
            for p in &changed {
                changes.changed(p.clone());
            }
            rebuild(&pipe, &shared, quiet, Some((&changed, noticed)));
        }
    });
    Ok(watcher)
}

/// Only sources count: not the output folder, editor swap files or VCS folders.
fn relevant(root: &Path, p: &Path) -> bool {
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

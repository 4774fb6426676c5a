//! Stage 1: walk `content/`, read every file once, split front matter from body.
//!
//! Nothing here interprets keys; that is `validate`'s job. What this stage owns is the
//! site layout of ENTRY-FORMAT.md: which files are entries, their ids, and the line
//! offsets that let later errors point at the right line of the file.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::fsutil;
use crate::memo::{Key, KeyBuilder, Memo, Session};

mod changes;
mod walk;

pub use changes::{Changes, changes};
use changes::{KNOWN, Known, Snapshot};
use walk::Walk;
#[cfg(test)]
use walk::near_miss;

pub const CONTENT_DIR: &str = "content";

/// Top-level paths errkb generates itself; a tool folder cannot take them.
pub const RESERVED_TOOL_IDS: &[&str] = &["api", "search", "tags"];

/// Why `tool` cannot be a tool folder, when it is one of [`RESERVED_TOOL_IDS`].
pub fn reserved_tool(tool: &str) -> Option<String> {
    RESERVED_TOOL_IDS
        .contains(&tool)
        .then(|| format!("`{tool}` cannot be a tool folder: errkb uses /{tool}/ for its own pages"))
}

/// Entries larger than this are refused unread (a real entry is a few kilobytes).
pub const MAX_ENTRY_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Markdown,
    Yaml,
}

/// One entry file, read and split but not yet interpreted. Cheap to clone: the text is
/// shared and the parts are ranges of it.
#[derive(Debug, Clone)]
pub struct RawEntry {
    pub tool: String,
    pub slug: String,
    /// Relative to the site root, e.g. `content/docker/x.md`.
    pub path: PathBuf,
    pub kind: EntryKind,
    /// The whole file (BOM dropped, LF line endings).
    pub text: Arc<str>,
    /// blake3 of `text` when the session keeps its caches (the key of the entry's
    /// validation); zeros in a one-shot run, which has no use for it.
    pub hash: [u8; 32],
    front: Range<usize>,
    /// 1-based line of `front`'s first line in the file.
    pub front_line: usize,
    body: Range<usize>,
    pub body_line: usize,
}

impl RawEntry {
    /// Splits a file's text into front matter and body.
    pub fn new(
        tool: String,
        slug: String,
        path: PathBuf,
        kind: EntryKind,
        text: Arc<str>,
        hash: [u8; 32],
    ) -> Result<RawEntry, Diagnostic> {
        let (front, front_line, body, body_line) = split(kind, &text)?;
        // The parts are slices of `text` (an empty part may be a literal elsewhere).
        let range = |part: &str| {
            let start = (part.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
            if part.is_empty() || start > text.len() {
                text.len()..text.len()
            } else {
                start..start + part.len()
            }
        };
        let (front, body) = (range(front), range(body));
        Ok(RawEntry {
            tool,
            slug,
            path,
            kind,
            front,
            front_line,
            body,
            body_line,
            hash,
            text,
        })
    }

    /// The YAML part: the front matter of a `.md`, the whole file of a `.yaml`.
    pub fn front(&self) -> &str {
        self.text.get(self.front.clone()).unwrap_or("")
    }

    /// [`RawEntry::body`], sharing the file's text.
    pub fn shared_body(&self) -> crate::model::SharedStr {
        crate::model::SharedStr::slice(self.text.clone(), self.body.clone())
    }

    /// The Markdown body of a `.md` (empty for `.yaml`).
    pub fn body(&self) -> &str {
        self.text.get(self.body.clone()).unwrap_or("")
    }
}

/// A tool folder's optional `_tool.yaml`, unparsed.
#[derive(Debug, Clone)]
pub struct RawTool {
    pub id: String,
    pub meta: Option<(PathBuf, String)>,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub entries: Vec<RawEntry>,
    pub tools: BTreeMap<String, RawTool>,
    /// `content/_index.md`, when present.
    pub intro: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the content tree under `root`. Problems become diagnostics; what could be read
/// is returned so that one run reports everything.
///
/// `serve` keeps the last load in its session: when its file watcher reported only
/// edits of entry files it already knows (see [`Changes`]), those files are read again
/// and the rest is taken from the last load, without walking the tree.
pub fn load(root: &Path, session: &Session) -> Loaded {
    let known = session.shared::<Known>(KNOWN);
    let changes = changes(session);
    if session.keeps()
        && let Some(loaded) = known.reload(&changes.take())
    {
        return loaded;
    }
    let (loaded, snapshot) = walk_and_read(root, session);
    if session.keeps() {
        known.keep(snapshot);
    }
    loaded
}

/// The whole load: walk `content/`, read each entry (`serve` reuses the text of a file
/// whose stamp has not changed), and what a later [`Known::reload`] starts from.
fn walk_and_read(root: &Path, session: &Session) -> (Loaded, Option<Snapshot>) {
    let content = root.join(CONTENT_DIR);
    let mut walk = Walk {
        root,
        boundary: fsutil::Boundary::new(root),
        out: Loaded::default(),
        seen: BTreeMap::new(),
        jobs: Vec::new(),
        links: false,
    };
    if !content.is_dir() {
        walk.out.diagnostics.push(
            Diagnostic::error(format!("no `{CONTENT_DIR}/` folder in {}", root.display()))
                .hint("run `errkb init` to create a site, or pass --root DIR"),
        );
        return (walk.out, None);
    }
    if let Err(m) = walk.boundary.check_if_link(&content) {
        walk.out
            .diagnostics
            .push(Diagnostic::error(m).file(CONTENT_DIR));
        return (walk.out, None);
    }
    let mut walker = walkdir::WalkDir::new(&content)
        .follow_links(true)
        .min_depth(1)
        .max_depth(3)
        // By file name, compared as the whole paths' bytes: siblings share their folder's
        // path up to the name, so the order is the same, while walkdir's
        // `sort_by_file_name` splits both paths into components for every comparison (at
        // 2,500 files a folder that was 650 M instructions, on the thread that walks).
        .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
        .into_iter();
    let texts = session.memo::<(Arc<str>, [u8; 32])>("load.texts");
    if session.keeps() {
        // `serve`: the walk, then the reads on the global pool (its memory is measured
        // over hours, and threads that end leave their allocator pages behind), and what
        // a later `Known::reload` starts from.
        walk.walk(&mut walker, |_| false);
        crate::timing::report_memory("load: walk");
        let Walk {
            out, jobs, links, ..
        } = walk;
        let read: Vec<_> = jobs
            .par_iter()
            .map(|job| read_job(job, Some(&texts), true))
            .collect();
        let snapshot = Snapshot::new(out, jobs, read, links);
        return (snapshot.loaded(), Some(snapshot));
    }
    // A one-shot run reads each file as soon as the walk has found it, on a pool with
    // more reads in flight than cores: the walk is serial (about 3 ms a thousand files),
    // and reading waits on the disk whenever a file is not in the page cache (after
    // another big job, on a network file system), which keeps the disk busy meanwhile.
    // The pool costs a millisecond or so to start: only a site with files enough for it
    // gets one, and the walk goes on beside the reads from there.
    walk.walk(&mut walker, |jobs| jobs.len() >= POOL_FROM);
    let pool = if walk.jobs.len() >= POOL_FROM {
        io_pool()
    } else {
        None
    };
    let read = match pool {
        Some(pool) => {
            let (tx, rx) = std::sync::mpsc::channel();
            let texts = &texts;
            pool.in_place_scope(|scope| {
                let mut sent = 0;
                // Hands the files found since the last batch to the pool, once there are
                // a batch of them (or, with `all`, whatever there is).
                let mut send = |jobs: &[Job], all: bool| {
                    while jobs.len() > sent && (all || jobs.len() - sent >= READ_BATCH) {
                        let end = jobs.len().min(sent + READ_BATCH);
                        let (from, batch) = (sent, jobs[sent..end].to_vec());
                        let tx = tx.clone();
                        scope.spawn(move |_| {
                            let read: Vec<_> = batch
                                .iter()
                                .map(|job| read_job(job, Some(texts), false))
                                .collect();
                            let _ = tx.send((from, read));
                        });
                        sent = end;
                    }
                };
                send(&walk.jobs, false);
                walk.walk(&mut walker, |jobs| {
                    send(jobs, false);
                    false
                });
                send(&walk.jobs, true);
            });
            drop(tx);
            let mut batches: Vec<(usize, Vec<_>)> = rx.into_iter().collect();
            batches.sort_unstable_by_key(|b| b.0);
            batches.into_iter().flat_map(|b| b.1).collect()
        }
        None => {
            walk.walk(&mut walker, |_| false);
            walk.jobs
                .par_iter()
                .map(|job| read_job(job, Some(&texts), false))
                .collect::<Vec<_>>()
        }
    };
    crate::timing::report_memory("load: walk and read");
    // Moved, not copied: nothing keeps this load.
    let mut out = walk.out;
    let mut entries = Vec::with_capacity(read.len());
    let mut unread = Vec::new();
    for r in read {
        match r {
            Ok(e) => entries.push(e),
            Err(d) => unread.push(d),
        }
    }
    out.entries = entries;
    out.diagnostics.append(&mut unread);
    (out, None)
}

/// Entry files from which a one-shot load reads on a pool of its own ([`io_pool`]).
const POOL_FROM: usize = 256;

/// Files a reading job of a one-shot load takes at a time (a job per file would cost
/// more to hand over than some files cost to read).
const READ_BATCH: usize = 16;

/// Reads in flight at once while loading a large site.
const READ_THREADS: usize = 16;

/// A pool of [`READ_THREADS`], when the machine has fewer cores (a pool costs a few
/// hundred microseconds to start).
fn io_pool() -> Option<rayon::ThreadPool> {
    if rayon::current_num_threads() >= READ_THREADS {
        return None;
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(READ_THREADS)
        .thread_name(|i| format!("errkb-read-{i}"))
        .build()
        .ok()
}

/// An entry file found by the walk, to be read.
#[derive(Debug, Clone)]
struct Job {
    tool: String,
    slug: String,
    kind: EntryKind,
    /// Where to read it.
    path: PathBuf,
    /// Relative to the site root, as shown.
    relp: PathBuf,
}

/// Reads and splits one entry file.
fn read_job(
    job: &Job,
    texts: Option<&Memo<(Arc<str>, [u8; 32])>>,
    hash: bool,
) -> Result<RawEntry, Diagnostic> {
    let (text, hash) = read_entry(&job.path, &job.relp, texts, hash)?;
    RawEntry::new(
        job.tool.clone(),
        job.slug.clone(),
        job.relp.clone(),
        job.kind,
        text,
        hash,
    )
    .map_err(|d| d.file(&job.relp))
}

/// What identifies a file's version without reading it: its path, size and times, and
/// where the system has them the inode's change time and number (unlike the modification
/// time, no tool can set the change time back).
fn stamp_key(relp: &Path, m: &std::fs::Metadata) -> Key {
    #[cfg(unix)]
    let changed = {
        use std::os::unix::fs::MetadataExt;
        (m.ctime(), m.ctime_nsec(), m.ino())
    };
    #[cfg(not(unix))]
    let changed = (0i64, 0i64, 0u64);
    let modified = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    KeyBuilder::new("text")
        .bytes(relp.as_os_str().as_encoded_bytes())
        .bytes(&m.len().to_le_bytes())
        .bytes(&modified.to_le_bytes())
        .bytes(&changed.0.to_le_bytes())
        .bytes(&changed.1.to_le_bytes())
        .bytes(&changed.2.to_le_bytes())
        .key()
}

/// Reads one entry file (refusing oversized ones unread); with `texts`, reuses the text
/// of a file whose stamp has not changed since it was last read.
fn read_entry(
    path: &Path,
    relp: &Path,
    texts: Option<&Memo<(Arc<str>, [u8; 32])>>,
    hash: bool,
) -> Result<(Arc<str>, [u8; 32]), Diagnostic> {
    use std::io::Read;
    let cannot = |e: std::io::Error| Diagnostic::error(format!("cannot read: {e}")).file(relp);
    // Opened first, then sized through the handle: one path lookup a file, not two (on
    // this project's VMs a system call costs microseconds, and a site has thousands of
    // files), and the size checked is that of the file read.
    let file = std::fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    let len = meta.len();
    if len > MAX_ENTRY_BYTES {
        return Err(Diagnostic::error(format!(
            "file is {len} bytes, over the limit of {MAX_ENTRY_BYTES} bytes for one entry"
        ))
        .file(relp));
    }
    // The stamp is made only for a cache that keeps texts, and the hash only when asked
    // for, in a session that keeps its caches: it is part of the entry's fingerprint,
    // which only kept caches read (see `Memo::key`).
    let texts = texts.filter(|t| t.keeps());
    let key = texts.map(|_| stamp_key(relp, &meta));
    if let Some(hit) = texts.zip(key).and_then(|(t, k)| t.get(&k)) {
        return Ok(hit);
    }
    // Read up to the size the file was given, into room for one byte more: a file that
    // is as long as it was sized is read without a last call that finds its end (one
    // system call a file fewer). One that grew meanwhile is read on to its end, at most
    // one byte past the limit; one that shrank ends where the reads do. A size of 0
    // proves nothing (a kernel file such as /proc's, through a link): read to the end.
    let sized = usize::try_from(len).unwrap_or(0);
    let mut bytes = vec![0; sized + 1];
    let mut got = 0;
    let mut file = file;
    while got < sized {
        match file.read(&mut bytes[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(cannot(e)),
        }
    }
    bytes.truncate(got);
    if got > sized || sized == 0 {
        file.take(MAX_ENTRY_BYTES + 1 - got as u64)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
    }
    if bytes.len() as u64 > MAX_ENTRY_BYTES {
        return Err(Diagnostic::error(format!(
            "file grew past the limit of {MAX_ENTRY_BYTES} bytes for one entry while it was read"
        ))
        .file(relp));
    }
    let text: Arc<str> = decoded(&bytes, relp)?.into();
    let hash = if hash {
        *blake3::hash(text.as_bytes()).as_bytes()
    } else {
        [0; 32]
    };
    if let Some((t, k)) = texts.zip(key) {
        t.put(k, (text.clone(), hash));
    }
    Ok((text, hash))
}

fn rel(root: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(root).unwrap_or(p).to_path_buf()
}

/// Reads a file as text, as a diagnostic naming the file on failure.
pub fn read_text(root: &Path, path: &Path) -> Result<String, Diagnostic> {
    let relp = rel(root, path);
    let bytes = fsutil::read(path)
        .map_err(|e| Diagnostic::error(format!("cannot read: {}", e.source)).file(&relp))?;
    decoded(&bytes, &relp)
}

/// A file's bytes as text (see [`fsutil::decode_text`]), or where they are not UTF-8.
fn decoded(bytes: &[u8], relp: &Path) -> Result<String, Diagnostic> {
    fsutil::decode_text(bytes).map_err(|e| {
        Diagnostic::error(format!("invalid UTF-8 at byte offset {}", e.offset))
            .file(relp)
            .at(e.line, Some(e.col), None)
            .hint("save the file as UTF-8")
    })
}

/// Splits a file into (front, front_line, body, body_line). For `.md` the front matter
/// sits between a first line `---` and the next line `---` (or `...`).
pub fn split(kind: EntryKind, text: &str) -> Result<(&str, usize, &str, usize), Diagnostic> {
    if kind == EntryKind::Yaml {
        return Ok((text, 1, "", 1));
    }
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return Err(Diagnostic::error(
            "missing front matter: a Markdown entry must start with a `---` line",
        )
        .at(1, Some(1), Some(text))
        .hint("put the entry's keys between two `---` lines at the top of the file"));
    }
    let front_start = (first_end + 1).min(text.len());
    let mut pos = front_start;
    let mut line = 2;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let l = text[pos..end].trim_end();
        if l == "---" || l == "..." {
            let body_start = (end + 1).min(text.len());
            return Ok((&text[front_start..pos], 2, &text[body_start..], line + 1));
        }
        pos = end + 1;
        line += 1;
    }
    Err(
        Diagnostic::error("unterminated front matter: no closing `---` line")
            .at(1, Some(1), Some(text))
            .hint("add a line `---` after the last key"),
    )
}

#[cfg(test)]
mod tests;

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
use crate::model::{is_valid_segment, segment_problem, suggest_segment};

mod changes;

pub use changes::{Changes, changes};
use changes::{KNOWN, Known, Snapshot};

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
    let walker = walkdir::WalkDir::new(&content)
        .follow_links(true)
        .min_depth(1)
        .max_depth(3)
        .sort_by_file_name()
        .into_iter();
    let texts = session.memo::<(Arc<str>, [u8; 32])>("load.texts");
    if session.keeps() {
        // `serve`: the walk, then the reads on the global pool (its memory is measured
        // over hours, and threads that end leave their allocator pages behind), and what
        // a later `Known::reload` starts from.
        walk.walk(walker, |_| {});
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
    let read = match io_pool() {
        Some(pool) => {
            let (tx, rx) = std::sync::mpsc::channel();
            let texts = &texts;
            pool.in_place_scope(|scope| {
                let spawn = |from: usize, batch: Vec<Job>| {
                    let tx = tx.clone();
                    scope.spawn(move |_| {
                        let read: Vec<_> = batch
                            .iter()
                            .map(|job| read_job(job, Some(texts), false))
                            .collect();
                        let _ = tx.send((from, read));
                    });
                };
                let mut sent = 0;
                walk.walk(walker, |jobs| {
                    if jobs.len() - sent >= READ_BATCH {
                        spawn(sent, jobs[sent..].to_vec());
                        sent = jobs.len();
                    }
                });
                if sent < walk.jobs.len() {
                    spawn(sent, walk.jobs[sent..].to_vec());
                }
            });
            drop(tx);
            let mut batches: Vec<(usize, Vec<_>)> = rx.into_iter().collect();
            batches.sort_unstable_by_key(|b| b.0);
            batches.into_iter().flat_map(|b| b.1).collect()
        }
        None => {
            walk.walk(walker, |_| {});
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

/// The walk of `content/`: what each file and folder is, by the site layout's rules.
struct Walk<'a> {
    root: &'a Path,
    boundary: fsutil::Boundary,
    out: Loaded,
    /// Entry ids already found, with the file that gave each.
    seen: BTreeMap<(String, String), PathBuf>,
    jobs: Vec<Job>,
    /// Whether a symbolic link was followed (its target's changes are not seen by a
    /// watcher of `content/`).
    links: bool,
}

impl Walk<'_> {
    /// Walks the tree, showing `found` the entry files found so far after each item.
    fn walk(&mut self, mut walker: walkdir::IntoIter, mut found: impl FnMut(&[Job])) {
        while let Some(item) = walker.next() {
            let is_dir = item.as_ref().is_ok_and(|d| d.file_type().is_dir());
            let skip = match item {
                Ok(dent) => self.visit(&dent),
                Err(e) => {
                    self.walk_error(&e);
                    false
                }
            };
            if skip && is_dir {
                walker.skip_current_dir();
            }
            found(&self.jobs);
        }
    }

    fn error(&mut self, d: Diagnostic) {
        self.out.diagnostics.push(d);
    }

    fn walk_error(&mut self, e: &walkdir::Error) {
        // A dangling Emacs lock (`.#x.md`) is litter, not a problem.
        if e.path()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .is_some_and(fsutil::is_litter)
        {
            return;
        }
        let path = e
            .path()
            .map(|p| rel(self.root, p))
            .unwrap_or_else(|| PathBuf::from(CONTENT_DIR));
        let msg = if e.loop_ancestor().is_some() {
            "symbolic link loop: this folder links back to one of its parents".to_string()
        } else {
            match e.io_error() {
                Some(io) => format!("cannot read: {io}"),
                None => e.to_string(),
            }
        };
        self.error(Diagnostic::error(msg).file(path));
    }

    /// Looks at one file or folder; true when a folder is not to be walked into.
    fn visit(&mut self, dent: &walkdir::DirEntry) -> bool {
        let path = dent.path();
        let relp = rel(self.root, path);
        let Some(name) = dent.file_name().to_str().map(str::to_string) else {
            self.error(
                Diagnostic::error("file name is not valid UTF-8")
                    .file(relp)
                    .hint("rename it using only a-z, 0-9 and -"),
            );
            return true;
        };
        if fsutil::is_litter(&name) {
            return true;
        }
        if dent.path_is_symlink() {
            self.links = true;
        }
        // Dotfiles are never read; `_index.md` and `_tool.yaml` are.
        if dent.path_is_symlink()
            && !name.starts_with('.')
            && let Err(m) = self.boundary.check(path)
        {
            self.error(Diagnostic::error(m).file(relp));
            return true;
        }
        let hidden = name.starts_with('.') || name.starts_with('_');
        if dent.file_type().is_dir() {
            return hidden || !self.folder(dent.depth(), name, relp);
        }
        if !dent.file_type().is_file() {
            // FIFOs, sockets and devices: reading them could block forever.
            if is_entry_file(&name) || name == "_tool.yaml" || name == "_index.md" {
                self.error(
                    Diagnostic::error("not a regular file (a pipe, socket or device); skipped")
                        .file(relp),
                );
            }
            return false;
        }
        if dent.depth() == 1 {
            self.top_file(path, &name, hidden, relp);
        } else {
            self.tool_file(path, &name, hidden, relp);
        }
        false
    }

    /// A folder: a tool at the top (true when it is to be walked), never deeper.
    fn folder(&mut self, depth: usize, name: String, relp: PathBuf) -> bool {
        if depth != 1 {
            self.error(
                Diagnostic::error("nested folders are not supported inside a tool folder")
                    .file(relp)
                    .hint("entries live directly in content/<tool>/"),
            );
            return false;
        }
        if let Some(m) = reserved_tool(&name) {
            self.error(
                Diagnostic::error(m)
                    .file(relp)
                    .hint(format!("rename the folder, e.g. to `{name}-tool`")),
            );
            return false;
        }
        if !is_valid_segment(&name) {
            self.error(
                Diagnostic::error(format!(
                    "invalid tool folder name `{name}`: a tool id {}",
                    segment_problem(&name).unwrap_or_default()
                ))
                .file(relp)
                .hint(format!("rename it to `{}`", suggest_segment(&name))),
            );
            return false;
        }
        self.out.tools.insert(
            name.clone(),
            RawTool {
                id: name,
                meta: None,
            },
        );
        true
    }

    /// A file directly in `content/`: only `_index.md` belongs there.
    fn top_file(&mut self, path: &Path, name: &str, hidden: bool, relp: PathBuf) {
        if name == "_index.md" {
            match read_text(self.root, path) {
                Ok(text) => self.out.intro = Some(text),
                Err(d) => self.error(d),
            }
        } else if is_entry_file(name) && !hidden {
            self.error(
                Diagnostic::error("entries must be inside a tool folder")
                    .file(relp)
                    .hint(format!("move it to content/<tool>/{name}")),
            );
        }
    }

    /// A file inside a tool folder: `_tool.yaml`, an entry, or something to skip.
    fn tool_file(&mut self, path: &Path, name: &str, hidden: bool, relp: PathBuf) {
        let Some(tool) = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            return;
        };
        if name == "_tool.yaml" {
            match read_text(self.root, path) {
                Ok(text) => {
                    if let Some(t) = self.out.tools.get_mut(&tool) {
                        t.meta = Some((relp, text));
                    }
                }
                Err(d) => self.error(d),
            }
            return;
        }
        if hidden || !is_entry_file(name) {
            if !hidden && let Some(fixed) = near_miss(name) {
                self.error(
                    Diagnostic::warning(format!(
                        "`{name}` is not read: entry files end in .md, .yaml or .yml"
                    ))
                    .file(relp)
                    .hint(format!("rename it to `{fixed}`")),
                );
            }
            return;
        }
        let (stem, kind) = split_ext(name);
        if !is_valid_segment(stem) {
            let ext = &name[stem.len()..];
            self.error(
                Diagnostic::error(format!(
                    "invalid entry file name `{name}`: the file name is the entry's id, which {}",
                    segment_problem(stem).unwrap_or_default()
                ))
                .file(relp)
                .hint(format!("rename it to `{}{ext}`", suggest_segment(stem))),
            );
            return;
        }
        let key = (tool.clone(), stem.to_string());
        if let Some(first) = self.seen.get(&key) {
            let d = Diagnostic::error(format!(
                "duplicate entry id `{tool}/{stem}`: also defined by {}",
                first.display()
            ))
            .file(relp)
            .hint("keep one of the two files");
            self.error(d);
            return;
        }
        self.seen.insert(key, relp.clone());
        self.jobs.push(Job {
            tool,
            slug: stem.to_string(),
            kind,
            path: path.to_path_buf(),
            relp,
        });
    }
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

fn is_entry_file(name: &str) -> bool {
    name.ends_with(".md") || name.ends_with(".yaml") || name.ends_with(".yml")
}

/// The entry name a file was probably meant to have: `x.markdown`, `x.MD`, `x.Yaml`…
fn near_miss(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    let fixed = match ext.to_ascii_lowercase().as_str() {
        "md" | "markdown" | "mdown" | "mkd" | "mkdn" | "mdwn" | "mdx" => "md",
        "yaml" => "yaml",
        "yml" => "yml",
        _ => return None,
    };
    (!stem.is_empty() && ext != fixed).then(|| format!("{stem}.{fixed}"))
}

fn split_ext(name: &str) -> (&str, EntryKind) {
    if let Some(s) = name.strip_suffix(".md") {
        (s, EntryKind::Markdown)
    } else if let Some(s) = name.strip_suffix(".yaml") {
        (s, EntryKind::Yaml)
    } else {
        (name.strip_suffix(".yml").unwrap_or(name), EntryKind::Yaml)
    }
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

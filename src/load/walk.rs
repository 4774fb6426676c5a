//! The walk of `content/` by the site layout of ENTRY-FORMAT.md: which folders are
//! tools, which files are entries and what their ids are, and what is refused (and why)
//! before anything is read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{CONTENT_DIR, EntryKind, Job, Loaded, RawTool, read_text, rel, reserved_tool};
use crate::diag::Diagnostic;
use crate::fsutil;
use crate::model::{is_valid_segment, segment_problem, suggest_segment};

/// The walk of `content/`: what each file and folder is, by the site layout's rules.
pub(super) struct Walk<'a> {
    pub(super) root: &'a Path,
    pub(super) boundary: fsutil::Boundary,
    pub(super) out: Loaded,
    /// Entry ids already found, with the file that gave each.
    pub(super) seen: BTreeMap<(String, String), PathBuf>,
    pub(super) jobs: Vec<Job>,
    /// Whether a symbolic link was followed (its target's changes are not seen by a
    /// watcher of `content/`).
    pub(super) links: bool,
}

impl Walk<'_> {
    /// Walks the tree, showing `found` the entry files found so far after each item,
    /// until the tree ends or `found` says to stop (another call goes on from there).
    pub(super) fn walk(
        &mut self,
        walker: &mut walkdir::IntoIter,
        mut found: impl FnMut(&[Job]) -> bool,
    ) {
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
            if found(&self.jobs) {
                return;
            }
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

fn is_entry_file(name: &str) -> bool {
    name.ends_with(".md") || name.ends_with(".yaml") || name.ends_with(".yml")
}

/// The entry name a file was probably meant to have: `x.markdown`, `x.MD`, `x.Yaml`…
pub(super) fn near_miss(name: &str) -> Option<String> {
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

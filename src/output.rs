//! The output as files in memory on their way to a [`Sink`]: the type every stage that
//! makes files shares (render, index) and the stages that take them (write, serve).

use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::Diagnostic;

/// Where the search manifest lives below the base URL, whatever the index holds: pages
/// (render) point here and the index stage writes it, so a page does not change when
/// the index does.
pub const SEARCH_MANIFEST: &str = "search/index.json";

/// One file of the output, path relative to the output folder with `/` separators. The
/// bytes are shared, so `serve` keeps one copy of a page however many builds reuse it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub path: String,
    pub bytes: Arc<Vec<u8>>,
}

impl OutFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> OutFile {
        OutFile {
            path: path.into(),
            bytes: Arc::new(bytes.into()),
        }
    }
}

/// Where rendered files go as they are made: a staging folder for `build`, memory for
/// `serve` and tests. Called from several threads at once.
pub trait Sink: Sync {
    fn put(&self, file: OutFile) -> Result<(), String>;
}

/// A sink that keeps every file in memory.
#[derive(Default)]
pub struct Collect(std::sync::Mutex<Vec<OutFile>>);

impl Sink for Collect {
    fn put(&self, file: OutFile) -> Result<(), String> {
        self.0
            .lock()
            .map_err(|_| "output collector poisoned".to_string())?
            .push(file);
        Ok(())
    }
}

impl Collect {
    /// The files, sorted by path.
    pub fn into_files(self) -> Vec<OutFile> {
        let mut files = self.0.into_inner().unwrap_or_default();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

/// Passes files on to the real sink, refusing a path given twice (a tool folder, tag
/// or alias that collides with a generated page) and counting.
pub struct Guard<'a> {
    sink: &'a dyn Sink,
    seen: std::sync::Mutex<std::collections::HashSet<String>>,
    /// The sink's first error (a full disk): rendering stops being written, and this
    /// one message is the build's failure instead of one per file.
    failed: std::sync::OnceLock<String>,
}

impl<'a> Guard<'a> {
    pub fn new(sink: &'a dyn Sink) -> Guard<'a> {
        Guard {
            sink,
            seen: Default::default(),
            failed: Default::default(),
        }
    }

    /// Hands one file on; an error only for a path given twice.
    pub fn put(&self, file: OutFile) -> Result<(), Diagnostic> {
        let fresh = self
            .seen
            .lock()
            .map(|mut s| s.insert(file.path.clone()))
            .unwrap_or(true);
        if !fresh {
            return Err(
                Diagnostic::error(format!("two outputs share the path `{}`", file.path))
                    .hint("a tool folder, tag or alias collides with a page errkb generates"),
            );
        }
        if self.failed.get().is_some() {
            return Ok(());
        }
        if let Err(m) = self.sink.put(file) {
            let _ = self.failed.set(m);
        }
        Ok(())
    }

    /// [`Guard::put`] for many files at once, from several threads; the problems.
    pub fn put_all(&self, files: Vec<Result<OutFile, Diagnostic>>) -> Vec<Diagnostic> {
        files
            .into_par_iter()
            .filter_map(|f| f.and_then(|f| self.put(f)).err())
            .collect()
    }

    /// The sink's first error, when it refused a file.
    pub fn failure(&self) -> Option<&str> {
        self.failed.get().map(String::as_str)
    }

    pub fn counts(&self) -> Counts {
        self.seen
            .lock()
            .map(|s| Counts {
                files: s.len(),
                pages: s.iter().filter(|p| p.ends_with(".html")).count(),
            })
            .unwrap_or_default()
    }
}

/// What went into a [`Guard`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub files: usize,
    /// HTML pages among the files.
    pub pages: usize,
}

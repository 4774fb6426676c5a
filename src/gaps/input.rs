//! The logs `errkb gaps` reads: files, folders (recursively, in name order, hidden
//! entries skipped, links not followed), gzip-compressed files (by their magic bytes,
//! whatever their name) and standard input (`-`).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One log to read.
#[derive(Debug, Clone)]
pub enum Input {
    Stdin,
    File { path: PathBuf, name: String },
}

impl Input {
    /// How messages name it: as given on the command line, or `<stdin>`.
    pub fn name(&self) -> &str {
        match self {
            Input::Stdin => "<stdin>",
            Input::File { name, .. } => name,
        }
    }

    /// A buffered reader of its text (decompressed), or `None` for binary data (a NUL
    /// byte in the first 8 KiB, as grep decides).
    pub fn open(&self) -> Result<Option<Box<dyn BufRead + Send>>, String> {
        let raw: Box<dyn Read + Send> = match self {
            Input::Stdin => Box::new(std::io::stdin()),
            Input::File { path, name } => {
                Box::new(std::fs::File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?)
            }
        };
        let mut r = BufReader::with_capacity(256 * 1024, raw);
        let head = r
            .fill_buf()
            .map_err(|e| format!("cannot read {}: {e}", self.name()))?;
        let mut reader: Box<dyn BufRead + Send> = if head.starts_with(&[0x1f, 0x8b]) {
            Box::new(BufReader::with_capacity(
                256 * 1024,
                flate2::bufread::MultiGzDecoder::new(r),
            ))
        } else {
            Box::new(r)
        };
        let head = reader
            .fill_buf()
            .map_err(|e| format!("cannot read {}: {e}", self.name()))?;
        if head[..head.len().min(8192)].contains(&0) {
            return Ok(None);
        }
        Ok(Some(reader))
    }
}

/// The inputs named on the command line, folders walked; no argument means standard
/// input. Errors name each argument that does not exist or cannot be listed.
pub fn expand(args: &[String]) -> (Vec<Input>, Vec<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    if args.is_empty() {
        out.push(Input::Stdin);
    }
    for a in args {
        if a == "-" {
            if !out.iter().any(|i| matches!(i, Input::Stdin)) {
                out.push(Input::Stdin);
            }
            continue;
        }
        let p = Path::new(a);
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, a, &mut out, &mut errors),
            Ok(_) => out.push(Input::File {
                path: p.to_path_buf(),
                name: a.clone(),
            }),
            Err(e) => errors.push(format!("cannot read {a}: {e}")),
        }
    }
    (out, errors)
}

fn walk(dir: &Path, shown: &str, out: &mut Vec<Input>, errors: &mut Vec<String>) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let rel = e.path().strip_prefix(dir).unwrap_or(e.path());
                let name = Path::new(shown).join(rel).display().to_string();
                out.push(Input::File {
                    path: e.path().to_path_buf(),
                    name,
                });
            }
            Ok(_) => {}
            Err(e) => errors.push(format!("cannot list {shown}: {e}")),
        }
    }
}

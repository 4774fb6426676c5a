//! File access that names the path in every error, and text decoding rules shared by
//! every reader: UTF-8 only, a leading BOM dropped, CRLF turned into LF.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// An I/O failure with the path it happened on.
#[derive(Debug)]
pub struct FsError {
    pub path: PathBuf,
    pub action: &'static str,
    pub source: io::Error,
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot {} {}: {}",
            self.action,
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for FsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

pub fn err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> FsError {
    let path = path.to_path_buf();
    move |source| FsError {
        path,
        action,
        source,
    }
}

/// Why a file's bytes are not acceptable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset of the first invalid byte.
    pub offset: usize,
    pub line: usize,
    pub col: usize,
}

/// Decodes bytes as UTF-8 text: a BOM is dropped and CRLF (or a lone CR) becomes LF.
pub fn decode_text(bytes: &[u8]) -> Result<String, DecodeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(normalize_newlines(s)),
        Err(e) => {
            let offset = e.valid_up_to();
            let before = &bytes[..offset];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let col = String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count()
                + 1;
            Err(DecodeError { offset, line, col })
        }
    }
}

fn normalize_newlines(s: &str) -> String {
    if !s.contains('\r') {
        return s.to_string();
    }
    s.replace("\r\n", "\n").replace('\r', "\n")
}

pub fn read(path: &Path) -> Result<Vec<u8>, FsError> {
    std::fs::read(path).map_err(err("read", path))
}

pub fn create_dir_all(path: &Path) -> Result<(), FsError> {
    std::fs::create_dir_all(path).map_err(err("create folder", path))
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    std::fs::write(path, bytes).map_err(err("write", path))
}

/// Writes a new file, refusing to replace an existing one.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(err("create", path))?;
    f.write_all(bytes).map_err(err("write", path))
}

/// Makes a path absolute and resolves it the way the operating system will once the
/// missing parts are created: component by component, each existing prefix through the
/// real file system (symbolic links followed), `..` after a missing folder lexically
/// (creating `a/missing/..` makes it `a`). Fails on a broken symbolic link, whose target
/// could be anywhere.
pub fn resolve(path: &Path) -> Result<PathBuf, String> {
    use std::path::Component;
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot read the current folder: {e}"))?
            .join(path)
    };
    let mut out = PathBuf::new();
    for comp in abs.components() {
        match comp {
            Component::Prefix(_) | Component::RootDir => out.push(comp),
            Component::CurDir => {}
            // `out` is already resolved, so its parent is the real parent.
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                match std::fs::symlink_metadata(&out) {
                    Ok(m) => {
                        out = std::fs::canonicalize(&out).map_err(|e| {
                            if m.file_type().is_symlink() {
                                format!(
                                    "{} is a symbolic link that leads nowhere ({e})",
                                    out.display()
                                )
                            } else {
                                format!("cannot resolve {}: {e}", out.display())
                            }
                        })?;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(format!("cannot inspect {}: {e}", out.display())),
                }
            }
        }
    }
    Ok(out)
}

/// [`resolve`], falling back to the absolute path as given when it cannot be resolved.
pub fn absolute(path: &Path) -> PathBuf {
    resolve(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    })
}

/// Files that editors and operating systems leave beside real ones: Emacs locks
/// (`.#x`, often dangling symbolic links) and autosaves (`#x#`), Vim swap files, `~`
/// backups, atomic-save temporaries (`x.tmp-123`), macOS `.DS_Store` and `._x`, Windows
/// `Thumbs.db` and `desktop.ini`. They are skipped without a word.
pub fn is_litter(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with(".#")
        || name.starts_with("._")
        || (name.starts_with('#') && name.ends_with('#') && name.len() > 1)
        || name.ends_with('~')
        || [".swp", ".swo", ".swx"].iter().any(|s| lower.ends_with(s))
        || name.contains(".tmp-")
        || [".ds_store", "thumbs.db", "desktop.ini"].contains(&lower.as_str())
}

/// The site root as a boundary: what a symbolic link leads to must be inside it, and not
/// in one of its hidden folders (`.git/` holds credentials). Nothing is read from a link
/// that fails, so its target never reaches the output or a message.
#[derive(Debug, Clone)]
pub struct Boundary {
    root: PathBuf,
}

impl Boundary {
    pub fn new(root: &Path) -> Boundary {
        Boundary {
            root: std::fs::canonicalize(root).unwrap_or_else(|_| absolute(root)),
        }
    }

    /// Checks where `path` really leads. Cheap for a path without links, but meant for
    /// the ones that are (or that pass through) symbolic links.
    pub fn check(&self, path: &Path) -> Result<(), String> {
        let real = std::fs::canonicalize(path)
            .map_err(|e| format!("symbolic link leads nowhere ({})", e.kind()))?;
        let Ok(inside) = real.strip_prefix(&self.root) else {
            return Err("symbolic link leads outside the site root; not read".into());
        };
        let hidden = inside.components().find_map(|c| {
            let name = c.as_os_str().to_str()?;
            (name.starts_with('.') && name != ".well-known").then(|| name.to_string())
        });
        match hidden {
            Some(name) => Err(format!(
                "symbolic link leads into `{name}/`, outside the site's own files; not read"
            )),
            None => Ok(()),
        }
    }

    /// [`Boundary::check`] for a path that is a symbolic link; `Ok` for any other.
    pub fn check_if_link(&self, path: &Path) -> Result<(), String> {
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => self.check(path),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_walks_the_real_file_system() {
        let tmp = tempfile::tempdir().expect("tmp");
        let base = std::fs::canonicalize(tmp.path()).expect("canon");
        std::fs::create_dir_all(base.join("a/b")).expect("mk");
        let r = |p: &str| resolve(&base.join(p)).expect("resolve");
        assert_eq!(r("a/b/../b/./c"), base.join("a/b/c"));
        // `..` after a missing folder is lexical, as creating the folders makes it.
        assert_eq!(r("missing/../a"), base.join("a"));
        assert_eq!(r("missing/../../x"), base.parent().expect("p").join("x"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("a/b"), base.join("link")).expect("ln");
            assert_eq!(r("link/../x"), base.join("a/x"));
            std::os::unix::fs::symlink(base.join("gone"), base.join("dangling")).expect("ln");
            assert!(resolve(&base.join("dangling/x")).is_err());
        }
    }

    #[test]
    fn litter() {
        for l in [
            ".#a.md",
            "#a.md#",
            "a.md~",
            ".a.md.swp",
            ".a.swo",
            "x.tmp-1",
            ".DS_Store",
            "Thumbs.db",
            "desktop.ini",
            "._logo.png",
        ] {
            assert!(is_litter(l), "{l}");
        }
        for ok in [
            "a.md",
            "_tool.yaml",
            ".well-known",
            ".nojekyll",
            "#",
            "tmp-notes.md",
        ] {
            assert!(!is_litter(ok), "{ok}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn boundary() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("site");
        std::fs::create_dir_all(root.join(".git")).expect("mk");
        std::fs::write(root.join("a.txt"), "a").expect("w");
        std::fs::write(root.join(".git/config"), "t").expect("w");
        std::fs::write(tmp.path().join("secret"), "s").expect("w");
        let ln = |to: &str, at: &str| std::os::unix::fs::symlink(to, root.join(at)).expect("ln");
        ln("a.txt", "in");
        ln("../secret", "out");
        ln(".git/config", "git");
        ln("nowhere", "dangling");
        let b = Boundary::new(&root);
        assert_eq!(b.check(&root.join("in")), Ok(()));
        assert!(
            b.check(&root.join("out"))
                .is_err_and(|m| m.contains("outside"))
        );
        assert!(
            b.check(&root.join("git"))
                .is_err_and(|m| m.contains(".git"))
        );
        assert!(b.check(&root.join("dangling")).is_err());
        assert_eq!(b.check_if_link(&root.join("a.txt")), Ok(()));
    }

    #[test]
    fn bom_and_crlf() {
        assert_eq!(
            decode_text(b"\xEF\xBB\xBFa\r\nb\rc").as_deref(),
            Ok("a\nb\nc")
        );
    }

    #[test]
    fn invalid_utf8_position() {
        let e = decode_text(b"ab\ncd\xFFe").expect_err("invalid");
        assert_eq!(
            e,
            DecodeError {
                offset: 5,
                line: 2,
                col: 3
            }
        );
    }
}

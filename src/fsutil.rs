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

/// Makes a path absolute and resolves `.`/`..` and symlinks as far as the path exists.
pub fn absolute(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    // Canonicalize the longest existing prefix, then append the rest lexically.
    let mut existing = abs;
    let mut rest = Vec::new();
    while !existing.exists() {
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = std::fs::canonicalize(&existing).unwrap_or(existing);
    for part in rest.into_iter().rev() {
        if part == ".." {
            out.pop();
        } else if part != "." {
            out.push(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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

//! The output as files in memory on their way to a [`Sink`]: the type every stage that
//! makes files shares (render, index) and the stages that take them (write, serve).

use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::Diagnostic;

/// Where the search manifest lives below the base URL, whatever the index holds: pages
/// (render) point here and the index stage writes it, so a page does not change when
/// the index does.
pub const SEARCH_MANIFEST: &str = "search/index.json";

/// Pages as `serve` keeps them in memory: gzip, about a fifth of their size (a
/// 10,000-entry site's pages take 40 MB instead of 200). Fast compression: a page is
/// compressed once, when it is rendered, and unpacked when it is asked for.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    gzip_at(bytes, 1)
}

/// gzip at `level` (0-9), with the header flate2's `GzEncoder` writes: no name, no
/// time, operating system 255, so the bytes depend on the input and the level alone.
/// Each thread keeps one compressor per level and resets it between files: setting one
/// up allocates and clears a few hundred kB, more than compressing a small file costs
/// (a build compresses hundreds of search files).
pub fn gzip_at(bytes: &[u8], level: u32) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    use std::cell::RefCell;
    thread_local! {
        static DEFLATE: RefCell<Vec<(u32, Compress)>> = const { RefCell::new(Vec::new()) };
    }
    let level = level.min(9);
    let xfl = match level {
        9 => 2,
        0 | 1 => 4,
        _ => 0,
    };
    let mut out = Vec::with_capacity(bytes.len() / 3 + 64);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 255]);
    DEFLATE.with(|cell| {
        let mut kept = cell.borrow_mut();
        let at = match kept.iter().position(|(l, _)| *l == level) {
            Some(at) => at,
            None => {
                kept.push((level, Compress::new(Compression::new(level), false)));
                kept.len() - 1
            }
        };
        let c = &mut kept[at].1;
        c.reset();
        loop {
            if out.capacity() - out.len() < 64 {
                out.reserve(out.len().max(64));
            }
            let (read, written) = (c.total_in(), c.total_out());
            let from = usize::try_from(read).map_or(bytes.len(), |r| r.min(bytes.len()));
            // Into a Vec with room to spare, deflate moves on at every call. Should it
            // fail or stand still, flate2's own encoder takes over (below), rather than
            // this loop going round for ever.
            match c.compress_vec(&bytes[from..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                Ok(_) if (c.total_in(), c.total_out()) != (read, written) => {}
                _ => {
                    out.clear();
                    break;
                }
            }
        }
    });
    if out.is_empty() {
        return fallback_gzip(bytes, level);
    }
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE is the length modulo 2^32.
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    // `serve` keeps every page like this for hours: no room to spare in it.
    if out.capacity() - out.len() > out.len() / 8 {
        out.shrink_to_fit();
    }
    out
}

/// flate2's own encoder, for the case the kept compressor cannot serve.
fn fallback_gzip(bytes: &[u8], level: u32) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3 + 32),
        flate2::Compression::new(level),
    );
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// Whether `bytes` are gzip (its magic number; no page or HTML file starts with it).
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The bytes [`gzip`] packed; bytes that are not gzip as they are.
pub fn gunzip(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use std::io::Read;
    if !is_gzip(bytes) {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() * 5);
    match flate2::read::GzDecoder::new(bytes).read_to_end(&mut out) {
        Ok(_) => std::borrow::Cow::Owned(out),
        Err(_) => std::borrow::Cow::Borrowed(bytes),
    }
}

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
    /// Every path handed on (foldhash: a build inserts every page under this lock).
    seen: std::sync::Mutex<std::collections::HashSet<String, foldhash::fast::RandomState>>,
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

#[cfg(test)]
mod gzip_tests {
    use super::*;

    #[test]
    fn pages_round_trip_and_plain_bytes_pass_through() {
        let page = "<!DOCTYPE html><p>Don’t</p>".repeat(100);
        let packed = gzip(page.as_bytes());
        assert!(is_gzip(&packed) && packed.len() < page.len() / 4);
        assert_eq!(&*gunzip(&packed), page.as_bytes());
        assert_eq!(&*gunzip(b"<p>x</p>"), b"<p>x</p>");
        assert!(!is_gzip(b"<!DOCTYPE html>"));
    }

    #[test]
    fn a_kept_compressor_gives_the_bytes_of_a_fresh_one() {
        // Empty, tiny, larger than the output's first allocation, larger than the window.
        let mut texts: Vec<Vec<u8>> = vec![Vec::new(), b"x".to_vec()];
        texts.push(
            "<li>failed to push some refs</li>\n"
                .repeat(300)
                .into_bytes(),
        );
        let mut state = 7u32;
        texts.push(
            (0..200_000)
                .map(|_| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    b"abcdefgh <>/\n"[(state >> 16) as usize % 13]
                })
                .collect(),
        );
        let run = |order: Vec<usize>, level: u32| {
            let texts = texts.clone();
            std::thread::spawn(move || {
                let mut out = vec![Vec::new(); texts.len()];
                for i in order {
                    out[i] = gzip_at(&texts[i], level);
                }
                out
            })
            .join()
            .expect("thread")
        };
        for level in [1, 6, 9] {
            // Each thread starts with a fresh compressor and reuses it, in two orders.
            let forward = run((0..texts.len()).collect(), level);
            let backward = run((0..texts.len()).rev().collect(), level);
            assert!(
                forward == backward,
                "level {level}: bytes depend on the order"
            );
            for (text, packed) in texts.iter().zip(&forward) {
                assert!(
                    *gunzip(packed) == text[..],
                    "level {level}, {} bytes",
                    text.len()
                );
                assert_eq!(
                    packed[8],
                    if level == 1 {
                        4
                    } else if level == 9 {
                        2
                    } else {
                        0
                    }
                );
            }
        }
    }
}

//! Hostile input: each case gives a clear error (or works) quickly, never a panic or hang.
//!
//! One submodule per threat; this file keeps the content-parsing cases.

mod backtrack;
mod flood;
mod output;
mod outside;
mod overlap;
mod small;
mod terminal;
mod urls;

use std::time::{Duration, Instant};

use crate::Site;

/// A site in `<tmp>/site`, so tests can look at (and aim at) what is beside it: a foreign
/// folder `<tmp>/victim` holding `keep.txt`, and secrets in `<tmp>/secret.txt` and
/// `<tmp>/secrets/token.md`.
pub(crate) struct Sandbox {
    tmp: tempfile::TempDir,
}

/// What the secrets beside a [`Sandbox`] hold; it must never appear in any output.
pub(crate) const SECRET: &str = "ghp_SECRETTOKEN1234567890";

impl Sandbox {
    pub(crate) fn new() -> Sandbox {
        let tmp = tempfile::tempdir().expect("tempdir");
        crate::copy_dir(
            &crate::fixtures().join("ok-basic"),
            &tmp.path().join("site"),
        );
        let beside = |rel: &str, text: &str| {
            let p = tmp.path().join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        };
        beside("victim/keep.txt", "precious");
        beside("secret.txt", &format!("{SECRET}\n"));
        beside("secrets/token.md", &format!("{SECRET}\n"));
        Sandbox { tmp }
    }
    /// The site root: `<tmp>/site`, a copy of the `ok-basic` fixture.
    pub(crate) fn root(&self) -> std::path::PathBuf {
        self.tmp.path().join("site")
    }
    /// The folder the site is in.
    pub(crate) fn tmp(&self) -> &std::path::Path {
        self.tmp.path()
    }
    /// A path beside the site.
    pub(crate) fn outside(&self, name: &str) -> std::path::PathBuf {
        self.tmp.path().join(name)
    }
    pub(crate) fn write(&self, rel: &str, text: &str) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    /// A symbolic link at `at` (inside the site) to `target`.
    #[cfg(unix)]
    pub(crate) fn link(&self, target: &std::path::Path, at: &str) {
        let p = self.root().join(at);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(target, p).expect("symlink");
    }
    /// Runs `errkb <args>` in the site root.
    pub(crate) fn run(&self, args: &[&str]) -> crate::Run {
        crate::run_in(&self.root(), args)
    }
}

fn entry(body: &str) -> String {
    format!(
        "---\ntitle: \"demo: hostile failed\"\nsummary: s\nlikely_cause: c\npatterns: [\"demo: hostile input failed\"]\nfix: [x]\nunsafe: [{{do_not: a, why: b}}]\nverify: [y]\n---\n{body}"
    )
}

/// Runs `errkb check` on a site holding `file` with `text`; returns (code, stdout), and
/// fails when it takes too long.
fn check_one(file: &str, text: &[u8]) -> (i32, String) {
    let s = Site::new("ok-basic");
    let p = s.path(file);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, text).expect("write");
    let t = Instant::now();
    let r = s.run(&["check", "--format", "json"]);
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "{file} took {:?}",
        t.elapsed()
    );
    assert!(!r.stderr().contains("panicked"), "{}", r.stderr());
    (r.code(), r.stdout())
}

#[test]
fn yaml_alias_bomb() {
    let mut y =
        String::from("---\ntitle: x\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        y.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 9].join(", ")));
    }
    y.push_str("extra: *a9\n---\n");
    let (code, out) = check_one("content/demo/bomb.md", y.as_bytes());
    assert_eq!(code, 1);
    assert!(
        out.contains("content/demo/bomb.md") && out.contains("repetition limit exceeded"),
        "{out}"
    );
}

#[test]
fn deep_nesting() {
    let y = format!(
        "---\ntitle: {}{}\n---\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let (code, out) = check_one("content/demo/deep.md", y.as_bytes());
    assert_eq!(code, 1);
    assert!(out.contains("nesting deeper than 64 levels"), "{out}");
}

#[test]
fn five_megabyte_entry_and_one_megabyte_line() {
    let big = entry(&"A paragraph of text that goes on.\n\n".repeat(150_000));
    assert!(big.len() > 5_000_000);
    let (code, out) = check_one("content/demo/big.md", big.as_bytes());
    assert_eq!(code, 0, "{out}");
    let long = entry(&"x".repeat(1 << 20));
    let (code, out) = check_one("content/demo/long-line.md", long.as_bytes());
    assert_eq!(code, 0, "{out}");
    let huge = vec![b'x'; 9 << 20];
    let (code, out) = check_one("content/demo/huge.md", &huge);
    assert_eq!(code, 1);
    assert!(out.contains("over the limit"), "{out}");
}

#[cfg(unix)]
#[test]
fn symlink_loops_pipes_and_bad_names() {
    use std::os::unix::ffi::OsStrExt;
    let s = Site::new("ok-basic");
    std::os::unix::fs::symlink("..", s.path("content/demo/loop")).expect("symlink");
    let fifo = s.path("content/demo/pipe.md");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let bad = s
        .path("content/demo")
        .join(std::ffi::OsStr::from_bytes(b"bad\xff.md"));
    std::fs::write(bad, entry("")).expect("write");
    let t = Instant::now();
    let r = s.run(&["check", "--format", "json"]);
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t.elapsed()
    );
    let out = r.stdout();
    assert_eq!(r.code(), 1, "{out}");
    assert!(out.contains("symbolic link loop"), "{out}");
    assert!(out.contains("not a regular file"), "{out}");
    assert!(out.contains("file name is not valid UTF-8"), "{out}");
}

//! The output folder: nothing errkb did not make is deleted or moved (`..`, symlinks, home,
//! root, markers, staging).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::Sandbox;
use crate::{Site, snapshot};

/// Names of the entries in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[track_caller]
fn refused(r: &crate::Run, why: &str) -> String {
    let err = r.stderr();
    assert_ne!(r.code(), 0, "expected a refusal ({why}); stderr:\n{err}");
    assert!(err.contains(why), "expected `{why}` in:\n{err}");
    err
}

#[test]
fn dotdot_into_content_is_refused() {
    let s = Sandbox::new();
    let before = snapshot(&s.root().join("content"));
    refused(
        &s.run(&["build", "-q", "--output", "public/../content"]),
        "content/",
    );
    assert_eq!(snapshot(&s.root().join("content")), before);
    assert!(!s.root().join("public").exists());
}

#[test]
fn dotdot_after_a_missing_folder_into_a_foreign_folder_is_refused() {
    let s = Sandbox::new();
    refused(
        &s.run(&["build", "-q", "--output", "nope/../../victim"]),
        "not created by errkb",
    );
    assert_eq!(names(&s.tmp().join("victim")), ["keep.txt"]);
    assert!(!s.root().join("nope").exists(), "a folder was created");
}

#[test]
fn the_site_root_through_dotdot_is_refused_and_nothing_moves() {
    let s = Sandbox::new();
    let before = names(&s.root());
    for out in ["public/..", ".", "./", "content/..", "../site"] {
        refused(
            &s.run(&["build", "-q", "--force", "--output", out]),
            "site root",
        );
        assert_eq!(names(&s.root()), before, "after --output {out}");
    }
    assert!(
        !names(s.tmp()).iter().any(|n| n.contains("errkb-old")),
        "{:?}",
        names(s.tmp())
    );
}

#[test]
fn an_ancestor_of_the_site_is_refused_even_with_force() {
    let s = Sandbox::new();
    let tmp = s.tmp().to_string_lossy().into_owned();
    for out in [tmp.as_str(), "..", "/"] {
        refused(
            &s.run(&["build", "-q", "--force", "--output", out]),
            "contains the site root",
        );
    }
    assert_eq!(names(&s.tmp().join("victim")), ["keep.txt"]);
}

#[test]
fn output_dir_in_config_must_stay_inside_the_site() {
    let s = Sandbox::new();
    for (value, why) in [
        ("build/../../victim", "`..`"),
        ("/tmp/errkb-abs-output", "relative"),
        ("../victim", "`..`"),
        ("", "empty"),
        ("content", "content/"),
    ] {
        std::fs::write(
            s.root().join("errkb.yaml"),
            format!("title: T\noutput_dir: \"{value}\"\n"),
        )
        .expect("write");
        let err = refused(&s.run(&["build", "-q"]), why);
        assert!(
            err.contains("errkb.yaml:2"),
            "no line for {value:?}:\n{err}"
        );
        // `check` says the same: a build would not get further.
        assert_ne!(s.run(&["check"]).code(), 0, "check accepted {value:?}");
    }
    assert_eq!(names(&s.tmp().join("victim")), ["keep.txt"]);
    assert!(!Path::new("/tmp/errkb-abs-output").exists());
}

#[cfg(unix)]
#[test]
fn a_symlinked_content_folder_is_still_content() {
    let s = Sandbox::new();
    let root = s.root();
    let real = s.tmp().join("real-content");
    std::fs::rename(root.join("content"), &real).expect("move");
    std::os::unix::fs::symlink("../real-content", root.join("content")).expect("symlink");
    let before = snapshot(&real);
    let r = s.run(&["build", "-q", "--output", "content/x"]);
    // Refused either as output inside content/ or because content/ links outside.
    assert_ne!(r.code(), 0, "{}", r.stderr());
    assert_eq!(snapshot(&real), before);
    // The same folder reached by its real path is refused too.
    let out = real.join("x").to_string_lossy().into_owned();
    refused(&s.run(&["build", "-q", "--output", &out]), "content/");
    assert_eq!(snapshot(&real), before);
}

#[cfg(unix)]
#[test]
fn an_output_symlink_to_the_site_root_is_refused() {
    let s = Sandbox::new();
    std::os::unix::fs::symlink(".", s.root().join("loop")).expect("symlink");
    std::os::unix::fs::symlink("content", s.root().join("pub")).expect("symlink");
    let before = names(&s.root());
    refused(
        &s.run(&["build", "-q", "--force", "--output", "loop"]),
        "site root",
    );
    refused(
        &s.run(&["build", "-q", "--force", "--output", "pub"]),
        "content/",
    );
    assert_eq!(names(&s.root()), before);
}

#[test]
fn home_is_never_replaced_even_with_force() {
    let s = Sandbox::new();
    let home = s.tmp().join("home");
    std::fs::create_dir_all(&home).expect("mkdir");
    std::fs::write(home.join(".bashrc"), "mine").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["build", "-q", "--force", "--output"])
        .arg(&home)
        .current_dir(s.root())
        .env("HOME", &home)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let r = crate::Run(out);
    refused(&r, "home folder");
    assert_eq!(names(&home), [".bashrc"]);
}

#[test]
fn a_foreign_folder_needs_force_and_a_marked_one_does_not() {
    let s = Sandbox::new();
    let victim = s.tmp().join("victim").to_string_lossy().into_owned();
    refused(
        &s.run(&["build", "-q", "--output", &victim]),
        "not created by errkb",
    );
    assert_eq!(names(&s.tmp().join("victim")), ["keep.txt"]);
    s.run(&["build", "-q", "--force", "--output", &victim]).ok();
    assert!(s.tmp().join("victim/.errkb-output").is_file());
    // Now it is errkb's: a plain build replaces it.
    s.run(&["build", "-q", "--output", &victim]).ok();
}

/// Leftover staging folders of a killed build: removed by the next build when their owner
/// is gone, kept when it is alive or when they are not errkb's.
#[test]
fn stale_staging_folders_are_cleaned_only_when_their_owner_is_dead() {
    let s = Sandbox::new();
    let root = s.root();
    let dead = {
        let mut c = Command::new("true").spawn().expect("spawn");
        let pid = c.id();
        c.wait().expect("wait");
        pid
    };
    let mk = |name: &str, owner: Option<u32>| {
        let d = root.join(name);
        std::fs::create_dir_all(d.join("docker")).expect("mkdir");
        std::fs::write(d.join("docker/index.html"), "old").expect("write");
        if let Some(pid) = owner {
            std::fs::write(d.join(".errkb-staging"), format!("pid {pid}\n")).expect("write");
        }
    };
    mk(".public.errkb-staging-dead1", Some(dead));
    mk(".public.errkb-old-dead2", Some(dead));
    mk(".public.errkb-staging-alive", Some(std::process::id()));
    mk(".public.errkb-staging-nomarker", None);
    mk(".other.errkb-staging-dead3", Some(dead));
    s.run(&["build", "-q"]).ok();
    let left = names(&root);
    assert!(
        !left.contains(&".public.errkb-staging-dead1".to_string()),
        "{left:?}"
    );
    assert!(
        !left.contains(&".public.errkb-old-dead2".to_string()),
        "{left:?}"
    );
    for kept in [
        ".public.errkb-staging-alive",
        ".public.errkb-staging-nomarker",
        ".other.errkb-staging-dead3",
    ] {
        assert!(left.contains(&kept.to_string()), "{kept} removed: {left:?}");
    }
}

/// A site big enough that a debug build takes a moment, so a signal lands mid-build.
fn big_site() -> Site {
    let s = Site::new("ok-basic");
    for i in 0..3000 {
        s.write(
            &format!("content/bulk/entry-{i}.md"),
            &format!(
                "---\ntitle: \"bulk: operation {i} failed\"\nsummary: s\nlikely_cause: c\n\
                 patterns: [\"bulk: operation {i} failed\"]\nfix: [{{run: \"echo fix {i}\"}}]\n\
                 unsafe: [{{do_not: a, why: b}}]\nverify: [{{run: \"echo ok {i}\"}}]\n---\n\
                 Body {i} with `code` and a list:\n\n- one\n- two\n"
            ),
        );
    }
    s
}

fn staging_dirs(root: &Path) -> Vec<String> {
    names(root)
        .into_iter()
        .filter(|n| n.contains(".errkb-staging-") || n.contains(".errkb-old-"))
        .collect()
}

/// Starts `errkb build` and waits until its staging folder exists.
#[cfg(unix)]
fn build_until_staged(s: &Site) -> std::process::Child {
    let child = Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["build", "-q", "--output", "public"])
        .current_dir(s.root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let t = Instant::now();
    while staging_dirs(s.root()).is_empty() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "no staging folder appeared"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child
}

#[cfg(unix)]
fn signal(child: &std::process::Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(ok.success());
}

#[cfg(unix)]
#[test]
fn ctrl_c_removes_the_staging_folder() {
    let s = big_site();
    for sig in ["-INT", "-TERM"] {
        let mut child = build_until_staged(&s);
        signal(&child, sig);
        let status = child.wait().expect("wait");
        assert!(!status.success(), "{sig}: the build was not interrupted");
        assert_eq!(staging_dirs(s.root()), Vec::<String>::new(), "{sig}");
        assert!(
            !s.path("public").exists(),
            "{sig}: a half-written site appeared"
        );
    }
}

#[cfg(unix)]
#[test]
fn kill_9_leaves_a_staging_folder_that_the_next_build_removes() {
    let s = big_site();
    let mut child = build_until_staged(&s);
    signal(&child, "-KILL");
    child.wait().expect("wait");
    assert!(!staging_dirs(s.root()).is_empty(), "nothing left to clean");
    s.run(&["build", "-q", "--output", "public"]).ok();
    assert_eq!(staging_dirs(s.root()), Vec::<String>::new());
    assert!(s.path("public/.errkb-output").is_file());
}

#[test]
fn init_gitignore_covers_output_and_staging() {
    let s = Sandbox::new();
    let dir = s.tmp().join("newsite");
    crate::run_in(s.tmp(), &["init", "newsite"]).ok();
    let ignore = std::fs::read_to_string(dir.join(".gitignore")).expect("read");
    for line in ["/public", ".*.errkb-staging-*", ".*.errkb-old-*"] {
        assert!(
            ignore.lines().any(|l| l == line),
            "{line} missing:\n{ignore}"
        );
    }
    let repo = std::fs::read_to_string(crate::fixtures().join("../../.gitignore")).expect("read");
    assert!(repo.contains(".*.errkb-staging-*"), "{repo}");
}

/// A full disk (here: a file size limit, so every larger page fails to write) stops the
/// build at the first failed write with one message, and the old output stays.
#[cfg(unix)]
#[test]
fn a_full_disk_gives_one_error_and_keeps_the_old_output() {
    let s = Site::new("ok-basic");
    s.run(&["build", "-q", "--output", "public"]).ok();
    let before = snapshot(&s.path("public"));
    s.write("content/_index.md", "A changed home page.\n");
    // SIGXFSZ ignored, so a write past the limit fails with EFBIG instead of killing.
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 8; exec '{}' build -q --output public",
            env!("CARGO_BIN_EXE_errkb")
        ))
        .current_dir(s.root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let r = crate::Run(out);
    let err = r.stderr();
    assert_ne!(r.code(), 0, "{err}");
    assert_eq!(err.matches("cannot write").count(), 1, "{err}");
    assert!(err.lines().count() <= 3, "{err}");
    assert_eq!(snapshot(&s.path("public")), before);
    assert_eq!(staging_dirs(s.root()), Vec::<String>::new());
}

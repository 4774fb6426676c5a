//! The GitHub Action (`action.yml`): its install script against a fake release folder
//! (checksums, versions, runners), its run script with the real binary, and the
//! structure of action.yml itself. The scripts are bash, as on every GitHub runner.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Run, Site};

const VERSION: &str = "9.9.9";
const LINUX_X64: &str = "x86_64-unknown-linux-musl";

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A release folder laid out as GitHub serves one (download/v<version>/…, and
/// latest/download/… for the newest), with a Linux .tar.gz and a Windows .zip whose errkb
/// is a stand-in that prints a line.
struct FakeRelease {
    dir: tempfile::TempDir,
}

const WINDOWS_X64: &str = "x86_64-pc-windows-msvc";

impl FakeRelease {
    fn new() -> FakeRelease {
        FakeRelease::with_binary("#!/bin/sh\necho \"fake errkb $*\"\n")
    }

    /// `binary` is the errkb file's text; `@link` makes it a symbolic link to /bin/sh.
    fn with_binary(binary: &str) -> FakeRelease {
        let f = FakeRelease {
            dir: tempfile::tempdir().expect("tmp"),
        };
        let stage = f.dir.path().join("stage");
        let rel = f.release_dir();
        std::fs::create_dir_all(&rel).expect("mkdir");
        for (target, exe) in [(LINUX_X64, "errkb"), (WINDOWS_X64, "errkb.exe")] {
            let name = format!("errkb-{VERSION}-{target}");
            std::fs::create_dir_all(stage.join(&name)).expect("mkdir");
            let bin = stage.join(&name).join(exe);
            if binary == "@link" {
                std::os::unix::fs::symlink("/bin/sh", &bin).expect("symlink");
            } else {
                std::fs::write(&bin, binary).expect("write");
            }
            std::fs::write(stage.join(&name).join("README.md"), "readme\n").expect("write");
            let pack = if target == WINDOWS_X64 {
                format!(
                    "python3 -m zipfile -c '{}/{name}.zip' '{name}'",
                    rel.display()
                )
            } else {
                format!(
                    "chmod +x '{name}/{exe}' 2>/dev/null; tar -czf '{}/{name}.tar.gz' '{name}'",
                    rel.display()
                )
            };
            sh(&format!("cd '{}' && {pack}", stage.display()));
        }
        sh(&format!(
            "cd '{}' && sha256sum errkb-* > SHA256SUMS",
            rel.display()
        ));
        let latest = f.dir.path().join("latest/download");
        std::fs::create_dir_all(&latest).expect("mkdir");
        std::fs::copy(rel.join("SHA256SUMS"), latest.join("SHA256SUMS")).expect("copy");
        f
    }

    fn release_dir(&self) -> PathBuf {
        self.dir.path().join(format!("download/v{VERSION}"))
    }

    fn sums(&self) -> PathBuf {
        self.release_dir().join("SHA256SUMS")
    }

    /// `install.sh <step>` with this release as the source and a private install root.
    fn script(&self, step: &str, env: &[(&str, &str)]) -> Run {
        let mut c = Command::new("bash");
        c.arg(repo_file(".github/action/install.sh"))
            .arg(step)
            .env(
                "ERRKB_RELEASES_URL",
                format!("file://{}", self.dir.path().display()),
            )
            .env("ERRKB_INSTALL_ROOT", self.dir.path().join("cache"))
            .env("ERRKB_OS", "Linux")
            .env("ERRKB_ARCH", "X64")
            .env_remove("ERRKB_VERSION")
            .env_remove("ERRKB_DIR");
        for (k, v) in env {
            c.env(k, v);
        }
        Run(c.output().expect("run bash"))
    }

    fn installed(&self) -> PathBuf {
        self.dir.path().join(format!("cache/{VERSION}/{LINUX_X64}"))
    }

    fn install(&self, version: &str) -> Run {
        let dir = self.installed();
        self.script(
            "install",
            &[
                ("ERRKB_VERSION", version),
                ("ERRKB_DIR", dir.to_str().expect("utf-8")),
            ],
        )
    }
}

fn sh(script: &str) {
    let ok = Command::new("sh")
        .args(["-c", script])
        .status()
        .expect("sh");
    assert!(ok.success(), "{script}");
}

#[test]
fn install_refuses_an_archive_whose_checksum_differs() {
    let r = FakeRelease::new();
    let sums = std::fs::read_to_string(r.sums()).expect("sums");
    let forged: String = sums
        .lines()
        .map(|l| match l.contains(LINUX_X64) {
            true => format!("{}{}\n", "0".repeat(64), &l[64..]),
            false => format!("{l}\n"),
        })
        .collect();
    std::fs::write(r.sums(), forged).expect("write");
    let run = r.install(VERSION).fails(1);
    assert!(
        run.stderr().contains(&format!(
            "checksum mismatch for errkb-{VERSION}-{LINUX_X64}.tar.gz: SHA256SUMS says 0000"
        )),
        "{}",
        run.stderr()
    );
    // Nothing is left for the cache to keep or the next step to run.
    assert!(!r.installed().exists());
    assert!(!r.installed().with_extension("partial").exists());
}

#[test]
fn install_refuses_an_archive_the_sums_do_not_list() {
    let r = FakeRelease::new();
    std::fs::write(
        r.sums(),
        format!("{}  errkb-other.tar.gz\n", "a".repeat(64)),
    )
    .expect("w");
    let run = r.install(VERSION).fails(1);
    assert!(
        run.stderr()
            .contains("SHA256SUMS of v9.9.9 does not list errkb-9.9.9-"),
        "{}",
        run.stderr()
    );
    assert!(!r.installed().exists());
}

#[test]
fn install_refuses_an_archive_whose_errkb_is_a_link() {
    // Even a release that checks out must not make the installer chmod or run a file
    // outside the install folder.
    let r = FakeRelease::with_binary("@link");
    let run = r.install(VERSION).fails(1);
    assert!(
        run.stderr().contains(&format!(
            "errkb-{VERSION}-{LINUX_X64}.tar.gz has no errkb-{VERSION}-{LINUX_X64}/errkb"
        )),
        "{}",
        run.stderr()
    );
    assert!(!r.installed().exists());
}

#[test]
fn windows_runners_get_the_zip_and_errkb_exe() {
    let r = FakeRelease::new();
    let windows = [("ERRKB_OS", "Windows"), ("ERRKB_ARCH", "X64")];
    let resolved = r.script("resolve", &windows).ok();
    let dir = r.dir.path().join(format!("cache/{VERSION}/{WINDOWS_X64}"));
    assert!(
        resolved
            .stdout()
            .contains(&format!("dir={}\n", dir.display())),
        "{}",
        resolved.stdout()
    );
    let dir_s = dir.to_str().expect("utf-8");
    let env = [
        windows[0],
        windows[1],
        ("ERRKB_VERSION", VERSION),
        ("ERRKB_DIR", dir_s),
    ];
    r.script("install", &env).ok();
    assert!(dir.join("errkb.exe").is_file());
    assert!(!dir.join("errkb").exists());
}

#[test]
fn versions_that_are_not_releases_never_reach_a_url() {
    let r = FakeRelease::new();
    for bad in ["../../etc", "1.2", "v1.2.3;rm", "1.2.3 --output=/x", ""] {
        let run = r.script("resolve", &[("ERRKB_VERSION", bad)]);
        if bad.is_empty() {
            // Empty means the default, `latest`.
            run.ok();
            continue;
        }
        let run = run.fails(1);
        assert!(
            run.stderr()
                .contains("version must be `latest` or a release"),
            "{bad}: {}",
            run.stderr()
        );
    }
}

#[test]
fn a_missing_release_and_an_unknown_runner_are_named() {
    let r = FakeRelease::new();
    let run = r.install("1.2.3").fails(1);
    assert!(
        run.stderr().contains("cannot download file://") && run.stderr().contains("v1.2.3"),
        "{}",
        run.stderr()
    );
    let run = r
        .script("target", &[("ERRKB_OS", "FreeBSD"), ("ERRKB_ARCH", "X64")])
        .fails(1);
    assert!(
        run.stderr().contains(
            "no errkb release binary for FreeBSD on X64; install with: cargo install --locked errkb"
        ),
        "{}",
        run.stderr()
    );
}

#[test]
fn runners_map_to_release_targets() {
    let r = FakeRelease::new();
    for (os, arch, target) in [
        ("Linux", "X64", "x86_64-unknown-linux-musl"),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        ("macOS", "X64", "x86_64-apple-darwin"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
        ("Windows", "X64", "x86_64-pc-windows-msvc"),
    ] {
        let run = r
            .script("target", &[("ERRKB_OS", os), ("ERRKB_ARCH", arch)])
            .ok();
        assert_eq!(run.stdout().trim(), target, "{os}/{arch}");
    }
}

#[test]
fn latest_resolves_through_the_sums_then_installs_once() {
    let r = FakeRelease::new();
    let run = r.script("resolve", &[("ERRKB_VERSION", "latest")]).ok();
    let dir = r.installed();
    assert_eq!(
        run.stdout(),
        format!(
            "version={VERSION}\ntarget={LINUX_X64}\ndir={}\n",
            dir.display()
        )
    );
    // A `v` prefix is accepted and dropped.
    let pinned = r.script("resolve", &[("ERRKB_VERSION", "v9.9.9")]).ok();
    assert_eq!(pinned.stdout(), run.stdout());
    let first = r.install(VERSION).ok();
    assert!(
        first.stdout().contains("installed errkb 9.9.9"),
        "{}",
        first.stdout()
    );
    let out = Command::new(dir.join("errkb"))
        .arg("--version")
        .output()
        .expect("run installed");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "fake errkb --version\n"
    );
    // Only the binary is taken from the archive.
    let names: BTreeSet<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, BTreeSet::from(["errkb".to_string()]));
    // Restored from the cache (or a self-hosted runner's tool cache): no download.
    std::fs::remove_dir_all(r.release_dir()).expect("rm");
    let again = r.install(VERSION).ok();
    assert!(again.stdout().contains("already in"), "{}", again.stdout());
}

/// `run.sh` with the real errkb, as the Action's last step runs it.
fn action_run(cwd: &Path, command: &str, args: &str, catalog: &str) -> Run {
    let out = Command::new("bash")
        .arg(repo_file(".github/action/run.sh"))
        .current_dir(cwd)
        .env("ERRKB_BIN", env!("CARGO_BIN_EXE_errkb"))
        .env("ERRKB_COMMAND", command)
        .env("ERRKB_ARGS", args)
        .env("ERRKB_CATALOG", catalog)
        .env("NO_COLOR", "1")
        .env_remove("ERRKB_BASE_URL")
        .output()
        .expect("run bash");
    Run(out)
}

#[test]
fn run_check_annotates_and_fails_on_problems() {
    let site = Site::new("err-unknown-key");
    let r = action_run(site.root(), "check", "", "").fails(1);
    assert!(r.stdout().starts_with("::error file="), "{}", r.stdout());
    // The caller's own --format wins over the annotations.
    let r = action_run(site.root(), "check", "--format json", "").fails(1);
    assert!(r.stdout().starts_with('{'), "{}", r.stdout());
    let ok = Site::new("ok-basic");
    action_run(ok.root(), "check", "--deny-warnings", "").ok();
}

#[test]
fn run_match_links_a_failed_log_to_its_fix_from_a_catalog() {
    let site = Site::new("ok-basic");
    site.run(&["build", "-q", "--base-url", "https://kb.example.org/"])
        .ok();
    let elsewhere = tempfile::tempdir().expect("tmp");
    let log = elsewhere.path().join("job log.txt");
    std::fs::write(&log, "error: widget beta is locked by another process\n").expect("w");
    std::fs::write(elsewhere.path().join("quiet.log"), "all good\n").expect("w");
    let catalog = site.path("public/api/entries.json");
    let catalog = catalog.to_str().expect("utf-8");
    // One argument per line keeps the space in the file name.
    let r = action_run(elsewhere.path(), "match", "job log.txt\n", catalog).ok();
    assert!(
        r.stdout().starts_with("::error title=")
            && r.stdout()
                .contains("See https://kb.example.org/demo/widget-locked/"),
        "{}",
        r.stdout()
    );
    // A log with no known error is not a second failure.
    let r = action_run(elsewhere.path(), "match", "quiet.log", catalog).ok();
    assert!(
        r.stdout()
            .contains("::notice title=errkb match::no known error"),
        "{}",
        r.stdout()
    );
    // A broken catalog is.
    action_run(elsewhere.path(), "match", "quiet.log", "missing.json").fails(2);
}

#[test]
fn run_refuses_an_unknown_command() {
    let tmp = tempfile::tempdir().expect("tmp");
    let r = action_run(tmp.path(), "serve", "", "").fails(2);
    assert!(
        r.stderr()
            .contains("must be check, build, match or install, not `serve`"),
        "{}",
        r.stderr()
    );
    action_run(tmp.path(), "install", "", "").ok();
}

/// action.yml: a composite action whose steps name a shell, whose expressions refer to
/// inputs and steps that exist, and whose scripts are in the repository.
#[test]
fn action_yml_is_a_complete_composite_action() {
    let text = std::fs::read_to_string(repo_file("action.yml")).expect("action.yml");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("action.yml is YAML");
    for key in ["name", "description"] {
        assert!(doc[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
    }
    assert_eq!(doc["runs"]["using"].as_str(), Some("composite"));
    let inputs = doc["inputs"].as_mapping().expect("inputs");
    let mut declared = BTreeSet::new();
    for (k, v) in inputs {
        let k = k.as_str().expect("input name");
        assert!(
            v["description"].as_str().is_some(),
            "input {k} has no description"
        );
        declared.insert(k.to_string());
    }
    for want in ["command", "version", "args", "working-directory", "catalog"] {
        assert!(declared.contains(want), "input {want}");
    }
    let steps = doc["runs"]["steps"].as_sequence().expect("steps");
    let ids: BTreeSet<_> = steps
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_string))
        .collect();
    for s in steps {
        if let Some(run) = s["run"].as_str() {
            assert_eq!(
                s["shell"].as_str(),
                Some("bash"),
                "a run step needs a shell: {run}"
            );
            for script in run.split("$GITHUB_ACTION_PATH/").skip(1) {
                let rel = script.split('"').next().expect("path");
                assert!(repo_file(rel).is_file(), "{rel} is missing");
            }
        } else {
            assert!(s["uses"].as_str().is_some(), "a step runs or uses: {s:?}");
        }
    }
    for expr in text.split("${{").skip(1) {
        let expr = expr.split("}}").next().expect("expression").trim();
        if let Some(name) = expr.strip_prefix("inputs.") {
            assert!(declared.contains(name), "undeclared input {name}");
        } else if let Some(rest) = expr.strip_prefix("steps.") {
            let id = rest.split('.').next().expect("id");
            assert!(ids.contains(id), "no step with id {id}");
        }
    }
}

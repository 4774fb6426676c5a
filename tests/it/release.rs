//! What a release ships: the crate package (no docs, corpora or fixtures), the container
//! image's build context, and one repository address in every file that names it.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The files `cargo package` would ship, as cargo lists them.
fn package_list() -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(root())
        .output()
        .expect("cargo package --list");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_crate_package_is_the_tool_and_its_theme_only() {
    let files = package_list();
    for must in [
        "src/main.rs",
        "templates/base.html",
        "static/search.js",
        "LICENSE-MIT",
    ] {
        assert!(files.iter().any(|f| f == must), "{must} is not packaged");
    }
    let mut total = 0;
    for f in &files {
        for bulk in [
            "docs/", "benches/", "tests/", "content/", ".github/", ".ci/",
        ] {
            assert!(!f.starts_with(bulk), "{f} is packaged");
        }
        // Cargo writes these two while packaging.
        if f == ".cargo_vcs_info.json" || f == "Cargo.toml.orig" {
            continue;
        }
        let len = std::fs::metadata(root().join(f))
            .unwrap_or_else(|e| panic!("{f}: {e}"))
            .len();
        assert!(len < 512 * 1024, "{f} is {len} bytes");
        total += len;
    }
    // Today about 1.2 MB of sources; a corpus or a screenshot would show here first.
    assert!(total < 3 * 1024 * 1024, "the package holds {total} bytes");
}

/// The paths `.dockerignore` lets into the image's build context: it excludes
/// everything (`*`) and names what comes back with `!`.
fn docker_context() -> Vec<String> {
    let text = read(".dockerignore");
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    assert_eq!(
        lines.next(),
        Some("*"),
        ".dockerignore starts by excluding all"
    );
    lines
        .map(|l| {
            let kept = l
                .strip_prefix('!')
                .unwrap_or_else(|| panic!("not a `!` line: {l}"));
            assert!(
                root().join(kept).exists(),
                ".dockerignore keeps {kept}, which is missing"
            );
            kept.trim_end_matches('/').to_string()
        })
        .collect()
}

fn in_context(context: &[String], path: &str) -> bool {
    context
        .iter()
        .any(|k| path == k || path.starts_with(&format!("{k}/")))
}

#[test]
fn the_image_context_holds_what_the_build_reads() {
    let context = docker_context();
    // Everything the package ships (which `cargo package` proves builds), less the files
    // that only describe it.
    for f in package_list() {
        let describes = [
            ".cargo_vcs_info.json",
            "Cargo.toml.orig",
            ".gitignore",
            "README.md",
            "CHANGELOG.md",
            "LICENSE-MIT",
            "LICENSE-APACHE",
        ];
        if !describes.contains(&f.as_str()) {
            assert!(
                in_context(&context, &f),
                "{f} is not in the image's build context"
            );
        }
    }
    // Cargo refuses a manifest whose declared targets are missing, even for `--bin`.
    for p in target_paths(&read("Cargo.toml")) {
        assert!(
            in_context(&context, &p),
            "{p} (a Cargo.toml target) is not in the context"
        );
    }
    // And cargo accepts the manifest and the lock file from the context alone.
    let copy = tempfile::tempdir().expect("tmp");
    for k in &context {
        let from = root().join(k);
        let to = copy.path().join(k);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        if from.is_dir() {
            crate::copy_dir(&from, &to);
        } else {
            std::fs::copy(&from, &to).expect("copy");
        }
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["fetch", "--locked", "--offline"])
        .current_dir(copy.path())
        .output()
        .expect("cargo fetch");
    assert!(
        out.status.success(),
        "cargo fetch --locked in the image context: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The file of each target table in Cargo.toml (`path = "…"`, or a bench's default).
fn target_paths(manifest: &str) -> Vec<String> {
    let mut in_target = false;
    let mut paths = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_target = matches!(line, "[lib]" | "[[bin]]" | "[[test]]" | "[[bench]]");
        } else if in_target && let Some(v) = line.strip_prefix("path = ") {
            paths.push(v.trim_matches('"').to_string());
        }
    }
    for bench in manifest.split("[[bench]]").skip(1) {
        // A bench without `path` lives at benches/<name>.rs.
        let table = bench.split("\n[").next().unwrap_or("");
        if !table.contains("path = ") {
            let name = table
                .lines()
                .find_map(|l| l.trim().strip_prefix("name = "))
                .expect("bench name")
                .trim_matches('"');
            paths.push(format!("benches/{name}.rs"));
        }
    }
    paths
}

/// The owner/name in Cargo.toml's `repository`.
fn repository() -> String {
    let manifest = read("Cargo.toml");
    let url = manifest
        .lines()
        .find_map(|l| l.strip_prefix("repository = "))
        .expect("repository in Cargo.toml")
        .trim_matches('"');
    url.strip_prefix("https://github.com/")
        .expect("a GitHub repository")
        .to_string()
}

#[test]
fn one_repository_address_everywhere() {
    let repo = repository();
    let files: &[(&str, &[String])] = &[
        (
            "README.md",
            &[format!("uses: {repo}@v1"), format!("ghcr.io/{repo}")],
        ),
        ("src/cli/init/errkb.yml", &[format!("uses: {repo}@v1")]),
        (
            "action.yml",
            &[format!("default: {repo}"), format!("uses: {repo}@v1")],
        ),
        (
            ".github/action/install.sh",
            &[format!("ERRKB_REPOSITORY:-{repo}}}")],
        ),
        (
            "Dockerfile",
            &[format!("image.source=\"https://github.com/{repo}\"")],
        ),
        ("docs/releasing.md", &[format!("ghcr.io/{repo}")]),
    ];
    for (file, wants) in files {
        let text = read(file);
        for want in *wants {
            assert!(text.contains(want.as_str()), "{file} does not say {want}");
        }
        // No other owner or a leftover placeholder for this project.
        for (i, _) in text.match_indices("/errkb") {
            let owner_start = text[..i]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .map_or(0, |p| p + 1);
            let owner = &text[owner_start..i];
            let before = &text[..owner_start];
            if before.ends_with("github.com/")
                || before.ends_with("ghcr.io/")
                || before.ends_with("uses: ")
            {
                assert_eq!(format!("{owner}/errkb"), repo, "{file}: {owner}/errkb");
            }
        }
    }
}

#[test]
fn the_binstall_urls_are_the_release_archive_names() {
    let manifest = read("Cargo.toml");
    assert!(manifest.contains(
        r#"pkg-url = "{ repo }/releases/download/v{ version }/{ name }-{ version }-{ target }{ archive-suffix }""#
    ));
    assert!(
        manifest.contains(r#"bin-dir = "{ name }-{ version }-{ target }/{ bin }{ binary-ext }""#)
    );
    let release = read(".github/workflows/release.yml");
    assert!(
        release.contains("NAME: errkb-${{ needs.check.outputs.version }}-${{ matrix.target }}")
    );
}

/// The README's workflow snippets are parts of files that actionlint checks: the
/// `match` example of `docs/examples/`, and the Action's three lines of init's workflow.
#[test]
fn readme_workflow_snippets_are_linted_files() {
    let readme = read("README.md");
    let deploying = readme
        .split("\n## Deploying\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a Deploying section");
    let blocks: Vec<&str> = deploying
        .split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().expect("closed block"))
        .collect();
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    assert_eq!(blocks[0].lines().count(), 3, "the Action in three lines");
    let dedent = |b: &str| -> Vec<String> {
        b.lines()
            .map(|l| l.trim().trim_start_matches("- ").to_string())
            .collect()
    };
    let init = dedent(&read("src/cli/init/errkb.yml"));
    let three = dedent(blocks[0]);
    assert!(
        init.windows(3).any(|w| w == three.as_slice()),
        "init's workflow does not hold {three:?}"
    );
    let example = read("docs/examples/match-on-failure.yml");
    assert!(
        example.contains(blocks[1]),
        "docs/examples/match-on-failure.yml lacks:\n{}",
        blocks[1]
    );
}

/// crates.io refuses a publish whose keywords break its rules (at most five, each at most
/// 20 characters, ASCII letters, digits, `-` and `_`, starting with a letter);
/// `cargo package` does not check them, so this does.
#[test]
fn crate_keywords_are_ones_crates_io_accepts() {
    let manifest = read("Cargo.toml");
    let line = manifest
        .lines()
        .find_map(|l| l.strip_prefix("keywords = "))
        .expect("keywords in Cargo.toml");
    let words: Vec<&str> = line
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|w| w.trim().trim_matches('"'))
        .collect();
    assert!(!words.is_empty() && words.len() <= 5, "{words:?}");
    for w in words {
        let ok = w.len() <= 20
            && w.starts_with(|c: char| c.is_ascii_alphabetic())
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        assert!(ok, "crates.io refuses the keyword `{w}`");
    }
}

//! `errkb init [DIR]`: a new knowledge-base site that passes `errkb check` as it is.

use std::path::{Path, PathBuf};

use super::exit;
use crate::fsutil;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to create the site in (must be empty or not exist)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

// errkb.yaml and the example entry open with a `# yaml-language-server: $schema=` line
// that points at the schemas the first `errkb build` writes into public/api/schema/
// (a new site has no published address yet; see `validate::schema::editor_url`).
const CONFIG: &str = include_str!("init/errkb.yaml");
const INDEX: &str = include_str!("init/_index.md");
const TOOL: &str = include_str!("init/_tool.yaml");
const ENTRY: &str = include_str!("init/no-rule-to-make-target.md");
const WORKFLOW: &str = include_str!("init/errkb.yml");
/// The output, and the staging folders a build killed with `kill -9` leaves beside it
/// (the next build removes them).
const GITIGNORE: &str = "/public\n.*.errkb-staging-*\n.*.errkb-old-*\n";

/// The files a new site gets, relative to its folder.
pub(super) const FILES: &[(&str, &str)] = &[
    ("errkb.yaml", CONFIG),
    ("content/_index.md", INDEX),
    ("content/make/_tool.yaml", TOOL),
    ("content/make/no-rule-to-make-target.md", ENTRY),
    (".github/workflows/errkb.yml", WORKFLOW),
    (".gitignore", GITIGNORE),
];

pub(super) fn run(a: &Args) -> u8 {
    match create(&a.dir) {
        Ok(()) => {
            eprintln!("created a knowledge base in {}", a.dir.display());
            eprintln!("next: cd {} && errkb check && errkb build", a.dir.display());
            exit::OK
        }
        Err(m) => {
            eprintln!("error: {}", crate::term::text(&m));
            exit::USAGE
        }
    }
}

fn create(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(format!("{} exists and is not a folder", dir.display()));
        }
        let mut it =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if it.next().is_some() {
            return Err(format!(
                "{} is not empty; errkb init only creates a site in an empty or new folder",
                dir.display()
            ));
        }
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fsutil::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        fsutil::write_new(&path, text.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(())
}

//! `errkb eject [FILE…]`: copies the built-in theme's files into the site, so an override
//! starts from the real file (as mdBook's `init --theme` does). Never overwrites.

use std::path::PathBuf;

use super::exit;
use crate::fsutil;
use crate::theme::{I18N_DIR, STATIC_DIR, TEMPLATES_DIR, Theme};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to copy, as the theme names them (`entry.html`, `partials/entry/unsafe.html`,
    /// `style.css`), or `templates/…`, `static/…`, `i18n/de.yaml`; all of them when none
    /// is given
    pub files: Vec<String>,
    /// Site root
    #[arg(long, short = 'r', value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// List the theme's files instead of copying them
    #[arg(long)]
    pub list: bool,
}

pub(super) fn run(a: &Args) -> u8 {
    let theme = Theme::built_in();
    let all = theme
        .templates
        .iter()
        .map(|(name, f)| (format!("{TEMPLATES_DIR}/{name}"), &f.bytes))
        .chain(
            theme
                .assets
                .iter()
                .map(|(name, f)| (format!("{STATIC_DIR}/{name}"), &f.bytes)),
        )
        .chain(
            theme
                .translations
                .iter()
                .map(|(name, f)| (format!("{I18N_DIR}/{name}"), &f.bytes)),
        );
    let all: Vec<(String, &Vec<u8>)> = all.collect();
    if a.list {
        for (path, _) in &all {
            println!("{path}");
        }
        return exit::OK;
    }
    let mut wanted = Vec::new();
    for f in &a.files {
        let f = f.trim_start_matches("./");
        let found: Vec<_> = all
            .iter()
            .filter(|(path, _)| {
                path == f
                    || path
                        .strip_prefix(TEMPLATES_DIR)
                        .and_then(|p| p.strip_prefix('/'))
                        == Some(f)
                    || path
                        .strip_prefix(STATIC_DIR)
                        .and_then(|p| p.strip_prefix('/'))
                        == Some(f)
            })
            .collect();
        if found.is_empty() {
            eprintln!(
                "error: the built-in theme has no file `{}` (see `errkb eject --list`)",
                crate::term::line(f)
            );
            return exit::USAGE;
        }
        wanted.extend(found);
    }
    let chosen: Vec<&(String, &Vec<u8>)> = if a.files.is_empty() {
        all.iter().collect()
    } else {
        wanted
    };
    let (mut written, mut kept) = (0, 0);
    for (path, bytes) in chosen {
        let dest = a.root.join(path);
        if dest.exists() {
            eprintln!("kept {path}: the site already has it");
            kept += 1;
            continue;
        }
        let res = dest
            .parent()
            .map_or(Ok(()), fsutil::create_dir_all)
            .and_then(|()| fsutil::write_new(&dest, bytes));
        if let Err(e) = res {
            eprintln!("error: {}", crate::term::line(&e.to_string()));
            return exit::USAGE;
        }
        written += 1;
    }
    eprintln!("copied {written} theme file(s) into the site; {kept} already there were kept");
    exit::OK
}

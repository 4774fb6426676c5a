//! The theme: templates and static assets embedded in the binary (the repository's own
//! `templates/` and `static/`), overlaid file by file by the site's folders of the same
//! names. Mirrors Zola's user > built-in layering, so an override stays small. The
//! translation files (`i18n/`) are kept in two layers, built-in and the site's, since a
//! site's file overrides the built-in one key by key (see `i18n`).

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::diag::Diagnostic;
use crate::fsutil;

static TEMPLATES: Dir = include_dir!("$CARGO_MANIFEST_DIR/templates");
static STATIC: Dir = include_dir!("$CARGO_MANIFEST_DIR/static");
static I18N: Dir = include_dir!("$CARGO_MANIFEST_DIR/i18n");

pub const TEMPLATES_DIR: &str = "templates";
pub const STATIC_DIR: &str = "static";
pub const I18N_DIR: &str = "i18n";

/// Ids the entry template gives its own sections (see templates/entry.html); body
/// headings get another id rather than collide with them.
pub const ENTRY_PAGE_IDS: &[&str] = &[
    "main",
    "fix-it-fast",
    "your-values",
    "confirm",
    "check-the-cause",
    "apply-the-safe-fix",
    "unsafe-shortcuts",
    "verify-it-works",
    "details",
    "other-causes",
    "recognise-it",
    "related-errors",
    "further-reading",
];

/// Where a file came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    Site(String),
}

#[derive(Debug, Clone)]
pub struct File {
    pub bytes: Vec<u8>,
    pub origin: Origin,
}

/// Templates by name (`entry.html`, `partials/step.html`) and assets by path.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub templates: BTreeMap<String, File>,
    pub assets: BTreeMap<String, File>,
    /// Built-in translation files by name (`de.yaml`).
    pub translations: BTreeMap<String, File>,
    /// The site's own translation files, which override the built-in ones key by key.
    pub site_translations: BTreeMap<String, File>,
}

impl Theme {
    /// The built-in theme only.
    pub fn built_in() -> Theme {
        let mut t = Theme::default();
        add_embedded(&TEMPLATES, &mut t.templates);
        add_embedded(&STATIC, &mut t.assets);
        add_embedded(&I18N, &mut t.translations);
        t
    }

    /// The built-in theme overlaid by `root/templates` and `root/static`.
    pub fn load(root: &Path) -> (Theme, Vec<Diagnostic>) {
        let mut t = Theme::built_in();
        let mut diags = Vec::new();
        overlay(root, TEMPLATES_DIR, &mut t.templates, &mut diags);
        overlay(root, STATIC_DIR, &mut t.assets, &mut diags);
        overlay(root, I18N_DIR, &mut t.site_translations, &mut diags);
        (t, diags)
    }

    pub fn template_text(&self, name: &str) -> Option<&str> {
        self.templates
            .get(name)
            .and_then(|f| std::str::from_utf8(&f.bytes).ok())
    }

    /// True when the asset is part of the built-in theme (and so is fingerprinted).
    pub fn is_theme_asset(path: &str) -> bool {
        STATIC.get_file(path).is_some()
    }
}

fn add_embedded(dir: &Dir<'static>, into: &mut BTreeMap<String, File>) {
    for entry in dir.entries() {
        match entry {
            include_dir::DirEntry::Dir(d) => add_embedded(d, into),
            include_dir::DirEntry::File(f) => {
                let path = f.path().to_string_lossy().replace('\\', "/");
                into.insert(
                    path,
                    File {
                        bytes: f.contents().to_vec(),
                        origin: Origin::BuiltIn,
                    },
                );
            }
        }
    }
}

fn overlay(root: &Path, dir: &str, into: &mut BTreeMap<String, File>, diags: &mut Vec<Diagnostic>) {
    let base = root.join(dir);
    if !base.is_dir() {
        return;
    }
    let boundary = fsutil::Boundary::new(root);
    if let Err(m) = boundary.check_if_link(&base) {
        diags.push(Diagnostic::error(m).file(dir));
        return;
    }
    let mut walker = walkdir::WalkDir::new(&base)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(item) = walker.next() {
        let name = match &item {
            Ok(d) => d.file_name().to_str(),
            Err(e) => e.path().and_then(Path::file_name).and_then(|n| n.to_str()),
        };
        let is_dir = item.as_ref().is_ok_and(|d| d.file_type().is_dir());
        if name.is_some_and(|n| skipped(n, is_dir, dir != STATIC_DIR)) {
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
        let dent = match item {
            Ok(d) => d,
            Err(e) => {
                let p = e.path().map_or_else(|| base.clone(), Path::to_path_buf);
                diags.push(
                    Diagnostic::error(format!("cannot read: {e}"))
                        .file(p.strip_prefix(root).unwrap_or(&p)),
                );
                continue;
            }
        };
        let relp = dent.path().strip_prefix(&base).unwrap_or(dent.path());
        if dent.path_is_symlink()
            && let Err(m) = boundary.check(dent.path())
        {
            diags.push(Diagnostic::error(m).file(Path::new(dir).join(relp)));
            if dent.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        if !dent.file_type().is_file() {
            continue;
        }
        let Some(name) = relp.to_str().map(|s| s.replace('\\', "/")) else {
            diags.push(
                Diagnostic::error("file name is not valid UTF-8")
                    .file(dent.path().strip_prefix(root).unwrap_or(dent.path())),
            );
            continue;
        };
        let shown = format!("{dir}/{name}");
        match fsutil::read(dent.path()) {
            Ok(bytes) => {
                into.insert(
                    name,
                    File {
                        bytes,
                        origin: Origin::Site(shown),
                    },
                );
            }
            Err(e) => {
                diags.push(Diagnostic::error(format!("cannot read: {}", e.source)).file(shown))
            }
        }
    }
}

/// Editor litter is never part of the theme; neither are hidden folders (`.git` of a
/// theme checked out as a submodule) except `.well-known/`, nor hidden templates.
/// Hidden static files (`.nojekyll`, `.htaccess`) are copied: hosts read them.
fn skipped(name: &str, is_dir: bool, templates: bool) -> bool {
    fsutil::is_litter(name)
        || (name.starts_with('.') && (templates || (is_dir && name != ".well-known")))
        // Version-control files (`.gitignore`, `.gitkeep`, a submodule's `.git`) are the
        // repository's, not the site's.
        || [".git", ".hg", ".svn"].iter().any(|vcs| name.starts_with(vcs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_theme_skips() {
        assert!(skipped(".gitkeep", false, false));
        assert!(skipped(".git", false, false));
        assert!(skipped(".DS_Store", false, false));
        assert!(skipped(".cache", true, false));
        assert!(!skipped(".nojekyll", false, false));
        assert!(!skipped(".well-known", true, false));
        assert!(skipped(".partial.html", false, true));
        assert!(!skipped("style.css", false, false));
    }

    #[test]
    fn built_in_has_base_template_and_css() {
        let t = Theme::built_in();
        assert!(t.templates.contains_key("base.html"));
        assert!(t.templates.contains_key("entry.html"));
        assert!(t.assets.contains_key("style.css"));
        assert!(Theme::is_theme_asset("style.css"));
        for lang in ["en.yaml", "de.yaml", "es.yaml"] {
            assert!(t.translations.contains_key(lang), "{lang}");
        }
    }
}

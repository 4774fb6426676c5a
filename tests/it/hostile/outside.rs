//! Nothing from outside the site root is read: symlinks in content/, templates/, static/;
//! editor litter is skipped; near-miss entry names are warned about.

use std::path::Path;

use super::{SECRET, Sandbox};
use crate::{Site, snapshot};

/// Builds and asserts the link was refused by name, the secret appears in no output,
/// no diagnostic and no annotation, and no site was written.
#[cfg(unix)]
#[track_caller]
fn refused_unread(s: &Sandbox, link: &str) {
    for format in ["human", "github", "json"] {
        let r = s.run(&["check", "--format", format]);
        let all = format!("{}{}", r.stdout(), r.stderr());
        assert_ne!(r.code(), 0, "{link}: check passed:\n{all}");
        assert!(all.contains(link), "{link} not named ({format}):\n{all}");
        assert!(all.contains("outside the site"), "{format}:\n{all}");
        assert!(!all.contains(SECRET), "secret leaked ({format}):\n{all}");
    }
    let r = s.run(&["build", "-q", "--output", "public"]);
    assert_ne!(r.code(), 0, "{link}: build passed");
    assert!(!r.stderr().contains(SECRET), "{}", r.stderr());
    assert!(!s.root().join("public").exists(), "a site was written");
}

#[cfg(unix)]
#[test]
fn a_static_file_linking_outside_is_refused() {
    let s = Sandbox::new();
    s.link(&s.outside("secret.txt"), "static/notes.txt");
    refused_unread(&s, "static/notes.txt");
}

#[cfg(unix)]
#[test]
fn a_static_folder_linking_outside_is_refused() {
    let s = Sandbox::new();
    s.link(&s.outside("secrets"), "static/more");
    refused_unread(&s, "static/more");
}

#[cfg(unix)]
#[test]
fn a_template_linking_outside_is_refused() {
    let s = Sandbox::new();
    s.link(&s.outside("secret.txt"), "templates/partials/footer.html");
    refused_unread(&s, "templates/partials/footer.html");
}

#[cfg(unix)]
#[test]
fn the_home_page_text_linking_outside_is_refused() {
    let s = Sandbox::new();
    let _ = std::fs::remove_file(s.root().join("content/_index.md"));
    s.link(&s.outside("secret.txt"), "content/_index.md");
    refused_unread(&s, "content/_index.md");
}

#[cfg(unix)]
#[test]
fn an_entry_linking_outside_is_refused_and_never_quoted() {
    let s = Sandbox::new();
    s.link(&s.outside("secrets/token.md"), "content/demo/leak.md");
    refused_unread(&s, "content/demo/leak.md");
}

#[cfg(unix)]
#[test]
fn a_tool_folder_linking_outside_is_refused() {
    let s = Sandbox::new();
    s.link(&s.outside("secrets"), "content/stolen");
    refused_unread(&s, "content/stolen");
}

#[cfg(unix)]
#[test]
fn the_config_linking_outside_is_refused() {
    let s = Sandbox::new();
    std::fs::write(s.outside("cfg.yaml"), format!("title: {SECRET}\n")).expect("w");
    let _ = std::fs::remove_file(s.root().join("errkb.yaml"));
    s.link(&s.outside("cfg.yaml"), "errkb.yaml");
    refused_unread(&s, "errkb.yaml");
}

#[cfg(unix)]
#[test]
fn a_link_into_the_git_folder_is_refused() {
    let s = Sandbox::new();
    s.write(
        ".git/config",
        &format!("[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n"),
    );
    s.link(Path::new("../.git/config"), "static/config.txt");
    refused_unread(&s, "static/config.txt");
}

#[cfg(unix)]
#[test]
fn links_inside_the_site_are_fine() {
    let s = Sandbox::new();
    s.write("assets/logo.txt", "logo");
    s.link(Path::new("../assets/logo.txt"), "static/logo.txt");
    s.link(Path::new("../assets"), "static/shared");
    s.run(&["check", "--deny-warnings"]).ok();
    s.run(&["build", "-q", "--output", "public"]).ok();
    let out = s.root().join("public");
    assert_eq!(
        std::fs::read_to_string(out.join("logo.txt")).expect("r"),
        "logo"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("shared/logo.txt")).expect("r"),
        "logo"
    );
}

#[cfg(unix)]
#[test]
fn editor_and_os_litter_is_skipped_silently() {
    let s = Sandbox::new();
    // A dangling Emacs lock, as Emacs makes them.
    s.link(
        Path::new("root@host.1234:1700000000"),
        "content/demo/.#entry.md",
    );
    s.link(
        Path::new("root@host.1234:1700000000"),
        "templates/.#base.html",
    );
    for litter in [
        "content/demo/entry.md~",
        "content/demo/.entry.md.swp",
        "content/demo/#entry.md#",
        "content/.DS_Store",
        "content/demo/.DS_Store",
        "content/demo/Thumbs.db",
        "content/demo/entry.md.tmp-12345",
        "templates/entry.html~",
        "templates/.entry.html.swp",
        "templates/partials/footer.html.tmp-99",
        "static/.DS_Store",
        "static/style.css~",
        "static/._logo.png",
        "static/notes.txt.tmp-1",
    ] {
        s.write(litter, "{% broken template syntax");
    }
    s.write(
        "static/.well-known/security.txt",
        "Contact: mailto:a@example.org\n",
    );
    let r = s.run(&["check", "--deny-warnings"]).ok();
    assert_eq!(r.stdout().trim(), "", "{}", r.stdout());
    s.run(&["build", "-q", "--output", "public"]).ok();
    let files: Vec<String> = snapshot(&s.root().join("public"))
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    for p in &files {
        assert!(
            !(p.contains(".DS_Store")
                || p.ends_with('~')
                || p.contains(".tmp-")
                || p.contains("._")),
            "litter copied: {p}"
        );
    }
    assert!(
        files.iter().any(|p| p == ".well-known/security.txt"),
        "{files:?}"
    );
}

#[test]
fn near_miss_entry_names_are_warned_about() {
    let s = Site::new("ok-basic");
    let text = s.read("content/demo/widget-locked.md");
    for name in [
        "content/demo/other.markdown",
        "content/demo/loud.MD",
        "content/demo/x.Yaml",
    ] {
        s.write(name, &text);
    }
    let r = s.run(&["check"]).ok();
    let out = r.stdout();
    for (name, suggestion) in [
        ("other.markdown", "other.md"),
        ("loud.MD", "loud.md"),
        ("x.Yaml", "x.yaml"),
    ] {
        assert!(
            out.contains(name) && out.contains(suggestion),
            "{name}:\n{out}"
        );
    }
    assert_ne!(s.run(&["check", "--deny-warnings"]).code(), 0);
}

#[cfg(unix)]
#[test]
fn new_never_writes_through_a_link_out_of_the_site() {
    let s = Sandbox::new();
    s.link(&s.outside("secrets"), "content/evil");
    let r = s.run(&["new", "evil/planted", "--title", "evil: x failed"]);
    assert_ne!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("outside the site"), "{}", r.stderr());
    let mut left: Vec<_> = std::fs::read_dir(s.outside("secrets"))
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["token.md"]);
}

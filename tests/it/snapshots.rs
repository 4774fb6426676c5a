//! Snapshots of the fixture site as built: a change to a template, the feed, the sitemap
//! or the API shows as a diff to review (`cargo insta review`, or `INSTA_UPDATE=always
//! cargo test snapshots` and read `git diff`), never as a silent change.

use crate::Site;

/// Builds `ok-basic` with a base URL that has a host, so every absolute form is there.
fn built() -> Site {
    let s = Site::new("ok-basic");
    s.run(&["build", "-q", "--base-url", "https://kb.example.org/docs/"])
        .ok();
    s
}

#[test]
fn fixture_site_pages_feeds_and_api() {
    let s = built();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (name, path) in [
            ("entry-page", "public/demo/widget-locked/index.html"),
            ("home-page", "public/index.html"),
            ("tool-page", "public/demo/index.html"),
            ("atom", "public/atom.xml"),
            ("sitemap", "public/sitemap.xml"),
            ("robots", "public/robots.txt"),
            ("opensearch", "public/opensearch.xml"),
            ("api-entries", "public/api/entries.json"),
            ("api-entry", "public/api/demo/widget-locked.json"),
        ] {
            insta::assert_snapshot!(name, s.read(path));
        }
    });
}

//! `errkb build` over fixture sites.

use crate::{Site, run_in, snapshot};

fn built(fixture: &str, extra: &[&str]) -> Site {
    let site = Site::new(fixture);
    let mut args = vec!["build", "--quiet"];
    args.extend_from_slice(extra);
    site.run(&args).ok();
    site
}

#[test]
fn every_page_type_is_produced() {
    let s = built("ok-basic", &[]);
    for f in [
        "public/index.html",
        "public/demo/index.html",
        "public/web/index.html",
        "public/demo/widget-locked/index.html",
        "public/demo/yaml-form/index.html",
        "public/demo/crlf-bom/index.html",
        "public/web/tls-handshake-failed/index.html",
        "public/tags/index.html",
        "public/tags/locking/index.html",
        "public/404.html",
        "public/sitemap.xml",
        "public/robots.txt",
        "public/atom.xml",
        "public/api/entries.json",
        "public/api/demo/widget-locked.json",
        "public/demo/old-widget-locked/index.html",
        "public/.errkb-output",
    ] {
        assert!(s.path(f).is_file(), "missing {f}");
    }
    let robots = s.read("public/robots.txt");
    // A relative `Sitemap:` line is invalid: without a host in base_url there is none.
    assert!(!robots.contains("Sitemap:"), "{robots}");
    assert!(robots.starts_with("User-agent: *\n"), "{robots}");
    let home = s.read("public/index.html");
    assert!(
        home.contains("Welcome to the <strong>demo</strong> knowledge base."),
        "intro"
    );
    assert!(
        home.contains("Demo Tool") && home.contains("3 entries"),
        "tool counts"
    );
    assert!(
        home.contains("/web/tls-handshake-failed/"),
        "recent entries"
    );
    // Assets are fingerprinted and referenced by their hashed names.
    let css = std::fs::read_dir(s.path("public"))
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("style.") && n.ends_with(".css"))
        .expect("fingerprinted css");
    assert!(css.len() > "style..css".len() + 8, "{css}");
    assert!(home.contains(&format!("href=/{css}>")), "css link");
}

#[test]
fn entry_page_shows_every_section() {
    let s = built("ok-basic", &[]);
    let html = s.read("public/demo/widget-locked/index.html");
    let order = [
        "<h1 class=error-message><code>error: widget &lt;name&gt; is locked by another process</code></h1>",
        "The demo tool could not take the <strong>widget lock</strong>",
        "id=fix-it-fast",
        "<strong>Most likely:</strong> A previous <code>demo</code> run crashed",
        "id=your-values",
        "id=confirm",
        "id=check-the-cause",
        "id=apply-the-safe-fix",
        "Remove the stale lock file",
        "id=unsafe-shortcuts",
        "Run with <code>--ignore-locks</code>",
        "Two writers on one widget lose data silently.",
        "id=verify-it-works",
        "widget alpha: done",
        "<nav class=toc",
        "id=why-it-happens",
        "<table>",
        "id=other-causes",
        "does not support <code>flock</code>",
        "id=related-errors",
        "/web/tls-handshake-failed/",
        "href=https://example.org/docs/locks",
        "href=/tags/locking/",
        "demo 2.x",
        "Last reviewed <time datetime=2024-05-01>",
        "href=https://example.org/edit/content/demo/widget-locked.md",
    ];
    let mut pos = 0;
    for needle in order {
        let found = html[pos..]
            .find(needle)
            .unwrap_or_else(|| panic!("missing or out of order: {needle}"));
        pos += found + needle.len();
    }
    assert!(
        html.contains("<span class=ph>&lt;widget&gt;</span>"),
        "slots marked"
    );
    assert!(html.contains("<ol class=steps>"), "numbered steps");
    assert!(
        html.contains("<p class=expect-label>Expected result</p>"),
        "expected output"
    );
}

/// A fix of one step that "Fix it fast" shows whole is not shown again below it.
#[test]
fn a_fix_of_one_step_is_shown_once() {
    let s = Site::new("ok-basic");
    // One step whose expected result only the procedure shows: it keeps its section.
    let yaml = s.read("content/demo/yaml-form.yaml").replace(
        "  - run: \"demo init\"\n",
        "  - run: \"demo init\"\n    expect: \"created demo.toml\"\n",
    );
    s.write(
        "content/demo/yaml-expect.yaml",
        &yaml
            .replace("configuration file not found", "configuration file missing")
            .replace("no config at", "no config file at"),
    );
    s.run(&["build", "-q"]).ok();
    for (page, step) in [
        ("web/tls-handshake-failed", "<h3 class=step-title>"),
        ("demo/yaml-form", "demo</span> init"),
    ] {
        let html = s.read(&format!("public/{page}/index.html"));
        assert_eq!(html.matches(step).count(), 1, "{page}: {html}");
        assert!(!html.contains("apply-the-safe-fix"), "{page}");
        assert!(
            html.contains("<p class=more><a href=#verify-it-works>How to verify it works</a></p>"),
            "{page}"
        );
        assert!(html.contains("id=verify-it-works"), "{page}");
    }
    for page in ["demo/widget-locked", "demo/yaml-expect"] {
        let html = s.read(&format!("public/{page}/index.html"));
        assert!(
            html.contains("<a href=#apply-the-safe-fix>All steps and how to verify</a>"),
            "{page}"
        );
        assert!(html.contains("<h2 id=apply-the-safe-fix>"), "{page}");
    }
    let expect = s.read("public/demo/yaml-expect/index.html");
    assert_eq!(expect.matches("demo</span> init").count(), 2, "{expect}");
    assert!(expect.contains("created demo.toml"));
}

#[test]
fn entry_text_is_escaped_everywhere() {
    let s = built("ok-basic", &[]);
    let html = s.read("public/web/tls-handshake-failed/index.html");
    assert!(!html.contains("<script>alert"), "script tag leaked");
    assert!(!html.contains("<img src=x"), "img leaked");
    assert!(!html.contains("<div onclick"), "raw html leaked");
    assert!(!html.contains("javascript:"), "script url leaked");
    assert!(html.contains("web: &lt;script&gt;alert("), "title escaped");
    assert!(
        html.contains("&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;")
            || html.contains("&lt;script&gt;alert('body')&lt;/script&gt;"),
        "body escaped"
    );
    assert!(
        html.contains("<code>web: &lt;script&gt;alert(1)&lt;/script&gt; handshake</code>"),
        "pattern escaped"
    );
    assert!(html.contains("href=/demo/widget-locked/"), "site link kept");
    // No inline script or event handler anywhere in the theme.
    for page in [
        "public/index.html",
        "public/404.html",
        "public/tags/index.html",
        "public/demo/widget-locked/index.html",
    ] {
        let h = s.read(page);
        for (i, _) in h.match_indices("<script") {
            let tag = &h[i..i + h[i..].find('>').expect("tag end")];
            assert!(
                tag.contains(" src=") || tag.contains("application/ld+json"),
                "inline script in {page}: {tag}"
            );
        }
        assert!(
            !h.contains(" onclick=") && !h.contains(" onload="),
            "inline handler in {page}"
        );
    }
}

#[test]
fn raw_html_only_when_allowed() {
    let s = Site::new("ok-basic");
    s.write("errkb.yaml", "title: Demo KB\nallow_html: true\n");
    s.run(&["build", "-q"]).ok();
    let html = s.read("public/web/tls-handshake-failed/index.html");
    assert!(
        html.contains("<div onclick=evil()>raw html block</div>"),
        "allowed html passes"
    );
    assert!(
        !html.contains("javascript:"),
        "script urls are dropped even then"
    );
    // Entry fields other than the body stay escaped.
    assert!(html.contains("web: &lt;script&gt;alert("));
}

#[test]
fn base_url_with_a_path() {
    let s = built("ok-basic", &["--base-url", "https://example.org/kb/"]);
    let html = s.read("public/demo/widget-locked/index.html");
    assert!(html.contains("<link rel=canonical href=https://example.org/kb/demo/widget-locked/>"));
    assert!(html.contains("href=/kb/tags/locking/"));
    assert!(html.contains("href=/kb/web/tls-handshake-failed/"));
    let css_links: Vec<&str> = html
        .match_indices("rel=stylesheet href=")
        .map(|(i, m)| &html[i + m.len()..i + m.len() + 5])
        .collect();
    assert!(
        css_links.iter().all(|l| l.starts_with("/kb/")),
        "{css_links:?}"
    );
    let body = s.read("public/web/tls-handshake-failed/index.html");
    assert!(
        body.contains("href=/kb/demo/widget-locked/"),
        "markdown site links get the base path"
    );
    // Every local href/src in every page starts with the base path.
    for (path, bytes) in snapshot(&s.path("public")) {
        if !path.ends_with(".html") {
            continue;
        }
        let h = String::from_utf8(bytes).expect("utf8");
        for attr in ["href=/", "src=/", "href=\"/", "src=\"/"] {
            for (i, _) in h.match_indices(attr) {
                let rest = &h[i + attr.len() - 1..];
                assert!(
                    rest.starts_with("/kb/"),
                    "{path}: {}",
                    &rest[..rest.len().min(40)]
                );
            }
        }
    }
    let sitemap = s.read("public/sitemap.xml");
    assert!(sitemap.contains(
        "<loc>https://example.org/kb/demo/widget-locked/</loc><lastmod>2024-05-01</lastmod>"
    ));
    let robots = s.read("public/robots.txt");
    assert!(robots.contains("Sitemap: https://example.org/kb/sitemap.xml"));
    let atom = s.read("public/atom.xml");
    assert!(atom.contains("<id>https://example.org/kb/demo/widget-locked/</id>"));
    let alias = s.read("public/demo/old-widget-locked/index.html");
    assert!(alias.contains("content=\"0; url=https://example.org/kb/demo/widget-locked/\""));
    assert!(alias.contains("<link rel=canonical href=https://example.org/kb/demo/widget-locked/>"));
}

#[test]
fn base_url_from_environment() {
    let s = Site::new("ok-basic");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["build", "-q"])
        .current_dir(s.root())
        .env("ERRKB_BASE_URL", "https://ci.example/docs/")
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(
        s.read("public/index.html")
            .contains("href=https://ci.example/docs/")
    );
}

#[test]
fn failed_build_leaves_old_output_intact() {
    let s = built("ok-basic", &[]);
    let before = snapshot(&s.path("public"));
    s.write("content/demo/broken.md", "---\ntitle: [unclosed\n---\n");
    let r = s.run(&["build"]).fails(1);
    assert!(
        r.stderr().contains("content/demo/broken.md"),
        "{}",
        r.stderr()
    );
    assert_eq!(before, snapshot(&s.path("public")), "output changed");
    let leftovers: Vec<_> = std::fs::read_dir(s.root())
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".errkb-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn refuses_to_clobber_a_foreign_folder() {
    let s = Site::new("ok-basic");
    s.write("public/precious.txt", "mine");
    let r = s.run(&["build"]).fails(2);
    assert!(
        r.stderr().contains("not created by errkb"),
        "{}",
        r.stderr()
    );
    assert_eq!(s.read("public/precious.txt"), "mine");
    s.run(&["build", "-q", "--force"]).ok();
    assert!(!s.path("public/precious.txt").exists());
    assert!(s.path("public/.errkb-output").exists());
}

#[test]
fn refuses_dangerous_output_folders() {
    let s = Site::new("ok-basic");
    for out in [".", "content", "content/demo", "..", "templates"] {
        let r = s.run(&["build", "--output", out]).fails(2);
        assert!(r.stderr().contains("refusing"), "{out}: {}", r.stderr());
    }
    assert!(s.path("content/demo/widget-locked.md").is_file());
}

#[test]
fn rebuild_is_byte_identical() {
    let s = built("ok-basic", &[]);
    let first = snapshot(&s.path("public"));
    s.run(&["build", "-q"]).ok();
    assert_eq!(first, snapshot(&s.path("public")));
    let other = tempfile::tempdir().expect("tmp");
    crate::copy_dir(&crate::fixtures().join("ok-basic"), other.path());
    run_in(other.path(), &["build", "-q"]).ok();
    assert_eq!(
        first,
        snapshot(&other.path().join("public")),
        "another folder, same bytes"
    );
}

#[test]
fn site_templates_and_static_override_built_ins() {
    let s = Site::new("ok-basic");
    s.write(
        "templates/partials/footer.html",
        "<footer class=\"custom-footer\">Our own footer</footer>\n",
    );
    s.write("static/style.css", "body { color: red; }\n");
    s.write("static/CNAME", "kb.example.org\n");
    s.run(&["build", "-q"]).ok();
    let html = s.read("public/demo/widget-locked/index.html");
    assert!(html.contains("Our own footer"));
    assert!(
        html.contains("class=site-header"),
        "rest of the theme is still built in"
    );
    let css = crate::snapshot(&s.path("public"))
        .into_iter()
        .find(|(p, _)| p.starts_with("style.") && p.ends_with(".css"))
        .expect("css");
    // The site's stylesheet, with the code colours after it (they have no file of
    // their own).
    let css = String::from_utf8(css.1).expect("utf-8");
    assert!(
        css.starts_with("body { color: red; }\n/* Code colours"),
        "{css}"
    );
    assert!(css.contains("pre .s {"), "{css}");
    assert_eq!(s.read("public/CNAME"), "kb.example.org\n");
}

#[test]
fn broken_template_is_reported_with_its_file() {
    let s = Site::new("ok-basic");
    s.write(
        "templates/tool.html",
        "{% extends \"base.html\" %}{% block main %}{{ tool.name {% endblock main %}",
    );
    let r = s.run(&["build"]).fails(1);
    assert!(r.stderr().contains("templates/tool.html"), "{}", r.stderr());
}

#[test]
fn unknown_language_is_plain_escaped_text() {
    let s = built("ok-basic", &[]);
    let html = s.read("public/demo/widget-locked/index.html");
    assert!(
        html.contains("<code class=language-nosuchlang>&lt;raw&gt; &amp; text</code>"),
        "unknown language"
    );
    assert!(
        html.contains("<code class=language-bash><span class="),
        "bash highlighted with classes"
    );
    assert!(!html.contains(" style="), "no inline styles");
}

#[test]
fn crlf_and_bom_entry() {
    let s = built("ok-basic", &[]);
    let html = s.read("public/demo/crlf-bom/index.html");
    assert!(html.contains("<code>demo: crlf entry failed</code>"));
    assert!(html.contains("id=why-it-happens"));
    assert!(!html.contains('\r'));
}

#[test]
fn drafts_only_with_flag() {
    let s = built("ok-basic", &[]);
    assert!(!s.path("public/demo/draft-entry").exists());
    s.run(&["build", "-q", "--drafts"]).ok();
    assert!(s.path("public/demo/draft-entry/index.html").is_file());
}

#[test]
fn json_api() {
    let s = built("ok-basic", &[]);
    let v: serde_json::Value =
        serde_json::from_str(&s.read("public/api/entries.json")).expect("json");
    let entries = v["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 4);
    let e = entries
        .iter()
        .find(|e| e["id"] == "demo/widget-locked")
        .expect("entry");
    for key in [
        "url",
        "title",
        "summary",
        "likely_cause",
        "patterns",
        "tool",
        "tags",
        "updated",
    ] {
        assert!(!e[key].is_null(), "{key}");
    }
    assert_eq!(e["url"], "/demo/widget-locked/");
    let one: serde_json::Value =
        serde_json::from_str(&s.read("public/api/demo/widget-locked.json")).expect("json");
    for key in [
        "fix",
        "unsafe",
        "verify",
        "confirm",
        "check",
        "placeholders",
        "examples",
        "links",
        "extra",
        "body",
    ] {
        assert!(!one[key].is_null(), "{key}");
    }
    assert_eq!(one["extra"]["severity"], "high");
}

#[test]
fn exit_codes() {
    let s = Site::new("ok-basic");
    s.run(&["build", "--no-such-flag"]).fails(2);
    s.run(&["--help"]).ok();
    s.run(&["build", "--help"]).ok();
    let empty = tempfile::tempdir().expect("tmp");
    let r = run_in(empty.path(), &["build"]).fails(1);
    assert!(
        r.stderr().contains("no `content/` folder"),
        "{}",
        r.stderr()
    );
}

#[test]
fn every_page_has_a_unique_title_and_description() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().expect("tmp");
    let dir = out.path().join("public");
    run_in(
        root,
        &[
            "build",
            "-q",
            "--base-url",
            "https://kb.example.org/",
            "--output",
            dir.to_str().expect("path"),
        ],
    )
    .ok();
    let mut titles = std::collections::BTreeMap::new();
    for (path, bytes) in snapshot(&dir) {
        if !path.ends_with(".html") || path.contains("old-") {
            continue;
        }
        let h = String::from_utf8(bytes).expect("utf8");
        if h.contains("http-equiv=refresh") {
            continue;
        }
        let t = &h[h.find("<title>").expect("title") + 7..h.find("</title>").expect("end")];
        assert!(h.contains("<meta name=description content=\""), "{path}");
        assert!(h.contains("<link rel=canonical"), "{path}");
        assert!(h.contains("<meta property=og:title"), "{path}");
        if let Some(other) = titles.insert(t.to_string(), path.clone()) {
            panic!("{path} and {other} share the title {t}");
        }
    }
    assert!(titles.len() > 60, "{}", titles.len());
}

/// The summary line counts what was written (it once said "0 pages, 0 files").
#[test]
fn build_summary_counts_the_written_files() {
    let s = Site::new("ok-basic");
    let r = s.run(&["build"]).ok();
    let files = crate::snapshot(&s.path("public"));
    let pages = files.iter().filter(|(p, _)| p.ends_with(".html")).count();
    // The summary counts the site's files; the folder also holds errkb's mark.
    let expected = format!("({pages} pages, {} files)", files.len() - 1);
    assert!(r.stderr().contains(&expected), "{expected}: {}", r.stderr());
    assert!(pages > 5);
}

/// A canonical URL must be absolute: without a host in base_url, pages have none.
#[test]
fn no_canonical_link_without_a_host() {
    let s = built("ok-basic", &[]);
    for page in ["public/index.html", "public/demo/widget-locked/index.html"] {
        let h = s.read(page);
        assert!(!h.contains("rel=canonical"), "{page}");
        assert!(!h.contains("og:url"), "{page}");
    }
}

/// The feed, the sitemap and robots.txt are templates like any page: a site overrides them.
#[test]
fn machine_readable_files_are_overridable_templates() {
    let s = Site::new("ok-basic");
    s.write("templates/robots.txt", "User-agent: *\nDisallow: /\n");
    s.write(
        "templates/sitemap.xml",
        "<?xml version=\"1.0\"?>\n<urlset>{% for u in urls %}<u>{{ u.loc }}</u>{% endfor %}</urlset>\n",
    );
    s.run(&["build", "-q"]).ok();
    assert_eq!(s.read("public/robots.txt"), "User-agent: *\nDisallow: /\n");
    let sitemap = s.read("public/sitemap.xml");
    assert!(sitemap.contains("<u>/demo/widget-locked/</u>"), "{sitemap}");
}

/// Per-entry API files are opt-in (`api.entries`): off, they would double a large
/// site's files. `compact` leaves out the body and empty keys; `full` has every key.
#[test]
fn per_entry_api_files_follow_the_config() {
    let s = Site::new("ok-basic");
    s.write("errkb.yaml", "title: Demo KB\n");
    s.run(&["build", "-q"]).ok();
    assert!(s.path("public/api/entries.json").is_file());
    assert!(!s.path("public/api/demo").exists(), "off by default");

    s.write("errkb.yaml", "title: Demo KB\napi:\n  entries: compact\n");
    s.run(&["build", "-q"]).ok();
    let one: serde_json::Value =
        serde_json::from_str(&s.read("public/api/demo/widget-locked.json")).expect("json");
    for key in [
        "version",
        "url",
        "title",
        "fix",
        "unsafe",
        "verify",
        "placeholders",
    ] {
        assert!(!one[key].is_null(), "{key}: {one}");
    }
    assert!(one.get("body").is_none(), "no body: {one}");
    let empty = one.as_object().expect("object").iter().find(|(_, v)| {
        v.is_null() || v.as_array().is_some_and(Vec::is_empty) || v.as_str() == Some("")
    });
    assert!(empty.is_none(), "an empty key: {empty:?}");

    s.write("errkb.yaml", "title: Demo KB\napi:\n  entries: sometimes\n");
    let r = s.run(&["check"]).fails(1);
    assert!(r.stdout().contains("errkb.yaml"), "{}", r.stdout());
}

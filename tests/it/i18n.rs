//! The theme in other languages: the fixture site built with `language: de` and `es`
//! shows no English string of the theme on any kind of page, dates are written the
//! language's way, the scripts get their strings, and mistakes in the choice of
//! language or in a site's translation file are reported where they are.

use errkb::i18n::{Strings, Text};

use crate::{Site, field, json_lines};

/// Every kind of page the fixture site has, by path in `public/`.
const PAGES: &[&str] = &[
    "index.html",
    "demo/index.html",
    "demo/widget-locked/index.html",
    "tags/index.html",
    "tags/locking/index.html",
    "search/index.html",
    "404.html",
    "demo/old-widget-locked/index.html",
];

fn built(language: &str) -> Site {
    let s = Site::new("ok-basic");
    let config = s.read("errkb.yaml");
    s.write("errkb.yaml", &format!("{config}language: {language}\n"));
    let out = s.run(&["build"]).ok();
    assert!(!out.stderr().contains("warning"), "{}", out.stderr());
    s
}

/// The English theme strings a page of another language must not show: those the
/// language writes differently, in the forms that reach the page (text as Tera escapes
/// it; `_html` strings and strings with arguments by their fixed words).
fn english_leftovers(lang: &Strings) -> Vec<String> {
    let en = Strings::english();
    let mut out = Vec::new();
    for (key, text) in &en.page {
        if lang.page.get(key) == Some(text) {
            continue;
        }
        let forms = match text {
            Text::Plain(s) => vec![s.clone()],
            Text::Plural { one, other, .. } => vec![one.clone(), other.clone()],
        };
        for form in forms {
            // The longest run of words without an argument or markup.
            let words = form
                .split(['{', '}', '<', '>'])
                .filter(|p| !p.contains('=') && !p.contains('/'))
                .max_by_key(|p| p.len())
                .unwrap_or("")
                .trim()
                .trim_end_matches(':')
                .to_string();
            // One short word ("Home", "Why") could be anywhere in English entry text:
            // look for it as a whole element's text instead.
            if words.contains(' ') {
                out.push(words.replace('\'', "&#39;").replace('"', "&quot;"));
            } else if words.len() > 1 {
                out.push(format!(">{}<", form.replace('"', "&quot;")));
            }
        }
    }
    out
}

fn strings(language: &str) -> Strings {
    let theme = errkb::theme::Theme::built_in();
    errkb::i18n::load(&theme, language, None).expect(language).0
}

#[test]
fn german_and_spanish_pages_have_no_english_theme_strings() {
    for (language, expect) in [
        (
            "de",
            &[
                "<html lang=de>",
                "Schnell beheben",
                "Wahrscheinlichste Ursache:",
                "Keine riskanten Abkürzungen",
                "Ihre Werte",
                "Zuletzt geprüft am <time datetime=2024-05-01>1. Mai 2024</time>",
                "Zum Inhalt springen",
            ][..],
        ),
        (
            "es",
            &[
                "<html lang=es>",
                "Solución rápida",
                "Causa más probable:",
                "No use atajos peligrosos",
                "Sus valores",
                "Última revisión el <time datetime=2024-05-01>1 de mayo de 2024</time>",
                "Ir al contenido",
            ][..],
        ),
    ] {
        let s = built(language);
        // The fixture's entries are English: words of theirs are not the theme's.
        let content: String = walkdir::WalkDir::new(s.path("content"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect();
        let leftovers: Vec<String> = english_leftovers(&strings(language))
            .into_iter()
            .filter(|en| !content.contains(en.trim_matches(['>', '<'])))
            .collect();
        assert!(leftovers.len() > 50, "{leftovers:?}");
        let mut all = String::new();
        for page in PAGES {
            let html = s.read(&format!("public/{page}"));
            for en in &leftovers {
                assert!(
                    !html.contains(en.as_str()),
                    "{language}: {page} still says {en:?}"
                );
            }
            all.push_str(&html);
        }
        for want in expect {
            assert!(all.contains(want), "{language}: no {want:?}");
        }
    }
}

#[test]
fn page_titles_and_list_dates_follow_the_language() {
    let s = built("de");
    let tool = s.read("public/demo/index.html");
    assert!(
        tool.contains("<title>Fehler in Demo Tool – Demo KB</title>"),
        "{tool}"
    );
    assert!(
        tool.contains("geprüft am <time datetime=2024-05-01>1. Mai 2024</time>"),
        "{tool}"
    );
    let tag = s.read("public/tags/locking/index.html");
    assert!(
        tag.contains("<title>Schlagwort „locking“ – Demo KB</title>"),
        "{tag}"
    );
    assert!(tag.contains("1 Eintrag."), "{tag}");
    let home = s.read("public/index.html");
    assert!(home.contains("Einträge"), "{home}");
    // Feeds and the sitemap keep machine dates.
    assert!(
        s.read("public/atom.xml")
            .contains("<updated>2024-05-01T00:00:00Z</updated>")
    );
    assert!(s.read("public/sitemap.xml").contains("2024-05-01"));
}

#[test]
fn scripts_get_the_language_strings_in_a_module() {
    let s = built("es");
    let page = s.read("public/index.html");
    let app = page
        .split("src=/app.")
        .nth(1)
        .and_then(|r| r.split('>').next())
        .expect("app.js link");
    let app = s.read(&format!("public/app.{app}"));
    let say = app
        .split("\"./say.")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("say.js import");
    let say = s.read(&format!("public/say.{say}"));
    let module = say
        .split("\"./i18n.")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("i18n.js import");
    let module = s.read(&format!("public/i18n.{module}"));
    assert!(module.contains("\"lang\":\"es\""), "{module}");
    assert!(
        module.contains("\"exact_match\":\"Coincidencia exacta\""),
        "{module}"
    );
    assert!(module.contains("\"zero\":\"Sin resultados\""), "{module}");
    assert!(!page.contains("<script>"), "no inline script: {page}");
}

#[test]
fn unknown_language_is_an_error_at_its_line() {
    let s = Site::new("ok-basic");
    let config = s.read("errkb.yaml");
    s.write("errkb.yaml", &format!("{config}language: fr\n"));
    let line = config.lines().count() as u64 + 1;
    let out = s.run(&["check", "--format", "json"]).fails(1);
    let diags = json_lines(&out.stdout());
    let d = diags
        .iter()
        .find(|d| field(d, "severity") == "error")
        .expect("an error");
    assert_eq!(field(d, "file"), "errkb.yaml");
    assert_eq!(d["line"].as_u64(), Some(line));
    assert!(field(d, "message").contains("de, en, es"), "{d}");
    s.run(&["build"]).fails(1);
    // Not a tag at all (it would name a file): refused when the config is read.
    s.write(
        "errkb.yaml",
        &format!("{config}language: ../../etc/passwd\n"),
    );
    let out = s.run(&["check"]).fails(1);
    assert!(
        out.stdout().contains("not a language tag"),
        "{}",
        out.stdout()
    );
}

#[test]
fn a_site_translation_overrides_keys_and_missing_ones_warn() {
    let s = Site::new("ok-basic");
    let config = s.read("errkb.yaml");
    s.write("errkb.yaml", &format!("{config}language: fr\n"));
    s.write(
        "i18n/fr.yaml",
        "name: Français\npage:\n  fix_it_fast: Réparer vite\nbrowser:\n  copy: Copier\n",
    );
    let out = s.run(&["check", "--format", "json"]).ok();
    let diags = json_lines(&out.stdout());
    let missing: Vec<&serde_json::Value> = diags
        .iter()
        .filter(|d| field(d, "severity") == "warning" && field(d, "file") == "i18n/fr.yaml")
        .collect();
    assert!(
        missing
            .iter()
            .any(|d| field(d, "message").contains("`page.most_likely`")),
        "{diags:#?}"
    );
    s.run(&["build"]).ok();
    let page = s.read("public/demo/widget-locked/index.html");
    assert!(page.contains("<html lang=fr>"));
    assert!(page.contains(">Réparer vite</h2>"));
    assert!(page.contains("Most likely:"), "falls back to English");
    // One string of a shipped language: the site's file needs only that key.
    s.write("errkb.yaml", &format!("{config}language: de\n"));
    s.write("i18n/de.yaml", "page:\n  fix_it_fast: Sofort reparieren\n");
    let out = s.run(&["check"]).ok();
    assert!(!out.stderr().contains("warning"), "{}", out.stderr());
    s.run(&["build"]).ok();
    let page = s.read("public/demo/widget-locked/index.html");
    assert!(
        page.contains(">Sofort reparieren</h2>") && page.contains("Wahrscheinlichste Ursache:")
    );
}

/// Translations are theme files, but only `_html` strings are HTML: markup in a text
/// string is shown, not run, and arguments of `_html` strings are escaped.
#[test]
fn text_strings_are_escaped_and_html_arguments_too() {
    let s = Site::new("ok-basic");
    s.write(
        "i18n/en.yaml",
        "page:\n  fix_it_fast: \"<script>alert(1)</script>\"\n  moved_html: 'Now at <a href=\"{url}\">{title}</a>.'\n",
    );
    s.run(&["build"]).ok();
    let page = s.read("public/demo/widget-locked/index.html");
    assert!(
        page.contains(">&lt;script&gt;alert(1)&lt;&#x2F;script&gt;</h2>")
            || page.contains(">&lt;script&gt;alert(1)&lt;/script&gt;</h2>"),
        "{page}"
    );
    assert!(!page.contains("<script>alert"));
    let moved = s.read("public/demo/old-widget-locked/index.html");
    assert!(
        moved.contains(">error: widget &lt;name&gt; is locked by another process</a>."),
        "{moved}"
    );
}

#[test]
fn eject_copies_a_translation_file() {
    let s = Site::new("ok-basic");
    s.run(&["eject", "i18n/de.yaml"]).ok();
    assert!(
        s.read("i18n/de.yaml")
            .contains("fix_it_fast: Schnell beheben")
    );
    let listed = s.run(&["eject", "--list"]).ok().stdout();
    assert!(listed.lines().any(|l| l == "i18n/es.yaml"), "{listed}");
}

use super::*;

fn site_file(theme: &mut Theme, name: &str, text: &str) {
    theme.site_translations.insert(
        name.to_string(),
        File {
            bytes: text.as_bytes().to_vec(),
            origin: Origin::Site(format!("i18n/{name}")),
        },
    );
}

#[test]
fn shipped_languages_are_complete() {
    let theme = Theme::built_in();
    assert_eq!(available(&theme), ["de", "en", "es"]);
    let en = Strings::english();
    for lang in ["de", "es"] {
        let (s, warnings) = load(&theme, lang, None).expect(lang);
        assert!(warnings.is_empty(), "{lang}: {warnings:#?}");
        assert_eq!(s.page.len(), en.page.len(), "{lang}");
        assert_eq!(s.browser.len(), en.browser.len(), "{lang}");
        // Every placeholder English fills is filled in the translation too.
        for (key, t) in en.page.iter().chain(&en.browser) {
            let theirs = s.page.get(key).or_else(|| s.browser.get(key)).expect(key);
            for form in [1, 2] {
                for name in [
                    "{count}", "{tool}", "{site}", "{tag}", "{title}", "{url}", "{home}",
                    "{error}", "{what}",
                ] {
                    assert_eq!(
                        t.form(form).contains(name),
                        theirs.form(form).contains(name),
                        "{lang} {key} {name}"
                    );
                }
            }
        }
    }
}

#[test]
fn english_module_is_the_shipped_static_file() {
    // static/i18n.js is what Node tests and an unbuilt theme see; the build writes the
    // same bytes for English, so English pages keep their asset names.
    let theme = Theme::built_in();
    let shipped = std::str::from_utf8(&theme.assets["i18n.js"].bytes).expect("utf-8");
    assert_eq!(shipped, Strings::english().script_module());
}

#[test]
fn missing_keys_fall_back_to_english_with_a_warning() {
    let mut theme = Theme::built_in();
    site_file(
        &mut theme,
        "fr.yaml",
        "name: Français\npage:\n  fix_it_fast: Réparer vite\n  fix_it_fsat: typo\nbrowser:\n  copy: Copier\n",
    );
    let (s, warnings) = load(&theme, "fr", None).expect("fr");
    assert_eq!(s.text("fix_it_fast", &[]), "Réparer vite");
    assert_eq!(s.text("most_likely", &[]), "Most likely:");
    assert_eq!(s.browser["copy"], Text::Plain("Copier".into()));
    let says: Vec<String> = warnings
        .iter()
        .map(|d| {
            format!(
                "{}: {}",
                d.file.as_ref().expect("file").display(),
                d.message
            )
        })
        .collect();
    assert!(
        says.contains(&"i18n/fr.yaml: no `page.most_likely`: the English text is used".to_string()),
        "{says:#?}"
    );
    assert!(
        says.contains(&"i18n/fr.yaml: no `dates.months`: the English text is used".to_string()),
        "{says:#?}"
    );
    assert!(
        says.iter()
            .any(|w| w.contains("`page.fix_it_fsat` is not a key")),
        "{says:#?}"
    );
    assert!(warnings.iter().all(|d| !d.is_error()));
}

#[test]
fn a_site_file_overrides_single_keys() {
    let mut theme = Theme::built_in();
    site_file(
        &mut theme,
        "de.yaml",
        "page:\n  fix_it_fast: Sofort reparieren\n",
    );
    let (s, warnings) = load(&theme, "de", None).expect("de");
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert_eq!(s.text("fix_it_fast", &[]), "Sofort reparieren");
    assert_eq!(s.text("most_likely", &[]), "Wahrscheinlichste Ursache:");
    // English too: the site's en.yaml changes one string of an English site.
    site_file(&mut theme, "en.yaml", "page:\n  fix_it_fast: Quick fix\n");
    let (s, warnings) = load(&theme, "en", None).expect("en");
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert_eq!(s.text("fix_it_fast", &[]), "Quick fix");
    assert_eq!(s.text("why", &[]), "Why:");
}

#[test]
fn regional_tags_use_the_language() {
    let (s, warnings) = load(&Theme::built_in(), "de-AT", None).expect("de-AT");
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert_eq!(s.language, "de-AT");
    assert_eq!(s.text("fix_it_fast", &[]), "Schnell beheben");
}

#[test]
fn unknown_language_is_an_error_at_the_config_line() {
    let errs =
        load(&Theme::built_in(), "fr", Some(&(3, "language: fr".into()))).expect_err("no fr");
    let d = &errs[0];
    assert!(d.is_error());
    assert_eq!(d.file.as_deref(), Some(std::path::Path::new("errkb.yaml")));
    assert_eq!(d.line, Some(3));
    assert_eq!(d.source_line.as_deref(), Some("language: fr"));
    assert!(
        d.message.contains("`fr`") && d.message.contains("de, en, es"),
        "{d:?}"
    );
}

#[test]
fn a_broken_site_file_is_an_error_naming_it() {
    let mut theme = Theme::built_in();
    site_file(&mut theme, "de.yaml", "page:\n  fix_it_fast: [\n");
    let errs = load(&theme, "de", None).expect_err("broken");
    assert_eq!(
        errs[0].file.as_deref(),
        Some(std::path::Path::new("i18n/de.yaml"))
    );
}

#[test]
fn plurals_and_arguments() {
    let (de, _) = load(&Theme::built_in(), "de", None).expect("de");
    assert_eq!(de.counted("entries", 1, &[]), "1 Eintrag");
    assert_eq!(de.counted("entries", 4, &[]), "4 Einträge");
    assert_eq!(de.counted("entries", 0, &[]), "0 Einträge");
    assert_eq!(
        de.text("title_tool", &[("tool", "Docker"), ("site", "KB")]),
        "Fehler in Docker – KB"
    );
    let en = Strings::english();
    assert_eq!(
        en.counted("description_tag", 1, &[("tag", "tls")]),
        "Errors tagged tls: 1 entry."
    );
    assert_eq!(en.text("no_such_key", &[]), "no_such_key");
}

#[test]
fn fill_is_one_pass() {
    assert_eq!(
        fill("{a} and {b}", 0, &[("a", "{b}"), ("b", "x")]),
        "{b} and x"
    );
    assert_eq!(fill("{unknown} {count} {", 3, &[]), "{unknown} 3 {");
    assert_eq!(fill("{}{a", 0, &[("a", "x")]), "{}{a");
}

#[test]
fn dates_in_each_language() {
    let theme = Theme::built_in();
    let date = |lang: &str| load(&theme, lang, None).expect(lang).0.date("2026-12-06");
    assert_eq!(date("en"), "2026-12-06");
    assert_eq!(date("de"), "6. Dezember 2026");
    assert_eq!(date("es"), "6 de diciembre de 2026");
}

//! The German theme in a real browser: the strings the scripts write (search results,
//! result counts, copy buttons, the theme toggle) come from the site's language.

use super::{Console, browser, eval, front_tab, open, serve_dir, wait_js};
use crate::Site;

#[test]
#[ignore = "needs Chromium; run by .ci/run"]
fn browser_german_site_speaks_german_in_search_and_buttons() {
    let site = Site::new("ok-basic");
    let config = site.read("errkb.yaml");
    site.write("errkb.yaml", &format!("{config}language: de\n"));
    site.run(&["build", "-q"]).ok();
    let srv = serve_dir(&site.path("public"), "/");
    let b = browser(1280, 800);
    let tab = front_tab(&b);
    let console = Console::attach(&tab);
    open(&tab, &srv.url);
    assert_eq!(
        eval(&tab, "document.documentElement.lang").as_str(),
        Some("de")
    );
    // Typed, key by key: the error line ends on its entry, marked as an exact match.
    eval(
        &tab,
        "(() => { document.querySelector('input[type=search]').focus(); return true; })()",
    );
    tab.type_str("error: widget alpha is locked by another process")
        .expect("type");
    let mark = wait_js(
        &tab,
        "(() => { const m = document.querySelector('[data-search-result] .result-exact'); return m && m.textContent; })()",
    );
    assert_eq!(mark.as_str(), Some("Genauer Treffer"));
    let status = wait_js(
        &tab,
        "document.querySelector('[data-search-status]').textContent",
    );
    assert!(
        status
            .as_str()
            .is_some_and(|s| s.ends_with("Ergebnis") || s.ends_with("Ergebnisse")),
        "{status}"
    );
    let more = eval(
        &tab,
        "document.querySelector('.more-results a').textContent",
    );
    assert_eq!(more.as_str(), Some("Alle Ergebnisse"));
    // Nothing found: the German "no results" texts.
    eval(
        &tab,
        "(() => { const i = document.querySelector('input[type=search]'); i.value = 'zzqxv'; i.dispatchEvent(new Event('input')); return true; })()",
    );
    let none = wait_js(
        &tab,
        "(() => { const li = document.querySelector('[data-search-results] .no-results'); return li && li.textContent; })()",
    );
    assert!(
        none.as_str()
            .is_some_and(|s| s.starts_with("Kein Eintrag passt")),
        "{none}"
    );
    let status = wait_js(
        &tab,
        "(() => { const s = document.querySelector('[data-search-status]').textContent; return s.startsWith('Keine') && s; })()",
    );
    assert_eq!(status.as_str(), Some("Keine Ergebnisse"));
    // The search page counts in German too.
    open(&tab, &format!("{}search/?q=widget", srv.url));
    let count = wait_js(
        &tab,
        "(() => { const s = document.querySelector('[data-search-page-status]').textContent; return /Ergebnis/.test(s) && s; })()",
    );
    assert!(
        count.as_str().is_some_and(|s| s == "1 Ergebnis"
            || s.strip_suffix(" Ergebnisse")
                .is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n > 1))),
        "{count}"
    );
    // Copy buttons and the theme toggle.
    open(&tab, &format!("{}demo/widget-locked/", srv.url));
    let button = eval(
        &tab,
        "(() => { const b = document.querySelector('button.copy'); return [b.textContent, b.getAttribute('aria-label')]; })()",
    );
    assert_eq!(button, serde_json::json!(["Kopieren", "Befehl kopieren"]));
    eval(
        &tab,
        "(() => { navigator.clipboard.writeText = async () => {}; window.__b = document.querySelector('button.copy'); window.__b.click(); return true; })()",
    );
    wait_js(&tab, "window.__b.textContent === 'Kopiert'");
    let toggle = eval(
        &tab,
        "document.querySelector('[data-theme-toggle]').textContent",
    );
    assert!(
        toggle
            .as_str()
            .is_some_and(|t| t == "Dunkles Design" || t == "Helles Design"),
        "{toggle}"
    );
    assert_eq!(console.take(), Vec::<String>::new(), "console errors");
}

//! Static assets: theme CSS/JS fingerprinted (`style.3f2a9c1b.css`) so they can be cached
//! forever, the generated code-colour stylesheet, and the site's own files as they are.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::i18n::Strings;
use crate::output::OutFile;
use crate::theme::Theme;

/// Short content hash used in asset names.
pub fn fingerprint(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..10].to_string()
}

fn fingerprinted_name(path: &str, bytes: &[u8]) -> String {
    let hash = fingerprint(bytes);
    match path.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !stem.ends_with('/') => {
            format!("{stem}.{hash}.{ext}")
        }
        _ => format!("{path}.{hash}"),
    }
}

fn should_fingerprint(path: &str) -> bool {
    Theme::is_theme_asset(path) && (path.ends_with(".css") || path.ends_with(".js"))
}

/// The module the scripts read their strings from (`static/say.js`); the build writes
/// it from the translation files, so a site translates it through `i18n/`, not here.
const SCRIPT_STRINGS: &str = "i18n.js";

/// The theme's stylesheet, and the name its code colours are also known by.
const STYLESHEET: &str = "style.css";
const HIGHLIGHT: &str = "highlight.css";

/// The asset files to write and the map from logical path (`style.css`) to URL path.
pub(super) fn build(
    theme: &Theme,
    config: &Config,
    strings: &Strings,
) -> Result<(Vec<OutFile>, BTreeMap<String, String>), String> {
    let mut files = Vec::new();
    let mut urls = BTreeMap::new();
    let base = config.base_path();
    let mut add = |logical: &str, bytes: Vec<u8>, fp: bool| {
        let name = if fp {
            fingerprinted_name(logical, &bytes)
        } else {
            logical.to_string()
        };
        urls.insert(logical.to_string(), format!("{base}{name}"));
        files.push(OutFile::new(name, bytes));
    };
    let hl = crate::highlight::stylesheet(&config.highlight_theme, &config.highlight_theme_dark)?;
    // The code colours go at the end of the theme's stylesheet: one file for a page to
    // wait for instead of two, and one `<link>` less on every page. `highlight.css`
    // names the same file, so a template that still links it loads nothing twice.
    let mut hl = Some(hl);
    // JavaScript modules import each other by relative name (`./pattern.js`); once
    // names carry a hash, the imports must name the hashed files. Hash the modules
    // that import nothing first, then those that import only hashed ones, and so on.
    let mut pending: Vec<(&String, Vec<u8>)> = Vec::new();
    for (path, file) in &theme.assets {
        if path == SCRIPT_STRINGS {
            // The scripts' strings in the site's language, not the file as shipped.
            pending.push((path, strings.script_module().into_bytes()));
        } else if path.ends_with(".js") && should_fingerprint(path) {
            pending.push((path, file.bytes.clone()));
        } else if path == STYLESHEET
            && let Some(hl) = hl.take()
        {
            let mut bytes = file.bytes.clone();
            if !bytes.ends_with(b"\n") {
                bytes.push(b'\n');
            }
            bytes.extend_from_slice(hl.as_bytes());
            add(path, bytes, should_fingerprint(path));
        } else {
            add(path, file.bytes.clone(), should_fingerprint(path));
        }
    }
    if let Some(hl) = hl {
        // A theme without a stylesheet of its own.
        add(HIGHLIGHT, hl.into_bytes(), true);
    }
    let mut hashed: BTreeMap<String, String> = BTreeMap::new();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for (path, bytes) in pending {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let deps = imports(&text);
            if deps
                .iter()
                .all(|d| hashed.contains_key(d) || !theme.assets.contains_key(d))
            {
                let mut out = text;
                for d in &deps {
                    if let Some(h) = hashed.get(d) {
                        out = out.replace(&format!("\"./{d}\""), &format!("\"./{h}\""));
                    }
                }
                let name = fingerprinted_name(path, out.as_bytes());
                hashed.insert(
                    path.clone(),
                    name.rsplit('/').next().unwrap_or(&name).to_string(),
                );
                add(path, out.into_bytes(), true);
            } else {
                rest.push((path, bytes));
            }
        }
        if rest.len() == before {
            let names: Vec<&str> = rest.iter().map(|(p, _)| p.as_str()).collect();
            return Err(format!(
                "JavaScript modules import each other in a cycle: {}",
                names.join(", ")
            ));
        }
        pending = rest;
    }
    if let Some(url) = urls
        .get(STYLESHEET)
        .filter(|_| !urls.contains_key(HIGHLIGHT))
    {
        urls.insert(HIGHLIGHT.to_string(), url.clone());
    }
    Ok((files, urls))
}

/// Sibling modules a script imports: `from "./x.js"` and `import("./x.js")`.
fn imports(js: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in js.match_indices("\"./") {
        let rest = &js[i + 3..];
        if let Some(end) = rest.find('"') {
            let name = &rest[..end];
            if name.ends_with(".js") && !name.contains('/') {
                out.push(name.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_imports() {
        let js = "import { a } from \"./pattern.js\";\nconst b = await import(\"./x.js\"); \"./dir/y.js\"";
        assert_eq!(imports(js), vec!["pattern.js", "x.js"]);
    }

    #[test]
    fn names() {
        let n = fingerprinted_name("js/app.js", b"x");
        assert!(
            n.starts_with("js/app.") && n.ends_with(".js") && n.len() == "js/app..js".len() + 10,
            "{n}"
        );
        assert_eq!(
            fingerprinted_name("x.css", b"a"),
            fingerprinted_name("x.css", b"a")
        );
        assert_ne!(
            fingerprinted_name("x.css", b"a"),
            fingerprinted_name("x.css", b"b")
        );
    }
}

//! Static assets: theme CSS/JS fingerprinted (`style.3f2a9c1b.css`) so they can be cached
//! forever, the generated code-colour stylesheet, and the site's own files as they are.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::render::OutFile;
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

/// The asset files to write and the map from logical path (`style.css`) to URL path.
pub fn build(
    theme: &Theme,
    config: &Config,
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
        files.push(OutFile { path: name, bytes });
    };
    let hl = crate::highlight::stylesheet(&config.highlight_theme, &config.highlight_theme_dark)?;
    add("highlight.css", hl.into_bytes(), true);
    for (path, file) in &theme.assets {
        add(path, file.bytes.clone(), should_fingerprint(path));
    }
    Ok((files, urls))
}

#[cfg(test)]
mod tests {
    use super::*;

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

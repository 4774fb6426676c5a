//! Answering one request from the site held in memory: safe path resolution (no `..`,
//! no absolute or encoded escapes: the site is a map of generated paths, never the
//! disk), content types, `index.html` for folders, the site's 404 page.

use std::collections::HashMap;
use std::sync::Arc;

/// The built site: output path (`docker/x/index.html`) → bytes.
pub type Files = HashMap<String, Arc<Vec<u8>>>;

pub enum Resolved {
    File {
        path: String,
        bytes: Arc<Vec<u8>>,
    },
    /// A folder asked for without its trailing slash.
    Redirect(String),
    NotFound(Option<Arc<Vec<u8>>>),
    BadRequest,
}

/// Maps a request target (`/docker/x/?q=1`) to a file of the site.
pub fn resolve(files: &Files, target: &str) -> Resolved {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
        return Resolved::BadRequest;
    };
    if !decoded.starts_with('/') || decoded.contains('\0') || decoded.contains('\\') {
        return Resolved::BadRequest;
    }
    let rel = &decoded[1..];
    if rel.starts_with('/')
        || rel.contains("//")
        || rel.split('/').any(|seg| seg == ".." || seg == ".")
    {
        return Resolved::BadRequest;
    }
    let candidates = if rel.is_empty() || rel.ends_with('/') {
        vec![format!("{rel}index.html")]
    } else {
        vec![rel.to_string()]
    };
    for c in candidates {
        if let Some(b) = files.get(&c) {
            return Resolved::File {
                path: c,
                bytes: b.clone(),
            };
        }
    }
    if !rel.is_empty() && !rel.ends_with('/') && files.contains_key(&format!("{rel}/index.html")) {
        return Resolved::Redirect(format!("/{rel}/"));
    }
    Resolved::NotFound(files.get("404.html").cloned())
}

/// The `Content-Type` of a file, by extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Files {
        let mut f = Files::new();
        for p in ["index.html", "404.html", "docker/x/index.html", "style.css"] {
            f.insert(p.to_string(), Arc::new(p.as_bytes().to_vec()));
        }
        f
    }

    #[test]
    fn resolves_safely() {
        let f = files();
        assert!(matches!(resolve(&f, "/"), Resolved::File { path, .. } if path == "index.html"));
        assert!(
            matches!(resolve(&f, "/docker/x/?a=1"), Resolved::File { path, .. } if path == "docker/x/index.html")
        );
        assert!(matches!(resolve(&f, "/docker/x"), Resolved::Redirect(p) if p == "/docker/x/"));
        assert!(matches!(resolve(&f, "/st%79le.css"), Resolved::File { .. }));
        assert!(matches!(resolve(&f, "/nope/"), Resolved::NotFound(Some(_))));
        for bad in [
            "/../Cargo.toml",
            "/docker/../../etc/passwd",
            "/%2e%2e/Cargo.toml",
            "/a\\b",
            "//etc/passwd",
            "relative",
            "/%00",
            "/%ff",
        ] {
            assert!(matches!(resolve(&f, bad), Resolved::BadRequest), "{bad}");
        }
    }

    #[test]
    fn types() {
        assert_eq!(content_type("a/b.JS"), "text/javascript; charset=utf-8");
        assert_eq!(
            content_type("search/x/t2f.txt"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(content_type("CNAME"), "application/octet-stream");
    }
}

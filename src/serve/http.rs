//! Answering one request from the site held in memory: safe path resolution (no `..`,
//! no absolute or encoded escapes: the site is a map of generated paths, never the
//! disk), content types, `index.html` for folders, the site's 404 page, and which `Host`
//! names the server answers to.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

/// Built files: output path (`docker/x/index.html`) → bytes. Hashed with foldhash:
/// every rebuild inserts all pages of the site (10,000 on a large one) under one lock.
pub type Files = HashMap<String, Arc<Vec<u8>>, foldhash::fast::RandomState>;

/// Where [`resolve`] finds a site's files.
pub trait Lookup {
    fn find(&self, path: &str) -> Option<&Arc<Vec<u8>>>;
}

impl Lookup for Files {
    fn find(&self, path: &str) -> Option<&Arc<Vec<u8>>> {
        self.get(path)
    }
}

pub enum Resolved {
    File {
        path: String,
        bytes: Arc<Vec<u8>>,
    },
    /// A folder asked for without its trailing slash: where to go instead (the query
    /// string kept).
    Redirect(String),
    NotFound(Option<Arc<Vec<u8>>>),
    BadRequest,
}

/// Maps a request target (`/docker/x/?q=1`) to a file of the site.
pub fn resolve(files: &impl Lookup, target: &str) -> Resolved {
    let target = target.split('#').next().unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
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
        if let Some(b) = files.find(&c) {
            return Resolved::File {
                path: c,
                bytes: b.clone(),
            };
        }
    }
    if !rel.is_empty() && !rel.ends_with('/') && files.find(&format!("{rel}/index.html")).is_some()
    {
        // The raw path (still percent-encoded, already checked above) keeps the
        // `Location` a valid URL; a search link's `?q=` must survive the redirect.
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        return Resolved::Redirect(format!("{path}/{query}"));
    }
    Resolved::NotFound(files.find("404.html").cloned())
}

/// Which `Host` names the server answers to: the defence against DNS rebinding, where a
/// page on the attacker's name, re-resolved to this machine, would read the site as its
/// own origin. The browser sends that name as `Host`, so refusing every name but this
/// machine's own closes the hole.
///
/// Bound to a loopback address (the default), the server answers to `localhost`,
/// `127.0.0.1`, `[::1]` and the bound address, each with or without its port. Bound to
/// any other address (`--bind 0.0.0.0`, a LAN address), the user has chosen to publish
/// the site to the network, where it is reached under names errkb cannot know (the
/// machine's host name, its addresses, a tunnel), so any `Host` is answered; the
/// start-up note says the site is readable by anyone who can reach it.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    bound: IpAddr,
    port: u16,
    any: bool,
}

impl HostPolicy {
    pub fn new(bound: IpAddr, port: u16) -> Self {
        HostPolicy {
            bound,
            port,
            any: !bound.is_loopback(),
        }
    }

    /// Whether a request naming `host` (a `Host` header or the authority of an
    /// absolute-form target) is answered.
    pub fn allows(&self, host: &str) -> bool {
        if self.any {
            return true;
        }
        let (name, port) = if let Some(rest) = host.strip_prefix('[') {
            let Some((inside, after)) = rest.split_once(']') else {
                return false;
            };
            let port = match after {
                "" => None,
                p => match p.strip_prefix(':') {
                    Some(p) => Some(p),
                    None => return false,
                },
            };
            let Ok(ip) = inside.parse::<Ipv6Addr>() else {
                return false;
            };
            (Name::Ip(IpAddr::V6(ip)), port)
        } else {
            let (name, port) = match host.split_once(':') {
                Some((n, p)) => (n, Some(p)),
                None => (host, None),
            };
            let name = if name.eq_ignore_ascii_case("localhost") {
                Name::Localhost
            } else if let Ok(ip) = name.parse::<Ipv4Addr>() {
                Name::Ip(IpAddr::V4(ip))
            } else {
                return false;
            };
            (name, port)
        };
        let name_ok = match name {
            Name::Localhost => true,
            Name::Ip(ip) => {
                ip == IpAddr::V4(Ipv4Addr::LOCALHOST)
                    || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
                    || ip == self.bound
            }
        };
        // Digits only: `u16::from_str` would also take a leading `+`.
        let port_ok = match port {
            None => true,
            Some(p) => {
                !p.is_empty()
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && p.parse::<u16>() == Ok(self.port)
            }
        };
        name_ok && port_ok
    }
}

enum Name {
    Localhost,
    Ip(IpAddr),
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
        let mut f = Files::default();
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
        assert!(matches!(resolve(&f, "/nope"), Resolved::NotFound(Some(_))));
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
    fn folder_redirect_keeps_the_query() {
        let f = files();
        for (from, to) in [
            ("/docker/x?q=1", "/docker/x/?q=1"),
            ("/docker/x?q=a%20b&n=2", "/docker/x/?q=a%20b&n=2"),
            ("/docker/x?", "/docker/x/"),
            ("/docker/x#top", "/docker/x/"),
            ("/docker/x?q=1#top", "/docker/x/?q=1"),
            ("/dock%65r/x?q=%3F", "/dock%65r/x/?q=%3F"),
        ] {
            assert!(
                matches!(resolve(&f, from), Resolved::Redirect(ref p) if p == to),
                "{from}"
            );
        }
        // An encoded slash cannot turn the redirect into a protocol-relative URL.
        assert!(matches!(
            resolve(&f, "/%2Fevil.example?x"),
            Resolved::BadRequest
        ));
    }

    #[test]
    fn host_names_of_a_loopback_server() {
        let p = HostPolicy::new("127.0.0.1".parse().expect("ip"), 1111);
        for ok in [
            "localhost",
            "localhost:1111",
            "LocalHost:1111",
            "127.0.0.1",
            "127.0.0.1:1111",
            "[::1]",
            "[::1]:1111",
        ] {
            assert!(p.allows(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "docs.localhost:1111",
            "localhost:1112",
            "localhost:",
            "localhost:+1111",
            "localhost:01111x",
            "127.0.0.1:1111:1111",
            "127.0.0.2:1111",
            "10.0.0.1:1111",
            "[::1",
            "[::1]1111",
            "[::2]:1111",
            "[evil]:1111",
            "::1",
        ] {
            assert!(!p.allows(bad), "{bad:?}");
        }
        // Bound to another loopback address: that address is one of its names too.
        let p = HostPolicy::new("127.0.0.2".parse().expect("ip"), 80);
        assert!(p.allows("127.0.0.2:80") && p.allows("localhost") && !p.allows("127.0.0.3"));
        let p = HostPolicy::new("::1".parse().expect("ip"), 80);
        assert!(p.allows("[::1]:80") && p.allows("127.0.0.1:80") && !p.allows("[::2]"));
    }

    #[test]
    fn any_host_when_published_to_the_network() {
        for bound in ["0.0.0.0", "::", "192.168.1.20"] {
            let p = HostPolicy::new(bound.parse().expect("ip"), 1111);
            assert!(p.allows("mybox.local:1111") && p.allows("192.168.1.20:1111"));
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

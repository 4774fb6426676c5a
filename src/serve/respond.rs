//! One request → one response: the `Host` check, the live-reload endpoints, the site's
//! files (pages with the reload script added), and the headers every answer carries.

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::Shared;
use super::http::{self, Resolved};
use super::reload::{self, EventBody, EventStream};

/// Any response body: a whole file, or an event stream that goes on until the client
/// leaves.
pub(super) type Body = UnsyncBoxBody<Bytes, Infallible>;

/// Answers `req` from the site as it is now.
pub(super) fn answer<B>(req: &Request<B>, shared: &Shared) -> Response<Body> {
    if let Some(refusal) = check_host(req, shared) {
        return refusal;
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let target = req.uri().path_and_query().map_or("/", |p| p.as_str());
    match req.uri().path() {
        reload::SCRIPT_PATH => {
            return file(
                StatusCode::OK,
                "text/javascript; charset=utf-8",
                reload::SCRIPT,
            );
        }
        reload::STATUS_PATH => {
            let s = shared.hub.snapshot();
            let body = format!(
                "{{\"generation\":{},\"attempts\":{},\"indexed\":{},\"problems\":{}}}",
                s.generation,
                s.attempts,
                s.indexed,
                s.problems.as_deref().unwrap_or("null")
            );
            return file(StatusCode::OK, "application/json", body);
        }
        reload::EVENTS_PATH => return events(shared),
        _ => {}
    }
    let files = shared.files();
    match http::resolve(&files, target) {
        Resolved::File { path, bytes } => {
            let ctype = http::content_type(&path);
            if ctype.starts_with("text/html") {
                // Pages are kept compressed (see `stored`): unpacked here to add the script.
                let page = crate::output::gunzip(&bytes);
                file(StatusCode::OK, ctype, reload::inject(&page))
            } else {
                // The same bytes as `errkb build` writes, shared with the site map
                // rather than copied.
                file(StatusCode::OK, ctype, Bytes::from_owner(SiteBytes(bytes)))
            }
        }
        Resolved::Redirect(to) => match HeaderValue::from_str(&to) {
            Ok(to) => {
                let mut r = file(StatusCode::MOVED_PERMANENTLY, "text/plain", "");
                r.headers_mut().insert(header::LOCATION, to);
                r
            }
            Err(_) => text(StatusCode::BAD_REQUEST, "bad request\n"),
        },
        Resolved::NotFound(Some(page)) => file(
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            reload::inject(&crate::output::gunzip(&page)),
        ),
        Resolved::NotFound(None) => {
            let msg = if shared.built_once() {
                "Not found."
            } else {
                "The site has not built yet: see the problems in the terminal."
            };
            let page = format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>errkb serve</title></head><body><p>{msg}</p></body></html>"
            );
            file(
                StatusCode::NOT_FOUND,
                "text/html; charset=utf-8",
                reload::inject(page.as_bytes()),
            )
        }
        Resolved::BadRequest => text(StatusCode::BAD_REQUEST, "bad request\n"),
    }
}

struct SiteBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for SiteBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// 400 without a `Host`, 403 for a name that is not this server's (see
/// [`http::HostPolicy`]); an absolute-form target's authority is checked the same way,
/// as it stands in for `Host`.
fn check_host<B>(req: &Request<B>, shared: &Shared) -> Option<Response<Body>> {
    let Some(host) = req.headers().get(header::HOST) else {
        return Some(text(StatusCode::BAD_REQUEST, "missing Host header\n"));
    };
    let named = [
        host.to_str().ok(),
        req.uri().authority().map(|a| a.as_str()),
    ];
    let foreign = match named {
        [None, _] => true,
        [Some(h), authority] => {
            !shared.hosts.allows(h) || authority.is_some_and(|a| !shared.hosts.allows(a))
        }
    };
    foreign.then(|| {
        text(
            StatusCode::FORBIDDEN,
            "forbidden: this server answers only to this machine's names for it (localhost, 127.0.0.1, [::1])\n",
        )
    })
}

/// The live-reload stream, while fewer than the stream limit are open: held streams
/// must never take every connection, or no page could load.
fn events(shared: &Shared) -> Response<Body> {
    let Ok(permit) = Arc::clone(&shared.streams).try_acquire_owned() else {
        let mut r = text(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many live-reload streams are open\n",
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return r;
    };
    let body = EventBody::new(EventStream::new(&shared.hub), permit);
    let mut r = Response::new(body.boxed_unsync());
    secure(r.headers_mut(), "text/event-stream");
    r
}

fn text(status: StatusCode, msg: &'static str) -> Response<Body> {
    file(status, "text/plain; charset=utf-8", msg)
}

fn file(status: StatusCode, ctype: &'static str, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Full::new(body.into()).boxed_unsync());
    *r.status_mut() = status;
    secure(r.headers_mut(), ctype);
    r
}

/// Headers on every answer: never cached (a rebuild must show at once), never sniffed
/// into another type, and not readable by other sites' pages through `<script>` or
/// `<img>` (a page elsewhere could otherwise pull the site's JSON into its own origin).
fn secure(h: &mut hyper::HeaderMap, ctype: &'static str) {
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> Shared {
        let s = Shared::new(http::HostPolicy::new([127, 0, 0, 1].into(), 1111), 2);
        let mut files = http::Files::default();
        for (p, body) in [
            ("index.html", "<p>home</p></body>"),
            ("demo/index.html", "<p>demo</p></body>"),
            ("app.js", "let x;"),
        ] {
            files.insert(p.into(), Arc::new(body.as_bytes().to_vec()));
        }
        s.replace_files(files);
        s
    }

    fn req(method: Method, target: &str, host: Option<&str>) -> Request<()> {
        let mut b = Request::builder().method(method).uri(target);
        if let Some(h) = host {
            b = b.header(header::HOST, h);
        }
        b.body(()).expect("request")
    }

    fn get(s: &Shared, target: &str, host: Option<&str>) -> Response<Body> {
        answer(&req(Method::GET, target, host), s)
    }

    #[test]
    fn host_is_checked_first() {
        let s = shared();
        assert_eq!(get(&s, "/", Some("localhost:1111")).status(), 200);
        assert_eq!(get(&s, "/", Some("evil.example")).status(), 403);
        assert_eq!(
            get(&s, reload::EVENTS_PATH, Some("evil.example")).status(),
            403
        );
        assert_eq!(get(&s, "/", None).status(), 400);
        let absolute = get(&s, "http://evil.example/", Some("127.0.0.1:1111"));
        assert_eq!(absolute.status(), 403);
        let absolute = get(&s, "http://localhost:1111/", Some("127.0.0.1:1111"));
        assert_eq!(absolute.status(), 200);
    }

    #[test]
    fn redirect_keeps_the_query_and_headers_are_set() {
        let s = shared();
        let r = get(&s, "/demo?q=a%20b", Some("127.0.0.1"));
        assert_eq!(r.status(), 301);
        assert_eq!(r.headers()[header::LOCATION], "/demo/?q=a%20b");
        for target in ["/", "/app.js", "/nope", reload::SCRIPT_PATH] {
            let r = get(&s, target, Some("127.0.0.1"));
            assert_eq!(r.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(r.headers()["cross-origin-resource-policy"], "same-origin");
            assert_eq!(r.headers()[header::CACHE_CONTROL], "no-cache");
        }
        let r = answer(&req(Method::POST, "/", Some("127.0.0.1")), &s);
        assert_eq!(r.status(), 405);
        assert_eq!(r.headers()[header::ALLOW], "GET, HEAD");
    }

    #[test]
    fn event_streams_are_limited() {
        let s = shared();
        let a = get(&s, reload::EVENTS_PATH, Some("127.0.0.1"));
        let b = get(&s, reload::EVENTS_PATH, Some("127.0.0.1"));
        assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
        assert_eq!(a.headers()[header::CONTENT_TYPE], "text/event-stream");
        let c = get(&s, reload::EVENTS_PATH, Some("127.0.0.1"));
        assert_eq!(c.status(), 503);
        // A closed stream gives its place back.
        drop(a);
        let d = get(&s, reload::EVENTS_PATH, Some("127.0.0.1"));
        assert_eq!(d.status(), 200);
    }
}

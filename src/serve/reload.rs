//! Live reload: pages opened from `errkb serve` load a small script that listens on
//! Server-Sent Events. After a rebuild has finished (never during one) the server sends
//! `reload`; after a failed one it sends `problems` with the same diagnostics as
//! `errkb check`, which the script shows over the page until the next good build.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Bytes, Frame};
use tokio::sync::watch;

/// Where the script and the event stream are served; not part of the built site.
pub const SCRIPT_PATH: &str = "/__errkb/livereload.js";
pub const EVENTS_PATH: &str = "/__errkb/events";
pub const STATUS_PATH: &str = "/__errkb/status";

/// What serve adds before `</body>` of every HTML page it serves.
pub const SNIPPET: &str = "<script src=\"/__errkb/livereload.js\"></script>";

pub const SCRIPT: &str = r#"// errkb serve: reload after each rebuild, show build problems over the page.
(function () {
  var overlay = null;
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }
  function show(problems) {
    hide();
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alert");
    overlay.id = "errkb-overlay";
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,0,0,.92);color:#fff;font:14px/1.5 ui-monospace,monospace;padding:2rem";
    var h = document.createElement("h2");
    h.textContent = "errkb: the last change did not build; this page shows the last good build";
    h.style.cssText = "font:bold 18px system-ui,sans-serif;margin:0 0 1rem";
    overlay.appendChild(h);
    problems.forEach(function (p) {
      var pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0 0 1rem;padding:.75rem;background:rgba(255,255,255,.08);border-left:4px solid #ff6b6b";
      var where = (p.file || "") + (p.line ? ":" + p.line : "") + (p.col ? ":" + p.col : "");
      pre.textContent = p.severity + ": " + (where ? where + ": " : "") + p.message + (p.hint ? "\n  hint: " + p.hint : "");
      overlay.appendChild(pre);
    });
    document.body.appendChild(overlay);
  }
  var es = new EventSource("/__errkb/events");
  es.addEventListener("reload", function () { location.reload(); });
  es.addEventListener("problems", function (e) { show(JSON.parse(e.data)); });
  es.addEventListener("clean", hide);
})();
"#;

/// Every open event stream sends a comment at least this often, so a browser that went
/// away without closing its connection is found out by a failed write.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The build generation and the problems of the last failed build, shared with every
/// open event stream. A `watch` channel: the rebuild thread publishes without waiting,
/// and each stream sees only the latest state, however many rebuilds it missed.
pub struct Hub {
    tx: watch::Sender<State>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: watch::Sender::new(State::default()),
        }
    }
}

#[derive(Default, Clone)]
pub struct State {
    /// Bumped after every successful rebuild.
    pub generation: u64,
    /// JSON array of diagnostics of the last failed build; `None` when it built.
    pub problems: Option<String>,
    /// Bumped after every build attempt (good or bad).
    pub attempts: u64,
    /// The generation whose search index is served: pages come first, their index a
    /// moment later (equal to `generation` once it is in place).
    pub indexed: u64,
}

impl Hub {
    pub fn snapshot(&self) -> State {
        self.tx.borrow().clone()
    }

    /// A rebuild's pages are served; their generation.
    pub fn built(&self) -> u64 {
        let mut generation = 0;
        self.tx.send_modify(|s| {
            s.generation += 1;
            s.attempts += 1;
            s.problems = None;
            generation = s.generation;
        });
        generation
    }

    /// The search index of `generation` is in place.
    pub fn indexed(&self, generation: u64) {
        self.tx
            .send_modify(|s| s.indexed = s.indexed.max(generation));
    }

    pub fn failed(&self, problems_json: String) {
        self.tx.send_modify(|s| {
            s.attempts += 1;
            s.problems = Some(problems_json);
        });
    }
}

/// The events of one open `text/event-stream`, produced as the build state changes.
pub struct EventStream {
    rx: watch::Receiver<State>,
    seen: (u64, u64),
    started: bool,
}

impl EventStream {
    pub fn new(hub: &Hub) -> Self {
        let mut rx = hub.tx.subscribe();
        let s = rx.borrow_and_update().clone();
        EventStream {
            rx,
            seen: (s.generation, s.attempts),
            started: false,
        }
    }

    /// The next event to send; waits until there is one (at most `KEEP_ALIVE`, then a
    /// keep-alive comment).
    pub async fn next_event(&mut self) -> Vec<u8> {
        if !self.started {
            self.started = true;
            let s = self.rx.borrow().clone();
            return match s.problems {
                Some(p) => event("problems", &p),
                None => b"retry: 1000\n: connected\n\n".to_vec(),
            };
        }
        let seen = self.seen;
        let changed = self.rx.wait_for(|s| (s.generation, s.attempts) != seen);
        let s = match tokio::time::timeout(KEEP_ALIVE, changed).await {
            Ok(Ok(s)) => s.clone(),
            // Timed out, or the hub is gone (the server is stopping): keep the line warm.
            _ => return b": keep-alive\n\n".to_vec(),
        };
        let reloaded = s.generation != self.seen.0;
        self.seen = (s.generation, s.attempts);
        match (reloaded, s.problems) {
            (true, _) => event("reload", "{}"),
            (false, Some(p)) => event("problems", &p),
            (false, None) => event("clean", "{}"),
        }
    }
}

type Pending = Pin<Box<dyn Future<Output = (EventStream, Vec<u8>)> + Send>>;

/// An event stream as an HTTP response body that never ends by itself. hyper drops it
/// as soon as the client's connection closes, and with it the wait and the stream's
/// connection permit (`T`), so a closed stream costs nothing from then on.
pub struct EventBody<T> {
    idle: Option<EventStream>,
    pending: Option<Pending>,
    _permit: T,
}

impl<T> EventBody<T> {
    pub fn new(stream: EventStream, permit: T) -> Self {
        EventBody {
            idle: Some(stream),
            pending: None,
            _permit: permit,
        }
    }
}

impl<T: Unpin> hyper::body::Body for EventBody<T> {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        // The stream is moved into the future that waits for its next event and comes
        // back with the event, so no borrow outlives a poll.
        let pending = match (&mut this.pending, this.idle.take()) {
            (Some(p), _) => p,
            (None, Some(mut stream)) => this.pending.insert(Box::pin(async move {
                let ev = stream.next_event().await;
                (stream, ev)
            })),
            (None, None) => return Poll::Ready(None),
        };
        let (stream, ev) = std::task::ready!(pending.as_mut().poll(cx));
        this.pending = None;
        this.idle = Some(stream);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(ev)))))
    }
}

fn event(name: &str, data: &str) -> Vec<u8> {
    let mut out = format!("event: {name}\n");
    for line in data.lines() {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out.into_bytes()
}

/// Adds the live-reload script to an HTML page.
pub fn inject(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{SNIPPET}\n{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{SNIPPET}\n").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_body_end() {
        assert_eq!(
            String::from_utf8(inject(b"<p>x</p></body></html>")).expect("utf8"),
            format!("<p>x</p>{SNIPPET}\n</body></html>")
        );
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
    }

    #[test]
    fn stream_sends_reload_after_a_build() {
        let hub = std::sync::Arc::new(Hub::default());
        let mut es = EventStream::new(&hub);
        runtime().block_on(async {
            let first = es.next_event().await;
            assert!(String::from_utf8_lossy(&first).contains("connected"));
            let h = hub.clone();
            // Published from another thread, as the rebuild thread does.
            let t = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                h.failed("[{\"message\":\"x\"}]".into());
            });
            let ev = String::from_utf8(es.next_event().await).expect("utf8");
            assert!(ev.starts_with("event: problems\ndata: [{"), "{ev}");
            t.join().expect("join");
            hub.built();
            let ev = String::from_utf8(es.next_event().await).expect("utf8");
            assert!(ev.starts_with("event: reload"), "{ev}");
        });
    }

    #[test]
    fn body_yields_events_and_keeps_its_permit_until_dropped() {
        use hyper::body::Body;
        let hub = Hub::default();
        let permit = std::sync::Arc::new(());
        let mut body = EventBody::new(EventStream::new(&hub), permit.clone());
        assert_eq!(std::sync::Arc::strong_count(&permit), 2);
        // One runtime for both steps: the pending wait holds a timer of it.
        let rt = runtime();
        rt.block_on(std::future::poll_fn(|cx| {
            let frame = Pin::new(&mut body).poll_frame(cx);
            let Poll::Ready(Some(Ok(f))) = frame else {
                panic!("no first event")
            };
            let data = f.into_data().expect("data");
            assert!(String::from_utf8_lossy(&data).contains("connected"));
            // Nothing changed: the body waits (and registers for a wake-up).
            assert!(Pin::new(&mut body).poll_frame(cx).is_pending());
            Poll::Ready(())
        }));
        hub.built();
        rt.block_on(std::future::poll_fn(|cx| {
            let Poll::Ready(Some(Ok(f))) = Pin::new(&mut body).poll_frame(cx) else {
                panic!("no reload event")
            };
            let data = f.into_data().expect("data");
            assert!(String::from_utf8_lossy(&data).starts_with("event: reload"));
            Poll::Ready(())
        }));
        drop(body);
        assert_eq!(std::sync::Arc::strong_count(&permit), 1);
    }
}

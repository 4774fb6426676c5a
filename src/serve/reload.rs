//! Live reload: pages opened from `errkb serve` load a small script that listens on
//! Server-Sent Events. After a rebuild has finished (never during one) the server sends
//! `reload`; after a failed one it sends `problems` with the same diagnostics as
//! `errkb check`, which the script shows over the page until the next good build.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

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

/// The build generation and the problems of the last failed build, shared with every
/// open event stream.
#[derive(Default)]
pub struct Hub {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default, Clone)]
pub struct State {
    /// Bumped after every successful rebuild.
    pub generation: u64,
    /// JSON array of diagnostics of the last failed build; `None` when it built.
    pub problems: Option<String>,
    /// Bumped after every build attempt (good or bad).
    pub attempts: u64,
}

impl Hub {
    pub fn snapshot(&self) -> State {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn built(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.generation += 1;
            s.attempts += 1;
            s.problems = None;
        }
        self.changed.notify_all();
    }

    pub fn failed(&self, problems_json: String) {
        if let Ok(mut s) = self.state.lock() {
            s.attempts += 1;
            s.problems = Some(problems_json);
        }
        self.changed.notify_all();
    }

    /// Waits until the state differs from `seen` or `timeout` passes.
    fn wait(&self, seen: (u64, u64), timeout: Duration) -> State {
        let Ok(guard) = self.state.lock() else {
            return State::default();
        };
        let res = self
            .changed
            .wait_timeout_while(guard, timeout, |s| (s.generation, s.attempts) == seen);
        match res {
            Ok((g, _)) => g.clone(),
            Err(_) => State::default(),
        }
    }
}

/// The events of one open `text/event-stream`, produced as the build state changes.
pub struct EventStream {
    hub: Arc<Hub>,
    seen: (u64, u64),
    started: bool,
}

impl EventStream {
    pub fn new(hub: Arc<Hub>) -> Self {
        let s = hub.snapshot();
        EventStream {
            hub,
            seen: (s.generation, s.attempts),
            started: false,
        }
    }

    /// The next event to send; blocks until there is one (at most 15 s, then a
    /// keep-alive comment).
    pub fn next_event(&mut self) -> Vec<u8> {
        if !self.started {
            self.started = true;
            let s = self.hub.snapshot();
            return match s.problems {
                Some(p) => event("problems", &p),
                None => b"retry: 1000\n: connected\n\n".to_vec(),
            };
        }
        let s = self.hub.wait(self.seen, Duration::from_secs(15));
        if (s.generation, s.attempts) == self.seen {
            return b": keep-alive\n\n".to_vec();
        }
        let reloaded = s.generation != self.seen.0;
        self.seen = (s.generation, s.attempts);
        match (reloaded, s.problems) {
            (true, _) => event("reload", "{}"),
            (false, Some(p)) => event("problems", &p),
            (false, None) => event("clean", "{}"),
        }
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

    #[test]
    fn stream_sends_reload_after_a_build() {
        let hub = Arc::new(Hub::default());
        let mut es = EventStream::new(hub.clone());
        let first = es.next_event();
        assert!(String::from_utf8_lossy(&first).contains("connected"));
        let h = hub.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            h.failed("[{\"message\":\"x\"}]".into());
        });
        let ev = String::from_utf8(es.next_event()).expect("utf8");
        assert!(ev.starts_with("event: problems\ndata: [{"), "{ev}");
        t.join().expect("join");
        hub.built();
        let ev = String::from_utf8(es.next_event()).expect("utf8");
        assert!(ev.starts_with("event: reload"), "{ev}");
    }
}

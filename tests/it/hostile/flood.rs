//! `errkb serve` under abuse: connection floods, slow clients, huge headers, DNS rebinding.
//!
//! Every loop here is bounded in count and in time, and all traffic goes to 127.0.0.1.
//! The server's side (open descriptors, threads, resident memory) is read from /proc, so
//! these tests run on Linux only. Each attack ends with the same proof: the server still
//! serves a page, and an edit still reaches an open event stream as `reload`.

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use socket2::{Domain, SockRef, Socket, Type};

use crate::Site;
use crate::serve::{Server, spawn, start};

/// Starts `errkb serve` with its open-files limit (soft and hard) set to `nofile`, so a
/// few dozen connections exhaust it.
fn start_limited(site: &Site, nofile: u32) -> Server {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "ulimit -n {nofile} && exec \"$0\" serve --port 0 --quiet --root \"$1\""
        ))
        .arg(env!("CARGO_BIN_EXE_errkb"))
        .arg(site.root())
        .current_dir(site.root());
    spawn(cmd)
}

fn sock_addr(s: &Server) -> SocketAddr {
    s.addr().parse().expect("server address")
}

/// Sends `head` on a fresh connection; the answer, or `None` when there was none within
/// `within` (refused, reset, or silent).
fn exchange(s: &Server, head: &str, within: Duration) -> Option<String> {
    let mut c = TcpStream::connect_timeout(&sock_addr(s), within).ok()?;
    c.set_read_timeout(Some(within)).ok()?;
    c.set_write_timeout(Some(within)).ok()?;
    c.write_all(head.as_bytes()).ok()?;
    let mut out = Vec::new();
    let _ = c.take(4 << 20).read_to_end(&mut out);
    (!out.is_empty()).then(|| String::from_utf8_lossy(&out).into_owned())
}

fn status(resp: &str) -> u16 {
    resp.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// `GET path` with the given `Host` header (none when `None`).
fn get_with_host(s: &Server, path: &str, host: Option<&str>) -> Option<(u16, String)> {
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    let head = format!("GET {path} HTTP/1.1\r\n{host}Connection: close\r\n\r\n");
    exchange(s, &head, Duration::from_secs(3)).map(|r| (status(&r), r))
}

fn get(s: &Server, path: &str) -> Option<(u16, String)> {
    get_with_host(s, path, Some(s.addr()))
}

/// A value from `/proc/<pid>/status` (`VmRSS`, `VmHWM` in kB; `Threads`).
fn proc_status(s: &Server, key: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{}/status", s.child.id()))
        .expect("the server process is gone");
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {key} in /proc status"))
}

fn open_fds(s: &Server) -> usize {
    std::fs::read_dir(format!("/proc/{}/fd", s.child.id()))
        .map(|d| d.count())
        .expect("the server process is gone")
}

/// Waits (at most `within`) until the server holds fewer than `n` descriptors.
fn fds_fall_below(s: &Server, n: usize, within: Duration) -> Result<(), usize> {
    let t = Instant::now();
    loop {
        let now = open_fds(s);
        if now < n {
            return Ok(());
        }
        if t.elapsed() > within {
            return Err(now);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn assert_alive(s: &mut Server) {
    assert!(
        s.child.try_wait().expect("wait").is_none(),
        "the server process exited"
    );
}

/// An open live-reload stream, read past its greeting.
fn open_events(s: &Server) -> BufReader<TcpStream> {
    let mut c = TcpStream::connect_timeout(&sock_addr(s), Duration::from_secs(3)).expect("connect");
    c.set_read_timeout(Some(Duration::from_secs(3)))
        .expect("timeout");
    let head = format!("GET /__errkb/events HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr());
    c.write_all(head.as_bytes()).expect("write");
    let mut r = BufReader::new(c);
    read_until(&mut r, "connected", Duration::from_secs(5));
    r
}

/// Reads the stream until `needle` has been seen, failing after `within`.
fn read_until(r: &mut BufReader<TcpStream>, needle: &str, within: Duration) {
    let t = Instant::now();
    let mut seen = String::new();
    while !seen.contains(needle) {
        assert!(
            t.elapsed() < within,
            "no {needle:?} within {within:?}: {seen}"
        );
        let mut line = String::new();
        match r.read_line(&mut line) {
            Ok(0) => panic!("the event stream ended before {needle:?}: {seen}"),
            Ok(_) => seen.push_str(&line),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("event stream: {e}; seen {seen}"),
        }
    }
}

/// The proof after each attack: the process lives, a page is served within a few
/// seconds, and an edit reaches a fresh event stream as `reload`.
fn still_serves_and_reloads(site: &Site, s: &mut Server) {
    assert_alive(s);
    let t = Instant::now();
    loop {
        match get(s, "/demo/widget-locked/") {
            Some((200, body)) if body.contains("widget") => break,
            other => assert!(
                t.elapsed() < Duration::from_secs(15),
                "the server no longer serves pages: {other:?}"
            ),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut events = open_events(s);
    let text = site.read("content/demo/widget-locked.md");
    site.write(
        "content/demo/widget-locked.md",
        &text.replace(
            "Demo takes a lock per widget.",
            "Demo takes a lock per widget, edited after the attack.",
        ),
    );
    read_until(&mut events, "event: reload", Duration::from_secs(20));
    assert_alive(s);
}

/// Thousands of connections against a server whose open-files limit (32) runs out after
/// about 20 of them: accepting fails with EMFILE for as long as they are held. Today's
/// server lost its accept thread to that and never listened again.
#[test]
fn held_connections_past_the_open_files_limit() {
    // This side needs thousands of descriptors of its own.
    let _ = rlimit::increase_nofile_limit(8192);
    let site = Site::new("ok-basic");
    let mut s = start_limited(&site, 32);
    let addr = sock_addr(&s);
    let mut held = Vec::new();
    let t = Instant::now();
    // Non-blocking connects: once the server stops accepting, its backlog fills and a
    // blocking connect would wait for SYN retries.
    while held.len() < 3_000 && t.elapsed() < Duration::from_secs(5) {
        let Ok(sock) = Socket::new(Domain::IPV4, Type::STREAM, None) else {
            break;
        };
        sock.set_nonblocking(true).expect("nonblocking");
        match sock.connect(&addr.into()) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(115) || e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => panic!("connect: {e}"),
        }
        held.push(sock);
    }
    assert!(held.len() >= 1_000, "only {} connections", held.len());
    // Hold them while the server keeps running into the limit.
    std::thread::sleep(Duration::from_secs(3));
    assert_alive(&mut s);
    drop(held);
    still_serves_and_reloads(&site, &mut s);
}

/// Slowloris: clients that send one header byte per second, and clients that connect
/// and send nothing. The server answers others meanwhile and cuts both off.
#[test]
fn slow_and_idle_clients_are_cut_off() {
    let site = Site::new("ok-basic");
    let mut s = start(&site);
    let addr = sock_addr(&s);
    let mut slow = Vec::new();
    let mut idle = Vec::new();
    for _ in 0..20 {
        let mut c = TcpStream::connect_timeout(&addr, Duration::from_secs(3)).expect("connect");
        c.write_all(format!("GET / HTTP/1.1\r\nHost: {}\r\n", s.addr()).as_bytes())
            .expect("write");
        c.set_nonblocking(true).expect("nonblocking");
        slow.push(c);
        let c = TcpStream::connect_timeout(&addr, Duration::from_secs(3)).expect("connect");
        c.set_nonblocking(true).expect("nonblocking");
        idle.push(c);
    }
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        get(&s, "/").map(|r| r.0),
        Some(200),
        "slow clients starve the others"
    );
    // Closed by the server: EOF or a reset when read, or a failed write.
    fn closed(c: &mut TcpStream, send: bool) -> bool {
        if send && c.write_all(b"X").is_err() {
            return true;
        }
        let mut b = [0u8; 512];
        match c.read(&mut b) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => e.kind() != ErrorKind::WouldBlock,
        }
    }
    let t = Instant::now();
    let mut open: Vec<(TcpStream, bool)> = slow
        .into_iter()
        .map(|c| (c, true))
        .chain(idle.into_iter().map(|c| (c, false)))
        .collect();
    while !open.is_empty() && t.elapsed() < Duration::from_secs(20) {
        open.retain_mut(|(c, send)| !closed(c, *send));
        std::thread::sleep(Duration::from_secs(1));
    }
    assert!(
        open.is_empty(),
        "{} slow or idle connections still open after {:?}",
        open.len(),
        t.elapsed()
    );
    still_serves_and_reloads(&site, &mut s);
}

/// Four requests with a 32 MB header each: refused at the header limit (431, or the
/// connection closed while the client still writes), and the server's memory stays low.
#[test]
fn oversized_headers_are_refused_and_memory_stays_bounded() {
    let site = Site::new("ok-basic");
    let mut s = start(&site);
    let before = proc_status(&s, "VmRSS");
    let host = s.addr().to_string();
    let addr = sock_addr(&s);
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let host = host.clone();
            std::thread::spawn(move || -> (usize, Option<String>) {
                let mut c =
                    TcpStream::connect_timeout(&addr, Duration::from_secs(3)).expect("connect");
                c.set_write_timeout(Some(Duration::from_secs(10)))
                    .expect("timeout");
                c.set_read_timeout(Some(Duration::from_secs(10)))
                    .expect("timeout");
                let mut sent = 0;
                let head = format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: ");
                let chunk = vec![b'a'; 64 << 10];
                let mut ok = c.write_all(head.as_bytes()).is_ok();
                while ok && sent < 32 << 20 {
                    ok = c.write_all(&chunk).is_ok();
                    sent += chunk.len();
                }
                if ok {
                    let _ = c.write_all(b"\r\n\r\n");
                }
                let mut out = Vec::new();
                let _ = c.take(1 << 20).read_to_end(&mut out);
                let out = (!out.is_empty()).then(|| String::from_utf8_lossy(&out).into_owned());
                (sent, out)
            })
        })
        .collect();
    for h in senders {
        let (sent, answer) = h.join().expect("sender");
        if let Some(a) = answer {
            assert_eq!(
                status(&a),
                431,
                "after {sent} bytes: {}",
                &a[..a.len().min(200)]
            );
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    let after = proc_status(&s, "VmRSS");
    let peak = proc_status(&s, "VmHWM");
    eprintln!("server VmRSS before {before} kB, after {after} kB, peak {peak} kB");
    assert!(
        after < 200 << 10,
        "VmRSS {after} kB after the header attack"
    );
    still_serves_and_reloads(&site, &mut s);
}

/// Event streams: 100 held open and then closed are let go at once (not at the next
/// keep-alive), and 25,000 quick connect/disconnects (bounded to 8 s) neither crash the
/// server nor leave threads, descriptors or memory behind.
#[test]
fn event_stream_churn_and_closed_streams() {
    let site = Site::new("ok-basic");
    let mut s = start(&site);
    let base = open_fds(&s);
    let streams: Vec<_> = (0..100).map(|_| open_events(&s)).collect();
    assert!(open_fds(&s) >= base + 100, "streams not held by the server");
    let threads = proc_status(&s, "Threads");
    assert!(threads < 40, "{threads} threads for 100 event streams");
    drop(streams);
    if let Err(n) = fds_fall_below(&s, base + 20, Duration::from_secs(3)) {
        panic!("closed event streams still held 3 s later: {n} descriptors (base {base})");
    }

    let addr = sock_addr(&s);
    let head = format!("GET /__errkb/events HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr());
    let t = Instant::now();
    let mut done = 0;
    while done < 25_000 && t.elapsed() < Duration::from_secs(8) {
        done += 1;
        let Ok(mut c) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
            continue;
        };
        let _ = c.write_all(head.as_bytes());
        // Most leave with a reset (no TIME_WAIT left on this side), some with a FIN.
        if done % 4 != 0 {
            let _ = SockRef::from(&c).set_linger(Some(Duration::ZERO));
        }
        if done % 16 == 0 {
            let mut b = [0u8; 64];
            let _ = c.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = c.read(&mut b);
        }
    }
    eprintln!("{done} event-stream connects in {:?}", t.elapsed());
    assert_alive(&mut s);
    let threads = proc_status(&s, "Threads");
    assert!(threads < 40, "{threads} threads after the churn");
    let rss = proc_status(&s, "VmRSS");
    assert!(rss < 200 << 10, "VmRSS {rss} kB after the churn");
    if let Err(n) = fds_fall_below(&s, base + 20, Duration::from_secs(5)) {
        panic!("churned event streams still held 5 s later: {n} descriptors (base {base})");
    }
    still_serves_and_reloads(&site, &mut s);
}

/// DNS rebinding: a page on another name that resolves to 127.0.0.1 must not read the
/// site, so only this machine's names for the server are answered.
#[test]
fn foreign_host_headers_are_refused() {
    let site = Site::new("ok-basic");
    let mut s = start(&site);
    let port = sock_addr(&s).port();
    let other = if port == 1 { 2 } else { port - 1 };
    for host in [
        format!("127.0.0.1:{port}"),
        "127.0.0.1".into(),
        "localhost".into(),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
        "[::1]".into(),
    ] {
        let r = get_with_host(&s, "/", Some(&host));
        assert_eq!(r.as_ref().map(|r| r.0), Some(200), "Host: {host}: {r:?}");
    }
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("docs.localhost:{port}"),
        format!("localhost:{other}"),
        format!("127.0.0.1:{port}:{port}"),
        format!("10.0.0.1:{port}"),
        String::new(),
    ] {
        for path in ["/", "/__errkb/events", "/__errkb/status"] {
            let r = get_with_host(&s, path, Some(&host));
            assert_eq!(
                r.as_ref().map(|r| r.0),
                Some(403),
                "Host: {host} {path}: {r:?}"
            );
            let body = r.map(|r| r.1).unwrap_or_default();
            assert!(
                !body.contains("Demo KB") && !body.contains("connected"),
                "{body}"
            );
        }
    }
    let r = get_with_host(&s, "/", None);
    assert_eq!(r.as_ref().map(|r| r.0), Some(400), "no Host: {r:?}");
    // The absolute form names the host in the request line; it is checked the same way.
    let head = format!(
        "GET http://evil.example:{port}/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        s.addr()
    );
    let r = exchange(&s, &head, Duration::from_secs(3)).unwrap_or_default();
    assert_eq!(status(&r), 403, "{r}");
    assert_alive(&mut s);
}

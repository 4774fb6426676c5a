//! The network side of `errkb serve`: the listening socket (port fallback, TCP_NODELAY),
//! the accept loop and its limits, and the settings of each HTTP/1.1 connection.
//!
//! Why hyper on a small tokio runtime, not tiny_http (used until issue #12): tiny_http's
//! accept thread panicked on EMFILE and the server never listened again; it spends a
//! thread per connection (25,000 quick reconnects to the event stream crashed the
//! process), reads a request head of any size into memory (four 400 MB headers kept
//! 3 GB) and has no timeouts, with no hook to change any of it. hyper gives a header
//! size limit answered with 431, a header read timeout that also covers idle kept-alive
//! connections, and drops a response (an event stream) as soon as its client hangs up;
//! owning the accept loop puts the connection limit and the back-off on EMFILE here.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Sleep;

use super::{Shared, respond};

/// A request's head (request line and headers) larger than this is answered with 431
/// and the connection closed; nothing larger is ever held for a request.
pub(super) const MAX_HEADER_BYTES: usize = 16 << 10;
/// hyper's per-connection read buffer; above [`MAX_HEADER_BYTES`] so that the header
/// limit is the one that answers, and small, since the server reads no request bodies.
const MAX_BUF_BYTES: usize = 64 << 10;
/// A request's head must arrive within this time of the connection opening (or of the
/// previous response, on a kept-alive connection): slow clients and idle connections
/// cannot hold a place for longer.
pub(super) const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A response whose client reads nothing for this long is abandoned.
pub(super) const WRITE_STALL: Duration = Duration::from_secs(30);
/// Connections served at once; more wait in the kernel's queue until one closes.
const MAX_CONNECTIONS: usize = 1024;
/// The fewest connections allowed, even under a tiny open-files limit.
const MIN_CONNECTIONS: usize = 32;
/// Descriptors kept free for everything else (the rebuild reads the site's files).
const RESERVED_FDS: u64 = 64;
/// The open-files soft limit is raised towards this at start-up (never past the hard
/// limit): enough for the connection limit without handing programs that `--open`
/// starts a huge limit.
const WANTED_FDS: u64 = 4096;

/// How many connections, and of those how many live-reload streams, are served at once.
pub(super) struct Limits {
    pub connections: usize,
    pub streams: usize,
}

/// Raises the open-files soft limit to what the server needs (where the hard limit
/// allows), then sizes the limits to fit under it.
pub(super) fn limits() -> Limits {
    let fds = open_files_limit();
    let connections = usize::try_from(fds.saturating_sub(RESERVED_FDS))
        .unwrap_or(usize::MAX)
        .clamp(MIN_CONNECTIONS, MAX_CONNECTIONS);
    Limits {
        connections,
        // Streams are held for as long as a tab is open; a quarter of the places keeps
        // pages loading even when every stream place is taken.
        streams: connections / 4,
    }
}

#[cfg(unix)]
fn open_files_limit() -> u64 {
    // On failure the limit is whatever it was: the server still runs, and running out
    // of descriptors is handled where it shows (accept).
    rlimit::increase_nofile_limit(WANTED_FDS)
        .or_else(|_| rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _)| soft))
        .unwrap_or(1024)
}

#[cfg(not(unix))]
fn open_files_limit() -> u64 {
    WANTED_FDS
}

/// A listening socket whose connections send at once: with Nagle's algorithm on, the
/// last piece of a response can wait for the browser's delayed acknowledgement (40 ms).
/// Accepted connections get TCP_NODELAY as well (see [`serve_connection`]).
fn listen(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(128)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// How many ports after the asked one are tried when it is taken.
const PORT_TRIES: u16 = 10;

/// Listens on `bind:port`, or on one of the next ports when it is taken.
pub(super) fn bind(bind: IpAddr, port: u16) -> Result<std::net::TcpListener, super::ServeError> {
    let tries = if port == 0 { 1 } else { PORT_TRIES };
    let mut last = std::io::Error::other("no port tried");
    for i in 0..tries {
        let p = port.saturating_add(i);
        match listen(SocketAddr::new(bind, p)) {
            Ok(l) => {
                if i > 0 {
                    eprintln!("port {port} is in use; using {p} instead");
                }
                return Ok(l);
            }
            Err(e) => last = e,
        }
    }
    Err(super::ServeError::Listen {
        addr: SocketAddr::new(bind, port),
        tries,
        source: last,
    })
}

/// Accepts connections for as long as the process lives. It never returns and never
/// gives up: an accept error (EMFILE, ENFILE, ENOBUFS…) is waited out with a growing
/// pause, as the connections being served close and free their descriptors.
pub(super) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, connections: usize) {
    let places = Arc::new(Semaphore::new(connections));
    let mut backoff = Backoff::default();
    let mut warned: Option<Instant> = None;
    loop {
        // At the limit, stop accepting: new connections wait in the kernel's queue.
        let Ok(place) = Arc::clone(&places).acquire_owned().await else {
            return; // the semaphore is never closed
        };
        match listener.accept().await {
            Ok((stream, _)) => {
                backoff.reset();
                tokio::spawn(serve_connection(stream, Arc::clone(&shared), place));
            }
            Err(e) => {
                let Some(pause) = backoff.after(&e) else {
                    continue;
                };
                // Say it once per episode, not once per retry.
                if warned.is_none_or(|at| at.elapsed() > Duration::from_secs(60)) {
                    eprintln!("warning: cannot accept connections ({e}); retrying");
                    warned = Some(Instant::now());
                }
                tokio::time::sleep(pause).await;
            }
        }
    }
}

/// The pause after a failed accept: none for errors that concern only the connection
/// being accepted (it was reset or aborted before we took it), else 10 ms doubling up to
/// 1 s, until an accept succeeds.
#[derive(Debug)]
struct Backoff {
    next: Duration,
}

const FIRST_PAUSE: Duration = Duration::from_millis(10);
const LONGEST_PAUSE: Duration = Duration::from_secs(1);

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: FIRST_PAUSE }
    }
}

impl Backoff {
    fn reset(&mut self) {
        self.next = FIRST_PAUSE;
    }

    fn after(&mut self, e: &io::Error) -> Option<Duration> {
        use io::ErrorKind::*;
        if matches!(
            e.kind(),
            ConnectionAborted | ConnectionReset | Interrupted | WouldBlock
        ) {
            return None;
        }
        let pause = self.next;
        self.next = (self.next * 2).min(LONGEST_PAUSE);
        Some(pause)
    }
}

fn http1() -> http1::Builder {
    let mut b = http1::Builder::new();
    b.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_header_size(MAX_HEADER_BYTES)
        .max_buf_size(MAX_BUF_BYTES)
        // Header names as browsers' developer tools and `curl -v` show them.
        .title_case_headers(true)
        // A client that shuts its sending side has left: end its event stream at once.
        .half_close(false)
        .keep_alive(true);
    b
}

/// Serves one connection until it closes; its place is given back when this ends.
async fn serve_connection(stream: TcpStream, shared: Arc<Shared>, _place: OwnedSemaphorePermit) {
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(Stalls::new(stream));
    let service = service_fn(move |req| {
        let shared = Arc::clone(&shared);
        async move { Ok::<_, std::convert::Infallible>(respond::answer(&req, &shared)) }
    });
    // Errors here are the client's (it left, timed out or sent garbage): nothing to do.
    let _ = http1().serve_connection(io, service).await;
}

/// A stream whose writes fail once they have been blocked for [`WRITE_STALL`]: a client
/// that stops reading cannot hold a response (and its connection place) forever.
struct Stalls<S> {
    inner: S,
    blocked: Option<Pin<Box<Sleep>>>,
    limit: Duration,
}

impl<S> Stalls<S> {
    fn new(inner: S) -> Self {
        Stalls {
            inner,
            blocked: None,
            limit: WRITE_STALL,
        }
    }

    fn watch<T>(&mut self, cx: &mut Context<'_>, r: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if r.is_ready() {
            self.blocked = None;
            return r;
        }
        let limit = self.limit;
        let deadline = self
            .blocked
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Stalls<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Stalls<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, r)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, r)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.watch(cx, r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_a_bound_and_resets() {
        let mut b = Backoff::default();
        let emfile = io::Error::from_raw_os_error(24);
        let pauses: Vec<_> = (0..10).filter_map(|_| b.after(&emfile)).collect();
        assert_eq!(pauses.len(), 10, "every resource error pauses");
        assert_eq!(pauses[0], FIRST_PAUSE);
        assert!(pauses.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(pauses[9], LONGEST_PAUSE);
        b.reset();
        assert_eq!(b.after(&emfile), Some(FIRST_PAUSE));
        // A connection reset before it was taken is no reason to wait.
        let reset = io::Error::from(io::ErrorKind::ConnectionAborted);
        assert_eq!(b.after(&reset), None);
    }

    #[test]
    fn limits_fit_under_the_open_files_limit() {
        let l = limits();
        assert!((MIN_CONNECTIONS..=MAX_CONNECTIONS).contains(&l.connections));
        assert!(l.streams >= 1 && l.streams < l.connections);
    }

    #[test]
    fn a_stalled_write_fails_after_the_limit() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            // A pipe whose reader never reads: writes block once its buffer is full.
            let (client, _server) = tokio::io::duplex(64);
            let mut s = Stalls::new(client);
            s.limit = Duration::from_millis(100);
            let t = Instant::now();
            let r = tokio::io::AsyncWriteExt::write_all(&mut s, &[0u8; 4096]).await;
            let e = r.expect_err("the write cannot finish");
            assert_eq!(e.kind(), io::ErrorKind::TimedOut);
            assert!(t.elapsed() >= Duration::from_millis(100));
            assert!(t.elapsed() < Duration::from_secs(5));
        });
    }
}

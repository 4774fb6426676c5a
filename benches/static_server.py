#!/usr/bin/env python3
"""A plain static file server for the search benchmark: HTTP/1.1 keep-alive, no
transfer compression, no caching headers beyond what http.server sends, quiet.

    python3 benches/static_server.py DIR [--port 0]

Prints `http://127.0.0.1:PORT/` on its first line once it listens, then serves until
killed. Files are sent exactly as they are on disk (Pagefind's files are gzip-compressed
on disk and are sent as such; Pagefind decompresses them itself).

It logs every request it answers (wall-clock start time, path, status, header and body
bytes written, the file served), so the benchmark counts what was really transferred,
including requests made from web workers. The log is read, by the benchmark only, from
`/__bench__/log` (JSON); `/__bench__/last` gives the time the last request finished.
Neither is logged.
"""

import argparse
import functools
import http.server
import json
import os
import sys
import threading
import time

LOG = []
LOCK = threading.Lock()
LAST = [0.0]
INFLIGHT = [0]


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # As web servers do: headers and body are two writes, and on a kept-alive connection
    # Nagle's algorithm held the body until the browser's delayed ACK of the headers,
    # about 40 ms a response.
    disable_nagle_algorithm = True
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".css": "text/css",
        ".json": "application/json",
        ".wasm": "application/wasm",
        ".svg": "image/svg+xml",
        ".xml": "application/xml",
        ".txt": "text/plain; charset=utf-8",
        ".html": "text/html; charset=utf-8",
    }

    def log_message(self, format, *args):  # noqa: A002 - http.server's name
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def flush_headers(self):
        buf = getattr(self, "_headers_buffer", None)
        if buf:
            self._header_bytes = getattr(self, "_header_bytes", 0) + sum(len(b) for b in buf)
        super().flush_headers()

    def copyfile(self, source, outputfile):
        n = 0
        while True:
            chunk = source.read(64 * 1024)
            if not chunk:
                break
            outputfile.write(chunk)
            n += len(chunk)
        self._body_bytes = n

    def _bench(self):
        path = self.path.split("?", 1)[0]
        if path == "/__bench__/log":
            with LOCK:
                body = json.dumps(LOG).encode()
        elif path == "/__bench__/last":
            with LOCK:
                body = json.dumps({"last": LAST[0], "now": time.time(), "count": len(LOG), "inflight": INFLIGHT[0]}).encode()
        else:
            return False
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return True

    def do_GET(self):
        if self.path.startswith("/__bench__/"):
            self._bench()
            return
        start = time.time()
        with LOCK:
            INFLIGHT[0] += 1
        self._status = 0
        self._header_bytes = 0
        self._body_bytes = 0
        try:
            super().do_GET()
        finally:
            fs = self.translate_path(self.path)
            if os.path.isdir(fs):
                fs = os.path.join(fs, "index.html")
            with LOCK:
                LOG.append({
                    "t": start,
                    "end": time.time(),
                    "path": self.path,
                    "status": self._status,
                    "header_bytes": self._header_bytes,
                    "body_bytes": self._body_bytes,
                    "file": fs if self._status == 200 else None,
                })
                LAST[0] = time.time()
                INFLIGHT[0] -= 1


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    handler = functools.partial(Handler, directory=a.dir)
    with Server(("127.0.0.1", a.port), handler) as httpd:
        print(f"http://127.0.0.1:{httpd.server_address[1]}/", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    sys.exit(0)


if __name__ == "__main__":
    main()

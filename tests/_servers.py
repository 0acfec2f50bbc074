"""A raw threaded web server on 127.0.0.1 for what pytest-httpserver cannot do: answer many requests
at once, and answer some of them one byte at a time (a stalling host).
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: A trickling answer gives up after this many seconds: long enough to outlast any deadline under
#: test, short enough that a client without a deadline fails its timing assertion instead of hanging.
GIVE_UP = 6.0
TRICKLE_EVERY = 0.2


class SlowSite:
    """``pages`` are served at once; paths in ``trickle_body`` / ``trickle_headers`` send one byte every 0.2 s.

    ``requests`` logs (path, monotonic time) of every request, in arrival order.
    """

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.trickle_body: set[str] = set()
        self.trickle_headers: set[str] = set()
        self.requests: list[tuple[str, float]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(site: SlowSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append((self.path, time.monotonic()))
            if self.path in site.trickle_headers:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                self._trickle()
            elif self.path in site.trickle_body:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
                self._trickle()
            elif self.path in site.pages:
                body = site.pages[self.path]
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(404)

        def _trickle(self) -> None:
            end = time.monotonic() + GIVE_UP
            try:
                while time.monotonic() < end:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(TRICKLE_EVERY)
            except OSError:
                pass  # the client gave up: what a deadline is for
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler

"""A webhook receiver on 127.0.0.1 for tests: records each POST and answers as told."""

from __future__ import annotations

import contextlib
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (headers with lower-case names, body) -> (status, extra headers, body)
Answer = Callable[[dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


@contextlib.contextmanager
def receiving(answer: Answer, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve (over TLS with `tls`) until the block ends; yields the URL to register."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            status, headers, reply = answer({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            with contextlib.suppress(OSError):  # a sender may stop reading: it keeps only an excerpt
                self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def finish_request(self, request: Any, client_address: Any) -> None:
            # The TLS handshake runs in the connection's own thread, so a client that fails it
            # (an untrusted certificate) never holds up the accept loop for the next one.
            if tls is None:
                super().finish_request(request, client_address)
                return
            try:
                wrapped = tls.wrap_socket(request, server_side=True)
            except OSError:
                return
            with wrapped:
                super().finish_request(wrapped, client_address)

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        scheme = "https" if tls is not None else "http"
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()

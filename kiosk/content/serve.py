"""``kiosk content serve``: a small static HTTP server of one bundle folder, with byte ranges so a kiosk can
resume a cut download. For tests and small setups; a retailer publishes bundles on any web server or CDN.
"""

from __future__ import annotations

import re
import threading
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")
_CHUNK = 64 * 1024


class BundleHandler(BaseHTTPRequestHandler):
    """GET and HEAD of the files under ``folder``; nothing outside it, no listings, no links."""

    def __init__(self, *args, folder: Path, **kwargs) -> None:
        self.folder = folder
        super().__init__(*args, **kwargs)

    def do_HEAD(self) -> None:
        self._send(body=False)

    def do_GET(self) -> None:
        self._send(body=True)

    def log_message(self, format: str, *args) -> None:
        """Quiet: tests and `serve` print their own lines."""

    def _file(self) -> Path | None:
        relative = unquote(self.path.split("?", 1)[0]).lstrip("/")
        path = (self.folder / relative).resolve()
        inside = path.is_relative_to(self.folder) and path != self.folder
        return path if inside and path.is_file() and not (self.folder / relative).is_symlink() else None

    def _send(self, body: bool) -> None:
        path = self._file()
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        size = path.stat().st_size
        start, end = 0, size - 1
        status = HTTPStatus.OK
        header = self.headers.get("Range")
        if header:
            match = _RANGE.match(header.strip())
            if not match or int(match.group(1)) >= size:
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
            status = HTTPStatus.PARTIAL_CONTENT
        self.send_response(status)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if body:
            with path.open("rb") as fh:
                fh.seek(start)
                _copy(fh, self.wfile, end - start + 1)


def _copy(source, sink, length: int) -> None:
    while length > 0:
        chunk = source.read(min(_CHUNK, length))
        if not chunk:
            return
        sink.write(chunk)
        length -= len(chunk)


def make_server(folder: Path, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A server of ``folder`` bound to ``host:port`` (0: a free port); run it with ``serve_forever``."""
    handler = partial(BundleHandler, folder=folder.resolve())
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_background(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    """Start a server of ``folder`` on a free loopback port; returns it (``shutdown()`` stops it) and its URL."""
    server = make_server(folder)
    threading.Thread(target=server.serve_forever, name="content-serve", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


"""Run the reference backend: build it on a database file, serve it on a threaded WSGI server.

    >>> server = BackendServer(build(":memory:", token="").app, "127.0.0.1", 0)
    >>> server.start()
    >>> import requests
    >>> requests.get(server.url + "/members/lookup?kind=ndef&value=M-1001", timeout=5).status_code
    404
    >>> server.stop()
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from kiosk.content.bundle import load_bundle
from kiosk.content.schemas import DEFAULT_DIR
from kiosk.server import catalog
from kiosk.server.api import create_app
from kiosk.server.associates import SendCommand
from kiosk.server.ingest import EventRecorder
from kiosk.server.service import JoinedHook, LoyaltyService
from kiosk.server.store import ServerStore

_request_log = logging.getLogger("werkzeug")


@dataclass(frozen=True)
class Backend:
    """The WSGI app and the recorder MQTT ingest feeds (the app shows what it recorded)."""

    app: Flask
    recorder: EventRecorder


def build(db: str, token: str, *, demo: bool = False, on_joined: JoinedHook | None = None,
          topic_prefix: str = "loyalty/v1", secret: str = "", proxies: int = 0,
          send_command: SendCommand | None = None, time_zone: str = "") -> Backend:
    """The backend on the SQLite file ``db``; ``demo`` puts the shipped content's demo members in; behind
    ``proxies`` reverse proxies (see :func:`~kiosk.server.api.create_app`); ``send_command`` (commands to kiosks
    over MQTT) opens the associates' page; ``time_zone`` (an IANA name, empty: the server's own) is the stores',
    whose calendar day the per-day spin limit counts. ValueError for a zone it does not know."""
    store = ServerStore(db)
    service = LoyaltyService(store, now=time.time, on_joined=on_joined, spins_per_day=catalog.SPINS_PER_DAY,
                             time_zone=store_time_zone(time_zone))
    if demo:
        service.seed([(m.ref, m.name, m.points, m.credential.kind, m.credential.value)
                      for m in load_bundle(DEFAULT_DIR, media=False).demo_members])
    recorder = EventRecorder(store, topic_prefix)
    return Backend(create_app(service, token, recorder=recorder, secret=secret, proxies=proxies,
                              send_command=send_command), recorder)


def store_time_zone(name: str) -> ZoneInfo | None:
    """The stores' time zone by its IANA name; None (the server's local zone) for an empty name.

    >>> store_time_zone("Europe/Oslo").key, store_time_zone("")
    ('Europe/Oslo', None)
    >>> store_time_zone("Mars/Olympus")
    Traceback (most recent call last):
    ...
    ValueError: --time-zone 'Mars/Olympus': not a time zone this machine knows (an IANA name, e.g. Europe/Oslo)
    """
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"--time-zone {name!r}: not a time zone this machine knows (an IANA name, "
                         "e.g. Europe/Oslo)") from None


class _QuietPaths(WSGIRequestHandler):
    """Logs a request's method and status only: paths and queries hold member references and credentials, and
    a phone's address is personal data."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log("info", "%s %s", self.command, code)

    def log(self, type: str, message: str, *args: Any) -> None:
        getattr(_request_log, type)(message, *args)  # werkzeug's own puts the client's address first


class BackendServer:
    """``app`` on a threaded server in a background thread; port 0 takes a free one (see :attr:`url`)."""

    def __init__(self, app: Flask, host: str, port: int) -> None:
        self._server = make_server(host, port, app, threaded=True, request_handler=_QuietPaths)
        self._thread = threading.Thread(target=self._server.serve_forever, name="backend-server", daemon=True)

    @property
    def url(self) -> str:
        """The API's base URL, what a kiosk's ``[backend] url`` names."""
        return f"http://{self._server.host}:{self._server.port}/v1"

    def start(self) -> None:
        self._thread.start()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread.is_alive():
            self._thread.join(5)

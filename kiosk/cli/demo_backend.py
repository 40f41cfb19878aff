"""The reference backend inside ``kiosk demo``: served on this machine's LAN address, so a phone on the same
network can open the join URL and QR code, and telling the kiosk ``session_joined`` through its main loop
instead of MQTT, so the whole phone flow works without a broker."""

from __future__ import annotations

import ipaddress
import logging
import secrets
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk import config
from kiosk.bus import post
from kiosk.core.messages import CommandReceived

log = logging.getLogger(__name__)

ROUTE_PROBE = ("192.0.2.1", 9)
"""A documentation address (RFC 5737): connecting a UDP socket to it sends nothing, it only picks the source
address of the default route, the address a phone on the same network reaches this machine at."""
DB_NAME = "demo-backend.db"


def lan_address() -> str | None:
    """This machine's IPv4 address on the network of its default route; None without such a network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(ROUTE_PROBE)
        except OSError:  # no route: no network
            return None
        address = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback or address == "0.0.0.0" else address


@contextmanager
def reference_backend(settings: config.Settings, host: str | None = None, port: int = 0) -> Iterator[config.Settings]:
    """Serve the reference backend (with the demo members) in this process while the block runs, on ``host``
    (default: :func:`lan_address`, else loopback) and ``port`` (0: a free one); yields ``settings`` pointed at
    it: the HTTP backend with a fresh token, and the join URL on its phone pages. Without the server extra the
    settings come back as they are (the built-in demo backend, phone pages off) with a warning."""
    try:
        from kiosk.server.serve import BackendServer, build
    except ImportError as exc:
        log.warning("kiosk demo: no phone pages: the server extra is not installed (%s is missing): "
                    "pip install 'kiosk[server]'", exc.name)
        yield settings
        return
    if host is None:
        host = lan_address()
        if host is None:
            log.warning("kiosk demo: this machine has no LAN address (no network with a default route): the join "
                        "URL uses 127.0.0.1, which only a browser on this machine can open")
            host = "127.0.0.1"
    state_dir = Path(settings.kiosk.state_dir)
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # the members who sign up in the demo are kept there
    token = secrets.token_urlsafe(24)
    backend = build(str(state_dir / DB_NAME), token, demo=True,
                    on_joined=_to_main_loop(settings.kiosk.id), topic_prefix=settings.mqtt.topic_prefix)
    server = BackendServer(backend.app, host, port)
    server.start()
    nfc = {"join_url": server.url.removesuffix("/v1") + "/join?s={token}"} if settings.nfc.join_url else {}
    try:
        yield config.with_overrides(settings, backend={"kind": "http", "url": server.url, "token": token}, nfc=nfc)
    finally:
        server.stop()


def _to_main_loop(kiosk_id: str) -> Callable[[str, str, str, dict | None], None]:
    """The backend's ``session_joined`` as the kiosk's own command, checked by its registry like one from MQTT."""

    from kiosk.server.notify import session_joined_args  # the server extra, there when the demo backend runs

    def joined(kiosk: str, session_id: str, member_ref: str, consents: dict | None = None) -> None:
        if kiosk != kiosk_id:  # only this kiosk announces join tokens to its demo backend
            log.warning("kiosk demo: session_joined for another kiosk (%s) dropped", kiosk)
            return
        post(CommandReceived("session_joined", session_joined_args(session_id, member_ref, consents), _answered))

    return joined


def _answered(ok: bool, error: str | None = None, data: dict | None = None) -> None:
    if not ok:
        log.info("kiosk demo: session_joined refused: %s", error)

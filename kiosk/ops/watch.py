"""``kiosk ops watch``: the fleet table, redrawn every second on a terminal, or printed once for a script; the
kiosks online are pinged at the start so their telemetry fills the table at once."""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import TextIO

import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.config import MqttSettings
from kiosk.ops import broker, send, table
from kiosk.ops.fleet import Fleet

REDRAW_S = 1.0
SETTLE_S = 0.5  # the retained status and birth arrive right after the subscription: this long is plenty
_CLEAR = "\x1b[H\x1b[2J"  # cursor home, clear screen: redraw in place


def run(settings: MqttSettings, *, once: bool, window_s: float, stale_after_s: float,
        key: Ed25519PrivateKey | None = None, out: TextIO = sys.stdout) -> int:
    """Watch every kiosk under ``settings.topic_prefix``; every kiosk online is pinged (signed with ``key``) so it
    sends its telemetry at once instead of at its next period. With ``once`` (or when ``out`` is no terminal)
    print the table when every online kiosk has sent telemetry, or after ``window_s`` seconds, and return 1 if any
    kiosk is flagged, else 0; otherwise redraw until Ctrl+C and return 0."""
    fleet = Fleet(settings.topic_prefix)
    lock = threading.Lock()

    def on_message(message: mqtt.MQTTMessage) -> None:
        with lock:
            fleet.apply(message.topic, message.payload, bool(message.retain), time.time())

    client = broker.connect(settings, "watch", fleet.subscriptions(), on_message)
    since = time.time()
    deadline = time.monotonic() + window_s
    live = not once and out.isatty()
    try:
        time.sleep(min(SETTLE_S, window_s))
        with lock:
            online = sorted(k for k, state in fleet.kiosks.items() if state.status == "online")
        _ping(client, settings.topic_prefix, online, ttl_s=max(window_s, REDRAW_S), key=key)
        if not live:
            _wait_for_telemetry(fleet, lock, online, deadline)
        while True:
            now = time.time()
            with lock:
                lines = table.render(fleet.kiosks, now, since=since, stale_after_s=stale_after_s,
                                     prefix=fleet.prefix, colour=live)
                flagged = table.flagged(fleet.kiosks, now, since=since, stale_after_s=stale_after_s)
            if not live:
                out.write("\n".join(lines) + "\n")
                return 1 if flagged else 0
            if not client.is_connected():
                lines.insert(1, "broker connection lost: reconnecting (the figures below may be old)")
            out.write(_CLEAR + "\n".join(lines) + "\n(Ctrl+C to quit)\n")
            out.flush()
            time.sleep(REDRAW_S)
    except KeyboardInterrupt:
        return 0
    finally:
        broker.close(client)


def _ping(client: mqtt.Client, prefix: str, kiosk_ids: list[str], *, ttl_s: float,
          key: Ed25519PrivateKey | None) -> None:
    """Ask each kiosk for its telemetry now: a ``ping`` makes it publish telemetry at once. The short ``ttl_s``
    keeps a kiosk that reconnects later from running a question nobody waits for."""
    for kiosk_id in kiosk_ids:
        topic = f"{prefix}/{kiosk_id}/cmd/ping"
        body = send.command(topic, {}, time.time(), ttl_s, key)
        client.publish(topic, json.dumps(body, separators=(",", ":")), qos=1)


def _wait_for_telemetry(fleet: Fleet, lock: threading.Lock, kiosk_ids: list[str], deadline: float) -> None:
    """Until each of ``kiosk_ids`` has sent telemetry (never retained, so any there is live), or ``deadline``."""
    while time.monotonic() < deadline:
        with lock:
            if all(fleet.kiosks.get(k) and fleet.kiosks[k].telemetry is not None for k in kiosk_ids):
                return
        time.sleep(0.05)

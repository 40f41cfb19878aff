"""``kiosk ops watch``: the fleet table, redrawn every second on a terminal, or printed once for a script."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

import paho.mqtt.client as mqtt

from kiosk.config import MqttSettings
from kiosk.ops import broker, table
from kiosk.ops.fleet import Fleet

REDRAW_S = 1.0
_CLEAR = "\x1b[H\x1b[2J"  # cursor home, clear screen: redraw in place


def run(settings: MqttSettings, *, once: bool, window_s: float, stale_after_s: float,
        out: TextIO = sys.stdout) -> int:
    """Watch every kiosk under ``settings.topic_prefix``. With ``once`` (or when ``out`` is no terminal) collect
    for ``window_s`` seconds, print the table and return 1 if any kiosk is flagged, else 0; otherwise redraw
    until Ctrl+C and return 0."""
    fleet = Fleet(settings.topic_prefix)
    lock = threading.Lock()

    def on_message(message: mqtt.MQTTMessage) -> None:
        with lock:
            fleet.apply(message.topic, message.payload, bool(message.retain), time.time())

    client = broker.connect(settings, "watch", fleet.subscriptions(), on_message)
    since = time.time()
    live = not once and out.isatty()
    try:
        if not live:
            time.sleep(window_s)  # the retained status and birth arrive at once; telemetry as the kiosks send it
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

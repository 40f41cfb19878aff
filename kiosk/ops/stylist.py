"""``kiosk ops stylist STORE``: the store's open stylist requests in a terminal, oldest first, from the retained
store-level topic (``{prefix}/stores/{store}/stylist/+``, see docs/asyncapi.yaml); and the associates' answers,
``ack REQUEST NAME MINUTES``, ``done REQUEST``, ``cancel REQUEST REASON``, sent as commands to the kiosk that made
the request (a request is named by its id or the start of it).

    >>> entry = {"request_id": "01JDQ7Z5X3K9M2N4P6R8T0V1W2", "kiosk_id": "k1", "status": "acknowledged",
    ...          "requested_at": "2026-11-28T09:00:00.000Z", "associate": "Olga", "eta_min": 3,
    ...          "look": {"items": [{"slot": "top", "sku": "TOP-05", "size": "M"}], "deliver_to": "kiosk"}}
    >>> print("\\n".join(render([entry], now=1795856700.0)))
    REQUEST     WAITING  STATUS        TO     ASSOCIATE  KIOSK  ITEMS
    01JDQ7Z5X3  5m00s    acknowledged  kiosk  Olga 3m    k1     TOP-05 M
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime
from typing import TextIO

import paho.mqtt.client as mqtt

from kiosk.config import MqttSettings
from kiosk.core.commands import CommandRegistry
from kiosk.exc import KioskError
from kiosk.ops import broker, send
from kiosk.ops.table import age

SETTLE_S = 0.5  # the retained requests arrive right after the subscription
REDRAW_S = 1.0
COLUMNS = ("REQUEST", "WAITING", "STATUS", "TO", "ASSOCIATE", "KIOSK", "ITEMS")


def render(entries: list[dict], now: float) -> list[str]:
    """The queue as text lines, oldest request first."""
    rows = [COLUMNS]
    for e in sorted(entries, key=lambda e: e["requested_at"]):
        waited = now - datetime.fromisoformat(e["requested_at"]).timestamp()
        associate = f"{e['associate']} {e['eta_min']}m" if e.get("associate") else "-"
        items = ", ".join(f"{i['sku']} {i['size']}" if i["size"] != "one" else i["sku"] for i in e["look"]["items"])
        rows.append((e["request_id"][:10], age(waited), e["status"], e["look"]["deliver_to"].replace("_", " "),
                     associate, e["kiosk_id"], items))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1]
            for row in rows]


class Queue:
    """The open requests of a store, as the retained topic has them (an empty message: closed)."""

    def __init__(self) -> None:
        self.entries: dict[str, dict] = {}
        self.lock = threading.Lock()

    def apply(self, message: mqtt.MQTTMessage) -> None:
        request_id = message.topic.rsplit("/", 1)[1]
        with self.lock:
            if not message.payload:
                self.entries.pop(request_id, None)
                return
            try:
                entry = json.loads(message.payload)
            except ValueError:
                return
            if isinstance(entry, dict) and entry.get("schema") == "kiosk.stylist/1":
                self.entries[request_id] = entry

    def find(self, name: str) -> dict:
        """The request named by its id or a unique start of it."""
        with self.lock:
            found = [e for rid, e in self.entries.items() if rid.startswith(name.upper())]
        if len(found) != 1:
            raise KioskError(f"ops stylist: {'no open request' if not found else 'several requests'} "
                             f"start with {name!r}")
        return found[0]


def run(settings: MqttSettings, store_id: str, action: str, words: list[str], *, registry: CommandRegistry,
        once: bool, timeout_s: float = 10.0, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Show the queue (``action`` "list"), or answer one request; the exit status of `kiosk ops send`."""
    queue = Queue()
    client = broker.connect(settings, "stylist", [(f"{settings.topic_prefix}/stores/{store_id}/stylist/+", 1)],
                            queue.apply)
    try:
        time.sleep(SETTLE_S)
        if action != "list":
            name, args = _command(action, words)
            entry = queue.find(words[0])
            return send.run(settings, entry["kiosk_id"], name, {"request_id": entry["request_id"], **args},
                            timeout_s=timeout_s, ttl_s=120.0, registry=registry, out=out, err=err)
        live = not once and out.isatty()
        while True:
            with queue.lock:
                lines = render(list(queue.entries.values()), time.time())
            if not live:
                out.write("\n".join(lines) + "\n")
                return 0
            out.write("\x1b[H\x1b[2J" + f"stylist requests of {store_id}\n" + "\n".join(lines) + "\n(Ctrl+C to quit)\n")
            out.flush()
            time.sleep(REDRAW_S)
    except KeyboardInterrupt:
        return 0
    finally:
        broker.close(client)


def _command(action: str, words: list[str]) -> tuple[str, dict]:
    """The command and arguments of an answer: ``ack REQUEST NAME MINUTES``, ``done REQUEST``, ``cancel REQUEST
    REASON``."""
    shapes = {"ack": ("stylist_ack", ("associate", "eta_min")), "done": ("stylist_done", ()),
              "cancel": ("stylist_cancel", ("reason",))}
    name, keys = shapes[action]
    if len(words) != 1 + len(keys):
        raise KioskError(f"ops stylist: {action} takes REQUEST {' '.join(k.upper() for k in keys)}".rstrip())
    args: dict = dict(zip(keys, words[1:], strict=True))
    if "eta_min" in args:
        if not args["eta_min"].isdigit():
            raise KioskError("ops stylist: MINUTES is a whole number")
        args["eta_min"] = int(args["eta_min"])
    return name, args

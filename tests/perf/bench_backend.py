"""The reference backend (`kiosk backend serve`), in one run on loopback:

- lookups: the kiosk's own HttpBackend asking the reference server (threaded WSGI server, SQLite file in a
  temporary folder, the demo members) with 4 client threads, 4,000 lookups (600 quick): lookups/s, p50, p95;
- ingest: a backlog of 10,000 kiosk events (2,000 quick) queued in a paho client before it connects, then sent
  with QoS 1 to a private mosquitto: events/s from the connect until the last one is recorded by EventIngest
  (shared subscription, one SQLite transaction per batch of what arrived during the last commit, each
  message acknowledged after its commit);
- raw: the same backlog, the same way, to a plain paho subscriber on the same shared subscription that only
  counts: events/s, the broker's delivery rate in the same run.

No budget of its own; run alone: ``.venv/bin/python tests/perf/bench_backend.py``.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import paho.mqtt.client as mqtt
from harness import Figure, percentile

from kiosk.backend.http import HttpBackend
from kiosk.config import MqttSettings
from kiosk.core.credential import Credential
from kiosk.core.events import new_ulid
from kiosk.server.ingest import EventIngest, EventRecorder
from kiosk.server.serve import BackendServer, build
from kiosk.server.store import ServerStore
from tests.helpers import Broker

CLIENTS = 4
IN_FLIGHT = 32  # as the kiosk's link
PREFIX = "loyalty/v1"
CREDENTIALS = [Credential("ndef", "M-1001"), Credential("app", "APP-7F3A9C"), Credential("ndef", "M-1003"),
               Credential("uid", "0000")]  # one unknown: the 404 path too
TIMEOUT_S = 300.0


def measure(quick: bool) -> list[Figure]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request would time the terminal
    lookups = 600 if quick else 4000
    backlog = 2000 if quick else 10_000
    with tempfile.TemporaryDirectory(prefix="kiosk-perf-backend-") as tmp:
        workdir = Path(tmp)
        latencies, lookup_s = lookup_latencies(workdir, lookups)
        broker = Broker(workdir)
        broker.start()
        try:
            ingest_s = ingest_backlog_s(workdir, broker.port, backlog)
            raw_s = raw_backlog_s(broker.port, backlog)
        finally:
            broker.stop()
    return [
        Figure(f"reference server lookups, {CLIENTS} clients", lookups / lookup_s, "1/s", None, lookups),
        Figure("reference server lookup, p50", percentile(latencies, 50), "ms", None, lookups),
        Figure("reference server lookup, p95", percentile(latencies, 95), "ms", None, lookups),
        Figure(f"MQTT ingest, backlog of {backlog}", backlog / ingest_s, "ev/s", None, backlog),
        Figure("raw mosquitto delivery, same backlog", backlog / raw_s, "ev/s", None, backlog),
        Figure("ingest / raw delivery", 100 * raw_s / ingest_s, "%", None, backlog),
    ]


def lookup_latencies(workdir: Path, count: int) -> tuple[list[float], float]:
    server = BackendServer(build(str(workdir / "backend.db"), "bench", demo=True).app, "127.0.0.1", 0)
    server.start()
    try:
        backends = [HttpBackend(server.url, "bench", 5.0) for _ in range(CLIENTS)]

        def one(i: int) -> float:
            started = time.perf_counter()
            backends[i % CLIENTS].lookup(CREDENTIALS[i % len(CREDENTIALS)])
            return (time.perf_counter() - started) * 1000

        for i in range(CLIENTS * 5):  # warm: connections open, pages cached
            one(i)
        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            latencies = list(pool.map(one, range(count)))
        return latencies, time.perf_counter() - started
    finally:
        server.stop()


def ingest_backlog_s(workdir: Path, port: int, backlog: int) -> float:
    recorder = EventRecorder(ServerStore(str(workdir / "ingest.db")), PREFIX)
    ingest = EventIngest(MqttSettings(port=port), recorder, instance="bench")
    ingest.start()
    try:
        if not ingest.subscribed.wait(10):
            raise RuntimeError("the ingest did not subscribe")
        return _send_backlog_s(port, backlog, lambda: recorder.count() >= backlog)
    finally:
        ingest.stop()


def raw_backlog_s(port: int, backlog: int) -> float:
    received = [0]
    subscribed = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.on_connect = lambda c, *_: c.subscribe(f"$share/raw/{PREFIX}/+/events/+", qos=1)
    client.on_subscribe = lambda *_: subscribed.set()

    def count(*_) -> None:
        received[0] += 1
    client.on_message = count
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        if not subscribed.wait(10):
            raise RuntimeError("the raw subscriber did not subscribe")
        return _send_backlog_s(port, backlog, lambda: received[0] >= backlog)
    finally:
        client.loop_stop()
        client.disconnect()


def _send_backlog_s(port: int, backlog: int, done: Callable[[], bool]) -> float:
    """Queue ``backlog`` events in a publisher that is not connected yet, connect it, and time until ``done``."""
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    publisher.max_inflight_messages_set(IN_FLIGHT)
    publisher.max_queued_messages_set(0)
    for seq in range(backlog):
        kiosk = f"bench-{seq % 8}"
        event = {"schema": "kiosk.event/1", "event_id": new_ulid(), "seq": seq, "boot_id": "b", "kiosk_id": kiosk,
                 "store_id": "store-1", "type": "tap", "occurred_at": "2026-11-28T09:00:00.000Z",
                 "clock_synced": True, "data": {"session_id": f"S-{seq}"}}
        publisher.publish(f"{PREFIX}/{kiosk}/events/tap", json.dumps(event), qos=1)
    started = time.perf_counter()
    publisher.connect("127.0.0.1", port)
    publisher.loop_start()
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while not done():
            if time.monotonic() > deadline:
                raise RuntimeError("the backlog was not delivered in time")
            time.sleep(0.005)
        return time.perf_counter() - started
    finally:
        publisher.loop_stop()
        publisher.disconnect()


if __name__ == "__main__":
    for figure in measure("--quick" in sys.argv[1:]):
        print(f"{figure.name:<44} {figure.value:>10.1f} {figure.unit:<5} n={figure.samples}")

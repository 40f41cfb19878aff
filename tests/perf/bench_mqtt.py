"""The MQTT uplink, in one run against one private mosquitto on loopback:

- enqueue latency: ``Outbox.record`` (one event, its own transaction) on a real Store (WAL, synchronous=FULL) in a
  temporary folder, p50/p99 over 2,000 events (300 quick);
- drain rate: a backlog of 10,000 events (2,000 quick), written in transactions of 100 while no link runs (the
  broker unreachable for the kiosk), then a real MqttLink started against the broker: events/s from its start
  until the outbox is empty (connect, publish, PUBACK, marking delivered, all included);
- raw rate: the same topics and JSON bytes published with QoS 1 by a plain paho v2 client (all handed to paho at
  once, ``MAX_IN_FLIGHT`` of them on the wire, like the link), from the first publish to the last PUBACK.

Budget (docs/architecture.md, "Budgets"): drain >= 0.8 x raw paho QoS 1 publish rate, same run, same broker. Drain
and raw publish take turns, three rounds (one with --quick), and the best of each counts: other work on a shared
machine only ever slows a round down, and it would otherwise decide the ratio. Both are CPU-bound in this one
Python process, so the CPU time each took (the least of the rounds) is reported too.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from harness import BenchmarkError, Figure, percentile

from kiosk.config import MqttSettings
from kiosk.core.commands import CommandRegistry
from kiosk.core.events import new_ulid
from kiosk.mqtt.commands import CommandLedger
from kiosk.mqtt.link import MAX_IN_FLIGHT, KioskIdentity, MqttLink
from kiosk.storage.outbox import Outbox
from kiosk.storage.store import Store
from tests.helpers import Broker

RATIO_BUDGET_PERCENT = 80.0
ROUNDS = 3
TRANSACTION = 100
DRAIN_TIMEOUT_S = 300.0
POLL_S = 0.02
KIOSK_ID, STORE_ID = "bench-1", "store-1"
VITALS = {"reader_ok": None, "last_tap_at": None, "content_version": None, "clock_synced": True,
          "frame_time_p99_ms": None, "maintenance": False}


def measure(quick: bool) -> list[Figure]:
    records = 300 if quick else 2000
    backlog = 2000 if quick else 10_000
    drains, raws = [], []  # (seconds, CPU seconds) of each round
    with tempfile.TemporaryDirectory(prefix="kiosk-perf-mqtt-") as tmp:
        workdir = Path(tmp)
        broker = Broker(workdir)
        broker.start()
        try:
            latencies = enqueue_latencies_ms(workdir / "enqueue", records)
            for round_ in range(1 if quick else ROUNDS):
                messages, seconds, cpu_s = drain_s_of_backlog(workdir / f"drain{round_}", broker.port, backlog)
                drains.append((seconds, cpu_s))
                cpu_before = time.process_time()
                raws.append((raw_publish_s(broker.port, messages), time.process_time() - cpu_before))
        finally:
            broker.stop()
    drain_s, raw_s = min(seconds for seconds, _ in drains), min(seconds for seconds, _ in raws)
    drain_cpu_s, raw_cpu_s = min(cpu_s for _, cpu_s in drains), min(cpu_s for _, cpu_s in raws)
    drain_rate, raw_rate = backlog / drain_s, backlog / raw_s
    return [
        Figure("outbox enqueue (Outbox.record), p50", percentile(latencies, 50), "ms", None, records),
        Figure("outbox enqueue (Outbox.record), p99", percentile(latencies, 99), "ms", None, records),
        Figure(f"outbox drain, backlog of {backlog}, best round", drain_rate, "ev/s", None, backlog),
        Figure("raw paho QoS 1 publish, same payloads, best round", raw_rate, "ev/s", None, backlog),
        Figure("drain rate / raw paho rate", 100 * drain_rate / raw_rate, "%", RATIO_BUDGET_PERCENT, backlog,
               at_least=True),
        Figure("outbox drain, CPU time of this process", drain_cpu_s, "s", None, backlog),
        Figure("raw paho publish, CPU time of this process", raw_cpu_s, "s", None, backlog),
        Figure("drain / raw paho, CPU time", 100 * drain_cpu_s / raw_cpu_s, "%", None, backlog),
    ]


def _outbox(folder: Path) -> tuple[Store, Outbox, str]:
    folder.mkdir()
    store = Store(folder / "state.db")
    boot_id = new_ulid()
    return store, Outbox(store, kiosk_id=KIOSK_ID, store_id=STORE_ID, boot_id=boot_id,
                         clock_synced=lambda: True), boot_id


def _tap(n: int) -> dict:
    """A tap event's data, the most common event (its credential ref is 64 hex digits, like a UID's HMAC)."""
    return {"session_id": new_ulid(), "credential": {"kind": "uid", "ref": f"{n:064x}"}}


def enqueue_latencies_ms(folder: Path, count: int) -> list[float]:
    store, outbox, _ = _outbox(folder)
    samples = []
    try:
        for n in range(count):
            data = _tap(n)
            started = time.perf_counter()
            outbox.record("tap", data)
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        store.close()
    return samples


def drain_s_of_backlog(folder: Path, port: int, backlog: int) -> tuple[list[tuple[str, bytes]], float, float]:
    """The backlog's (topic, payload) pairs as the link publishes them, the seconds the link took to drain it and
    the CPU seconds this process spent meanwhile."""
    store, outbox, boot_id = _outbox(folder)
    try:
        for start in range(0, backlog, TRANSACTION):
            with store.transaction() as tx:
                for n in range(start, min(start + TRANSACTION, backlog)):
                    outbox.add(tx, "tap", _tap(n))
        settings = MqttSettings(port=port)
        identity = KioskIdentity(KIOSK_ID, STORE_ID, boot_id, "bench", time.time(), time.monotonic(), folder)
        link = MqttLink(settings, identity, outbox, CommandLedger(store), CommandRegistry([]),
                        on_command=lambda *_: None, app_vitals=lambda: VITALS)
        messages = [(link.events_topic + row.type, row.payload) for row in outbox.pending(limit=backlog)]
        if len(messages) != backlog:
            raise BenchmarkError(f"wrote {backlog} events, the outbox holds {len(messages)}")
        started, cpu_before = time.monotonic(), time.process_time()
        link.start()
        try:
            while outbox.pending(limit=1):  # not depth(): a count of the backlog would cost the drain's CPU
                if time.monotonic() - started > DRAIN_TIMEOUT_S:
                    raise BenchmarkError(f"the outbox still held {outbox.depth()} events after {DRAIN_TIMEOUT_S:g} s")
                time.sleep(POLL_S)
            elapsed, cpu_s = time.monotonic() - started, time.process_time() - cpu_before
        finally:
            link.stop()
    finally:
        store.close()
    return messages, elapsed, cpu_s


def raw_publish_s(port: int, messages: list[tuple[str, bytes]]) -> float:
    """Seconds from the first QoS 1 publish to the last PUBACK for ``messages``, with a plain paho client."""
    acked = 0
    done = threading.Event()
    connected = threading.Event()

    def on_publish(client, userdata, mid, reason_code, properties) -> None:
        nonlocal acked
        acked += 1  # paho calls back from its one network thread: no other writer
        if acked == len(messages):
            done.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-raw-paho", protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(MAX_IN_FLIGHT)
    client.on_publish = on_publish
    client.on_connect = lambda *_: connected.set()
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        if not connected.wait(10):
            raise BenchmarkError("the raw paho client did not connect")
        started = time.monotonic()
        for topic, payload in messages:
            client.publish(topic, payload, qos=1)
        if not done.wait(DRAIN_TIMEOUT_S):
            raise BenchmarkError(f"raw paho: {acked} of {len(messages)} PUBACKs after {DRAIN_TIMEOUT_S:g} s")
        return time.monotonic() - started
    finally:
        client.disconnect()
        client.loop_stop()

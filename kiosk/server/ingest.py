"""MQTT ingest: every kiosk's events, recorded once each by ``event_id``.

The ingest subscribes with a shared subscription (``$share/{group}/{prefix}/+/events/+``), so several backend
instances on the same database split the load, and keeps a persistent session (``clean_start=False``) so
events wait at the broker while it is away. Delivery is at least once (QoS 1; the kiosk's outbox sends again
after every reconnect): an event is committed before it is acknowledged, and a second copy changes nothing.
A payload off the contract (docs/asyncapi.yaml's envelope) is logged by topic only and skipped.

    >>> recorder = EventRecorder(ServerStore(":memory:"), "loyalty/v1")
    >>> envelope = {"schema": "kiosk.event/1", "event_id": "01JDQ7Z5X3K9M2N4P6R8T0V1W2", "seq": 1, "kiosk_id": "k1",
    ...             "store_id": "s1", "type": "tap", "occurred_at": "2026-11-28T09:00:00.000Z", "data": {}}
    >>> [recorder.apply("loyalty/v1/k1/events/tap", json.dumps(envelope).encode(), now=0.0) for _ in range(2)]
    [True, False]
    >>> [event["type"] for event in recorder.recent("k1")]
    ['tap']
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from kiosk.config import MqttSettings
from kiosk.mqtt.client import new_client
from kiosk.server.store import ServerStore

log = logging.getLogger(__name__)
MAX_PAYLOAD = 64 * 1024
SESSION_EXPIRY_S = 7 * 86400
_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class EventRecorder:
    """Kiosk events in the backend's database, once each by ``event_id``."""

    def __init__(self, store: ServerStore, prefix: str) -> None:
        self.store = store
        self.prefix = prefix

    def apply(self, topic: str, payload: bytes, now: float) -> bool:
        """Record the event in ``payload`` unless it was recorded before; True when it was new."""
        return self.apply_many([(topic, payload)], now) == 1

    def apply_many(self, messages: list[tuple[str, bytes]], now: float) -> int:
        """Record the events of ``(topic, payload)`` messages in one transaction; how many were new."""
        events = []
        for topic, payload in messages:
            event = _envelope(topic, self.prefix, payload)
            if event is None:
                log.warning("ingest: skipped a message off the event contract on %s", topic)
            else:
                events.append(event)
        if not events:
            return 0
        with self.store.transaction() as tx:
            before = tx.total_changes
            tx.executemany(
                "INSERT OR IGNORE INTO kiosk_events(event_id, kiosk_id, store_id, type, seq, occurred_at, data, "
                "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(e["event_id"], e["kiosk_id"], e.get("store_id"), e["type"], e.get("seq"), e["occurred_at"],
                  json.dumps(e["data"]), now) for e in events])
            return tx.total_changes - before

    def recent(self, kiosk_id: str, limit: int = 50) -> list[dict]:
        """The kiosk's latest recorded events, newest first."""
        with self.store.transaction() as tx:
            rows = tx.execute("SELECT event_id, type, seq, occurred_at, data FROM kiosk_events WHERE kiosk_id = ? "
                              "ORDER BY received_at DESC, seq DESC LIMIT ?", (kiosk_id, limit)).fetchall()
        return [{"event_id": r["event_id"], "type": r["type"], "seq": r["seq"], "occurred_at": r["occurred_at"],
                 "data": json.loads(r["data"])} for r in rows]

    def count(self) -> int:
        with self.store.transaction() as tx:
            return tx.execute("SELECT count(*) FROM kiosk_events").fetchone()[0]


class EventIngest:
    """The MQTT side: a shared subscription to every kiosk's events, written in batches by one writer thread.

    Messages are acknowledged by hand, each after the transaction holding it committed: whatever arrived while
    the last commit ran goes into the next one, so the disk sees one commit per batch, not per event.
    """

    def __init__(self, settings: MqttSettings, recorder: EventRecorder, *, group: str = "kiosk-backend",
                 instance: str | None = None) -> None:
        self._recorder = recorder
        self._filter = f"$share/{group}/{settings.topic_prefix}/+/events/+"
        self.subscribed = threading.Event()
        self._arrived: list[mqtt.MQTTMessage] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._writer = threading.Thread(target=self._write, name="ingest-writer", daemon=True)
        # The same instance name finds its session (and the events queued in it) again after a restart.
        self._client = new_client(settings, f"{group}-ingest-{instance or socket.gethostname()}")
        self._client.manual_ack_set(True)
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = lambda *_: self.subscribed.set()
        self._client.on_message = self._on_message
        self._client.reconnect_delay_set(min_delay=1, max_delay=30)
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
        self._client.connect_async(settings.host, settings.port, keepalive=30, clean_start=False,
                                   properties=properties)

    def start(self) -> None:
        self._writer.start()
        self._client.loop_start()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
        self._stopping = True
        self._wake.set()
        self._writer.join(10)

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        if reason_code.is_failure:
            log.warning("ingest: the broker refused the connection: %s", reason_code)
            return
        client.subscribe(self._filter, qos=1)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self._arrived.append(message)
        self._wake.set()

    def _write(self) -> None:
        while not self._stopping:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                batch, self._arrived = self._arrived, []
            if not batch:
                continue
            try:
                self._recorder.apply_many([(m.topic, m.payload) for m in batch], time.time())
            except Exception:  # the database failed: no ack, so the broker delivers these again
                log.exception("ingest: recording %d events failed", len(batch))
                continue
            for message in batch:
                self._client.ack(message.mid, message.qos)


def _envelope(topic: str, prefix: str, payload: bytes) -> dict | None:
    """The event envelope if ``payload`` is one for ``topic`` (its kiosk and type as the topic names them)."""
    parts = topic.removeprefix(prefix + "/").split("/")
    if len(payload) > MAX_PAYLOAD or len(parts) != 3 or parts[1] != "events":
        return None
    try:
        event = json.loads(payload)
    except ValueError:
        return None
    checks = [
        isinstance(event, dict) and event.get("schema") == "kiosk.event/1",
        isinstance(event.get("event_id"), str) and _ULID.fullmatch(event["event_id"]),
        event.get("kiosk_id") == parts[0] and _NAME.fullmatch(parts[0]),
        event.get("type") == parts[2] and _NAME.fullmatch(parts[2]),
        isinstance(event.get("occurred_at"), str) and len(event["occurred_at"]) <= 40,
        isinstance(event.get("data"), dict),
        event.get("seq") is None or (isinstance(event["seq"], int) and not isinstance(event["seq"], bool)),
    ] if isinstance(event, dict) else [False]
    return event if all(checks) else None

"""The durable event outbox: events are rows first, MQTT messages second (ARCHITECTURE.md sections 6, 7).

An event is written in the same transaction as the state change it reports; the publisher reads
pending rows in ``seq`` order and marks them delivered when the broker acknowledged them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.core.events import envelope, new_ulid
from kiosk.store import Store, Transaction


@dataclass(frozen=True)
class PendingEvent:
    seq: int
    event_id: str
    type: str
    payload: bytes


class Outbox:
    def __init__(
        self,
        store: Store,
        *,
        kiosk_id: str,
        store_id: str,
        boot_id: str,
        clock_synced: Callable[[], bool],
    ) -> None:
        self._store = store
        self._kiosk_id = kiosk_id
        self._store_id = store_id
        self._boot_id = boot_id
        self._clock_synced = clock_synced
        self._listeners: list[Callable[[], None]] = []

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every commit that added events (the publisher wakes on it)."""
        self._listeners.append(callback)

    def add(self, tx: Transaction, type: str, data: dict) -> dict:
        """Write one event inside ``tx``, the transaction of the state change it reports."""
        now = time.time()
        event = envelope(
            event_id=new_ulid(int(now * 1000)),
            seq=self._store.next_counter(tx, "event_seq"),
            boot_id=self._boot_id,
            kiosk_id=self._kiosk_id,
            store_id=self._store_id,
            type=type,
            occurred_at=now,
            clock_synced=self._clock_synced(),
            data=data,
        )
        tx.execute(
            "INSERT INTO outbox(seq, event_id, type, payload, created_at) VALUES (?, ?, ?, ?, ?)",
            (event["seq"], event["event_id"], type, json.dumps(event, separators=(",", ":")), now),
        )
        for callback in self._listeners:
            tx.on_commit(callback)
        return event

    def record(self, type: str, data: dict) -> dict:
        """Write one event in a transaction of its own (for events that report no other state change)."""
        with self._store.transaction() as tx:
            return self.add(tx, type, data)

    def pending(self, after_seq: int = 0, limit: int = 100) -> list[PendingEvent]:
        rows = self._store.query(
            "SELECT seq, event_id, type, payload FROM outbox WHERE delivered_at IS NULL AND seq > ? "
            "ORDER BY seq LIMIT ?",
            (after_seq, limit),
        )
        return [PendingEvent(r["seq"], r["event_id"], r["type"], r["payload"].encode()) for r in rows]

    def mark_delivered(self, seq: int) -> None:
        with self._store.transaction() as tx:
            tx.execute("UPDATE outbox SET delivered_at = ? WHERE seq = ? AND delivered_at IS NULL",
                       (time.time(), seq))

    def depth(self) -> int:
        return self._store.query("SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL")[0]["n"]

    def oldest_unsent_age(self, now: float | None = None) -> float:
        """Seconds since the oldest undelivered event was written (0 when none waits)."""
        rows = self._store.query("SELECT min(created_at) AS t FROM outbox WHERE delivered_at IS NULL")
        oldest = rows[0]["t"]
        return 0.0 if oldest is None else max(0.0, (now or time.time()) - oldest)

"""The durable event outbox: events are rows first, MQTT messages second (docs/architecture.md, "Durable state").

An event is written in the same transaction as the state change it reports; the publisher reads
pending rows in ``seq`` order and marks them delivered when the broker acknowledged them. Under pressure
the outbox sheds low-priority rows first and never critical ones (each event type declares its priority,
see :class:`kiosk.core.events.EventType`);
delivered rows lose their personal fields at once and are purged after ``retain_delivered_s``. Blanking
rewrites the row, but the WAL still holds the page as it was: :meth:`Outbox.scrub_if_due` empties the WAL
``scrub_after_s`` after the first blanking since the last scrub (one checkpoint covers every batch of a drain).

A row the broker refused (a PUBACK with a failure reason code, e.g. its ACL denies the topic) is marked refused and
left out of :meth:`Outbox.pending` for ``retry_refused_s``: it goes again on that slow schedule, never in a loop,
and is kept, expired or shed like any undelivered row.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from kiosk.core.events import EventType, Priority, envelope, new_ulid
from kiosk.storage.store import Store, Transaction

log = logging.getLogger(__name__)
_BATCH = 500  # rows per statement, well under SQLite's limit of bound parameters
SCRUB_AFTER_S = 5.0  # well inside the 30 s a blanked field may stay on disk, long enough to batch a drain
RETRY_REFUSED_S = 600.0  # an ACL fixed (and the broker reloaded) shows within minutes; a refusal costs little


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
        max_pending: int = 200_000,
        low_priority_ttl_s: float = 3600.0,
        retain_delivered_s: float = 7 * 86400.0,
        types: Mapping[str, EventType] = MappingProxyType({}),
        scrub_after_s: float = SCRUB_AFTER_S,
        retry_refused_s: float = RETRY_REFUSED_S,
    ) -> None:
        """``types`` gives each event type's priority and personal fields; a type not in it is normal and holds
        nothing personal."""
        self._store = store
        self._types = types
        self.max_pending = max_pending
        self.low_priority_ttl_s = low_priority_ttl_s
        self.retain_delivered_s = retain_delivered_s
        self._kiosk_id = kiosk_id
        self._store_id = store_id
        self._boot_id = boot_id
        self._clock_synced = clock_synced
        self._listeners: list[Callable[[], None]] = []
        self.scrub_after_s = scrub_after_s
        self.retry_refused_s = retry_refused_s
        self._scrub_due: float | None = None  # monotonic time by which blanked fields must leave the WAL

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
        self._make_room(tx)
        tx.execute(
            "INSERT INTO outbox(seq, event_id, type, payload, created_at, priority) VALUES (?, ?, ?, ?, ?, ?)",
            (event["seq"], event["event_id"], type, json.dumps(event, separators=(",", ":")), now,
             int(self._priority(type))),
        )
        for callback in self._listeners:
            tx.on_commit(callback)
        return event

    def record(self, type: str, data: dict) -> dict:
        """Write one event in a transaction of its own (for events that report no other state change)."""
        with self._store.transaction() as tx:
            return self.add(tx, type, data)

    def _priority(self, type: str) -> Priority:
        known = self._types.get(type)
        return known.priority if known else Priority.NORMAL

    def pending(self, after_seq: int = 0, limit: int = 100, now: float | None = None) -> list[PendingEvent]:
        """Undelivered rows after ``after_seq`` in order, without those refused less than ``retry_refused_s`` ago
        (a refusal dated after ``now`` counts as due: the clock went back)."""
        now = now or time.time()
        rows = self._store.query(
            "SELECT seq, event_id, type, payload FROM outbox WHERE delivered_at IS NULL AND seq > ? "
            "AND (refused_at IS NULL OR refused_at <= ? OR refused_at > ?) ORDER BY seq LIMIT ?",
            (after_seq, now - self.retry_refused_s, now, limit),
        )
        return [PendingEvent(r["seq"], r["event_id"], r["type"], r["payload"].encode()) for r in rows]

    def _make_room(self, tx: Transaction) -> None:
        """Keep the backlog under ``max_pending`` by dropping the oldest low, then normal, rows; never critical."""
        pending = tx.execute("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
        if pending < self.max_pending:
            return
        for priority in (Priority.LOW, Priority.NORMAL):
            dropped = tx.execute(
                "DELETE FROM outbox WHERE seq = (SELECT min(seq) FROM outbox WHERE delivered_at IS NULL "
                "AND priority = ?)", (int(priority),)).rowcount
            if dropped:
                self._store.next_counter(tx, "outbox_dropped")
                log.warning("outbox: full (%d undelivered); dropped the oldest %s event", pending,
                            priority.name.lower())
                return

    def mark_delivered(self, seqs: list[int]) -> None:
        """Mark rows delivered and blank their personal fields, in one transaction (SQLite does the JSON work:
        the publisher calls this for every batch of acknowledgements)."""
        now = time.time()
        blanked = 0
        with self._store.transaction() as tx:
            for start in range(0, len(seqs), _BATCH):
                chunk = seqs[start:start + _BATCH]
                marks = ",".join("?" * len(chunk))
                for event_type, paths in ((t.name, t.personal) for t in self._types.values() if t.personal):
                    blanks = ", ".join("?, NULL" for _ in paths)
                    blanked += tx.execute(f"UPDATE outbox SET payload = json_replace(payload, {blanks}) "
                                          f"WHERE type = ? AND delivered_at IS NULL AND seq IN ({marks})",
                                          (*paths, event_type, *chunk)).rowcount
                tx.execute(f"UPDATE outbox SET delivered_at = ? WHERE delivered_at IS NULL AND seq IN ({marks})",
                           (now, *chunk))
        if blanked and self._scrub_due is None:
            self._scrub_due = time.monotonic() + self.scrub_after_s

    def mark_refused(self, seqs: list[int]) -> None:
        """The broker refused these rows: keep them, and leave them out of :meth:`pending` for ``retry_refused_s``."""
        with self._store.transaction() as tx:
            for start in range(0, len(seqs), _BATCH):
                chunk = seqs[start:start + _BATCH]
                tx.execute(f"UPDATE outbox SET refused_at = ? WHERE delivered_at IS NULL "
                           f"AND seq IN ({','.join('?' * len(chunk))})", (time.time(), *chunk))

    def refused(self) -> int:
        """How many undelivered rows the broker refused (they wait for their retry)."""
        return self._store.query("SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL "
                                 "AND refused_at IS NOT NULL")[0]["n"]

    def scrub_if_due(self, now: float) -> None:
        """Empty the WAL once personal fields blanked ``scrub_after_s`` ago or more are still in it (``now`` is
        monotonic); the publisher calls this every turn. A scrub a reader prevents is tried again next turn."""
        if self._scrub_due is not None and now >= self._scrub_due and self._store.scrub():
            self._scrub_due = None

    def maintain(self, now: float | None = None) -> None:
        """Expire old low-priority rows, purge old delivered rows, forgotten command ids and the sessions that
        ended as long ago as the delivered rows that reported them (no table grows with every tap for ever)."""
        now = now or time.time()
        with self._store.transaction() as tx:
            expired = tx.execute("DELETE FROM outbox WHERE delivered_at IS NULL AND priority = ? AND created_at < ?",
                                 (int(Priority.LOW), now - self.low_priority_ttl_s)).rowcount
            purged = tx.execute("DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?",
                                (now - self.retain_delivered_s,)).rowcount
            tx.execute("DELETE FROM seen_commands WHERE expires_at < ?", (now - 86400,))
            tx.execute("DELETE FROM sessions WHERE ended_at < ?", (now - self.retain_delivered_s,))
        if expired or purged:
            log.info("outbox: %d low-priority events expired, %d delivered events purged", expired, purged)

    def dropped(self) -> int:
        """How many undelivered events were ever dropped because the outbox was full."""
        return int(self._store.meta("outbox_dropped") or 0)

    def depth(self) -> int:
        return self._store.query("SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL")[0]["n"]

    def oldest_unsent_age(self, now: float | None = None) -> float:
        """Seconds since the oldest undelivered event was written (0 when none waits)."""
        rows = self._store.query("SELECT min(created_at) AS t FROM outbox WHERE delivered_at IS NULL")
        oldest = rows[0]["t"]
        return 0.0 if oldest is None else max(0.0, (now or time.time()) - oldest)

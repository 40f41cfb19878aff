"""Writes the session's steps durably: the session row and the events that report it, in one transaction."""

from __future__ import annotations

import time

from kiosk.core.session import Event
from kiosk.storage.outbox import Outbox
from kiosk.storage.store import Store


class SessionJournal:
    def __init__(self, store: Store, outbox: Outbox) -> None:
        self._store = store
        self._outbox = outbox

    def record(self, events: list[Event]) -> None:
        now = time.time()
        with self._store.transaction() as tx:
            for event in events:
                data = event.data
                if event.type == "tap":
                    tx.execute("INSERT INTO sessions(session_id, credential_kind, started_at) VALUES (?, ?, ?)",
                               (data["session_id"], data["credential"]["kind"], now))
                elif event.type == "session_ended":
                    tx.execute("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE session_id = ?",
                               (now, data["reason"], data["session_id"]))
                self._outbox.add(tx, event.type, data)

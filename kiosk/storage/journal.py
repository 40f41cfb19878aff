"""The one path into the outbox: every event a feature records goes through :meth:`Journal.record`.

Each event is written in one transaction with the state change it reports (its type's ``persist`` hook), so a
crash leaves both or neither. An event type nobody registered is a programming error and is refused before
anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kiosk.core.events import EventType
from kiosk.core.flow import Event
from kiosk.storage.outbox import Outbox
from kiosk.storage.store import Store


class Journal:
    def __init__(self, store: Store, outbox: Outbox, types: Mapping[str, EventType]) -> None:
        self._store = store
        self._outbox = outbox
        self._types = types

    def record(self, events: Iterable[Event]) -> None:
        """Write ``events`` and the state changes they report, all in one transaction."""
        events = list(events)
        unknown = [event.type for event in events if event.type not in self._types]
        if unknown:
            raise ValueError(f"event types not registered by any feature: {unknown}")
        if not events:
            return
        with self._store.transaction() as tx:
            for event in events:
                persist = self._types[event.type].persist
                if persist is not None:
                    persist(tx, {**event.data, **event.private})
                self._outbox.add(tx, event.type, event.data)

    def event(self, type: str, data: dict) -> None:
        """Record one event."""
        self.record([Event(type, data)])

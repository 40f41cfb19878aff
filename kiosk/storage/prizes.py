"""The prize stock counters (table ``prize_stock``): how many of each wheel segment's prize were awarded, ever and
on the current day. Written by the ``prize_awarded`` event's transaction, read by the draw and the rules screen.

    >>> import tempfile, pathlib
    >>> store = Store(pathlib.Path(tempfile.mkdtemp()) / "state.db")
    >>> with store.transaction() as tx:
    ...     count_award(tx, "coffee", "2026-11-28"); count_award(tx, "coffee", "2026-11-28")
    >>> with store.transaction() as tx:
    ...     count_award(tx, "coffee", "2026-11-29")
    >>> awarded(store, "2026-11-29")
    Awarded(total={'coffee': 3}, today={'coffee': 1})
"""

from __future__ import annotations

from datetime import datetime

from kiosk.core.prizes import Awarded
from kiosk.storage.store import Store, Transaction


def today(timestamp: float) -> str:
    """The store's calendar day (local time) of ``timestamp``: daily caps and daily spin limits reset with it."""
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d")


def count_award(tx: Transaction, segment: str, day: str) -> None:
    """One more of ``segment``'s prize awarded on ``day`` (in the transaction of its ``prize_awarded`` event)."""
    tx.execute("INSERT INTO prize_stock(segment, awarded, day, awarded_day) VALUES (?, 1, ?, 1) "
               "ON CONFLICT(segment) DO UPDATE SET awarded = awarded + 1, "
               "awarded_day = CASE WHEN day = excluded.day THEN awarded_day + 1 ELSE 1 END, day = excluded.day",
               (segment, day))


def awarded(store: Store, day: str) -> Awarded:
    """What was awarded so far, ever and on ``day``."""
    rows = store.query("SELECT segment, awarded, day, awarded_day FROM prize_stock")
    return Awarded(total={r["segment"]: r["awarded"] for r in rows},
                   today={r["segment"]: r["awarded_day"] for r in rows if r["day"] == day})

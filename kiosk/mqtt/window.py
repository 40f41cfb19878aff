"""The outbox rows handed to paho on the current connection and not yet answered by the broker.

A row is one message, or two when its event type has a store-level copy; it is delivered once every one of its
messages is acknowledged. Every operation costs the same however many rows are handed over::

    >>> window = Window()
    >>> window.add(1, 7, "events/tap"); window.add(2, 7, "stores/s1/x"); window.add(3, 8, "events/tap")
    >>> window.answered(1), window.holds(7), len(window)
    ((7, 'events/tap'), True, 2)
    >>> window.answered(2), window.holds(7), 7 in window.rows()
    ((7, 'stores/s1/x'), False, False)

A message not in the window (one of an earlier connection) gets no answer; a dropped row leaves at once::

    >>> window.answered(99) is None
    True
    >>> window.drop_row(8); len(window), window.answered(3)
    (0, None)
"""

from __future__ import annotations


class Window:
    def __init__(self) -> None:
        self._sent: dict[int, tuple[int, str]] = {}  # paho's message id -> the row's seq, the message's topic
        self._mids_of: dict[int, list[int]] = {}  # the row's seq -> its messages not yet answered

    def __len__(self) -> int:
        """Messages handed over and not yet answered."""
        return len(self._sent)

    def add(self, mid: int, seq: int, topic: str) -> None:
        self._sent[mid] = (seq, topic)
        self._mids_of.setdefault(seq, []).append(mid)

    def answered(self, mid: int) -> tuple[int, str] | None:
        """The broker answered message ``mid``: it leaves the window. Returns its row's seq and its topic."""
        sent = self._sent.pop(mid, None)
        if sent is not None:
            waiting = self._mids_of[sent[0]]
            waiting.remove(mid)
            if not waiting:
                del self._mids_of[sent[0]]
        return sent

    def holds(self, seq: int) -> bool:
        """Whether a message of row ``seq`` still waits for its answer."""
        return seq in self._mids_of

    def rows(self) -> set[int]:
        """The seqs of the rows with a message still waiting."""
        return set(self._mids_of)

    def drop_row(self, seq: int) -> None:
        """Forget the rest of row ``seq``: it is not delivered on this connection (half a row is no row)."""
        for mid in self._mids_of.pop(seq, ()):
            self._sent.pop(mid, None)

    def clear(self) -> None:
        self._sent.clear()
        self._mids_of.clear()

"""Heartbeats: how a thread shows it is making progress, and which threads have stopped showing it.

A worker thread owns a :class:`Heartbeat` and calls ``beat()`` once per turn of its loop; the watchdog reads
``last_progress()`` from any thread (a float assignment is atomic, so no lock is needed). Anything with a
``name`` and a ``last_progress()`` in monotonic seconds can be watched::

    >>> loop = Heartbeat("main-loop", now=100.0)
    >>> reader = Heartbeat("nfc-reader", now=100.0)
    >>> loop.beat(now=130.0)
    >>> stalled([loop, reader], now=131.0, limit_s=10.0)
    ['nfc-reader']
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Protocol


class ProgressSource(Protocol):
    """Something the watchdog watches: a thread that reports when it last got through its loop."""

    name: str

    def last_progress(self) -> float:
        """``time.monotonic()`` of the last progress."""
        ...


class Heartbeat:
    """The last time its owner made progress; starts as "just now" so a thread gets one limit to start."""

    def __init__(self, name: str, now: float | None = None) -> None:
        self.name = name
        self._last = time.monotonic() if now is None else now

    def beat(self, now: float | None = None) -> None:
        """Record progress (``now`` defaults to ``time.monotonic()``)."""
        self._last = time.monotonic() if now is None else now

    def last_progress(self) -> float:
        return self._last


def stalled(sources: Iterable[ProgressSource], now: float, limit_s: float) -> list[str]:
    """The names of the sources with no progress in the last ``limit_s`` seconds, in the given order."""
    return [source.name for source in sources if now - source.last_progress() > limit_s]

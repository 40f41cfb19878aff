"""How long a content download may take: an overall deadline and a minimum rate.

Per-read timeouts alone let a server that sends one byte every two seconds keep a download going for days: every
read returns in time. A :class:`Pace` watches one transfer as a whole: it is behind once the transfer runs past
its deadline, or once a full window has passed in which fewer bytes came than the minimum rate asks for::

    >>> pace = Pace(Limits(min_rate_bps=100, window_s=10, deadline_s=60), started=0.0)
    >>> pace.add(500, now=5.0)
    >>> pace.behind(now=9.0) is None  # the first window is not over yet
    True
    >>> pace.behind(now=12.0)  # 500 bytes in the 10 s before: under 1,000
    'under 100 bytes/s for 10 s'
    >>> pace.add(2000, now=12.5)
    >>> pace.behind(now=61.0)
    'not done within 60 s'
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass


class Stalled(Exception):
    """A download fell behind its pace (too slow, or past its deadline); ``str()`` says how."""


@dataclass(frozen=True)
class Limits:
    min_rate_bps: float = 4096.0  # a store's worst link does far better; a trickle does far worse
    window_s: float = 30.0  # long enough to ride out a congested minute on a good link
    deadline_s: float = 600.0  # per file: a larger file over a slow link finishes over several attempts (Range)


class Pace:
    """One transfer's progress against ``limits``: its thread calls :meth:`add`, any thread may call :meth:`behind`."""

    def __init__(self, limits: Limits, started: float) -> None:
        self.limits = limits
        self.started = started
        self._recent: deque[tuple[float, int]] = deque()  # (when, bytes) of the reads in the last window
        self._in_window = 0
        self._lock = threading.Lock()

    def add(self, nbytes: int, now: float) -> None:
        with self._lock:
            self._recent.append((now, nbytes))
            self._in_window += nbytes

    def behind(self, now: float) -> str | None:
        """Why the transfer is behind its pace at ``now``, or None while it keeps up."""
        limits = self.limits
        if now - self.started > limits.deadline_s:
            return f"not done within {limits.deadline_s:g} s"
        if now - self.started < limits.window_s:
            return None
        with self._lock:
            while self._recent and self._recent[0][0] <= now - limits.window_s:
                self._in_window -= self._recent.popleft()[1]
            short = self._in_window < limits.min_rate_bps * limits.window_s
        return f"under {limits.min_rate_bps:g} bytes/s for {limits.window_s:g} s" if short else None

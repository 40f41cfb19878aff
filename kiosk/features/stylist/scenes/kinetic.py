"""Kinetic scrolling, pure: the content follows the finger, keeps the speed it was let go with, slows down with
friction and stops at its ends. Times are passed in (seconds), so tests and benchmarks drive it exactly.

    >>> scroll = Kinetic(extent=1000)
    >>> scroll.press(0.0); scroll.drag(-100, 0.05); scroll.drag(-100, 0.1); scroll.release(0.1)
    >>> scroll.offset, round(scroll.velocity)
    (200.0, 2000)
    >>> scroll.step(0.2); round(scroll.offset), scroll.moving
    (381, True)
    >>> for t in range(3, 40):  # it would coast 1000 px more: it stops at the end
    ...     scroll.step(t / 10)
    >>> round(scroll.offset), scroll.moving
    (1000, False)
"""

from __future__ import annotations

import math

DECAY_PER_S = 2.0
"""The speed falls to 1/e in half a second: a flick carries the grid about a screen and a half."""
STOP_SPEED = 15.0
"""Slower than this (pixels per second) the content stops."""
SAMPLE_S = 0.1
"""The speed a finger lets go with is measured over its last tenth of a second."""


class Kinetic:
    def __init__(self, extent: int) -> None:
        self.extent = max(0, extent)  # how far the content scrolls: its height less the viewport's
        self.offset = 0.0
        self.velocity = 0.0
        self.dragging = False
        self._samples: list[tuple[float, float]] = []
        self._last = 0.0

    @property
    def moving(self) -> bool:
        return self.dragging or self.velocity != 0.0

    def press(self, now: float) -> None:
        """A finger lands: the content stops under it."""
        self.dragging, self.velocity, self._samples = True, 0.0, []
        self._last = now

    def drag(self, dy: float, now: float) -> None:
        """The finger moved ``dy`` pixels (down is positive: the content moves down, the offset falls)."""
        self.offset = min(float(self.extent), max(0.0, self.offset - dy))
        self._samples = [s for s in self._samples if now - s[0] <= SAMPLE_S] + [(now, -dy)]
        self._last = now

    def release(self, now: float) -> None:
        """The finger lifts: the content goes on at the speed of its last movements."""
        recent = [s for s in self._samples if now - s[0] <= SAMPLE_S]
        self.dragging = False
        if len(recent) >= 2:
            span = max(recent[-1][0] - recent[0][0], 1e-3)
            self.velocity = sum(d for _, d in recent[1:]) / span
        self._stop_if_slow()
        self._last = now

    def step(self, now: float) -> None:
        """Advance the coasting content to ``now``."""
        dt, self._last = max(0.0, now - self._last), now
        if self.dragging or self.velocity == 0.0:
            return
        decay = math.exp(-DECAY_PER_S * dt)
        self.offset += self.velocity * (1 - decay) / DECAY_PER_S  # the distance friction lets it go in dt
        self.velocity *= decay
        if not 0.0 <= self.offset <= self.extent:
            self.offset = min(float(self.extent), max(0.0, self.offset))
            self.velocity = 0.0
        self._stop_if_slow()

    def _stop_if_slow(self) -> None:
        if abs(self.velocity) < STOP_SPEED:
            self.velocity = 0.0

"""The wheel's motion, pure: where a drawn result lands and the angle at every moment of the spin.

Angles are degrees, clockwise. Segment ``i`` of ``n`` spans ``[i, i + 1) * 360 / n`` on the wheel, clockwise
from the top; the pointer stands at the top, so a wheel turned by ``angle`` shows the wheel's point
``-angle`` under it. The spin accelerates briefly, decelerates for a long time (a cubic ease-out), passes the
resting point by a small overshoot and settles back on it.

    >>> plan = plan_spin(start=10.0, from_angle=0.0, segments=6, index=2, offset=0.5, turns=5, duration=7.0)
    >>> segment_at(plan.angle(plan.end), 6), round(plan.angle(plan.end) % 360, 6)
    (2, 210.0)
    >>> plan.angle(10.0), plan.angle(9.0)  # before the start it stands still
    (0.0, 0.0)
    >>> plan.angle(plan.end - plan.settle_s) > plan.angle(plan.end)  # the overshoot, then back
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ACCELERATE = 0.05  # share of the spin spent speeding up
SETTLE = 0.1  # share of the spin spent coming back from the overshoot
OVERSHOOT = 0.18  # of a segment's width, at most OVERSHOOT_MAX degrees
OVERSHOOT_MAX = 4.0
OFFSET_MARGIN = 0.15  # the pointer rests at least this share of a segment away from its edges


@dataclass(frozen=True)
class SpinPlan:
    """One spin from ``from_angle`` at ``start`` (monotonic seconds) to ``to_angle`` ``duration`` later."""

    start: float
    from_angle: float
    to_angle: float
    overshoot: float
    duration: float

    @property
    def end(self) -> float:
        return self.start + self.duration

    @property
    def settle_s(self) -> float:
        return self.duration * SETTLE

    def angle(self, now: float) -> float:
        """The wheel's angle at ``now``."""
        t = now - self.start
        if t <= 0:
            return self.from_angle
        if t >= self.duration:
            return self.to_angle
        accelerate, settle = self.duration * ACCELERATE, self.settle_s
        decelerate = self.duration - accelerate - settle
        distance = self.to_angle - self.from_angle + self.overshoot
        top_speed = 3 * distance / (decelerate + 1.5 * accelerate)  # the ease-out starts at the speed reached
        if t < accelerate:
            return self.from_angle + top_speed * t * t / (2 * accelerate)
        speeding = top_speed * accelerate / 2
        if t < accelerate + decelerate:
            s = (t - accelerate) / decelerate
            return self.from_angle + speeding + (distance - speeding) * (1 - (1 - s) ** 3)
        s = (t - accelerate - decelerate) / settle
        return self.from_angle + distance - self.overshoot * (1 - math.cos(math.pi * s)) / 2


def resting_angle(from_angle: float, segments: int, index: int, offset: float, turns: int) -> float:
    """The angle, ``turns`` full turns or more past ``from_angle``, that puts the point ``offset`` (0..1) of
    segment ``index`` under the pointer."""
    width = 360 / segments
    wanted = (-(index + offset) * width) % 360
    base = from_angle + turns * 360
    return base + (wanted - base) % 360


def plan_spin(*, start: float, from_angle: float, segments: int, index: int, offset: float, turns: int,
              duration: float) -> SpinPlan:
    """The spin landing segment ``index`` at ``offset`` (kept OFFSET_MARGIN away from its edges)."""
    offset = min(max(offset, OFFSET_MARGIN), 1 - OFFSET_MARGIN)
    overshoot = min(OVERSHOOT * 360 / segments, OVERSHOOT_MAX)
    return SpinPlan(start, from_angle, resting_angle(from_angle, segments, index, offset, turns), overshoot,
                    duration)


def segment_at(angle: float, segments: int) -> int:
    """The segment under the pointer when the wheel is turned by ``angle``."""
    return int(((-angle) % 360) // (360 / segments)) % segments

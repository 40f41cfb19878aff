"""Motion by the theme's tokens: a duration and a cubic Bézier easing, as CSS ``transition`` has them.

    >>> from kiosk.content.theme import Easing
    >>> linear, standard = Easing(0, 0, 1, 1), Easing(0.2, 0.0, 0.0, 1.0)
    >>> round(ease(linear, 0.25), 6), ease(standard, 0.0), ease(standard, 1.0)
    (0.25, 0.0, 1.0)
    >>> round(ease(standard, 0.5), 3)  # fast out of the gate, gentle at the end
    0.878
"""

from __future__ import annotations

from kiosk.content.theme import Easing
from kiosk.ui.look import Look


def _bezier(p1: float, p2: float, s: float) -> float:
    """One coordinate of the curve from 0 through ``p1`` and ``p2`` to 1, at parameter ``s``."""
    r = 1 - s
    return 3 * r * r * s * p1 + 3 * r * s * s * p2 + s * s * s


def ease(easing: Easing, t: float) -> float:
    """How far along (0 to 1) the eased motion is when ``t`` (0 to 1) of its time has passed."""
    if t <= 0:
        return 0.0
    if t >= 1:
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(30):  # bisection: x(s) rises monotonically as x1, x2 are within [0, 1]; 2^-30 is plenty
        s = (low + high) / 2
        if _bezier(easing.x1, easing.x2, s) < t:
            low = s
        else:
            high = s
    return _bezier(easing.y1, easing.y2, (low + high) / 2)


def progress(look: Look, duration: str, easing: str, started: float, now: float) -> float:
    """The eased progress (0 to 1) of a motion of the theme's ``duration`` and ``easing`` that began at
    ``started`` (seconds, monotonic)."""
    seconds = look.theme.durations_ms[duration] / 1000
    return ease(look.theme.easings[easing], (now - started) / seconds if seconds else 1.0)

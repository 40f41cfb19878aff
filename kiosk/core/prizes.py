"""The prize wheel's table and its draw, pure: segments with weights, stock and daily caps; the odds a draw
follows given what was awarded so far; the draw itself with a generator the caller passes (``secrets`` in
production, a seeded one only in tests).

    >>> wheel = Wheel((Segment("ten", {"en": "10 % off"}, 3, Prize("discount", 10), stock=1),
    ...                Segment("none", {"en": "No prize"}, 1)))
    >>> [round(p, 2) for p in odds(wheel, Awarded())]
    [0.75, 0.25]
    >>> odds(wheel, Awarded(total={"ten": 1}))  # its stock is gone: the fallback takes its share
    [0.0, 1.0]
    >>> import random; pick(wheel, Awarded(total={"ten": 1}), random.Random(1)).key
    'none'
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

PRIZE_TYPES = ("discount", "item", "points")
PERIODS = ("day", "week", "campaign")


@dataclass(frozen=True)
class Prize:
    """What a winning segment gives: a ``discount`` in percent, a free ``item``, or bonus ``points``."""

    type: str
    value: float


@dataclass(frozen=True)
class Segment:
    """One segment of the wheel. ``prize`` None is a "no prize" segment; ``stock`` (all time) and
    ``daily_cap`` None mean unlimited. ``redeem`` says, per language, how and where to redeem the prize."""

    key: str
    labels: Mapping[str, str]
    weight: float
    prize: Prize | None = None
    stock: int | None = None
    daily_cap: int | None = None
    colour: tuple[int, int, int] = (128, 128, 128)
    image: str | None = None
    redeem: Mapping[str, str] = field(default_factory=dict)

    @property
    def limited(self) -> bool:
        return self.stock is not None or self.daily_cap is not None


@dataclass(frozen=True)
class Limits:
    """Who may spin how often: ``spins`` per member per ``period`` (a calendar day, a rolling week, or the whole
    campaign, whose last day is ``until``), at least ``cooldown_s`` apart."""

    spins: int = 1
    period: str = "day"
    cooldown_s: float = 0.0
    until: date | None = None


@dataclass(frozen=True)
class Wheel:
    """The wheel a bundle brings (``wheel.json``): its segments clockwise from the top, the odds mode
    (``weights``, or ``stock``: a prize's weight shrinks with its remaining stock), the member limits, how
    long a reward code is good, and the least chance to win anything before a warning."""

    segments: tuple[Segment, ...]
    odds: str = "weights"
    limits: Limits = Limits()
    code_ttl_days: int = 30
    min_win_chance: float = 0.25

    def segment(self, key: str) -> Segment | None:
        return next((s for s in self.segments if s.key == key), None)

    def index(self, key: str) -> int:
        return next(i for i, s in enumerate(self.segments) if s.key == key)


@dataclass(frozen=True)
class Awarded:
    """How many of each segment's prize were awarded: ever (``total``) and on the current day (``today``)."""

    total: Mapping[str, int] = field(default_factory=dict)
    today: Mapping[str, int] = field(default_factory=dict)


def available(segment: Segment, awarded: Awarded) -> bool:
    """Whether ``segment`` can still be drawn: stock and daily cap not used up."""
    if segment.stock is not None and awarded.total.get(segment.key, 0) >= segment.stock:
        return False
    return segment.daily_cap is None or awarded.today.get(segment.key, 0) < segment.daily_cap


def weights(wheel: Wheel, awarded: Awarded) -> list[float]:
    """Each segment's weight for the next draw: 0 when sold out; in ``stock`` mode scaled by the share of its
    stock that remains."""
    result = []
    for segment in wheel.segments:
        if not available(segment, awarded):
            result.append(0.0)
        elif wheel.odds == "stock" and segment.stock:
            result.append(segment.weight * (segment.stock - awarded.total.get(segment.key, 0)) / segment.stock)
        else:
            result.append(float(segment.weight))
    return result


def odds(wheel: Wheel, awarded: Awarded) -> list[float]:
    """The probability of each segment on the next draw."""
    w = weights(wheel, awarded)
    total = sum(w)
    if total <= 0:
        raise ValueError("no segment can be drawn (every stock is gone and no fallback)")
    return [x / total for x in w]


def win_chance(wheel: Wheel, awarded: Awarded | None = None) -> float:
    """The chance that the next draw wins a prize (at full stock when ``awarded`` is None).

        >>> win_chance(Wheel((Segment("a", {}, 1, Prize("item", 1)), Segment("b", {}, 3))))
        0.25
    """
    chances = odds(wheel, awarded or Awarded())
    return sum(p for p, s in zip(chances, wheel.segments, strict=True) if s.prize is not None)


def pick(wheel: Wheel, awarded: Awarded, rng: random.Random) -> Segment:
    """One draw: a segment chosen by :func:`odds`. ``rng`` is ``secrets.SystemRandom()`` in production."""
    return rng.choices(wheel.segments, weights=weights(wheel, awarded))[0]


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud at a checkout without doubt


def reward_code(rng: random.Random) -> str:
    """A reward code a checkout reads: ``WIN-`` and 8 letters or digits (40 bits).

        >>> len(reward_code(random.Random(1))), reward_code(random.Random(1))[:4]
        (12, 'WIN-')
    """
    return "WIN-" + "".join(rng.choice(CODE_ALPHABET) for _ in range(8))

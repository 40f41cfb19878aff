"""Members, tiers and the progress from one tier to the next."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    """A loyalty tier reached at ``threshold`` points; ``colour`` (RGB) is the tier's own colour where the content
    gives one (a badge, the celebration), else scenes use the theme's accent."""

    key: str
    threshold: int
    colour: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class Member:
    """What the kiosk shows of a member. ``ref`` is the backend's member reference, safe to put in events."""

    ref: str
    name: str
    points: int
    tier: str


@dataclass(frozen=True)
class TierProgress:
    current: Tier
    next: Tier | None
    points_to_next: int
    fraction: float


def tier_for(points: int, tiers: list[Tier]) -> Tier:
    """The highest tier whose threshold ``points`` reach.

        >>> tier_for(1200, [Tier("silver", 0), Tier("gold", 1000), Tier("platinum", 5000)]).key
        'gold'
    """
    ordered = sorted(tiers, key=lambda t: t.threshold)
    reached = [t for t in ordered if points >= t.threshold]
    return reached[-1] if reached else ordered[0]


def progress(points: int, tiers: list[Tier]) -> TierProgress:
    """Where ``points`` stand between the current tier and the next one (fraction 1.0 at the top tier)."""
    ordered = sorted(tiers, key=lambda t: t.threshold)
    current = tier_for(points, ordered)
    higher = [t for t in ordered if t.threshold > current.threshold]
    if not higher:
        return TierProgress(current, None, 0, 1.0)
    nxt = higher[0]
    span = nxt.threshold - current.threshold
    done = max(0, points - current.threshold)
    return TierProgress(current, nxt, nxt.threshold - max(points, current.threshold), min(1.0, done / span))

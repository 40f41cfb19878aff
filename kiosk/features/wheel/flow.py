"""The wheel's rules, pure: who may spin now, the backend call that draws, and where a result lands.

    >>> from kiosk.core.prizes import Limits
    >>> refusal(Limits(spins=1, period="day"), [], now=1_800_000_000.0)
    >>> refusal(Limits(spins=1, period="day"), [1_800_000_000.0], now=1_800_000_060.0).reason
    'limit_day'
    >>> refusal(Limits(spins=5, period="campaign", cooldown_s=600), [100.0], now=400.0)
    Refusal(reason='cooldown', next_at=700.0)
    >>> kept_since(Limits(spins=3, period="week", cooldown_s=3600), now=1_800_000_000.0) == 1_800_000_000.0 - WEEK_S
    True
    >>> from datetime import date
    >>> campaign = Limits(spins=3, period="campaign", until=date(2027, 1, 31))
    >>> kept_since(campaign, now=datetime(2027, 1, 31, 20).timestamp()) is None  # every spin counts till the end
    True
    >>> refusal(campaign, [], now=datetime(2027, 2, 1, 9).timestamp()).reason
    'campaign_over'
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.backend.errors import BackendRefused
from kiosk.backend.models import DrawResult
from kiosk.core.flow import Call
from kiosk.core.prizes import Limits, Segment, Wheel

WEEK_S = 7 * 86400


@dataclass(frozen=True)
class Refusal:
    """Why a member may not spin now (``limit_day``, ``limit_week``, ``limit_campaign``, ``campaign_over``,
    ``cooldown``, ``credential``, ``member``, ``backend``) and from when they may again (Unix time; None: not in
    this campaign, or not known)."""

    reason: str
    next_at: float | None = None


def _midnight(now: float) -> datetime:
    """The start of the kiosk's local calendar day (the system time zone: the store's) that ``now`` falls in."""
    return datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0)


def _campaign_over(limits: Limits, now: float) -> bool:
    """Past the campaign's last day (until the kiosk's local midnight after it)."""
    if limits.period != "campaign" or limits.until is None:
        return False
    return now >= datetime.combine(limits.until + timedelta(days=1), datetime.min.time()).timestamp()


def refusal(limits: Limits, spins: Sequence[float], now: float) -> Refusal | None:
    """The refusal for a member whose counted spins (Unix times, any order) are ``spins``; None if they may."""
    if _campaign_over(limits, now):
        return Refusal("campaign_over")
    if spins and limits.cooldown_s and now - max(spins) < limits.cooldown_s:
        return Refusal("cooldown", max(spins) + limits.cooldown_s)
    if limits.period == "day":
        midnight = _midnight(now)
        counted = [t for t in spins if t >= midnight.timestamp()]
        if len(counted) >= limits.spins:
            return Refusal("limit_day", (midnight + timedelta(days=1)).timestamp())
    elif limits.period == "week":
        counted = sorted(t for t in spins if t > now - WEEK_S)
        if len(counted) >= limits.spins:
            return Refusal("limit_week", counted[len(counted) - limits.spins] + WEEK_S)
    elif len(spins) >= limits.spins:
        return Refusal("limit_campaign")
    return None


def kept_since(limits: Limits, now: float) -> float | None:
    """The oldest spin time :func:`refusal` can still count from ``now`` on (the day's start, or a week back,
    or the cooldown back if longer): older ledger rows may go. For a campaign limit: None (every spin counts)
    until its last day is over, then ``now`` (no spin counts any more)."""
    if limits.period == "campaign":
        return now if _campaign_over(limits, now) else None
    counted = _midnight(now).timestamp() if limits.period == "day" else now - WEEK_S
    return min(counted, now - limits.cooldown_s)


@dataclass(frozen=True)
class DrawDone:
    """The backend's answer for the spin ``spin_id``: the result, or the error that kept it from one."""

    spin_id: str
    result: DrawResult | None
    error: Exception | None


def draw(spin_id: str, member_ref: str, kiosk_id: str) -> Call:
    """Issue a single-use draw and play it. The idempotency keys come from the spin, so asking again for the same
    spin (after a crash, a timeout) gets the same draw and the same result, never a second draw."""

    def run(backend) -> DrawResult:
        issued = backend.issue_draw(member_ref, kiosk_id, f"{spin_id}:issue")
        return backend.play_draw(issued.draw_id, f"{spin_id}:play")

    return Call(run=run, reply=lambda result, error: DrawDone(spin_id, result, error))


def refused_by_backend(error: Exception | None) -> bool:
    """The backend said no (a limit, a used or expired draw): asking again gets the same answer."""
    return isinstance(error, BackendRefused)


def landing(wheel: Wheel, result: DrawResult, rng: random.Random) -> Segment | None:
    """The segment a result lands on: the prize's own, or for no win one of the "no prize" segments (by their
    weights); None when the wheel has no such segment (the backend's table and the content disagree)."""
    if result.won:
        return wheel.segment(result.prize.key) if result.prize else None
    blanks = [s for s in wheel.segments if s.prize is None]
    if not blanks:
        return None
    return rng.choices(blanks, weights=[s.weight or 1 for s in blanks])[0]

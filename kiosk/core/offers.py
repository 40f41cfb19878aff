"""Which in-store offers a member has today: for their tier, and for their occasion (the welcome bonus after
joining, the birthday month), each with the days it is good for. Pure: the rules come from content (the
local backend) or a backend's own catalogue.

    >>> welcome = OfferRule("welcome", "welcome", (), {"en": "500 bonus points"}, days=30)
    >>> gold = OfferRule("gold-night", "always", ("gold", "platinum"), {"en": "Gold evening"},
    ...                  starts=date(2026, 1, 1), ends=date(2026, 12, 31))
    >>> [(o.rule.offer_id, str(o.valid_until)) for o in due([welcome, gold], "silver", date(2026, 11, 20),
    ...                                                      None, date(2026, 11, 28))]
    [('welcome', '2026-12-19')]
    >>> [o.rule.offer_id for o in due([welcome, gold], "gold", date(2020, 1, 1), None, date(2026, 11, 28))]
    ['gold-night']
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

OCCASIONS = ("welcome", "birthday", "always")


@dataclass(frozen=True)
class OfferRule:
    """An offer and when a member has it. ``tiers``: the tiers it is for (empty: every tier). ``welcome``
    offers run ``days`` from joining, ``birthday`` ones through the birthday month, ``always`` ones from
    ``starts`` to ``ends``. Texts by language."""

    offer_id: str
    occasion: str
    tiers: tuple[str, ...]
    title: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    days: int = 0
    starts: date | None = None
    ends: date | None = None


@dataclass(frozen=True)
class DueOffer:
    rule: OfferRule
    valid_from: date
    valid_until: date  # the last day it is good for


def due(rules: list[OfferRule], tier: str, joined_on: date | None, birth_month: int | None,
        today: date) -> list[DueOffer]:
    """The offers of ``rules`` a member of ``tier`` has ``today``, in the rules' order."""
    offers = []
    for rule in rules:
        if rule.tiers and tier not in rule.tiers:
            continue
        window = _window(rule, joined_on, birth_month, today)
        if window is not None and window[0] <= today <= window[1]:
            offers.append(DueOffer(rule, *window))
    return offers


def _window(rule: OfferRule, joined_on: date | None, birth_month: int | None,
            today: date) -> tuple[date, date] | None:
    if rule.occasion == "welcome":
        return None if joined_on is None else (joined_on, joined_on + timedelta(days=rule.days - 1))
    if rule.occasion == "birthday":
        if birth_month != today.month:
            return None
        return today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if rule.starts is None or rule.ends is None:
        return None
    return rule.starts, rule.ends

"""The in-store offers of the content bundle (``offers.json``): what the local backend gives members on their
profile, by tier and occasion (see :mod:`kiosk.core.offers`). A backend of the retailer's own serves its own.

    >>> from kiosk.content.schemas import DEFAULT_DIR, JSON_CAP, read_json
    >>> from kiosk.core.member import Tier
    >>> tiers = [Tier("silver", 0), Tier("gold", 1000), Tier("platinum", 5000)]
    >>> rules = check(read_json(DEFAULT_DIR / FILE, JSON_CAP), DEFAULT_DIR / FILE, {"tiers.json": tiers})
    >>> sorted({rule.occasion for rule in rules})
    ['always', 'birthday', 'welcome']
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.config import LANGUAGES
from kiosk.content.schemas import Faults, FileSchema, Parsed, fail
from kiosk.core.offers import OCCASIONS, OfferRule

FILE = "offers.json"
OFFER_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
TITLE_MAX, DESCRIPTION_MAX = 120, 500


def check(data: Any, file: Path, parsed: Parsed) -> list[OfferRule]:
    """Offers with ids unique, a known occasion and its dates, known tiers, a title (and an optional
    description) in every language."""
    if not isinstance(data, list):
        raise fail(file, "(top)", "a list of offers")
    tiers = {tier.key for tier in parsed["tiers.json"]}
    faults, rules, ids = Faults(file), [], set()
    for i, item in enumerate(data):
        where = f"[{i}]"
        if not isinstance(item, dict):
            faults.add(where, "an offer object")
            continue
        before = len(faults.found)
        offer_id = item.get("id")
        if not isinstance(offer_id, str) or not OFFER_ID.fullmatch(offer_id) or offer_id in ids:
            faults.add(f"{where}.id", "a unique id of 1-64 letters, digits, '.', '_', ':' or '-'")
        ids.add(offer_id)
        occasion = item.get("occasion")
        if occasion not in OCCASIONS:
            faults.add(f"{where}.occasion", f"one of {', '.join(OCCASIONS)}")
        for_tiers = item.get("tiers", [])
        if not isinstance(for_tiers, list) or not set(for_tiers) <= tiers:
            faults.add(f"{where}.tiers", f"a list of tiers of tiers.json ({', '.join(sorted(tiers))})")
        days = item.get("days", 0)
        if occasion == "welcome" and (not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366):
            faults.add(f"{where}.days", "whole days from 1 to 366 (how long after joining it is good)")
        starts, ends = _day(item.get("from")), _day(item.get("until"))
        if occasion == "always" and (starts is None or ends is None or ends < starts):
            faults.add(f"{where}.from", "'from' and 'until' dates (YYYY-MM-DD), 'until' not before 'from'")
        texts = {}
        for key, longest, needed in (("title", TITLE_MAX, True), ("description", DESCRIPTION_MAX, False)):
            values = item.get(key, {} if not needed else None)
            texts[key] = values
            for language in LANGUAGES if (needed or values) else ():
                text = values.get(language) if isinstance(values, dict) else None
                if not isinstance(text, str) or not 1 <= len(text) <= longest:
                    faults.add(f"{where}.{key}.{language}", f"a text of 1-{longest} characters")
        if len(faults.found) == before:
            rules.append(OfferRule(offer_id, occasion, tuple(for_tiers), dict(texts["title"]),
                                   dict(texts["description"] or {}), days if occasion == "welcome" else 0,
                                   starts, ends))
    faults.raise_any()
    return rules


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


SCHEMA = FileSchema(FILE, check, requires=("tiers.json",))

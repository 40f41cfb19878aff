"""``wheel.json``: the prize wheel's segments, odds mode, member limits and reward-code lifetime.

Refused (the bundle does not load, the previous content stays): no segments, a negative or non-number weight,
nothing drawable, a stock or cap that is not a whole number >= 0, a label or redeem text missing in a language,
and a wheel whose every segment can run out (no segment without stock or cap, with a weight above 0, to
fall back on), and a ``campaign`` limit without its last day (``limits.until``, YYYY-MM-DD: the kiosk forgets
who spun once the campaign is over). A chance to win anything below ``min_win_chance`` (default 25 %) is
logged as a warning.

    >>> import json, pathlib, tempfile
    >>> from kiosk.content.schemas import DEFAULT_DIR
    >>> file = DEFAULT_DIR / "wheel.json"
    >>> wheel = check_wheel(json.loads(file.read_text()), file, {})
    >>> [s.key for s in wheel.segments][:2], wheel.limits.period
    (['ten-off', 'none'], 'day')
    >>> check_wheel({"segments": []}, pathlib.Path("wheel.json"), {})
    Traceback (most recent call last):
    ...
    kiosk.content.schemas.FileFaults: wheel.json: segments: expected a non-empty list of segments
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.config import LANGUAGES
from kiosk.content.images import is_image
from kiosk.content.schemas import Faults, FileSchema, Parsed
from kiosk.core.prizes import PERIODS, PRIZE_TYPES, Limits, Prize, Segment, Wheel, win_chance

log = logging.getLogger(__name__)

KEY = re.compile(r"^[a-z0-9_-]{1,32}$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_SEGMENTS = 16
MAX_TEXT = 200


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _count(value: Any) -> bool:
    """None (unlimited) or a whole number >= 0."""
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)


def _texts(value: Any, faults: Faults, key: str, required: bool = True) -> dict[str, str]:
    """A text per language: every language has one, each 1..MAX_TEXT characters."""
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        faults.add(key, f"a text per language ({', '.join(LANGUAGES)})")
        return {}
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not 0 < len(text.strip()) <= MAX_TEXT:
            faults.add(f"{key}.{language}", f"a text of 1 to {MAX_TEXT} characters")
    return {language: value[language] for language in LANGUAGES if isinstance(value.get(language), str)}


def _prize(value: Any, faults: Faults, key: str) -> Prize | None:
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("type") not in PRIZE_TYPES:
        faults.add(f"{key}.type", f"one of {', '.join(PRIZE_TYPES)} (or prize null for no prize)")
        return None
    amount = value.get("value")
    if not _number(amount) or amount <= 0:
        faults.add(f"{key}.value", "a number above 0 (percent, item count or points)")
        return None
    return Prize(value["type"], float(amount))


def _segment(item: Any, folder: Path, faults: Faults, key: str) -> Segment | None:
    if not isinstance(item, dict):
        faults.add(key, "a segment object")
        return None
    found = len(faults.found)
    if not isinstance(item.get("key"), str) or not KEY.match(item["key"]):
        faults.add(f"{key}.key", "a key of 1-32 lower-case letters, digits, '-' or '_'")
    labels = _texts(item.get("label"), faults, f"{key}.label")
    weight = item.get("weight")
    if not _number(weight) or weight < 0:
        faults.add(f"{key}.weight", "a number >= 0")
    prize = _prize(item.get("prize"), faults, f"{key}.prize")
    redeem = _texts(item.get("redeem"), faults, f"{key}.redeem", required=prize is not None)
    for limit in ("stock", "daily_cap"):
        if not _count(item.get(limit)):
            faults.add(f"{key}.{limit}", "a whole number >= 0, or null for unlimited")
    if prize is None and (item.get("stock") is not None or item.get("daily_cap") is not None):
        faults.add(key, "stock and daily_cap only on a segment with a prize")
    colour = item.get("colour")
    if not isinstance(colour, str) or not COLOUR.match(colour):
        faults.add(f"{key}.colour", "a colour like '#7a2e22'")
    image = item.get("image")
    if image is not None and (not isinstance(image, str) or not is_image(image) or ".." in Path(image).parts
                              or not (folder / image).is_file()):
        faults.add(f"{key}.image", "a PNG or JPEG file of the bundle, or null")
    if len(faults.found) > found:
        return None
    return Segment(item["key"], labels, float(weight), prize, item.get("stock"), item.get("daily_cap"),
                   tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5)), image, redeem)


def _limits(value: Any, faults: Faults) -> Limits:
    if not isinstance(value, dict):
        faults.add("limits", "an object with spins, period and cooldown_s")
        return Limits()
    spins, period, cooldown = value.get("spins"), value.get("period"), value.get("cooldown_s", 0)
    if not isinstance(spins, int) or isinstance(spins, bool) or not 1 <= spins <= 1000:
        faults.add("limits.spins", "spins per member per period, a whole number from 1 to 1000")
    if period not in PERIODS:
        faults.add("limits.period", f"one of {', '.join(PERIODS)}")
    if not _number(cooldown) or not 0 <= cooldown <= 86400 * 30:
        faults.add("limits.cooldown_s", "seconds between a member's spins, from 0 to 2592000")
    until = _campaign_end(value.get("until"), period, faults)
    return Limits(spins, period, float(cooldown), until) if not faults.found else Limits()


def _campaign_end(value: Any, period: Any, faults: Faults) -> date | None:
    """A campaign limit needs its last day: without one, who spun could never be forgotten."""
    if period != "campaign":
        if value is not None:
            faults.add("limits.until", "no value: only a campaign limit has a last day")
        return None
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    faults.add("limits.until", "the campaign's last day as YYYY-MM-DD (a campaign limit needs an end)")
    return None


def check_wheel(data: Any, file: Path, _: Parsed) -> Wheel:
    """The wheel of ``wheel.json``; every fault of the file in one :class:`FileFaults`."""
    faults = Faults(file)
    if not isinstance(data, dict):
        faults.add("(top)", "an object with segments, odds, limits, code_ttl_days")
        faults.raise_any()
    items = data.get("segments")
    if not isinstance(items, list) or not items:
        faults.add("segments", "a non-empty list of segments")
        faults.raise_any()
    if len(items) > MAX_SEGMENTS:
        faults.add("segments", f"at most {MAX_SEGMENTS} segments (each must stay large enough to read)")
    segments = [_segment(item, file.parent, faults, f"segments[{i}]") for i, item in enumerate(items)]
    odds = data.get("odds", "weights")
    if odds not in ("weights", "stock"):
        faults.add("odds", "'weights' or 'stock' (a prize's odds follow its remaining stock)")
    limits = _limits(data.get("limits"), faults)
    ttl = data.get("code_ttl_days", 30)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or not 1 <= ttl <= 365:
        faults.add("code_ttl_days", "how long a reward code is good, 1 to 365 days")
    least = data.get("min_win_chance", 0.25)
    if not _number(least) or not 0 <= least <= 1:
        faults.add("min_win_chance", "a share from 0 to 1 (0.25 is 25 %)")
    faults.raise_any()
    keys = [s.key for s in segments if s]
    if len(set(keys)) != len(keys):
        faults.add("segments", "a different key for every segment")
    if not any(s.weight > 0 for s in segments if s):
        faults.add("segments", "at least one segment with a weight above 0")
    elif not any(s.weight > 0 and not s.limited for s in segments if s):
        faults.add("segments", "a segment to fall back on when every stock is gone (a weight above 0, no stock "
                               "or daily cap: 'no prize' or an unlimited prize)")
    faults.raise_any()
    wheel = Wheel(tuple(s for s in segments if s), odds, limits, ttl, float(least))
    chance = win_chance(wheel)
    if chance < wheel.min_win_chance:
        log.warning("%s: the chance to win anything is %.1f %%, below the %.0f %% set as the least (min_win_chance)",
                    file, chance * 100, wheel.min_win_chance * 100)
    return wheel


SCHEMA = FileSchema("wheel.json", check_wheel, max_bytes=64 * 1024, optional=True)
"""Optional: a bundle without a wheel offers no spins (``wheel:open`` does nothing)."""

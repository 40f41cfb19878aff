"""The backend's JSON answers checked field by field and turned into the port's values.

An answer off the contract (docs/backend-openapi.yaml) is :class:`kiosk.exc.BackendUnavailable`, naming the
field and never its value (it may be personal):

    >>> member("member lookup", {"member_ref": "M-1", "name": "Anna", "points": 10, "tier": "gold"}).points
    10
    >>> member("member lookup", {"member_ref": "M-1", "name": "Anna", "points": "10", "tier": "gold"})
    Traceback (most recent call last):
    ...
    kiosk.exc.BackendUnavailable: member lookup answered a bad or missing 'points'
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from kiosk.backend.models import Draw, DrawResult, JoinSession, Offer, Prize, Profile
from kiosk.core.member import Member
from kiosk.exc import BackendUnavailable

_REF = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,128}$")
_KEY = re.compile(r"^[a-z0-9_-]{1,32}$")
_CODE = re.compile(r"^[A-Z0-9-]{4,32}$")
_SKU = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_HISTORY = 50
LANGUAGES = ("ru", "en", "nb")


def member(what: str, data: Any) -> Member:
    obj = _object(what, data)
    return Member(_match(what, obj, "member_ref", _REF), _text(what, obj, "name", 0, 100),
                  _count(what, obj, "points"), _match(what, obj, "tier", _KEY))


def profile(what: str, data: Any) -> Profile:
    base = member(what, data)
    obj = data
    language = obj.get("language")
    if language not in LANGUAGES:
        raise _bad(what, "language")
    if "next_tier" not in obj:
        raise _bad(what, "next_tier")
    next_tier = obj["next_tier"]
    if next_tier is not None:
        next_tier = _match(what, _object(what, next_tier, "next_tier"), "key", _KEY)
    progress = obj.get("progress")
    if not isinstance(progress, int | float) or isinstance(progress, bool) or not 0 <= progress <= 1:
        raise _bad(what, "progress")
    offers = obj.get("offers")
    if not isinstance(offers, list) or len(offers) > 50:
        raise _bad(what, "offers")
    return Profile(base.ref, base.name, base.points, base.tier, language=language, next_tier=next_tier,
                   points_to_next=_count(what, obj, "points_to_next"), progress=float(progress),
                   offers=tuple(_offer(what, o) for o in offers))


def join_session(what: str, data: Any) -> JoinSession:
    obj = _object(what, data)
    state = obj.get("state")
    if state not in ("open", "joined"):
        raise _bad(what, "state")
    member_ref = obj.get("member_ref")
    return JoinSession(_match(what, obj, "join_token", _TOKEN), _text(what, obj, "kiosk_id", 1, 64),
                       _text(what, obj, "session_id", 1, 64), _time(what, obj, "expires_at"), state,
                       None if member_ref is None else _match(what, obj, "member_ref", _REF))


def draw(what: str, data: Any) -> Draw:
    obj = _object(what, data)
    _expect(what, obj, "game", "wheel")
    _expect(what, obj, "state", "issued")
    return Draw(_match(what, obj, "draw_id", _TOKEN), _match(what, obj, "member_ref", _REF), "wheel",
                _time(what, obj, "expires_at"))


def draw_result(what: str, data: Any) -> DrawResult:
    obj = _object(what, data)
    _expect(what, obj, "state", "drawn")
    won = obj.get("won")
    if not isinstance(won, bool):
        raise _bad(what, "won")
    drawn_at = _time(what, obj, "drawn_at")
    if not won:
        if obj.get("prize") is not None or obj.get("code") is not None:
            raise _bad(what, "prize")
        return DrawResult(_match(what, obj, "draw_id", _TOKEN), False, drawn_at)
    prize = _object(what, obj.get("prize"), "prize")
    return DrawResult(_match(what, obj, "draw_id", _TOKEN), True, drawn_at,
                      Prize(_match(what, prize, "key", _KEY), _text(what, prize, "label", 1, 80)),
                      _match(what, obj, "code", _CODE), _time(what, obj, "code_expires_at"))


def style_history(what: str, data: Any) -> list[str]:
    """The SKUs of a style history, at most MAX_HISTORY, each a catalogue SKU's shape.

        >>> style_history("style history", {"skus": ["TOP-01", "ACC-04"]})
        ['TOP-01', 'ACC-04']
    """
    skus = _object(what, data).get("skus")
    if (not isinstance(skus, list) or len(skus) > MAX_HISTORY
            or not all(isinstance(sku, str) and _SKU.fullmatch(sku) for sku in skus)):
        raise _bad(what, "skus")
    return skus


def event_receipt(what: str, data: Any) -> bool:
    duplicate = _object(what, data).get("duplicate")
    if not isinstance(duplicate, bool):
        raise _bad(what, "duplicate")
    return duplicate


def _offer(what: str, data: Any) -> Offer:
    obj = _object(what, data, "offers")
    description = obj.get("description", "")
    if not isinstance(description, str) or len(description) > 500:
        raise _bad(what, "description")
    return Offer(_match(what, obj, "offer_id", _REF), _text(what, obj, "title", 1, 120),
                 _time(what, obj, "valid_from"), _time(what, obj, "valid_until"), description)


def _object(what: str, data: Any, name: str | None = None) -> dict:
    if not isinstance(data, dict):
        raise BackendUnavailable(f"{what} answered JSON that is not an object"
                                 + (f" in {name!r}" if name else ""))
    return data


def _bad(what: str, key: str) -> BackendUnavailable:
    return BackendUnavailable(f"{what} answered a bad or missing {key!r}")


def _expect(what: str, obj: dict, key: str, value: str) -> None:
    if obj.get(key) != value:
        raise _bad(what, key)


def _text(what: str, obj: dict, key: str, shortest: int, longest: int) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not shortest <= len(value) <= longest:
        raise _bad(what, key)
    return value


def _match(what: str, obj: dict, key: str, pattern: re.Pattern) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise _bad(what, key)
    return value


def _count(what: str, obj: dict, key: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _bad(what, key)
    return value


def _time(what: str, obj: dict, key: str) -> str:
    value = obj.get(key)
    try:
        if not isinstance(value, str) or len(value) > 40 or datetime.fromisoformat(value).tzinfo is None:
            raise ValueError
    except ValueError:
        raise _bad(what, key) from None
    return value

"""The wheel's events, their data schemas (as docs/asyncapi.yaml states them), and the ledger rows and stock
counters each writes in its own transaction.

A spin's ledger row is written as ``requested`` before the draw is asked for (:func:`request`), so a crash
after the backend drew is answered by asking again with the same idempotency keys. Its result, the ``spin``
event, the ``prize_awarded`` event and the stock counter then commit together.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.events import EventType, Priority
from kiosk.storage.prizes import count_award, today
from kiosk.storage.store import Store

ULID = {"$ref": "#/components/schemas/Ulid"}
SEGMENT = {"type": "string", "pattern": "^[a-z0-9_-]{1,32}$", "description": "a segment key of wheel.json"}


def _obj(required: list[str], properties: dict) -> dict:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


def request(store: Store, spin_id: str, session_id: str | None, member_ref: str, at: float) -> None:
    """The spin is asked for: its row counts against the member's limits from now on."""
    with store.transaction() as tx:
        tx.execute("INSERT INTO spins(spin_id, session_id, member_ref, requested_at, state) "
                   "VALUES (?, ?, ?, ?, 'requested')", (spin_id, session_id, member_ref, at))


def purge(store: Store, before: float) -> int:
    """Forget the finished spins asked for before ``before`` (refused, or drawn and shown): member references
    are kept no longer than a limit needs them. Unfinished rows stay for the restart that finishes them.
    Returns how many went."""
    with store.transaction() as tx:
        return tx.execute("DELETE FROM spins WHERE requested_at < ? AND (state = 'refused' OR "
                          "(state = 'drawn' AND shown_at IS NOT NULL))", (before,)).rowcount


def refuse(store: Store, spin_id: str) -> None:
    """The backend refused the draw: the spin did not happen and does not count."""
    with store.transaction() as tx:
        tx.execute("UPDATE spins SET state = 'refused' WHERE spin_id = ? AND state = 'requested'", (spin_id,))


def shown(store: Store, spin_id: str, at: float) -> None:
    """The result was shown (or there was nobody left to show it to): a restart does not show it again."""
    with store.transaction() as tx:
        tx.execute("UPDATE spins SET shown_at = ? WHERE spin_id = ?", (at, spin_id))


def _spin(tx: Any, data: dict) -> None:
    changed = tx.execute("UPDATE spins SET state = 'drawn', draw_id = ?, segment = ?, won = ?, landing = ? "
                         "WHERE spin_id = ? AND state = 'requested'",
                         (data["draw_id"], data["segment"], data["won"], data["landing"], data["spin_id"]))
    if changed.rowcount != 1:
        raise ValueError("a spin's result recorded twice, or for a spin never requested")


def _prize_awarded(tx: Any, data: dict) -> None:
    tx.execute("UPDATE spins SET label = ?, code = ?, code_expires_at = ? WHERE spin_id = ?",
               (data["label"], data["code"], data["code_expires_at"], data["spin_id"]))
    count_award(tx, data["segment"], today(data["awarded_at"]))


EVENTS = [
    EventType("spin", _obj(["spin_id", "session_id", "member_ref", "draw_id", "segment", "won", "landing",
                            "recovered"], {
        "spin_id": ULID, "session_id": {"oneOf": [ULID, {"type": "null"}]},
        "member_ref": {"$ref": "#/components/schemas/Ref"},
        "draw_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,128}$"},
        "segment": SEGMENT, "won": {"type": "boolean"},
        "landing": {"type": "number", "minimum": 0, "maximum": 1,
                    "description": "where in the segment the pointer rests, 0 its first edge, 1 its last"},
        "recovered": {"type": "boolean", "description": "completed after a restart that interrupted it"}}),
              Priority.CRITICAL, personal=("$.data.member_ref",), persist=_spin),
    EventType("prize_awarded", _obj(["spin_id", "member_ref", "segment", "prize", "label", "code",
                                     "code_expires_at", "awarded_at"], {
        "spin_id": ULID, "member_ref": {"$ref": "#/components/schemas/Ref"}, "segment": SEGMENT,
        "prize": {"oneOf": [_obj(["type", "value"], {"type": {"enum": ["discount", "item", "points"]},
                                                     "value": {"type": "number", "exclusiveMinimum": 0}}),
                            {"type": "null"}],
                  "description": "null when the backend's prize is not on this kiosk's wheel"},
        "label": {"type": "string", "minLength": 1, "maxLength": 200},
        "code": {"type": "string", "pattern": "^[A-Z0-9-]{4,32}$", "description": "the reward code to redeem"},
        "code_expires_at": {"type": "string", "format": "date-time"},
        "awarded_at": {"type": "number", "description": "Unix time; the day of the daily caps"}}),
              Priority.CRITICAL, personal=("$.data.member_ref",), persist=_prize_awarded),
    EventType("spin_refused", _obj(["session_id", "reason"], {
        "session_id": {"oneOf": [ULID, {"type": "null"}]},
        "reason": {"enum": ["limit_day", "limit_week", "limit_campaign", "campaign_over", "cooldown", "credential",
                            "member", "backend"]}})),
]

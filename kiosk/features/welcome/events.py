"""The events of a shopper's session, with their data schemas (as docs/asyncapi.yaml states them) and the
state each one writes in its own transaction."""

from __future__ import annotations

import time
from typing import Any

from kiosk.config import LANGUAGES
from kiosk.core.events import EventType, Priority
from kiosk.core.session import END_REASONS

SESSION_ID = {"$ref": "#/components/schemas/Ulid"}
CREDENTIAL_KIND = {"$ref": "#/components/schemas/CredentialKind"}


def _obj(required: list[str], properties: dict) -> dict:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


def _session_tapped(tx: Any, data: dict) -> None:
    """A tap starts a session, or names the shopper of the one they walked up to."""
    tx.execute("INSERT INTO sessions(session_id, credential_kind, started_at) VALUES (?, ?, ?) "
               "ON CONFLICT(session_id) DO UPDATE SET credential_kind = excluded.credential_kind",
               (data["session_id"], data["credential"]["kind"], time.time()))


def _session_walked_up(tx: Any, data: dict) -> None:
    """A session without a tap (the crash recovery at the next start ends it as it does any other)."""
    tx.execute("INSERT INTO sessions(session_id, credential_kind, started_at) VALUES (?, 'none', ?)",
               (data["session_id"], time.time()))


def _session_ended(tx: Any, data: dict) -> None:
    tx.execute("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE session_id = ?",
               (time.time(), data["reason"], data["session_id"]))


def _language_chosen(tx: Any, data: dict) -> None:
    """The member's language, used on their next tap at this kiosk."""
    tx.execute("INSERT INTO member_languages(member_ref, language, chosen_at) VALUES (?, ?, ?) "
               "ON CONFLICT(member_ref) DO UPDATE SET language = excluded.language, chosen_at = excluded.chosen_at",
               (data["member_ref"], data["language"], time.time()))


EVENTS = [
    EventType("tap", {"$ref": "#/components/schemas/TapData"}, personal=("$.data.credential.ref",),
              persist=_session_tapped),
    EventType("walk_up", _obj(["session_id"], {"session_id": SESSION_ID}), persist=_session_walked_up),
    EventType("session_ended", _obj(["session_id", "reason", "duration_s"], {
        "session_id": SESSION_ID, "reason": {"enum": list(END_REASONS)},
        "duration_s": {"type": ["number", "null"], "minimum": 0,
                       "description": "null when a crash ended it (the next start reports it)"}}),
              persist=_session_ended),
    EventType("member_identified", {"$ref": "#/components/schemas/MemberData"}, personal=("$.data.member_ref",)),
    EventType("member_joined", {"$ref": "#/components/schemas/MemberData"}, Priority.CRITICAL,
              personal=("$.data.member_ref",)),
    EventType("unknown_credential", _obj(["session_id", "credential_kind"], {
        "session_id": SESSION_ID, "credential_kind": CREDENTIAL_KIND})),
    EventType("lookup_failed", _obj(["session_id"], {"session_id": SESSION_ID})),
    EventType("tap_refused", _obj(["reason", "credential_kind"], {
        "reason": {"enum": ["maintenance"]}, "credential_kind": CREDENTIAL_KIND})),
    EventType("tap_rejected", _obj(["reason", "source"], {
        "reason": {"type": "string", "pattern": "^[a-z0-9_]{1,64}$",
                   "description": "e.g. ndef_malformed, app_error_status"},
        "source": {"type": "string"}})),
    EventType("phone_join_offered", _obj(["session_id", "join_token", "via"], {
        "session_id": {"oneOf": [SESSION_ID, {"type": "null"}]},
        "join_token": {"$ref": "#/components/schemas/Ref"}, "via": {"enum": ["nfc", "qr"]}})),
    EventType("language_chosen", _obj(["member_ref", "language"], {
        "member_ref": {"$ref": "#/components/schemas/Ref"}, "language": {"enum": list(LANGUAGES)}}),
              personal=("$.data.member_ref",), persist=_language_chosen),
]

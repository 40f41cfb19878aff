"""The events of joining, with their data schemas (as docs/asyncapi.yaml states them) and the state each one
writes in its own transaction: a sign-up made on the kiosk is stored with its consent record the moment it is
sent (so no network failure loses it) and its contact details are removed the moment the backend answered.

No event carries a phone number, a name or an e-mail address: the kiosk's sign-up keeps them in ``private``
(kiosk/core/flow.py), which only the ``signup`` event's hook stores."""

from __future__ import annotations

import json
import time
from typing import Any

from kiosk.core.events import EventType, Priority

ULID = {"$ref": "#/components/schemas/Ulid"}
NULLABLE_REF = {"$ref": "#/components/schemas/NullableRef"}
CHANNELS = ("kiosk", "phone")
OUTCOMES = ("registered", "already_member", "refused")
_VERSION = {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,32}$"}
_PURPOSE = "^[a-z][a-z_]{0,31}$"


def _obj(required: list[str], properties: dict) -> dict:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


def _signup(tx: Any, data: dict) -> None:
    """A kiosk sign-up is kept until the backend answers it (the registration is the private part)."""
    if "registration" in data:
        tx.execute("INSERT INTO signups(signup_id, session_id, channel, registration, created_at) "
                   "VALUES (?, ?, ?, ?, ?)", (data["signup_id"], data["session_id"], data["channel"],
                                              json.dumps(data["registration"]), time.time()))


def _consent_recorded(tx: Any, data: dict) -> None:
    for purpose, answer in data["consents"].items():
        tx.execute("INSERT INTO consent_records(signup_id, purpose, text_version, granted, recorded_at) "
                   "VALUES (?, ?, ?, ?, ?)", (data["signup_id"], purpose, answer["version"], answer["granted"],
                                              time.time()))


def _signup_synced(tx: Any, data: dict) -> None:
    """The backend answered: the contact details leave the store (secure_delete zeroes them in the file; the
    join feature empties the WAL after)."""
    tx.execute("UPDATE signups SET registration = NULL, outcome = ?, member_ref = ?, synced_at = ? "
               "WHERE signup_id = ?", (data["outcome"], data["member_ref"], time.time(), data["signup_id"]))


EVENTS = [
    EventType("signup", _obj(["session_id", "signup_id", "channel", "member_ref", "consents"], {
        "session_id": {"oneOf": [ULID, {"type": "null"}]},
        "signup_id": ULID,
        "channel": {"enum": list(CHANNELS)},
        "member_ref": NULLABLE_REF,
        "consents": {"type": "object", "description": "the version of each consent text the shopper was shown",
                     "propertyNames": {"pattern": _PURPOSE}, "additionalProperties": _VERSION}}),
              Priority.CRITICAL, personal=("$.data.member_ref",), persist=_signup),
    EventType("consent_recorded", _obj(["signup_id", "channel", "consents"], {
        "signup_id": ULID,
        "channel": {"enum": list(CHANNELS)},
        "consents": {"type": "object", "propertyNames": {"pattern": _PURPOSE},
                     "additionalProperties": _obj(["version", "granted"], {"version": _VERSION,
                                                                            "granted": {"type": "boolean"}})}}),
              Priority.CRITICAL, persist=_consent_recorded),
    EventType("signup_synced", _obj(["signup_id", "outcome", "member_ref"], {
        "signup_id": ULID,
        "outcome": {"enum": list(OUTCOMES)},
        "member_ref": NULLABLE_REF}),
              Priority.CRITICAL, personal=("$.data.member_ref",), persist=_signup_synced),
]

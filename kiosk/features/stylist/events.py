"""The stylist's events, with their data schemas as docs/asyncapi.yaml states them, the state each writes in its
own transaction (the ``stylist_requests`` table), and the copy the store's associates see on
``{prefix}/stores/{store_id}/stylist/{request_id}`` (retained while the request is open; cleared once closed).
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from kiosk.core.events import EventType
from kiosk.features.stylist.requests import CANCEL_REASONS, CLOSED, OPEN, STATUSES

ULID = {"$ref": "#/components/schemas/Ulid"}
LOOK = {"$ref": "#/components/schemas/StylistLook"}
UTC_TIME = {"$ref": "#/components/schemas/UtcTime"}
QUEUE_SCHEMA = "kiosk.stylist/1"


def _obj(required: list[str], properties: dict) -> dict:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


def unix(utc: str) -> float:
    """A Unix time from an event's UTC time text.

        >>> unix("1970-01-01T00:01:00.500Z")
        60.5
    """
    return datetime.fromisoformat(utc).timestamp()


def _requested(tx: Any, data: dict) -> None:
    now = time.time()
    tx.execute("INSERT INTO stylist_requests(request_id, session_id, status, look, requested_at, updated_at) "
               "VALUES (?, ?, ?, ?, ?, ?)", (data["request_id"], data["session_id"], OPEN,
                                             json.dumps(data["look"]), unix(data["requested_at"]), now))


def _status(tx: Any, data: dict) -> None:
    tx.execute("UPDATE stylist_requests SET status = ?, associate = ?, eta_min = ?, reason = ?, escalated = ?, "
               "updated_at = ? WHERE request_id = ?", (data["status"], data["associate"], data["eta_min"],
                                                       data["reason"], data["escalated"], time.time(),
                                                       data["request_id"]))


def queue_entry(envelope: dict) -> tuple[str, dict | None]:
    """What the associates see of a stylist event: the request as it stands, or None once it is closed."""
    data = envelope["data"]
    status = OPEN if envelope["type"] == "stylist_request" else data["status"]
    topic = f"stylist/{data['request_id']}"
    if status in CLOSED:
        return topic, None
    return topic, {"schema": QUEUE_SCHEMA, "request_id": data["request_id"], "kiosk_id": envelope["kiosk_id"],
                   "store_id": envelope["store_id"], "status": status, "escalated": data.get("escalated", False),
                   "requested_at": data["requested_at"], "updated_at": envelope["occurred_at"],
                   "associate": data.get("associate"), "eta_min": data.get("eta_min"), "look": data["look"]}


EVENTS = [
    EventType("stylist_request", _obj(
        ["request_id", "session_id", "member_ref", "requested_at", "language", "look"], {
            "request_id": ULID, "session_id": {"oneOf": [ULID, {"type": "null"}]},
            "member_ref": {"$ref": "#/components/schemas/NullableRef"}, "requested_at": UTC_TIME,
            "language": {"type": "string"}, "look": LOOK}),
              personal=("$.data.member_ref",), persist=_requested, store_copy=queue_entry),
    EventType("stylist_status", _obj(
        ["request_id", "status", "associate", "eta_min", "reason", "escalated", "requested_at", "look"], {
            "request_id": ULID, "status": {"enum": [s for s in STATUSES if s != OPEN]},
            "associate": {"type": ["string", "null"]}, "eta_min": {"type": ["integer", "null"], "minimum": 0},
            "reason": {"oneOf": [{"type": "null"}, {"enum": list(CANCEL_REASONS)}]},
            "escalated": {"type": "boolean"}, "requested_at": UTC_TIME, "look": LOOK}),
              persist=_status, store_copy=queue_entry),
]

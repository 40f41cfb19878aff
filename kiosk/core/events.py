"""Event identities, the envelope every event travels in, and what an event type declares (docs/architecture.md)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

SCHEMA = "kiosk.event/1"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(now_ms: int | None = None, randomness: bytes | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, Crockford base32, sortable by time.

        >>> new_ulid(0, bytes(10))
        '00000000000000000000000000'
    """
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    rnd = os.urandom(10) if randomness is None else randomness
    number = (ms << 80) | int.from_bytes(rnd, "big")
    return "".join(_CROCKFORD[(number >> shift) & 31] for shift in range(125, -1, -5))


def utc_ms(timestamp: float) -> str:
    """An ISO 8601 UTC time with milliseconds, as events carry it.

        >>> utc_ms(0)
        '1970-01-01T00:00:00.000Z'
    """
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def envelope(
    *,
    event_id: str,
    seq: int,
    boot_id: str,
    kiosk_id: str,
    store_id: str,
    type: str,
    occurred_at: float,
    clock_synced: bool,
    data: dict,
) -> dict:
    """The envelope of one event; ``occurred_at`` is a Unix time."""
    return {
        "schema": SCHEMA,
        "event_id": event_id,
        "seq": seq,
        "boot_id": boot_id,
        "kiosk_id": kiosk_id,
        "store_id": store_id,
        "type": type,
        "occurred_at": utc_ms(occurred_at),
        "clock_synced": clock_synced,
        "data": data,
    }


class Priority(IntEnum):
    """How an undelivered event may be treated when the outbox is under pressure."""

    CRITICAL = 0  # money and consent: never dropped, never expire
    NORMAL = 1  # the shopper's steps: never dropped
    LOW = 2  # diagnostics: expire after a while and go first when the outbox is full


@dataclass(frozen=True)
class EventType:
    """One kind of event a feature records.

    ``schema`` is the JSON Schema of its ``data``, exactly as docs/asyncapi.yaml states it (a test holds the two
    together); ``personal`` the JSON paths of fields that point at a person, kept until delivery and then
    blanked; ``persist(tx, data)``, when given, writes the state change the event reports in the event's own
    transaction (both or neither); ``store_copy`` puts the event's news on a store-level topic too (the
    stylist's requests for the associates).

        >>> EventType("spin", {"type": "object"}, Priority.CRITICAL).priority.name
        'CRITICAL'
    """

    name: str
    schema: dict
    priority: Priority = Priority.NORMAL
    personal: tuple[str, ...] = ()
    persist: Callable[[Any, dict], None] | None = field(default=None, compare=False)
    store_copy: Callable[[dict], tuple[str, dict | None]] | None = field(default=None, compare=False)
    """What the store's staff see of the event, given its envelope: ``(subtopic, payload)`` published retained
    on ``{prefix}/stores/{store_id}/{subtopic}`` with the event (a None payload clears the topic)."""

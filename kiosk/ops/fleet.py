"""What the console knows of each kiosk, folded from the messages it publishes: retained status and birth
(there as soon as the console subscribes), and live telemetry.

    >>> fleet = Fleet("loyalty/v1")
    >>> fleet.apply("loyalty/v1/kiosk-1/status", b"online", retained=True, now=100.0)
    >>> fleet.apply("loyalty/v1/kiosk-1/telemetry", b'{"outbox_depth": 3}', retained=False, now=105.0)
    >>> state = fleet.kiosks["kiosk-1"]
    >>> state.status, state.telemetry["outbox_depth"], state.last_heard
    ('online', 3, 105.0)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

TOPICS = ("status", "birth", "telemetry")


@dataclass
class KioskState:
    kiosk_id: str
    status: str | None = None
    birth: dict[str, Any] | None = None
    telemetry: dict[str, Any] | None = None
    last_heard: float | None = None
    """Console clock of the last live message from the kiosk; retained ones say nothing of when they were sent."""


class Fleet:
    """Every kiosk under ``prefix``, keyed by kiosk id."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.kiosks: dict[str, KioskState] = {}

    def subscriptions(self) -> list[tuple[str, int]]:
        return [(f"{self.prefix}/+/{name}", 1) for name in TOPICS]

    def apply(self, topic: str, payload: bytes, retained: bool, now: float) -> None:
        """Fold one message in; anything malformed is ignored (the console must not fall over a bad kiosk)."""
        parts = topic[len(self.prefix) + 1:].split("/") if topic.startswith(self.prefix + "/") else []
        if len(parts) != 2 or parts[1] not in TOPICS:
            return
        kiosk_id, kind = parts
        if kind == "status" and not payload:
            self.kiosks.pop(kiosk_id, None)  # a cleared retained status: the kiosk was retired from the fleet
            return
        state = self.kiosks.get(kiosk_id) or KioskState(kiosk_id)
        if kind == "status":
            if payload not in (b"online", b"offline"):
                return
            state.status = payload.decode()
        else:
            try:
                body = json.loads(payload)
            except (json.JSONDecodeError, UnicodeDecodeError):
                return
            if not isinstance(body, dict):
                return
            setattr(state, kind, body)
        # The Last Will is the broker speaking after the kiosk went silent, not a sign of life.
        if not retained and payload != b"offline":
            state.last_heard = now
        self.kiosks[kiosk_id] = state

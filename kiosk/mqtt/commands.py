"""Remote commands: ``{prefix}/{kiosk}/cmd/{name}`` carrying ``{cmd_id, issued_at, expires_at, args[, sig]}``.

Every command is checked before anything acts on it: well-formed JSON, a known name, valid arguments, not
expired, not seen before (its ``cmd_id``), and, when ``[mqtt] command_keys`` is set, signed with Ed25519 over
``topic + "\\n" + canonical JSON without sig``. A refused command gets a result with the reason and changes
nothing.

    >>> body = {"cmd_id": "c1", "issued_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-01T00:05:00Z"}
    >>> parse("k/cmd/ping", "ping", json.dumps(body).encode(), now=1767225600.0, keys=[],
    ...       check_args=lambda name, args: args)
    Command(name='ping', cmd_id='c1', expires_at=1767225900.0, args={})
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk import keys
from kiosk.exc import CommandRefused
from kiosk.storage.store import Store

MAX_PAYLOAD = 64 * 1024
EPOCH_2000 = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
MAX_AHEAD_S = 30 * 86400.0
"""The furthest ahead a command may be issued (clock skew) or expire: beyond it the times are not sane."""
_CMD_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


@dataclass(frozen=True)
class Command:
    name: str
    cmd_id: str
    expires_at: float
    args: dict[str, Any] = field(default_factory=dict)


def _time(value: Any, key: str, cmd_id: str, now: float) -> float:
    """A Unix time from an ISO 8601 time with a zone, not before 2000 nor more than MAX_AHEAD_S ahead."""
    if not isinstance(value, str) or len(value) > 40:
        raise CommandRefused(f"{key} must be an ISO 8601 UTC time", cmd_id)
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise CommandRefused(f"{key} must carry a time zone (Z)", cmd_id)
        timestamp = moment.timestamp()
    except (ValueError, OverflowError):
        raise CommandRefused(f"{key} must be an ISO 8601 UTC time", cmd_id) from None
    if not EPOCH_2000 <= timestamp <= now + MAX_AHEAD_S:
        raise CommandRefused(f"{key} is not a sane time (after 2000, at most 30 days ahead)", cmd_id)
    return timestamp


def signed_bytes(topic: str, body: dict) -> bytes:
    """What a signature covers: the topic (so a command cannot be replayed elsewhere) and the body."""
    unsigned = {k: v for k, v in body.items() if k != "sig"}
    return topic.encode() + b"\n" + json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode()


def sign(private_key: Ed25519PrivateKey, topic: str, body: dict) -> dict:
    """``body`` with its ``sig``: what `kiosk ops send --sign-key` and the tests use."""
    return {**body, "sig": base64.b64encode(private_key.sign(signed_bytes(topic, body))).decode()}


def parse(topic: str, name: str, payload: bytes, now: float, keys: list[Ed25519PublicKey],
          check_args: Callable[[str, Any], dict]) -> Command:
    """The command in ``payload`` received on ``topic``; CommandRefused with the reason otherwise.
    ``check_args(name, args)`` is the command registry's check (kiosk/core/commands.py)."""
    if len(payload) > MAX_PAYLOAD:
        raise CommandRefused(f"payload larger than {MAX_PAYLOAD} bytes")
    try:
        body = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CommandRefused("payload is not JSON") from None
    except RecursionError:
        raise CommandRefused("payload nests too deeply") from None
    if not isinstance(body, dict):
        raise CommandRefused("payload is not a JSON object")
    cmd_id = body.get("cmd_id")
    if not isinstance(cmd_id, str) or not _CMD_ID.fullmatch(cmd_id):
        raise CommandRefused("cmd_id must be 1-64 letters, digits or . _ : -")
    unknown = set(body) - {"cmd_id", "issued_at", "expires_at", "args", "sig"}
    if unknown:
        raise CommandRefused(f"unknown fields {sorted(unknown)}", cmd_id)
    if keys:
        _verify(topic, body, keys, cmd_id)
    _time(body.get("issued_at"), "issued_at", cmd_id, now)
    expires_at = _time(body.get("expires_at"), "expires_at", cmd_id, now)
    if expires_at <= now:
        raise CommandRefused("expired", cmd_id)
    try:
        return Command(name, cmd_id, expires_at, check_args(name, body.get("args", {})))
    except CommandRefused as exc:
        raise CommandRefused(str(exc), cmd_id) from None


def _verify(topic: str, body: dict, keys: list[Ed25519PublicKey], cmd_id: str) -> None:
    sig = body.get("sig")
    if not isinstance(sig, str):
        raise CommandRefused("unsigned, and this kiosk only takes signed commands", cmd_id)
    try:
        signature = base64.b64decode(sig, validate=True)
    except (binascii.Error, ValueError):
        raise CommandRefused("signature is not base64", cmd_id) from None
    message = signed_bytes(topic, body)
    for key in keys:
        try:
            key.verify(signature, message)
            return
        except InvalidSignature:
            continue
    raise CommandRefused("bad signature", cmd_id)


def public_keys(encoded: tuple[str, ...]) -> list[Ed25519PublicKey]:
    """The keys of ``[mqtt] command_keys`` (config has checked each)."""
    return [keys.public_key(k) for k in encoded]


class CommandLedger:
    """The ids of commands already taken, so a redelivered or replayed command runs at most once."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def first_time(self, command: Command, now: float) -> bool:
        with self._store.transaction() as tx:
            inserted = tx.execute(
                "INSERT OR IGNORE INTO seen_commands(cmd_id, name, received_at, expires_at) VALUES (?, ?, ?, ?)",
                (command.cmd_id, command.name, now, command.expires_at)).rowcount
        return inserted == 1


def result(cmd_id: str | None, ok: bool, error: str | None = None, data: dict | None = None) -> bytes:
    body: dict[str, Any] = {"cmd_id": cmd_id, "ok": ok}
    if error is not None:
        body["error"] = error
    if data is not None:
        body["data"] = data
    return json.dumps(body, separators=(",", ":")).encode()

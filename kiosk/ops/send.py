"""``kiosk ops send KIOSK CMD [key=value ...]``: one command to one kiosk, and its result.

The result topic is subscribed before the command is published, so a quick answer cannot be missed. Exit
status: 0 the kiosk did it, 1 the kiosk refused it, 2 no result within the timeout.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from typing import Any, TextIO

import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from paho.mqtt.reasoncodes import ReasonCode

from kiosk.config import MqttSettings
from kiosk.core.commands import CommandRegistry
from kiosk.core.events import new_ulid, utc_ms
from kiosk.exc import CommandRefused, KioskError
from kiosk.mqtt.commands import sign
from kiosk.ops import broker

EXIT_OK, EXIT_REFUSED, EXIT_NO_RESULT = 0, 1, 2
NO_MATCHING_SUBSCRIBERS = 0x10  # MQTT 5 PUBACK: no client and no stored session subscribes to the topic
_TOPIC_LEVEL = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _no_constant(name: str) -> None:
    raise ValueError(name)  # NaN and Infinity are not JSON: such a value stays a string


def parse_args(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs as the command's ``args``: a value is JSON when it parses, else a string.

        >>> parse_args(["on=true", "n=3", 'name="x"', "url=https://example.com/a?b=c", "v=NaN"])
        {'on': True, 'n': 3, 'name': 'x', 'url': 'https://example.com/a?b=c', 'v': 'NaN'}
    """
    args: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise KioskError(f"ops send: arguments are key=value, got {pair!r}")
        if key in args:
            raise KioskError(f"ops send: argument {key!r} given twice")
        try:
            args[key] = json.loads(text, parse_constant=_no_constant)
        except ValueError:
            args[key] = text
    return args


def command(topic: str, args: dict[str, Any], now: float, ttl_s: float,
            key: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    """The command body for ``topic``, signed when a ``key`` is given.

        >>> body = command("loyalty/v1/k1/cmd/ping", {}, now=0.0, ttl_s=60)
        >>> body["issued_at"], body["expires_at"], body["args"], len(body["cmd_id"])
        ('1970-01-01T00:00:00.000Z', '1970-01-01T00:01:00.000Z', {}, 26)
    """
    body = {"cmd_id": new_ulid(int(now * 1000)), "issued_at": utc_ms(now), "expires_at": utc_ms(now + ttl_s),
            "args": args}
    return sign(key, topic, body) if key is not None else body


def run(settings: MqttSettings, kiosk_id: str, name: str, args: dict[str, Any], *, timeout_s: float, ttl_s: float,
        registry: CommandRegistry, key: Ed25519PrivateKey | None = None, out: TextIO = sys.stdout,
        err: TextIO = sys.stderr) -> int:
    """Send ``name`` with ``args`` to ``kiosk_id``, print its result as JSON on ``out`` and return the exit status.
    The arguments are checked against ``registry`` first, as the kiosk checks them."""
    for what, value in (("kiosk id", kiosk_id), ("command", name)):
        if not _TOPIC_LEVEL.match(value):
            raise KioskError(f"ops send: the {what} must be 1-64 letters, digits, '-' or '_', got {value!r}")
    try:
        registry.check(name, args)
    except CommandRefused as exc:
        raise KioskError(f"ops send: {name}: {exc}") from None
    topic = f"{settings.topic_prefix}/{kiosk_id}/cmd/{name}"
    body = command(topic, args, time.time(), ttl_s, key)
    answers: list[dict] = []
    answered = threading.Event()
    acks: dict[int, ReasonCode] = {}

    def on_result(message: mqtt.MQTTMessage) -> None:
        try:
            answer = json.loads(message.payload)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return
        if isinstance(answer, dict) and answer.get("cmd_id") == body["cmd_id"]:
            answers.append(answer)
            answered.set()

    client = broker.connect(settings, "send", [(f"{topic}/result", 1)], on_result)
    client.on_publish = lambda client, userdata, mid, reason_code, properties: acks.update({mid: reason_code})
    try:
        info = client.publish(topic, json.dumps(body, separators=(",", ":")), qos=1)
        answered.wait(timeout_s)
    finally:
        broker.close(client)
    if answers:
        answer = answers[0]
        out.write(json.dumps(answer, indent=2, ensure_ascii=False) + "\n")
        if answer.get("ok") is True:
            return EXIT_OK
        err.write(f"kiosk ops send: {kiosk_id} refused {name}: {answer.get('error')}\n")
        return EXIT_REFUSED
    err.write(f"kiosk ops send: no result from {kiosk_id} within {timeout_s:g} s: {_why(acks.get(info.mid))}\n")
    return EXIT_NO_RESULT


def _why(ack: ReasonCode | None) -> str:
    """What the broker's PUBACK says about a command that got no result."""
    if ack is None:
        return "the broker did not acknowledge the command"
    if ack.is_failure:
        return f"the broker refused the command ({ack})"
    if ack.value == NO_MATCHING_SUBSCRIBERS:
        return ("no kiosk of that id is connected or has a session on the broker (a wrong id, or a kiosk offline "
                "for longer than its session lasts); the command was dropped")
    return ("the kiosk may be offline: the command waits in its MQTT session and runs when it reconnects, "
            "unless it expires first (--ttl)")

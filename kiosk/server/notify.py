"""Commands from the backend to kiosks over MQTT (``{prefix}/{kiosk_id}/cmd/{name}``, QoS 1; signed when the
backend has a command key), in the same form `kiosk ops send` uses, so the kiosk checks them like any command:
``session_joined`` when the phone of a session joined, and the associates' answers to stylist requests."""

from __future__ import annotations

import json
import logging
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.config import MqttSettings
from kiosk.mqtt.client import new_client
from kiosk.ops.broker import client_id
from kiosk.ops.send import command

log = logging.getLogger(__name__)
COMMAND_TTL_S = 120.0
"""A shopper who joined on the phone is at the kiosk now; later, the welcome would greet the wrong person (an
associate's answer is about a shopper waiting now, too)."""


class KioskCommands:
    """Publishes commands through one client that reconnects by itself; paho queues what is published while
    the broker is away and sends it on reconnect (the command's expiry bounds how late). Called as the
    service's ``on_joined`` hook, it sends ``session_joined``."""

    def __init__(self, settings: MqttSettings, key: Ed25519PrivateKey | None = None) -> None:
        self._prefix = settings.topic_prefix
        self._key = key
        self._client = new_client(settings, client_id("backend"))
        self._client.connect_async(settings.host, settings.port)
        self._client.loop_start()

    def __call__(self, kiosk_id: str, session_id: str, member_ref: str, consents: dict | None = None) -> None:
        self.send(kiosk_id, "session_joined", session_joined_args(session_id, member_ref, consents))

    def send(self, kiosk_id: str, name: str, args: dict) -> None:
        topic = f"{self._prefix}/{kiosk_id}/cmd/{name}"
        body = command(topic, args, time.time(), COMMAND_TTL_S, self._key)
        self._client.publish(topic, json.dumps(body, separators=(",", ":")), qos=1)
        log.info("backend: %s sent to %s", name, kiosk_id)

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


def session_joined_args(session_id: str, member_ref: str, consents: dict | None) -> dict:
    """The arguments of ``session_joined``: with the consent texts' versions when the phone signed up.

        >>> session_joined_args("S-1", "M-1", {"personal_data": "2026-11"})["signup_consents"]
        {'personal_data': '2026-11'}
    """
    args = {"session_id": session_id, "member_ref": member_ref}
    if consents:
        args["signup_consents"] = consents
    return args

"""Tell a kiosk over MQTT that the phone of its session joined: the ``session_joined`` command
(``{prefix}/{kiosk_id}/cmd/session_joined``, QoS 1; signed when the backend has a command key), in the same
form `kiosk ops send` uses, so the kiosk checks it like any command."""

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
"""A shopper who joined on the phone is at the kiosk now; later, the welcome would greet the wrong person."""


class SessionJoinedSender:
    """Publishes ``session_joined`` through one client that reconnects by itself; paho queues what is published
    while the broker is away and sends it on reconnect (the command's expiry bounds how late)."""

    def __init__(self, settings: MqttSettings, key: Ed25519PrivateKey | None = None) -> None:
        self._prefix = settings.topic_prefix
        self._key = key
        self._client = new_client(settings, client_id("backend"))
        self._client.connect_async(settings.host, settings.port)
        self._client.loop_start()

    def __call__(self, kiosk_id: str, session_id: str, member_ref: str) -> None:
        topic = f"{self._prefix}/{kiosk_id}/cmd/session_joined"
        body = command(topic, {"session_id": session_id, "member_ref": member_ref}, time.time(), COMMAND_TTL_S,
                       self._key)
        self._client.publish(topic, json.dumps(body, separators=(",", ":")), qos=1)
        log.info("backend: session_joined sent to %s", kiosk_id)

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

"""The console's connection to the broker: a paho client under its own client id, subscribed before use."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable

import paho.mqtt.client as mqtt

from kiosk.config import MqttSettings
from kiosk.exc import KioskError
from kiosk.mqtt.client import new_client

CONNECT_TIMEOUT_S = 10.0


def client_id(role: str) -> str:
    """A client id of its own per console: kiosks are ``kiosk-{id}``, so the two never take each other's session.

        >>> client_id("watch").startswith("ops-watch-")
        True
    """
    return f"ops-{role}-{socket.gethostname()}-{os.getpid()}"


def connect(settings: MqttSettings, role: str, topics: list[tuple[str, int]],
            on_message: Callable[[mqtt.MQTTMessage], None]) -> mqtt.Client:
    """A running client subscribed to ``topics``; it returns once the broker acknowledged the subscription, so
    nothing published afterwards can be missed. On every reconnect it subscribes again.

    Raises KioskError when the broker cannot be reached, refuses the connection or the subscription.
    """
    client = new_client(settings, client_id(role))
    where = f"the broker {settings.host}:{settings.port}"
    subscribed = threading.Event()
    failures: list[str] = []

    def on_connect(client: mqtt.Client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            failures.append(f"{where} refused the connection: {reason_code}")
            subscribed.set()
            return
        client.subscribe(topics)

    def on_subscribe(client: mqtt.Client, userdata, mid, reason_codes, properties) -> None:
        refused = [topic for (topic, _), code in zip(topics, reason_codes, strict=False) if code.is_failure]
        if refused:
            failures.append(f"{where} refused the subscription to {', '.join(refused)}")
        subscribed.set()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = lambda client, userdata, message: on_message(message)
    try:
        client.connect(settings.host, settings.port, keepalive=30)
    except (OSError, ValueError) as exc:
        raise KioskError(f"ops: cannot reach {where} ({exc})") from None
    client.loop_start()
    if not subscribed.wait(CONNECT_TIMEOUT_S) or failures:
        client.loop_stop()
        client.disconnect()
        raise KioskError("ops: " + (failures[0] if failures else f"no answer from {where}"))
    return client


def close(client: mqtt.Client) -> None:
    client.disconnect()
    client.loop_stop()

"""One way to make a paho client for the configured broker: MQTT 5, TLS and credentials from ``[mqtt]``.

The kiosk's link, the store-ops console and `kiosk doctor` all connect through it, so they cannot drift apart
on how a broker is reached.
"""

from __future__ import annotations

import paho.mqtt.client as mqtt

from kiosk.config import MqttSettings


def new_client(settings: MqttSettings, client_id: str) -> mqtt.Client:
    """A paho client (callback API 2, MQTT 5) with the TLS and login of ``settings``, not yet connected.

    ``tls_set`` reads the certificate files at once: a missing or bad file raises ``OSError`` or
    ``ssl.SSLError`` here, which callers report.
    """
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    if settings.tls:
        client.tls_set(ca_certs=settings.ca_file or None, certfile=settings.cert_file or None,
                       keyfile=settings.key_file or None)
    if settings.username:
        client.username_pw_set(settings.username, settings.password or None)
    return client

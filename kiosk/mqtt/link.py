"""Publishes the outbox over MQTT and keeps the retained status topic true.

paho keeps unacknowledged messages in memory only, so the outbox is the truth: rows go out in ``seq``
order with a bounded number in flight, are marked delivered on PUBACK, and after every (re)connect every
undelivered row is sent again (consumers deduplicate on ``event_id``).

paho calls ``on_publish`` while holding its own lock, so callbacks only queue what happened and wake the
publisher thread, which does all the bookkeeping.
"""

from __future__ import annotations

import logging
import queue
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from kiosk.config import MqttSettings
from kiosk.outbox import Outbox

log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 24 * 3600
MAX_IN_FLIGHT = 32


def topic_root(settings: MqttSettings, kiosk_id: str) -> str:
    return f"{settings.topic_prefix}/{kiosk_id}"


class MqttLink:
    def __init__(self, settings: MqttSettings, kiosk_id: str, outbox: Outbox) -> None:
        self._settings = settings
        self._outbox = outbox
        root = topic_root(settings, kiosk_id)
        self.status_topic = f"{root}/status"
        self.events_topic = f"{root}/events/"
        self._client_id = f"kiosk-{kiosk_id}"
        self._wake = threading.Event()
        self._acks: queue.SimpleQueue[tuple[int, bool]] = queue.SimpleQueue()
        self._connected = False
        self._generation = 0
        self._warned_unreachable = False
        self._stopping = threading.Event()
        self._client = self._build_client()
        self._thread = threading.Thread(target=self._publish_loop, name="mqtt-outbox", daemon=True)
        outbox.add_listener(self._wake.set)

    @property
    def connected(self) -> bool:
        return self._connected

    def _build_client(self) -> mqtt.Client:
        s = self._settings
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self._client_id, protocol=mqtt.MQTTv5)
        if s.tls:
            client.tls_set(ca_certs=s.ca_file or None, certfile=s.cert_file or None, keyfile=s.key_file or None)
        if s.username:
            client.username_pw_set(s.username, s.password or None)
        client.will_set(self.status_topic, "offline", qos=1, retain=True)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.max_inflight_messages_set(MAX_IN_FLIGHT)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        return client

    def start(self) -> None:
        """Connect in the background; with no broker the kiosk runs on and events wait in the outbox."""
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
        self._client.connect_async(self._settings.host, self._settings.port, keepalive=30, clean_start=False,
                                   properties=properties)
        self._client.loop_start()
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Publish ``offline`` (retained) while still connected, then disconnect cleanly."""
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=1.0)
        if self._connected:
            info = self._client.publish(self.status_topic, "offline", qos=1, retain=True)
            try:
                info.wait_for_publish(timeout)
            except (RuntimeError, ValueError) as exc:
                log.warning("mqtt: could not publish offline status (%s)", exc)
        self._client.disconnect()
        self._client.loop_stop()

    # paho callbacks: they run on paho's network thread and only record what happened.

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("mqtt: broker %s:%s refused the connection: %s", self._settings.host,
                        self._settings.port, reason_code)
            return
        log.info("mqtt: connected to %s:%s", self._settings.host, self._settings.port)
        self._warned_unreachable = False
        client.publish(self.status_topic, "online", qos=1, retain=True)
        self._generation += 1
        self._connected = True
        self._wake.set()

    def _on_connect_fail(self, client, userdata) -> None:
        level = logging.DEBUG if self._warned_unreachable else logging.WARNING
        log.log(level, "mqtt: broker %s:%s unreachable; events wait in the outbox (%d pending)",
                self._settings.host, self._settings.port, self._outbox.depth())
        self._warned_unreachable = True

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if self._connected and not self._stopping.is_set():
            log.warning("mqtt: disconnected (%s); events wait in the outbox", reason_code)
        self._connected = False
        self._wake.set()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self._acks.put((mid, not reason_code.is_failure))
        self._wake.set()

    # The publisher thread.

    def _publish_loop(self) -> None:
        in_flight: dict[int, int] = {}  # mid -> seq, for this connection only
        cursor, generation = 0, 0
        while not self._stopping.is_set():
            self._wake.wait(1.0)
            self._wake.clear()
            if generation != self._generation:
                # A new connection: whatever was in flight on the old one may be lost; send it all again.
                generation, cursor = self._generation, 0
                in_flight.clear()
            self._settle_acks(in_flight)
            if not self._connected:
                continue
            free = MAX_IN_FLIGHT - len(in_flight)
            if free <= 0:
                continue
            for row in self._outbox.pending(after_seq=cursor, limit=free):
                info = self._client.publish(self.events_topic + row.type, row.payload, qos=1)
                if info.rc != mqtt.MQTT_ERR_SUCCESS:
                    break
                in_flight[info.mid] = row.seq
                cursor = row.seq
            else:
                continue
            self._wake.set()  # the connection dropped mid-batch: look again at once

    def _settle_acks(self, in_flight: dict[int, int]) -> None:
        while True:
            try:
                mid, accepted = self._acks.get_nowait()
            except queue.Empty:
                return
            seq = in_flight.pop(mid, None)
            if seq is None:
                continue
            if accepted:
                self._outbox.mark_delivered(seq)
            else:
                log.warning("mqtt: broker refused event seq %d; it will be sent again after a reconnect", seq)

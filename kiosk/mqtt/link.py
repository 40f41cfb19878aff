"""The MQTT link: publishes the outbox, keeps status/birth/telemetry true, takes remote commands.

paho keeps unacknowledged messages in memory only, so the outbox is the truth: rows go out in ``seq``
order, a bounded number handed to paho at a time (it keeps ``MAX_IN_FLIGHT`` of them on the wire and sends the
next on each PUBACK from its own thread), are marked delivered once acknowledged (in batches while a backlog
drains: one commit each), and after every (re)connect every undelivered row is sent again (consumers
deduplicate on ``event_id``). A row the broker refuses (MQTT 5: a PUBACK
with a failure reason code, such as mosquitto's 0x87 "not authorized" for a topic its ACL denies) is marked refused
in the outbox and sent again only every ``retry_refused_s`` (not after each reconnect: mosquitto before 2.0.22
with ``max_queued_messages 0`` drops a client whose publish it refuses); the rows after it go on. The first
refusal of a topic is logged with the ACL line it needs, and telemetry carries the refused topics.

paho calls ``on_publish`` while holding its own lock, so callbacks only queue what happened and wake the
publisher thread, which does all the bookkeeping, the periodic jobs (telemetry, outbox upkeep) and the
supervision: a client that stays disconnected while its broker answers is replaced by a new one.
"""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import MappingProxyType

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from kiosk.config import MqttSettings
from kiosk.core.commands import CommandRegistry, Respond
from kiosk.core.events import EventType, utc_ms
from kiosk.core.heartbeat import Heartbeat
from kiosk.exc import CommandRefused
from kiosk.mqtt import commands
from kiosk.mqtt.client import new_client
from kiosk.mqtt.commands import Command, CommandLedger
from kiosk.mqtt.discovery import HA_STATUS_TOPIC, discovery_messages
from kiosk.mqtt.telemetry import telemetry
from kiosk.mqtt.window import Window
from kiosk.storage.outbox import Outbox, PendingEvent

log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 24 * 3600
MAX_IN_FLIGHT = 32  # messages on the wire, unacknowledged (paho's max_inflight_messages)
MAX_HANDED = 8 * MAX_IN_FLIGHT  # messages handed to paho, unanswered: paho queues those beyond its window
MARK_BATCH = MAX_HANDED  # acknowledged rows marked delivered in one commit while a backlog drains
MARK_AFTER_S = 0.05  # the longest an acknowledged row waits for its mark while others are still on their way
UPKEEP_INTERVAL_S = 60.0
REBUILD_AFTER_S = 90.0  # longer than paho's own reconnect backoff (30 s): only a stuck client is replaced
COMMAND_TTL_S = 60.0
NOT_AUTHORIZED = 0x87  # MQTT 5 reason code: what mosquitto answers a publish its ACL denies


@dataclass(frozen=True)
class KioskIdentity:
    kiosk_id: str
    store_id: str
    boot_id: str
    version: str
    started_at: float
    started_mono: float
    state_dir: Path


def topic_root(settings: MqttSettings, kiosk_id: str) -> str:
    return f"{settings.topic_prefix}/{kiosk_id}"


class MqttLink:
    def __init__(
        self,
        settings: MqttSettings,
        identity: KioskIdentity,
        outbox: Outbox,
        ledger: CommandLedger,
        registry: CommandRegistry,
        on_command: Callable[[Command, Respond], None],
        app_vitals: Callable[[], dict],
        rebuild_after_s: float = REBUILD_AFTER_S,
        types: Mapping[str, EventType] = MappingProxyType({}),
    ) -> None:
        """``types`` are the event types: those with a ``store_copy`` also go to a store-level topic."""
        self._settings = settings
        self._identity = identity
        self._outbox = outbox
        self._ledger = ledger
        self._registry = registry
        self._on_command_cb = on_command
        self._app_vitals = app_vitals
        self._rebuild_after_s = rebuild_after_s
        self._types = types
        self._keys = commands.public_keys(settings.command_keys)
        self.root = topic_root(settings, identity.kiosk_id)
        self.status_topic = f"{self.root}/status"
        self.events_topic = f"{self.root}/events/"
        self.store_topic = f"{settings.topic_prefix}/stores/{identity.store_id}/"
        self._client_id = f"kiosk-{identity.kiosk_id}"
        self._wake = threading.Event()
        self._acks: queue.SimpleQueue[tuple[int, ReasonCode]] = queue.SimpleQueue()
        self._wake_after_acks = 1  # the publisher's next turn is worth taking once this many answers wait
        self._refused_topics: set[str] = set()  # ACL topic filters the broker refused, until it accepts one again
        self._connected = False
        self._generation = 0
        self._warned_unreachable = False
        self._stopping = threading.Event()
        self._telemetry_asked = threading.Event()
        self.rebuilds = 0
        self._client = self._build_client()
        self._thread = threading.Thread(target=self._publish_loop, name="mqtt-outbox", daemon=True)
        self.heartbeat = Heartbeat("mqtt-outbox")
        """Beaten every turn of the publisher loop (at least every second): the systemd watchdog reads it."""
        outbox.add_listener(self._wake.set)

    @property
    def connected(self) -> bool:
        return self._connected

    def _build_client(self) -> mqtt.Client:
        s = self._settings
        client = new_client(s, self._client_id)
        client.will_set(self.status_topic, "offline", qos=1, retain=True)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.max_inflight_messages_set(MAX_IN_FLIGHT)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        return client

    def _connect(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
        self._client.connect_async(self._settings.host, self._settings.port, keepalive=30, clean_start=False,
                                   properties=properties)
        self._client.loop_start()

    def start(self) -> None:
        """Connect in the background; with no broker the kiosk runs on and events wait in the outbox."""
        self._connect()
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Publish ``offline`` (retained) while still connected, then disconnect cleanly."""
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=2.0)
        if self._connected:
            info = self._client.publish(self.status_topic, "offline", qos=1, retain=True)
            try:
                info.wait_for_publish(timeout)
            except (RuntimeError, ValueError) as exc:
                log.warning("mqtt: could not publish offline status (%s)", exc)
        self._client.disconnect()
        self._client.loop_stop()

    def publish_result(self, name: str, cmd_id: str | None, ok: bool, error: str | None = None,
                       data: dict | None = None) -> None:
        """Answer a command on ``cmd/{name}/result``; safe from any thread."""
        payload = commands.result(cmd_id, ok, error, data)
        self._client.publish(f"{self.root}/cmd/{name}/result", payload, qos=1)

    # paho callbacks: they run on paho's network thread.

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("mqtt: broker %s:%s refused the connection: %s", self._settings.host,
                        self._settings.port, reason_code)
            return
        log.info("mqtt: connected to %s:%s (session %s)", self._settings.host, self._settings.port,
                 "resumed" if flags.session_present else "new")
        self._warned_unreachable = False
        client.subscribe(f"{self.root}/cmd/+", qos=1)
        client.publish(self.status_topic, "online", qos=1, retain=True)
        client.publish(f"{self.root}/birth", json.dumps(self._birth(flags.session_present)), qos=1, retain=True)
        if self._settings.ha_discovery:
            client.subscribe([(f"{self.root}/ha/+", 1), (HA_STATUS_TOPIC, 1)])
            self._announce(client)
        self._generation += 1
        self._connected = True
        self._wake.set()

    def _birth(self, session_present: bool) -> dict:
        ident = self._identity
        return {"schema": "kiosk.birth/1", "boot_id": ident.boot_id, "kiosk_id": ident.kiosk_id,
                "session": {"present": bool(session_present), "expiry_s": SESSION_EXPIRY_S},
                "store_id": ident.store_id, "version": ident.version,
                "content_version": self._app_vitals().get("content_version"), "started_at": utc_ms(ident.started_at)}

    def _announce(self, client: mqtt.Client) -> None:
        ident = self._identity
        for topic, payload in discovery_messages(self.root, ident.kiosk_id, ident.store_id, ident.version,
                                                  self._registry.buttons()):
            client.publish(topic, payload, qos=1, retain=True)

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
        self._acks.put((mid, reason_code))
        # Thousands of PUBACKs a second come during a drain: a turn of the publisher (a thread switch, a query)
        # is taken for a batch of them, not for each.
        if self._acks.qsize() >= self._wake_after_acks and not self._wake.is_set():
            self._wake.set()

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        topic = message.topic
        try:
            if topic == HA_STATUS_TOPIC:
                if message.payload == b"online":
                    self._announce(client)
            elif topic.startswith(f"{self.root}/ha/"):
                self._ha_button(topic.rsplit("/", 1)[1])
            elif topic.startswith(f"{self.root}/cmd/"):
                self._command(topic, topic.rsplit("/", 1)[1], message.payload)
        except Exception:  # a bad message must never take the network thread down
            log.exception("mqtt: failed to handle a message on %s", topic)

    def _command(self, topic: str, name: str, payload: bytes) -> None:
        try:
            command = commands.parse(topic, name, payload, time.time(), self._keys, self._registry.check)
        except CommandRefused as refused:
            log.info("mqtt: refused command %s: %s", name, refused)
            self.publish_result(name, refused.cmd_id, False, str(refused))
            return
        self._accept(command)

    def _ha_button(self, button: str) -> None:
        buttons = self._registry.buttons()
        if button not in buttons:
            log.info("mqtt: unknown Home Assistant button %r", button)
            return
        _, name, args = buttons[button]
        if self._keys:
            log.info("mqtt: Home Assistant button %s refused: this kiosk only takes signed commands", button)
            return
        now = time.time()
        self._accept(Command(name, f"ha-{button}-{int(now * 1000)}", now + COMMAND_TTL_S, dict(args)))

    def _accept(self, command: Command) -> None:
        if not self._ledger.first_time(command, time.time()):
            self.publish_result(command.name, command.cmd_id, False, "duplicate cmd_id: already received")
            return
        log.info("mqtt: command %s (%s)", command.name, command.cmd_id)
        if command.name == "ping":  # a console asking who is there wants the figures now, not at the next period
            self._telemetry_asked.set()
            self._wake.set()
        self._on_command_cb(command, partial(self.publish_result, command.name, command.cmd_id))

    # The publisher thread.

    def _publish_loop(self) -> None:
        window = Window()  # for this connection only
        acked: list[int] = []  # seqs the broker accepted, not yet marked delivered
        mark_by = 0.0  # monotonic time by which ``acked`` is marked
        cursor, generation = 0, 0
        next_telemetry = time.monotonic()
        next_upkeep = time.monotonic()
        next_retry = time.monotonic()
        disconnected_since = time.monotonic()
        while not self._stopping.is_set():
            self._wake.wait(min(1.0, max(0.0, mark_by - time.monotonic())) if acked else 1.0)
            self._wake.clear()
            now = time.monotonic()
            self.heartbeat.beat(now)
            if now >= next_upkeep:
                self._outbox.maintain()
                next_upkeep = now + UPKEEP_INTERVAL_S
            if not acked:
                mark_by = now + MARK_AFTER_S
            delivered, refused = self._settle_acks(window)  # before a new connection's reset: these were answered
            acked += delivered
            if refused:
                self._outbox.mark_refused(refused)
            if generation != self._generation:
                # A new connection: whatever was in flight on the old one may be lost; send it all again (what
                # was acknowledged is marked first, so it does not go again).
                self._mark(acked)
                generation, cursor = self._generation, 0
                window.clear()
            if not self._connected:
                if now - disconnected_since >= self._rebuild_after_s and self._broker_answers():
                    self._rebuild()
                    disconnected_since = now
            else:
                disconnected_since = now
                if now >= next_telemetry or self._telemetry_asked.is_set():
                    self._telemetry_asked.clear()
                    self._publish_telemetry()
                    next_telemetry = now + self._settings.telemetry_interval_s
                if now >= next_retry:  # refused rows come due one by one: look for them ten times per period
                    next_retry = now + self._outbox.retry_refused_s / 10
                    if self._outbox.refused():
                        cursor = 0
                if generation == self._generation:  # a connection made during this turn is reset first
                    cursor = self._send_more(window, cursor, window.rows().union(acked))
            # Marked after the window is refilled, so paho and the broker work on the next rows during the commit's
            # fsync; while a backlog drains, one commit per MARK_BATCH rows, otherwise (nothing else on its way,
            # or no connection to bring more) at once.
            if len(acked) >= MARK_BATCH or not window or now >= mark_by or not self._connected:
                self._mark(acked)
            # Next turn: when half the window is free to be refilled, or once all of it is answered.
            half = MAX_HANDED // 2
            self._wake_after_acks = len(window) - half if len(window) > half else max(1, len(window))
            self._outbox.scrub_if_due(time.monotonic())
        self._mark(acked)

    def _mark(self, acked: list[int]) -> None:
        """Mark the acknowledged rows delivered and empty ``acked``."""
        if acked:
            self._outbox.mark_delivered(acked)
            acked.clear()

    def _send_more(self, window: Window, cursor: int, busy: set[int]) -> int:
        """Hand paho the pending rows after ``cursor`` while the window has room, but not the ``busy`` ones (in
        flight or acknowledged: the cursor went back for refused rows come due); returns the new cursor. Rows are
        read once half the window is free, so a drain reads them in batches, not one per PUBACK."""
        if len(window) > MAX_HANDED // 2:
            return cursor
        for row in self._outbox.pending(after_seq=cursor, limit=MAX_HANDED - len(window)):
            if row.seq in busy:
                cursor = row.seq
                continue
            for topic, payload, retain in self._messages(row):
                info = self._client.publish(topic, payload, qos=1, retain=retain)
                if info.rc != mqtt.MQTT_ERR_SUCCESS:
                    break
                window.add(info.mid, row.seq, topic)
            else:
                cursor = row.seq
                continue
            window.drop_row(row.seq)  # half a row is no row: all of it goes again after the reconnect
            self._wake.set()  # the connection dropped mid-batch: look again at once
            break
        return cursor

    def _messages(self, row: PendingEvent) -> list[tuple[str, bytes, bool]]:
        """The MQTT messages of one outbox row: the event, and its store-level copy where its type has one."""
        messages = [(self.events_topic + row.type, row.payload, False)]
        event_type = self._types.get(row.type)
        if event_type is not None and event_type.store_copy is not None:
            subtopic, copy = event_type.store_copy(json.loads(row.payload))
            body = b"" if copy is None else json.dumps(copy, separators=(",", ":")).encode()
            messages.append((self.store_topic + subtopic, body, True))
        return messages

    def _settle_acks(self, window: Window) -> tuple[list[int], list[int]]:
        """Account for the broker's answers; returns the seqs of the rows it accepted in full and of those it
        refused."""
        delivered, refused = [], []
        while True:
            try:
                mid, reason = self._acks.get_nowait()
            except queue.Empty:
                return delivered, refused
            sent = window.answered(mid)
            if sent is None:
                continue
            seq, topic = sent
            if reason.is_failure:
                self._report_refusal(topic, reason)
                refused.append(seq)
                window.drop_row(seq)  # its other message, if any, cannot deliver it
                continue
            self._refused_topics.discard(self._acl_filter(topic))
            if not window.holds(seq):  # a row with a store-level copy waits for both acknowledgements
                delivered.append(seq)

    def _acl_filter(self, topic: str) -> str:
        """The topic filter a broker ACL must let this kiosk write for ``topic``: its store's, or its own."""
        return self.store_topic + "#" if topic.startswith(self.store_topic) else self.root + "/#"

    def _report_refusal(self, topic: str, reason: ReasonCode) -> None:
        """Log a refused topic once (until the broker accepts it again), with what to change; later ones at debug."""
        acl = self._acl_filter(topic)
        if acl in self._refused_topics:
            log.debug("mqtt: broker refused %s again (%s)", topic, reason)
            return
        self._refused_topics.add(acl)
        user = f"user {self._settings.username}" if self._settings.username else "the kiosk's user (or no user line)"
        hint = (f"; in the broker's ACL let this kiosk write {acl} (mosquitto acl_file, under {user}: "
                f"'topic write {acl}', then reload mosquitto)") if reason.value == NOT_AUTHORIZED else ""
        log.warning("mqtt: broker refused to take %s (%s)%s; the event stays in the outbox and goes again every "
                    "%.0f s", topic, reason, hint, self._outbox.retry_refused_s)

    def _publish_telemetry(self) -> None:
        ident = self._identity
        payload = telemetry(kiosk_id=ident.kiosk_id, boot_id=ident.boot_id, started_mono=ident.started_mono,
                            outbox_depth=self._outbox.depth(), oldest_unsent_s=self._outbox.oldest_unsent_age(),
                            outbox_refused=self._outbox.refused(), refused_topics=sorted(self._refused_topics),
                            state_dir=ident.state_dir, app=self._app_vitals())
        self._client.publish(f"{self.root}/telemetry", json.dumps(payload, separators=(",", ":")), qos=0)

    def _broker_answers(self) -> bool:
        try:
            socket.create_connection((self._settings.host, self._settings.port), timeout=2).close()
            return True
        except OSError:
            return False

    def _rebuild(self) -> None:
        """paho stays disconnected although the broker answers: replace the client (paho's reconnect loop can
        get stuck after long outages)."""
        log.warning("mqtt: client stayed disconnected while the broker answers; building a new one")
        old = self._client
        old.on_connect = old.on_disconnect = old.on_publish = old.on_message = old.on_connect_fail = None
        old.loop_stop()
        self._client = self._build_client()
        self._connect()
        self.rebuilds += 1

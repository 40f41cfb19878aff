"""MQTT ingest on a real mosquitto: two backend instances on one database split the kiosks' events through a
shared subscription and record each exactly once, across duplicates and a broker restart; bad payloads are
skipped; the recent events show per kiosk."""

import json
import threading

import paho.mqtt.client as mqtt
import pytest

from kiosk import config
from kiosk.core.events import new_ulid
from kiosk.server.api import create_app
from kiosk.server.ingest import EventIngest, EventRecorder
from kiosk.server.service import LoyaltyService
from kiosk.server.store import ServerStore
from tests.helpers import wait_for, write_config

PREFIX = "loyalty/v1"


def envelope(kiosk: str, seq: int, kind: str = "tap") -> dict:
    return {"schema": "kiosk.event/1", "event_id": new_ulid(), "seq": seq, "boot_id": "b1", "kiosk_id": kiosk,
            "store_id": "store-1", "type": kind, "occurred_at": "2026-11-28T09:00:00.000Z", "clock_synced": True,
            "data": {"session_id": f"S-{seq}"}}


class CountingRecorder(EventRecorder):
    """A recorder that counts what its instance applied, to see the load split."""

    def __init__(self, store: ServerStore) -> None:
        super().__init__(store, PREFIX)
        self.new = self.seen = 0
        self._lock = threading.Lock()

    def apply_many(self, messages: list[tuple[str, bytes]], now: float) -> int:
        fresh = super().apply_many(messages, now)
        with self._lock:
            self.seen += len(messages)
            self.new += fresh
        return fresh


def publish_twice(sender: mqtt.Client, events: list[dict]) -> None:
    """Each event twice: the kiosk's outbox sends again what it got no PUBACK for."""
    for event in events:
        for _ in range(2):
            sender.publish(f"{PREFIX}/{event['kiosk_id']}/events/tap", json.dumps(event), qos=1)


def publisher(port: int) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.reconnect_delay_set(min_delay=1, max_delay=1)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def test_two_instances_record_every_event_once_across_a_broker_restart(tmp_path, broker):
    settings = config.load(write_config(tmp_path, mqtt_port=broker.port)).mqtt
    db = str(tmp_path / "backend.db")
    recorders = [CountingRecorder(ServerStore(db)), CountingRecorder(ServerStore(db))]
    ingests = [EventIngest(settings, r, instance=name) for r, name in zip(recorders, "ab", strict=True)]
    for ingest in ingests:
        ingest.start()
    sender = publisher(broker.port)
    try:
        for ingest in ingests:
            assert ingest.subscribed.wait(10)
        events = [envelope(f"kiosk-{i % 3}", i) for i in range(300)]
        publish_twice(sender, events[:150])
        wait_for(lambda: recorders[0].count() == 150, 20, "the first half recorded")
        for ingest in ingests:
            ingest.subscribed.clear()
        broker.stop()
        broker.start()
        for ingest in ingests:
            assert ingest.subscribed.wait(15)  # back, and subscribed again
        publish_twice(sender, events[150:])
        wait_for(lambda: recorders[0].count() == 300, 30, "every event recorded")
        assert sum(r.new for r in recorders) == 300  # exactly once, whoever got which copy
        assert all(r.seen > 0 for r in recorders)  # the shared subscription split the load
    finally:
        sender.loop_stop()
        sender.disconnect()
        for ingest in ingests:
            ingest.stop()


@pytest.mark.parametrize(("topic", "payload"), [
    (f"{PREFIX}/kiosk-1/events/tap", b"not json"),
    (f"{PREFIX}/kiosk-1/events/tap", json.dumps(envelope("kiosk-2", 1)).encode()),  # another kiosk's name
    (f"{PREFIX}/kiosk-1/events/tap", json.dumps(envelope("kiosk-1", 1, "maintenance")).encode()),
    (f"{PREFIX}/kiosk-1/events/tap", json.dumps({**envelope("kiosk-1", 1), "event_id": "x"}).encode()),
    (f"{PREFIX}/kiosk-1/events/tap", json.dumps({**envelope("kiosk-1", 1), "data": []}).encode()),
    (f"{PREFIX}/kiosk-1/events/tap", b" " * 70_000),
])
def test_a_payload_off_the_contract_is_skipped(tmp_path, topic, payload):
    recorder = EventRecorder(ServerStore(str(tmp_path / "b.db")), PREFIX)
    assert recorder.apply(topic, payload, now=0.0) is False
    assert recorder.count() == 0


def test_recent_events_per_kiosk(tmp_path):
    store = ServerStore(str(tmp_path / "b.db"))
    recorder = EventRecorder(store, PREFIX)
    for seq in range(3):
        recorder.apply(f"{PREFIX}/kiosk-1/events/tap", json.dumps(envelope("kiosk-1", seq)).encode(), now=seq)
    recorder.apply(f"{PREFIX}/kiosk-2/events/tap", json.dumps(envelope("kiosk-2", 9)).encode(), now=9)
    client = create_app(LoyaltyService(store, now=lambda: 0.0), "t0ken", recorder=recorder).test_client()
    assert client.get("/ops/kiosks/kiosk-1/events").status_code == 401
    answer = client.get("/ops/kiosks/kiosk-1/events?limit=2", headers={"Authorization": "Bearer t0ken"}).json
    assert [e["seq"] for e in answer["events"]] == [2, 1]

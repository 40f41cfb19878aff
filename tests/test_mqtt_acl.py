"""A broker whose ACL refuses the store-level stylist topic, with a real mosquitto and the kiosk app in-process:
the stylist request's event still arrives, the kiosk stays connected, the refusal is logged once with the ACL line
it needs and shows in telemetry; the refused row goes again on its slow schedule, and arrives once the ACL is
fixed and the broker reloaded."""

import json
import logging
import re

import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.ops import table
from kiosk.ops.fleet import KioskState
from tests.helpers import Broker, Commander, Listener, wait_for, write_config
from tests.test_stylist_requests import STORE_TOPIC, build_and_submit, command, events, queue, step_until

KIOSK_ONLY = "topic readwrite loyalty/v1/kiosk-1/#\ntopic read loyalty/v1/#\n"  # anonymous: the lines before any user
STORE_ACL = "loyalty/v1/stores/store-1/#"
RETRY_S = 2


@pytest.fixture
def acl_broker(tmp_path):
    broker = Broker(tmp_path, acl=KIOSK_ONLY)
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def kiosk(tmp_path, acl_broker):
    path = write_config(tmp_path, mqtt_port=acl_broker.port, debug={"input_socket": ""},
                        outbox={"retry_refused_s": RETRY_S})
    listener = Listener(acl_broker.port, "loyalty/v1/#")
    wait_for(lambda: listener.subscriptions, 10, "the listener's subscription")
    commander = Commander(acl_broker.port)
    app = KioskApp(config.load(path), demo=True)
    app.start()
    yield app, listener, commander
    app.stop()
    commander.close()
    listener.close()


def denied(broker: Broker, topic: str) -> int:
    return len(re.findall(rf"Denied PUBLISH from kiosk-kiosk-1 \([^)]*'{re.escape(topic)}'", broker.log.read_text()))


def telemetry(app, commander, listener) -> dict:
    """Fresh telemetry: a ping makes the kiosk send it at once."""
    before = len(listener.on("/telemetry"))
    assert command(app, commander, "ping", {})["ok"]
    step_until(app, lambda: len(listener.on("/telemetry")) > before, "telemetry after the ping")
    return json.loads(listener.on("/telemetry")[-1])


def test_a_refused_store_topic_blocks_nothing_is_reported_once_and_arrives_after_the_acl_is_fixed(
        kiosk, acl_broker, caplog):
    app, listener, commander = kiosk
    caplog.set_level(logging.INFO, logger="kiosk.mqtt.link")
    request_id = build_and_submit(app)
    topic = STORE_TOPIC + request_id
    step_until(app, lambda: events(listener, "stylist_request"), "the stylist request's event")

    # Refused at least three times (the first send and two retries): each a PUBACK 0x87, none a disconnect.
    step_until(app, lambda: denied(acl_broker, topic) >= 3, "the broker refusing the store topic three times", 60)
    assert queue(listener, request_id) == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and "refused" in r.getMessage()]
    assert len(warnings) == 1, warnings  # once, not per retry
    assert topic in warnings[0] and f"'topic write {STORE_ACL}'" in warnings[0] and "Not authorized" in warnings[0]

    # The kiosk's own topics keep flowing: a later event arrives while the refused row waits.
    assert command(app, commander, "maintenance", {"on": True})["ok"]
    step_until(app, lambda: events(listener, "maintenance"), "the maintenance event after the refused row")
    seen = telemetry(app, commander, listener)
    assert (seen["outbox_refused"], seen["refused_topics"]) == (1, [STORE_ACL])
    state = KioskState("kiosk-1", "online", None, seen, last_heard=0.0)
    assert f"ACL refuses {STORE_ACL}" in table.problems(state, now=0.0, since=0.0, stale_after_s=180)

    # Connected once all along: no reconnect loop, no rebuilt client.
    assert acl_broker.connections("kiosk-kiosk-1") == 1 and app.link.rebuilds == 0 and app.link.connected
    assert listener.on("/status") == [b"online"]

    # The operator adds the line the log named and reloads mosquitto: the next retry delivers the request.
    acl_broker.acl.write_text(KIOSK_ONLY + f"topic write {STORE_ACL}\n")
    acl_broker.reload()
    step_until(app, lambda: queue(listener, request_id), "the request on the store topic after the ACL fix", 60)
    assert json.loads(queue(listener, request_id)[0])["status"] in ("open", "escalated")
    step_until(app, lambda: app.outbox.depth() == 0, "the outbox drained")
    seen = telemetry(app, commander, listener)
    assert (seen["outbox_refused"], seen["refused_topics"]) == (0, [])
    assert acl_broker.connections("kiosk-kiosk-1") == 1

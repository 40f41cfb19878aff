"""docs/asyncapi.yaml itself: a well-formed AsyncAPI 3 document whose schemas accept good and refuse bad messages."""

import json

import pytest

from kiosk.core.events import envelope
from kiosk.features import default_features
from kiosk.features.registry import FeatureSet
from kiosk.mqtt.discovery import discovery_messages
from tests import contract


def test_document_shape():
    doc = contract.document()
    assert doc["asyncapi"].startswith("3.")
    for name, channel in doc["channels"].items():
        assert channel["address"], name
        for message in channel["messages"].values():
            ref = message["$ref"].removeprefix("#/components/messages/")
            assert ref in doc["components"]["messages"]
    for operation in doc["operations"].values():
        assert operation["action"] in ("send", "receive")


def event(**changes) -> bytes:
    data = envelope(event_id="01M8B1TP109ASGSTKYPAS7GQJM", seq=1, boot_id="01M8B1TM644B4QAH290CAWEJEV",
                    kiosk_id="k1", store_id="s1", type="tap", occurred_at=0, clock_synced=True,
                    data={"session_id": "01M8B1TP0ZSEVZ0H3W9687FDVA", "credential": {"kind": "ndef", "ref": "M-1"}})
    return json.dumps({**data, **changes}).encode()


def test_schemas_accept_good_messages():
    assert contract.errors("loyalty/v1/k1/status", b"online") == []
    assert contract.errors("loyalty/v1/k1/events/tap", event()) == []
    assert contract.errors("loyalty/v1/k1/cmd/ping/result", b'{"cmd_id": "c1", "ok": true}') == []
    buttons = FeatureSet(default_features()).commands.buttons()
    for topic, payload in discovery_messages("loyalty/v1/k1", "k1", "s1", "1.0", buttons):
        assert contract.errors(topic, payload) == []


@pytest.mark.parametrize(("topic", "payload", "problem"), [
    ("loyalty/v1/k1/status", b"maybe", "is not one of"),
    ("loyalty/v1/k1/events/tap", event(seq=0), "less than the minimum"),
    ("loyalty/v1/k1/events/tap", event(name="Anna"), "Additional properties"),
    ("loyalty/v1/k1/events/tap", event(data={"session_id": "x"}), "does not match"),
    ("loyalty/v1/k1/events/spin", event(), "differs from the topic"),
    ("loyalty/v1/k1/events/tap", event(type="teleport"), "is not one of"),
    ("loyalty/v1/k1/cmd/ping/result", b'{"ok": "yes"}', "'cmd_id' is a required property"),
    ("loyalty/v1/k1/birth", b"{}", "is a required property"),
    ("loyalty/v1/k1/telemetry", b"not json", "not Telemetry"),
])
def test_schemas_refuse_bad_messages(topic, payload, problem):
    assert any(problem in e for e in contract.errors(topic, payload))


def test_commands_flowing_to_the_kiosk_are_not_checked_as_kiosk_output():
    assert contract.schema_for("loyalty/v1/k1/cmd/ping") is None
    assert contract.schema_for("loyalty/v1/k1/ha/maintenance_on") is None

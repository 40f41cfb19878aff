"""Events and status over a real mosquitto broker, with the kiosk as a real subprocess."""

import json
import re
import sqlite3
import time

from tests.helpers import Broker, KioskProcess, Listener, wait_for, write_config

ENVELOPE_KEYS = {"schema", "event_id", "seq", "boot_id", "kiosk_id", "store_id", "type", "occurred_at",
                 "clock_synced", "data"}


def recorded(state_db) -> list[dict]:
    with sqlite3.connect(f"file:{state_db}?mode=ro", uri=True) as db:
        return [json.loads(p) for (p,) in db.execute("SELECT payload FROM outbox ORDER BY seq")]


def undelivered(state_db) -> int:
    with sqlite3.connect(f"file:{state_db}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]


def test_events_arrive_with_the_whole_envelope(tmp_path, broker, kiosks):
    listener = Listener(broker.port, "loyalty/v1/#")
    config = write_config(tmp_path, mqtt_port=broker.port, kiosk={"id": "riga-01", "store": "riga"})
    kiosk = KioskProcess(config)
    kiosks.append(kiosk)
    wait_for(lambda: listener.on("/status") == [b"online"], 10, "status online")
    kiosk.tap("ndef", "M-1001")
    kiosk.wait_scene("welcome")
    events = wait_for(lambda: listener.events() if len(listener.events()) >= 2 else None, 10, "two events")
    topics = [t for t, _, _ in listener.messages if "/events/" in t]
    assert topics == ["loyalty/v1/riga-01/events/tap", "loyalty/v1/riga-01/events/member_identified"]
    tap, identified = events
    assert set(tap) == ENVELOPE_KEYS
    assert tap["schema"] == "kiosk.event/1"
    assert (tap["kiosk_id"], tap["store_id"], tap["type"]) == ("riga-01", "riga", "tap")
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", tap["event_id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", tap["occurred_at"])
    assert isinstance(tap["clock_synced"], bool)
    assert tap["data"]["credential"] == {"kind": "ndef", "ref": "M-1001"}
    assert identified["seq"] == tap["seq"] + 1 and identified["boot_id"] == tap["boot_id"]
    assert identified["data"] == {"session_id": tap["data"]["session_id"], "member_ref": "M-1001", "tier": "gold"}
    assert "Anna" not in json.dumps(events)  # no personal data over MQTT
    wait_for(lambda: undelivered(tmp_path / "state" / "state.db") == 0, 10, "rows marked delivered")
    listener.close()


def test_events_wait_for_a_broker_and_arrive_exactly_as_recorded(tmp_path, kiosks):
    broker = Broker(tmp_path)  # not started: the kiosk comes up with no broker at all
    config = write_config(tmp_path, mqtt_port=broker.port)
    kiosk = KioskProcess(config)
    kiosks.append(kiosk)
    state_db = tmp_path / "state" / "state.db"
    try:
        kiosk.tap("ndef", "M-1001")
        kiosk.wait_scene("welcome")
        kiosk.tap("uid", "a" * 64)
        kiosk.wait_scene("join")
        assert undelivered(state_db) == 5  # tap, member_identified, session_ended, tap, unknown_credential
        as_recorded = recorded(state_db)

        broker.start()
        listener = Listener(broker.port, "loyalty/v1/#")
        wait_for(lambda: undelivered(state_db) == 0, 40, "the backlog to drain after the broker came up")
        wait_for(lambda: len(listener.events()) >= 5, 10, "the listener to see the backlog")
        assert listener.events() == as_recorded
        # Once delivered, the outbox keeps no pointer to the person: the member reference is blanked.
        kept = recorded(state_db)
        assert [e["data"]["credential"]["ref"] for e in kept if e["type"] == "tap"] == [None, None]
        assert [e["data"]["member_ref"] for e in kept if e["type"] == "member_identified"] == [None]

        broker.stop()  # a second outage: events recorded meanwhile go out after the reconnect
        kiosk.tap("ndef", "M-1003")
        kiosk.wait_scene("welcome")
        second = recorded(state_db)[5:]
        broker.start()
        listener.close()
        listener = Listener(broker.port, "loyalty/v1/#")
        wait_for(lambda: undelivered(state_db) == 0, 40, "the second backlog to drain")
        wait_for(lambda: len(listener.events()) >= 3, 10, "the listener to see the second backlog")
        by_id = {e["event_id"]: e for e in listener.events()}
        for event in second:
            assert by_id[event["event_id"]] == event
        listener.close()
        assert kiosk.scene() == "welcome"  # the kiosk kept working through both outages
    finally:
        broker.stop()


def test_sigterm_publishes_offline_and_exits_cleanly(tmp_path, broker, kiosks):
    listener = Listener(broker.port, "loyalty/v1/kiosk-1/status")
    kiosk = KioskProcess(write_config(tmp_path, mqtt_port=broker.port))
    kiosks.append(kiosk)
    wait_for(lambda: listener.on("/status") == [b"online"], 10, "status online")
    started = time.monotonic()
    assert kiosk.terminate() == 0
    assert time.monotonic() - started < 5
    wait_for(lambda: listener.on("/status")[-1:] == [b"offline"], 5, "status offline")
    listener.close()
    retained = Listener(broker.port, "loyalty/v1/kiosk-1/status")
    wait_for(lambda: retained.messages, 5, "the retained status")
    assert retained.messages[-1][1:] == (b"offline", True)
    retained.close()
    assert "Traceback" not in kiosk.log()


def test_last_will_says_offline_when_the_kiosk_dies(tmp_path, broker, kiosks):
    listener = Listener(broker.port, "loyalty/v1/kiosk-1/status")
    kiosk = KioskProcess(write_config(tmp_path, mqtt_port=broker.port))
    kiosks.append(kiosk)
    wait_for(lambda: listener.on("/status") == [b"online"], 10, "status online")
    kiosk.kill()
    wait_for(lambda: listener.on("/status")[-1:] == [b"offline"], 10, "the Last Will")
    listener.close()

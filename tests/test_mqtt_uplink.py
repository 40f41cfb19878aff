"""Store operations over a real mosquitto: birth, telemetry, commands, Home Assistant discovery."""

import base64
import io
import json

import pygame
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.mqtt.commands import sign
from tests.helpers import Commander, KioskProcess, Listener, command_body, wait_for, write_config

ROOT = "loyalty/v1/kiosk-1"


@pytest.fixture
def online(tmp_path, broker, kiosks):
    """A kiosk connected to a private broker, with a commander and a listener on everything it publishes."""
    listener = Listener(broker.port, "#")
    kiosk = KioskProcess(write_config(tmp_path, mqtt_port=broker.port, mqtt={"telemetry_interval_s": 5}))
    kiosks.append(kiosk)
    wait_for(lambda: listener.on(f"{ROOT}/status") == [b"online"], 10, "status online")
    commander = Commander(broker.port)
    yield kiosk, commander, listener
    commander.close()
    listener.close()


def test_birth_and_telemetry(online):
    kiosk, _, listener = online
    birth = json.loads(wait_for(lambda: listener.on(f"{ROOT}/birth"), 10, "birth")[0])
    assert birth["schema"] == "kiosk.birth/1"
    assert set(birth) == {"schema", "boot_id", "kiosk_id", "session", "store_id", "version", "content_version",
                          "started_at"}
    assert birth["session"]["expiry_s"] > 0
    kiosk.tap("ndef", "M-1001")
    kiosk.wait_scene("welcome")
    telemetry = json.loads(wait_for(lambda: [t for t in listener.on(f"{ROOT}/telemetry")
                                             if json.loads(t)["last_tap_at"]], 15, "telemetry after a tap")[0])
    for field in ("uptime_s", "outbox_depth", "oldest_unsent_s", "reader_ok", "last_tap_at", "cpu_temp_c",
                  "disk_free_mb", "content_version", "clock_synced", "frame_time_p99_ms"):
        assert field in telemetry
    assert telemetry["boot_id"] == birth["boot_id"]
    assert telemetry["disk_free_mb"] > 0
    assert telemetry["frame_time_p99_ms"] > 0


def test_ping_duplicate_expired_malformed_unknown(online):
    _, commander, _ = online
    answer = commander.send("ping", command_body("p-1"))
    assert answer["ok"] is True and answer["data"]["scene"] == "attract"
    again = commander.send("ping", command_body("p-1"))
    assert again == {"cmd_id": "p-1", "ok": False, "error": "duplicate cmd_id: already received"}
    late = commander.send("ping", command_body("p-2", ttl_s=-5))
    assert (late["ok"], late["error"]) == (False, "expired")
    assert commander.send("launch", command_body("p-3"))["error"].startswith("unknown command 'launch'")
    commander.send_raw("ping", b"{garbage")
    refused = wait_for(lambda: [json.loads(p) for p in commander.results.on("/ping/result")
                                if json.loads(p)["cmd_id"] is None], 10, "the refusal of garbage")
    assert refused[0]["error"] == "payload is not JSON"


def test_maintenance_refuses_taps_and_survives_a_restart(online, tmp_path, kiosks):
    kiosk, commander, listener = online
    kiosk.tap("ndef", "M-1001")
    kiosk.wait_scene("welcome")
    assert commander.send("maintenance", command_body("m-1", {"on": True}))["ok"]
    kiosk.wait_scene("maintenance")
    kiosk.tap("ndef", "M-1003")
    assert kiosk.scene() == "maintenance"
    events = wait_for(lambda: [e for e in listener.events() if e["type"] == "tap_refused"], 10, "tap_refused")
    assert events[0]["data"] == {"reason": "maintenance", "credential_kind": "ndef"}
    ended = [e for e in listener.events() if e["type"] == "session_ended"]
    assert ended[-1]["data"]["reason"] == "maintenance"
    assert kiosk.terminate() == 0
    restarted = KioskProcess(kiosk.config)
    kiosks.append(restarted)
    assert restarted.scene() == "maintenance"
    wait_for(lambda: listener.on(f"{ROOT}/status")[-1:] == [b"online"], 10, "online again")
    assert commander.send("maintenance", command_body("m-2", {"on": False}))["ok"]
    restarted.wait_scene("attract")


def test_screenshot_only_without_a_shopper(online):
    kiosk, commander, _ = online
    answer = commander.send("screenshot", command_body("s-1"))
    assert answer["ok"] and answer["data"]["scene"] == "attract"
    image = pygame.image.load(io.BytesIO(base64.b64decode(answer["data"]["png_base64"])), "shot.png")
    assert image.get_size() == (answer["data"]["width"], answer["data"]["height"]) == (960, 540)
    kiosk.tap("ndef", "M-1001")
    kiosk.wait_scene("welcome")
    refused = commander.send("screenshot", command_body("s-2"))
    assert refused["ok"] is False and "shopper" in refused["error"]


def test_screenshot_upload(online, httpserver):
    _, commander, _ = online
    httpserver.expect_request("/shots/k1.png", method="PUT").respond_with_data("", status=201)
    answer = commander.send("screenshot", command_body("s-3", {"upload_url": httpserver.url_for("/shots/k1.png")}))
    assert answer["ok"] and answer["data"]["uploaded_bytes"] > 1000
    [(request, _)] = httpserver.log
    assert request.data.startswith(b"\x89PNG")


def test_session_joined_welcomes_the_new_member(online):
    kiosk, commander, listener = online
    kiosk.tap("uid", "b" * 64)
    kiosk.wait_scene("join")
    session_id = wait_for(lambda: [e for e in listener.events() if e["type"] == "tap"], 10, "tap")[0]["data"][
        "session_id"]
    wrong = commander.send("session_joined", command_body("j-1", {"session_id": "NOPE", "member_ref": "M-1003"}))
    assert wrong["ok"] is False
    right = commander.send("session_joined", command_body("j-2", {"session_id": session_id, "member_ref": "M-1003"}))
    assert right["ok"] is True
    kiosk.wait_scene("welcome")
    joined = wait_for(lambda: [e for e in listener.events() if e["type"] == "member_joined"], 10, "member_joined")
    assert joined[0]["data"] == {"session_id": session_id, "member_ref": "M-1003", "tier": "silver"}


def test_restart_starts_afresh_in_the_same_process(online):
    kiosk, commander, listener = online
    pid = kiosk.process.pid
    first = json.loads(listener.on(f"{ROOT}/birth")[0])
    assert commander.send("restart", command_body("r-1"))["ok"]
    births = wait_for(lambda: [json.loads(b) for b in listener.on(f"{ROOT}/birth")][1:], 20, "a second birth")
    assert births[0]["boot_id"] != first["boot_id"]
    assert kiosk.process.pid == pid and kiosk.process.poll() is None


def test_reload_content(online):
    _, commander, _ = online
    answer = commander.send("reload_content", command_body("c-1"))
    assert answer["ok"] is True and answer["data"]["content_dir"].endswith("content")


def test_signed_commands_only_when_keys_are_configured(tmp_path, broker, kiosks):
    key = Ed25519PrivateKey.generate()
    public = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    config = write_config(tmp_path, mqtt_port=broker.port, mqtt={"command_keys": [public], "ha_discovery": True})
    status = Listener(broker.port, f"{ROOT}/status")
    kiosk = KioskProcess(config)
    kiosks.append(kiosk)
    wait_for(lambda: status.on("/status") == [b"online"], 10, "status online")
    status.close()
    commander = Commander(broker.port)
    topic = f"{ROOT}/cmd/maintenance"
    unsigned = commander.send("maintenance", command_body("u-1", {"on": True}))
    assert unsigned["error"] == "unsigned, and this kiosk only takes signed commands"
    forged = commander.send("maintenance", sign(Ed25519PrivateKey.generate(), topic, command_body("u-2", {"on": True})))
    assert forged["error"] == "bad signature"
    assert kiosk.scene() == "attract"
    assert commander.send("maintenance", sign(key, topic, command_body("u-3", {"on": True})))["ok"]
    kiosk.wait_scene("maintenance")
    commander.publish(f"{ROOT}/ha/maintenance_off", b"PRESS")  # a Home Assistant button carries no signature
    commander.send("ping", sign(key, f"{ROOT}/cmd/ping", command_body("u-4")))  # the button was handled by now
    commander.close()
    assert kiosk.scene() == "maintenance"


def test_home_assistant_discovery_and_buttons(tmp_path, broker, kiosks):
    listener = Listener(broker.port, "homeassistant/#")
    kiosk = KioskProcess(write_config(tmp_path, mqtt_port=broker.port, mqtt={"ha_discovery": True}))
    kiosks.append(kiosk)
    configs = wait_for(lambda: listener.messages if len(listener.messages) >= 10 else None, 10, "discovery")
    by_topic = {topic: json.loads(payload) for topic, payload, _ in configs}
    online = by_topic["homeassistant/binary_sensor/kiosk_1/online/config"]
    assert online["state_topic"] == f"{ROOT}/status" and online["payload_on"] == "online"
    depth = by_topic["homeassistant/sensor/kiosk_1/outbox_depth/config"]
    assert depth["state_topic"] == f"{ROOT}/telemetry"
    assert depth["value_template"] == "{{ value_json.outbox_depth }}"
    assert depth["availability_topic"] == f"{ROOT}/status"
    assert {c["device"]["identifiers"][0] for c in by_topic.values()} == {"loyalty_kiosk_kiosk_1"}
    buttons = {t.split("/")[3] for t in by_topic if t.startswith("homeassistant/button/")}
    assert buttons == {"reload_content", "maintenance_on", "maintenance_off"}
    count = len(listener.messages)
    press = Commander(broker.port)
    press.publish(f"{ROOT}/ha/self_destruct", b"PRESS")  # an unknown button changes nothing
    press.publish(f"{ROOT}/ha/maintenance_on", b"PRESS")
    kiosk.wait_scene("maintenance")
    press.publish("homeassistant/status", b"online")  # Home Assistant restarted: announce again
    wait_for(lambda: len(listener.messages) >= 2 * count, 10, "a second announcement")
    press.close()
    listener.close()


payloads = st.binary(max_size=200) | st.dictionaries(
    st.sampled_from(["cmd_id", "issued_at", "expires_at", "args", "sig", "x"]),
    st.none() | st.integers() | st.text(max_size=30) | st.dictionaries(st.text(max_size=5), st.integers()),
).map(lambda d: json.dumps(d).encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["ping", "maintenance", "restart", "screenshot", "session_joined", "zzz"]),
       payload=payloads)
def test_fuzzed_command_payloads_are_refused_or_harmless(online, name, payload):
    kiosk, commander, _ = online
    commander.send_raw(name, payload)
    assert kiosk.scene() in ("attract", "maintenance")
    assert kiosk.process.poll() is None

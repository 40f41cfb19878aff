"""Command parsing and checking, pure: every refusal has a reason; fuzzed payloads never crash the parser."""

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.events import utc_ms
from kiosk.exc import CommandRefused
from kiosk.features import default_features
from kiosk.features.registry import FeatureSet
from kiosk.mqtt import commands
from kiosk.mqtt.commands import CommandLedger, sign
from kiosk.storage.store import Store

REGISTRY = FeatureSet(default_features()).commands

TOPIC = "loyalty/v1/k1/cmd/maintenance"
NOW = 1_800_000_000.0


def body(**changes) -> dict:
    return {"cmd_id": "c-1", "issued_at": utc_ms(NOW - 1), "expires_at": utc_ms(NOW + 60), "args": {"on": True},
            **changes}


def raw(data) -> bytes:
    return json.dumps(data).encode()


def parse(topic: str, name: str, payload: bytes, now: float, keys: list) -> commands.Command:
    return commands.parse(topic, name, payload, now, keys, REGISTRY.check)


def test_a_good_command():
    command = parse(TOPIC, "maintenance", raw(body()), NOW, [])
    assert (command.name, command.cmd_id, command.args) == ("maintenance", "c-1", {"on": True})
    assert command.expires_at == pytest.approx(NOW + 60)


@pytest.mark.parametrize(("payload", "name", "reason", "cmd_id"), [
    (b"{not json", "maintenance", "not JSON", None),
    (b"[1]", "maintenance", "not a JSON object", None),
    (raw(body(cmd_id="")), "maintenance", "cmd_id must be", None),
    (raw(body(cmd_id="a/b")), "maintenance", "cmd_id must be", None),
    (raw(body(extra=1)), "maintenance", "unknown fields ['extra']", "c-1"),
    (raw(body(expires_at=utc_ms(NOW - 1))), "maintenance", "expired", "c-1"),
    (raw(body(expires_at="tomorrow")), "maintenance", "expires_at must be an ISO 8601", "c-1"),
    (raw(body(expires_at="2030-01-01T00:00:00")), "maintenance", "time zone", "c-1"),
    (raw(body(issued_at=5)), "maintenance", "issued_at must be", "c-1"),
    (raw(body(args=[])), "maintenance", "expected an object", "c-1"),
    (raw(body(args={"on": "yes"})), "maintenance", "on: expected true or false", "c-1"),
    (raw(body(args={})), "launch_rockets", "unknown command 'launch_rockets'", "c-1"),
    (raw(body(args={"x": 1})), "ping", "unknown x; takes nothing", "c-1"),
    (raw(body(args={"upload_url": "ftp://x"})), "screenshot", "upload_url: expected an http", "c-1"),
    (raw(body(args={"session_id": "S1"})), "session_joined", "missing member_ref", "c-1"),
    (b"x" * (commands.MAX_PAYLOAD + 1), "ping", "larger than", None),
    # Every pattern matches the whole string: a trailing newline is not part of an id.
    (raw(body(cmd_id="abc\n")), "maintenance", "cmd_id must be", None),
    (raw(body(args={"session_id": "S1", "member_ref": "M-1001\n"})), "session_joined", "member_ref: expected",
     "c-1"),
    (b"[" * 60_000, "ping", "nests too deeply", None),
    (raw(body(issued_at="0001-01-01T00:00:00+23:59")), "maintenance", "issued_at is not a sane time", "c-1"),
    (raw(body(expires_at="9999-12-31T23:59:59Z")), "maintenance", "expires_at is not a sane time", "c-1"),
])
def test_refusals_have_reasons(payload, name, reason, cmd_id):
    with pytest.raises(CommandRefused, match=None) as caught:
        parse(f"loyalty/v1/k1/cmd/{name}", name, payload, NOW, [])
    assert reason in str(caught.value)
    assert caught.value.cmd_id == cmd_id


def test_signatures_when_keys_are_configured():
    key = Ed25519PrivateKey.generate()
    other = Ed25519PrivateKey.generate()
    keys = [key.public_key()]
    assert parse(TOPIC, "maintenance", raw(sign(key, TOPIC, body())), NOW, keys).args == {"on": True}
    for payload, reason in [
        (raw(body()), "unsigned"),
        (raw(sign(other, TOPIC, body())), "bad signature"),
        (raw(sign(key, "loyalty/v1/OTHER/cmd/maintenance", body())), "bad signature"),  # replayed elsewhere
        (raw({**sign(key, TOPIC, body()), "args": {"on": False}}), "bad signature"),  # tampered
        (raw(body(sig="%%%")), "not base64"),
    ]:
        with pytest.raises(CommandRefused, match=reason):
            parse(TOPIC, "maintenance", payload, NOW, keys)


def test_ledger_takes_each_cmd_id_once(tmp_path):
    store = Store(tmp_path / "state.db")
    ledger = CommandLedger(store)
    command = parse(TOPIC, "maintenance", raw(body()), NOW, [])
    assert ledger.first_time(command, NOW)
    assert not ledger.first_time(command, NOW + 1)
    store.close()
    assert not CommandLedger(Store(tmp_path / "state.db")).first_time(command, NOW + 2)  # survives a restart


def test_public_keys_from_config():
    key = Ed25519PrivateKey.generate()
    encoded = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    [loaded] = commands.public_keys((encoded,))
    assert loaded.public_bytes_raw() == key.public_key().public_bytes_raw()


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                           max_leaves=20)
command_like = st.fixed_dictionaries({}, optional={
    "cmd_id": st.text(max_size=70) | json_values, "issued_at": st.text() | json_values,
    "expires_at": st.just(utc_ms(NOW + 60)) | st.text() | json_values, "args": json_values,
    "sig": st.text() | json_values}).map(raw)


@settings(max_examples=2000, deadline=None)
@given(name=st.sampled_from([*REGISTRY.names(), "nope"]), payload=st.binary(max_size=300) | command_like)
def test_any_payload_is_a_command_or_a_refusal(name, payload):
    try:
        command = parse(f"p/k/cmd/{name}", name, payload, time.time(), [])
    except CommandRefused as refused:
        assert str(refused)
        return
    assert command.name in REGISTRY.names()


def test_a_command_expiring_exactly_now_is_refused_and_a_moment_later_is_taken():
    expires = utc_ms(NOW)
    with pytest.raises(CommandRefused, match="expired"):
        parse(TOPIC, "maintenance", raw(body(expires_at=expires)), NOW, [])
    assert parse(TOPIC, "maintenance", raw(body(expires_at=expires)), NOW - 0.001, []).cmd_id == "c-1"

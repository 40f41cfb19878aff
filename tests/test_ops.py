"""The store-ops console: `kiosk ops watch|send|keygen` as subprocesses against a private mosquitto and a real
kiosk, and its table, state folding and argument parsing on their own."""

import json
import re
import stat
import subprocess
import sys
import time

import pytest

from kiosk import config, keys
from kiosk.app import MAX_SLEEP_S
from kiosk.cli import main as cli
from kiosk.exc import KioskError
from kiosk.features import default_features
from kiosk.features.registry import FeatureSet
from kiosk.mqtt.commands import parse, public_keys
from kiosk.ops import send, table
from kiosk.ops.fleet import Fleet, KioskState
from kiosk.runtime import VITALS_EVERY_S
from tests import contract
from tests.bundles import SHIPPED_VERSION
from tests.helpers import REPO, KioskProcess, Listener, free_port, wait_for, write_config

ROOT = "loyalty/v1/kiosk-1"


def ops(config_path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config_path), "ops", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def result_of(run: subprocess.CompletedProcess, name: str) -> dict:
    """The printed result, which must be a CommandResult of the MQTT contract."""
    assert not contract.errors(f"{ROOT}/cmd/{name}/result", run.stdout.encode()), run.stdout
    return json.loads(run.stdout)


def rows(output: str) -> dict[str, dict[str, str]]:
    """The table printed by `ops watch`, as {kiosk id: {column: cell}}; columns are two spaces apart."""
    lines = output.splitlines()
    header = lines.index(next(line for line in lines if "KIOSK" in line))
    found = {}
    for line in lines[header + 1:]:
        cells = re.split(r"\s{2,}", line[2:])
        found[cells[0]] = dict(zip(table.COLUMNS, cells, strict=False)) | {"flag": line[0]}
    return found


# Against a private mosquitto and a real kiosk.


@pytest.fixture
def kiosk(tmp_path, broker, kiosks):
    """A kiosk online on the broker; its config serves the console too (same [mqtt])."""
    status = Listener(broker.port, f"{ROOT}/status")
    process = KioskProcess(write_config(tmp_path, mqtt_port=broker.port, mqtt={"telemetry_interval_s": 5}))
    kiosks.append(process)
    wait_for(lambda: status.on("/status") == [b"online"], 10, "status online")
    yield process
    status.close()


def test_send_ping_maintenance_and_an_unknown_command(kiosk):
    ping = ops(kiosk.config, "send", "kiosk-1", "ping")
    assert ping.returncode == 0, ping.stderr
    answer = result_of(ping, "ping")
    assert answer["ok"] is True and answer["data"]["scene"] == "attract"
    maintenance = ops(kiosk.config, "send", "kiosk-1", "maintenance", "on=true")
    assert maintenance.returncode == 0, maintenance.stderr
    assert result_of(maintenance, "maintenance")["data"] == {"maintenance": True}
    kiosk.wait_scene("maintenance")
    # The command registry the kiosk checks with checks here first: nothing wrong is sent.
    unknown = ops(kiosk.config, "send", "kiosk-1", "launch", "speed=3")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "kiosk: ops send: launch: unknown command 'launch'" in unknown.stderr
    bad = ops(kiosk.config, "send", "kiosk-1", "maintenance", "on=yes")
    assert bad.returncode == 2 and "maintenance: on: expected true or false" in bad.stderr


def test_send_times_out_when_no_kiosk_answers(tmp_path, broker):
    quiet = ops(write_config(tmp_path, mqtt_port=broker.port), "send", "kiosk-404", "ping", "--timeout", "1")
    assert quiet.returncode == 2
    assert quiet.stdout == ""
    assert "no result from kiosk-404 within 1 s" in quiet.stderr and "dropped" in quiet.stderr


def test_signed_send_and_unsigned_refused(tmp_path, broker, kiosks):
    key_file = tmp_path / "ops.key"
    keygen = ops(write_config(tmp_path), "keygen", "--out", str(key_file))
    assert keygen.returncode == 0, keygen.stderr
    public = keygen.stdout.strip()
    status = Listener(broker.port, f"{ROOT}/status")
    process = KioskProcess(write_config(tmp_path, mqtt_port=broker.port, mqtt={"command_keys": [public]}))
    kiosks.append(process)
    wait_for(lambda: status.on("/status") == [b"online"], 10, "status online")
    status.close()
    unsigned = ops(process.config, "send", "kiosk-1", "maintenance", "on=true")
    assert unsigned.returncode == 1
    assert result_of(unsigned, "maintenance")["error"] == "unsigned, and this kiosk only takes signed commands"
    assert process.scene() == "attract"
    signed = ops(process.config, "send", "kiosk-1", "maintenance", "on=true", "--sign-key", str(key_file))
    assert signed.returncode == 0, signed.stderr
    process.wait_scene("maintenance")
    # Its ping is signed too; the window only bounds a busy machine, the table prints when the telemetry is in.
    watched = ops(process.config, "watch", "--once", "--window", "10", "--sign-key", str(key_file))
    assert rows(watched.stdout)["kiosk-1"]["NOTES"] == "maintenance", watched.stdout


def test_watch_once_shows_the_kiosk_online_then_offline_after_a_kill(kiosk, broker):
    # The window outlasts one telemetry period (5 s), which carries the outbox depth.
    healthy = ops(kiosk.config, "watch", "--once", "--window", "6")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    row = rows(healthy.stdout)["kiosk-1"]
    assert (row["flag"], row["STORE"], row["STATUS"], row["OUTBOX"]) == (" ", "store-1", "online", "0")
    assert row["LAST SEEN"].endswith("s") and row["VERSION"] != "-"
    status = Listener(broker.port, f"{ROOT}/status")
    kiosk.kill()  # SIGKILL: only the broker's Last Will says it is gone
    wait_for(lambda: status.on("/status")[-1:] == [b"offline"], 10, "the Last Will")
    status.close()
    dead = ops(kiosk.config, "watch", "--once", "--window", "0.5")
    assert dead.returncode == 1
    row = rows(dead.stdout)["kiosk-1"]
    assert (row["flag"], row["STATUS"], row["NOTES"]) == ("!", "offline", "STALE offline")
    assert "1 kiosk, 1 flagged" in dead.stdout


def test_watch_once_asks_the_kiosks_so_one_run_fills_every_column(tmp_path, broker, kiosks):
    status, telemetry = Listener(broker.port, f"{ROOT}/status"), Listener(broker.port, f"{ROOT}/telemetry")
    events = Listener(broker.port, f"{ROOT}/events/#")
    reader = f"udp:127.0.0.1:{free_port()}"
    process = KioskProcess(write_config(tmp_path, mqtt_port=broker.port, nfc={"device": reader}))  # telemetry: 60 s
    kiosks.append(process)
    wait_for(lambda: status.on("/status") == [b"online"], 10, "status online")
    wait_for(lambda: telemetry.on("/telemetry"), 10, "the telemetry sent on connecting")  # the next in a minute
    wait_for(lambda: events.on("/events/reader_status"), 10, "the reader's first status")
    time.sleep(VITALS_EVERY_S + MAX_SLEEP_S)  # the main loop's snapshot of its health has caught up with it
    run = ops(process.config, "watch", "--once")
    assert run.returncode == 0, run.stdout + run.stderr
    row = rows(run.stdout)["kiosk-1"]
    assert (row["flag"], row["STATUS"], row["READER"], row["OUTBOX"], row["CONTENT"]) == (
        " ", "online", "ok", "0", str(SHIPPED_VERSION)), run.stdout
    assert row["LAST SEEN"].endswith("s") and row["VERSION"] != "-"
    assert len(telemetry.on("/telemetry")) == 2  # the ping's answer, long before the next period
    for listener in (status, telemetry, events):
        listener.close()


def test_watch_without_a_broker_says_so(tmp_path):
    run = ops(write_config(tmp_path, mqtt_port=free_port()), "watch", "--once")
    assert run.returncode == 2
    assert "cannot reach the broker 127.0.0.1:" in run.stderr


# Pure: the table, the fleet state, the arguments, the keys.


def test_age():
    assert [table.age(s) for s in (0, 59.9, 60, 3599, 3600, 86400 + 3600, -5)] == [
        "0s", "59s", "1m00s", "59m59s", "1h00m", "1d01h", "0s"]


def test_fleet_folds_retained_and_live_messages():
    fleet = Fleet("shop/a/v1")
    fleet.apply("shop/a/v1/k1/status", b"online", retained=True, now=10)
    fleet.apply("shop/a/v1/k1/birth", b'{"store_id": "s1", "version": "1.2"}', retained=True, now=10)
    assert fleet.kiosks["k1"].last_heard is None  # retained: sent who knows when
    fleet.apply("shop/a/v1/k1/telemetry", b'{"outbox_depth": 4}', retained=False, now=12)
    fleet.apply("shop/a/v1/k1/telemetry", b"{not json", retained=False, now=13)
    fleet.apply("shop/a/v1/k1/telemetry", b"[1]", retained=False, now=13)
    fleet.apply("shop/a/v1/k1/status", b"sleepy", retained=False, now=13)
    fleet.apply("shop/a/v1/k1/events/tap", b"{}", retained=False, now=13)
    fleet.apply("other/k9/status", b"online", retained=True, now=13)
    state = fleet.kiosks["k1"]
    assert (state.status, state.birth["store_id"], state.telemetry, state.last_heard) == (
        "online", "s1", {"outbox_depth": 4}, 12)
    fleet.apply("shop/a/v1/k1/status", b"offline", retained=False, now=20)  # the Last Will
    assert (state.status, state.last_heard) == ("offline", 12)
    fleet.apply("shop/a/v1/k2/status", b"online", retained=False, now=21)
    fleet.apply("shop/a/v1/k1/status", b"", retained=True, now=22)  # retired: its retained status cleared
    assert list(fleet.kiosks) == ["k2"]
    assert fleet.subscriptions() == [("shop/a/v1/+/status", 1), ("shop/a/v1/+/birth", 1),
                                     ("shop/a/v1/+/telemetry", 1)]


def fleet_states() -> dict[str, KioskState]:
    telemetry = {"outbox_depth": 0, "oldest_unsent_s": 0, "reader_ok": True, "content_version": 7,
                 "maintenance": False}
    birth = {"store_id": "s1", "version": "1.2", "content_version": 6}
    return {
        "k-ok": KioskState("k-ok", "online", birth, telemetry, last_heard=995),
        "k-dead": KioskState("k-dead", "offline", birth, None, last_heard=400),
        "k-quiet": KioskState("k-quiet", "online", birth, None, last_heard=None),
        "k-behind": KioskState("k-behind", "online", birth, {**telemetry, "outbox_depth": 1200,
                                                             "oldest_unsent_s": 4000, "reader_ok": False,
                                                             "maintenance": True}, last_heard=990),
    }


def test_table_flags_offline_silent_and_broken_kiosks():
    lines = table.render(fleet_states(), 1000, since=700, stale_after_s=180, prefix="loyalty/v1")
    assert lines[0].startswith("loyalty/v1: 4 kiosks, 3 flagged (stale after 3m00s silent)")
    found = rows("\n".join(lines))
    assert list(found) == ["k-behind", "k-dead", "k-ok", "k-quiet"]  # by id, so a redraw does not jump
    assert {k: r["flag"] for k, r in found.items()} == {"k-behind": "!", "k-dead": "!", "k-ok": " ", "k-quiet": "!"}
    assert found["k-ok"] == {"KIOSK": "k-ok", "STORE": "s1", "STATUS": "online", "LAST SEEN": "5s", "READER": "ok",
                             "OUTBOX": "0", "OLDEST UNSENT": "-", "CONTENT": "7", "VERSION": "1.2", "flag": " "}
    assert found["k-dead"]["NOTES"] == "STALE offline" and found["k-dead"]["LAST SEEN"] == "10m00s"
    assert found["k-quiet"]["NOTES"] == "STALE silent 5m00s"  # not heard since the console started at 700
    assert found["k-quiet"]["CONTENT"] == "6"  # from the birth until telemetry tells
    behind = found["k-behind"]
    assert (behind["READER"], behind["OUTBOX"], behind["OLDEST UNSENT"], behind["NOTES"]) == (
        "FAIL", "1200", "1h06m", "reader FAIL maintenance")
    assert table.flagged(fleet_states(), 1000, since=700, stale_after_s=180) == ["k-behind", "k-dead", "k-quiet"]
    assert table.flagged(fleet_states(), 1000, since=950, stale_after_s=180) == ["k-behind", "k-dead"]


def test_table_flags_a_kiosk_whose_broker_refuses_a_topic():
    refusing = {"reader_ok": True, "outbox_depth": 1, "outbox_refused": 1,
                "refused_topics": ["loyalty/v1/stores/s1/#"]}
    kiosks = {"k1": KioskState("k1", "online", {"store_id": "s1"}, refusing, last_heard=995),
              "k2": KioskState("k2", "online", {"store_id": "s1"}, {**refusing, "refused_topics": []}, last_heard=995)}
    found = rows("\n".join(table.render(kiosks, 1000, since=700, stale_after_s=180, prefix="loyalty/v1")))
    assert found["k1"]["NOTES"] == "ACL refuses loyalty/v1/stores/s1/#" and found["k1"]["flag"] == "!"
    assert found["k2"]["NOTES"] == "broker refused 1 events"  # restarted since: it learns the topic at the retry
    assert table.flagged(kiosks, 1000, since=700, stale_after_s=180) == ["k1", "k2"]


def test_table_colour_only_when_asked_and_an_empty_fleet():
    plain = table.render(fleet_states(), 1000, since=700, stale_after_s=180, prefix="p")
    assert not any("\x1b" in line for line in plain)
    coloured = table.render(fleet_states(), 1000, since=700, stale_after_s=180, prefix="p", colour=True)
    assert [line.startswith("\x1b[31m!") for line in coloured[2:]] == [True, True, False, True]
    assert table.render({}, 1000, since=0, stale_after_s=180, prefix="p")[1] == "no kiosk has published under p/ yet"


def test_send_arguments_are_json_when_they_parse():
    assert send.parse_args(["on=true", "n=3", "f=1.5", 'name="x y"', "raw=x y", "url=http://h/a?b=c", "none=null",
                            "empty=", "v=Infinity", "list=[1,2]"]) == {
        "on": True, "n": 3, "f": 1.5, "name": "x y", "raw": "x y", "url": "http://h/a?b=c", "none": None,
        "empty": "", "v": "Infinity", "list": [1, 2]}
    for bad in (["on"], ["=true"], ["a=1", "a=2"]):
        with pytest.raises(KioskError):
            send.parse_args(bad)


def test_ops_command_line():
    args = cli._parser().parse_args(["ops", "send", "k1", "maintenance", "on=true", "--timeout", "3", "--ttl", "30"])
    assert (args.kiosk, args.cmd, args.args, args.timeout, args.ttl, args.sign_key) == (
        "k1", "maintenance", ["on=true"], 3.0, 30.0, None)
    args = cli._parser().parse_args(["ops", "watch"])
    assert (args.once, args.window, args.stale_after, args.sign_key) == (False, 2.0, 180.0, None)
    with pytest.raises(KioskError, match="kiosk id must be"):
        send.run(config.MqttSettings(), "k/1", "ping", {}, timeout_s=1, ttl_s=1,
                 registry=FeatureSet(default_features()).commands)


def test_keygen_key_signs_commands_the_kiosk_accepts(tmp_path):
    out = tmp_path / "ops.key"
    public = keys.generate(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    settings = config.from_mapping({"mqtt": {"command_keys": [public]}}, "test.toml")  # the kiosk's validation
    topic = "loyalty/v1/k1/cmd/maintenance"
    body = send.command(topic, {"on": True}, now=1_800_000_000.0, ttl_s=60, key=keys.load_private(out))
    accepted = parse(topic, "maintenance", json.dumps(body).encode(), 1_800_000_001.0,
                     public_keys(settings.mqtt.command_keys), FeatureSet(default_features()).commands.check)
    assert (accepted.cmd_id, accepted.args) == (body["cmd_id"], {"on": True})
    with pytest.raises(KioskError, match="not overwriting"):
        keys.generate(out)
    (tmp_path / "bad.key").write_text("not a key\n")
    with pytest.raises(KioskError, match="is not a signing key"):
        keys.load_private(tmp_path / "bad.key")

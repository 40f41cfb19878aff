"""Personal data at rest, with a real kiosk process and a real broker: a member token delivered over MQTT
leaves every file of the state folder within 30 s (the WAL included), while the kiosk runs and after a SIGKILL,
and the state files are private."""

import json
import sqlite3
import stat

from tests.helpers import KioskProcess, Listener, wait_for, write_config

TOKEN = "TOKEN-SECRET-42"
WITHIN_S = 30  # the bound the README sets for personal fields after delivery


def files_holding(folder, needle: str) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and needle.encode() in p.read_bytes())


def token_delivered(listener: Listener) -> bool:
    return any(e["type"] == "tap" and e["data"]["credential"]["ref"] == TOKEN for e in listener.events())


def blanked_in_outbox(state) -> bool:
    with sqlite3.connect(f"file:{state / 'state.db'}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT payload, delivered_at FROM outbox WHERE type = 'tap'").fetchall()
    return bool(rows) and all(at is not None and json.loads(p)["data"]["credential"]["ref"] is None
                              for p, at in rows)


def test_a_delivered_member_token_leaves_every_state_file_while_running_and_after_sigkill(tmp_path, broker, kiosks):
    listener = Listener(broker.port, "loyalty/v1/#")
    state = tmp_path / "state"
    kiosk = KioskProcess(write_config(tmp_path, mqtt_port=broker.port))
    kiosks.append(kiosk)
    kiosk.tap("app", TOKEN)
    wait_for(lambda: token_delivered(listener), 10, "the tap event at the broker")
    wait_for(lambda: files_holding(state, TOKEN) == [], WITHIN_S, f"{TOKEN} gone from every file of the state folder")
    assert blanked_in_outbox(state)
    kiosk.kill()
    assert files_holding(state, TOKEN) == []
    assert TOKEN not in kiosk.log()
    listener.close()


def test_a_token_a_crash_left_in_the_wal_is_gone_soon_after_the_next_start(tmp_path, broker, kiosks):
    listener = Listener(broker.port, "loyalty/v1/#")
    state = tmp_path / "state"
    config = write_config(tmp_path, mqtt_port=broker.port)
    kiosk = KioskProcess(config)
    kiosks.append(kiosk)
    kiosk.tap("app", TOKEN)
    wait_for(lambda: token_delivered(listener), 10, "the tap event at the broker")
    kiosk.kill()  # SIGKILL at once: before the scrub that follows delivery
    assert files_holding(state, TOKEN) != []  # the WAL (or the undelivered row) still holds it
    again = KioskProcess(config)
    kiosks.append(again)
    wait_for(lambda: files_holding(state, TOKEN) == [], WITHIN_S, f"{TOKEN} gone after the restart")
    assert blanked_in_outbox(state)
    listener.close()


def test_state_files_are_created_private(tmp_path, kiosks):
    state = tmp_path / "state"
    kiosk = KioskProcess(write_config(tmp_path))
    kiosks.append(kiosk)
    kiosk.tap("app", TOKEN)
    kiosk.wait_scene("join")
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    files = [p for p in state.iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"state.db", "state.db-wal", "state.db-shm", "uid_hmac.key"}
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {p.name: "0o600" for p in files}

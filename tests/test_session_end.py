"""A session on screen when the kiosk stops is ended: by the stop itself (SIGTERM), or by the next start after a
crash (SIGKILL). Real kiosk processes, real SQLite state."""

import json
import sqlite3

from tests.helpers import KioskProcess, write_config


def sessions(config_dir) -> list[tuple]:
    with sqlite3.connect(config_dir / "state" / "state.db") as db:
        return db.execute("SELECT ended_at IS NOT NULL, end_reason FROM sessions").fetchall()


def ended_events(config_dir) -> list[dict]:
    with sqlite3.connect(config_dir / "state" / "state.db") as db:
        rows = db.execute("SELECT payload FROM outbox WHERE type = 'session_ended' ORDER BY seq").fetchall()
    return [json.loads(payload)["data"] for (payload,) in rows]


def test_sigterm_ends_the_session_on_screen(tmp_path, kiosks):
    kiosk = KioskProcess(write_config(tmp_path))
    kiosks.append(kiosk)
    kiosk.wait_scene("attract")
    kiosk.tap("ndef", "M-1001")
    kiosk.wait_scene("welcome")
    assert kiosk.terminate() == 0
    assert sessions(tmp_path) == [(1, "stop")]
    [ended] = ended_events(tmp_path)
    assert ended["reason"] == "stop" and ended["duration_s"] > 0


def test_the_next_start_ends_what_a_crash_left_open(tmp_path, kiosks):
    config = write_config(tmp_path)
    kiosk = KioskProcess(config)
    kiosks.append(kiosk)
    kiosk.wait_scene("attract")
    kiosk.tap("ndef", "M-1001")
    kiosk.wait_scene("welcome")
    kiosk.kill()
    assert sessions(tmp_path) == [(0, None)]
    again = KioskProcess(config)
    kiosks.append(again)
    again.wait_scene("attract")
    assert sessions(tmp_path) == [(1, "crash")]
    assert [e["reason"] for e in ended_events(tmp_path)] == ["crash"]
    assert ended_events(tmp_path)[0]["duration_s"] is None

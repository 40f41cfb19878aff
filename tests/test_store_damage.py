"""A damaged state.db stops the kiosk with one line naming the file and the recovery, and is left as it was."""

import os
import subprocess
import sys

import pytest

from kiosk.exc import StoreError
from kiosk.storage.store import Store
from tests.helpers import REPO, write_config


def kiosk_run(config) -> subprocess.CompletedProcess:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    return subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config), "run"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_damaged_database_stops_the_kiosk_and_keeps_its_undelivered_events(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "state" / "state.db"
    store = Store(db)
    with store.transaction() as tx:
        tx.execute("INSERT INTO outbox(event_id, type, payload, created_at) VALUES ('E1', 'tap', 'UNSENT-42', 0)")
    store.close()
    damaged = b"garbage!" * 2 + db.read_bytes()[16:]  # the header's magic string gone, the pages still there
    db.write_bytes(damaged)

    result = kiosk_run(config)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if " INFO " not in line]  # the log before it
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"kiosk: {db}: the state database is damaged (file is not a database); ")
    assert f"move state.db and any state.db-wal and state.db-shm out of {db.parent}" in lines[0]
    assert "events it has not delivered yet stay in it" in lines[0]
    assert db.read_bytes() == damaged and b"UNSENT-42" in damaged


def test_other_open_failures_say_what_sqlite_said(tmp_path):
    (tmp_path / "state.db").mkdir()
    with pytest.raises(StoreError, match=r"state\.db: cannot open the state database \(") as caught:
        Store(tmp_path / "state.db")
    assert "damaged" not in str(caught.value)



def test_doctor_names_the_damage_and_the_recovery(tmp_path):
    from kiosk import config as kiosk_config
    from kiosk.cli.doctor import check_backend

    db = tmp_path / "state" / "state.db"
    Store(db).close()
    db.write_bytes(b"garbage!" * 512)
    result = check_backend(kiosk_config.load(write_config(tmp_path)))
    assert result.status == "FAIL"
    assert result.detail.startswith(f"embedded backend: {db}: the state database is damaged (file is not a database)")

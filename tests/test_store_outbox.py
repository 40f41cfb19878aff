"""The SQLite store and the outbox on it: durability settings, atomic writes, order, delivery marks."""

import json
import sqlite3
import stat
import time

import pytest

from kiosk.core.events import EventType, Priority
from kiosk.core.flow import Event
from kiosk.features import default_features
from kiosk.features.registry import FeatureSet
from kiosk.storage.journal import Journal
from kiosk.storage.outbox import Outbox
from kiosk.storage.store import Store
from kiosk.tap.uid_secret import SECRET_FILE, UidHasher

EVENTS = FeatureSet(default_features()).events


def make_outbox(store: Store, boot_id: str = "BOOT1") -> Outbox:
    return Outbox(store, kiosk_id="k1", store_id="s1", boot_id=boot_id, clock_synced=lambda: True, types=EVENTS)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "state.db")
    yield s
    s.close()


def test_durability_pragmas(store):
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert store.query("PRAGMA synchronous")[0][0] == 2  # FULL
    assert store.query("PRAGMA secure_delete")[0][0] == 1


def test_the_page_cache_is_bounded_below_sqlites_default(store):
    # The database grows with every tap; the page cache, and with it resident memory, stops at this size.
    assert store.query("PRAGMA cache_size")[0][0] == -1024  # KiB; SQLite's default is -2000


def test_event_and_state_change_commit_together_or_not_at_all(store):
    outbox = make_outbox(store)
    journal = Journal(store, outbox, EVENTS)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        outbox.add(tx, "tap", {"n": 1})
        raise RuntimeError("power cut before commit")
    assert outbox.depth() == 0
    journal.record([Event("tap", {"session_id": "S1", "credential": {"kind": "ndef", "ref": "M-1"}})])
    assert store.query("SELECT credential_kind FROM sessions WHERE session_id = 'S1'")[0][0] == "ndef"
    assert outbox.depth() == 1


def test_pending_in_seq_order_and_seq_survives_a_restart(tmp_path):
    store = Store(tmp_path / "state.db")
    outbox = make_outbox(store)
    first = [outbox.record("tap", {"n": i})["seq"] for i in range(3)]
    store.close()
    store = Store(tmp_path / "state.db")
    outbox = make_outbox(store, boot_id="BOOT2")
    later = outbox.record("tap", {"n": 3})
    assert first == [1, 2, 3] and later["seq"] == 4
    pending = outbox.pending()
    assert [p.seq for p in pending] == [1, 2, 3, 4]
    assert [json.loads(p.payload)["boot_id"] for p in pending] == ["BOOT1"] * 3 + ["BOOT2"]
    assert [p.seq for p in outbox.pending(after_seq=2, limit=1)] == [3]
    store.close()


def test_a_refused_row_waits_for_its_retry_and_is_kept_until_delivered(store):
    outbox = make_outbox(store)
    for i in range(3):
        outbox.record("tap", {"n": i})
    outbox.retry_refused_s = 600
    outbox.mark_refused([2])
    now = time.time()
    assert [p.seq for p in outbox.pending(now=now)] == [1, 3]  # the rows after it go on
    assert (outbox.refused(), outbox.depth()) == (1, 3)
    assert [p.seq for p in outbox.pending(now=now + 601)] == [1, 2, 3]  # due again
    assert [p.seq for p in outbox.pending(now=now - 60)] == [1, 2, 3]  # the clock went back: due, not stuck
    outbox.mark_delivered([2])
    assert (outbox.refused(), outbox.depth()) == (0, 2)
    outbox.mark_refused([2])  # a late refusal of a delivered row changes nothing
    assert outbox.refused() == 0


def test_delivered_rows_leave_the_pending_list(store):
    outbox = make_outbox(store)
    for i in range(3):
        outbox.record("tap", {"n": i})
    outbox.mark_delivered([2])
    assert [p.seq for p in outbox.pending()] == [1, 3]
    assert outbox.depth() == 2
    assert outbox.oldest_unsent_age() >= 0


def test_listeners_hear_only_committed_events(store):
    outbox = make_outbox(store)
    heard = []
    outbox.add_listener(lambda: heard.append(outbox.depth()))
    with pytest.raises(ValueError), store.transaction() as tx:
        outbox.add(tx, "tap", {})
        raise ValueError
    assert heard == []
    outbox.record("tap", {})
    assert heard == [1]


def test_uid_secret_is_private_stable_and_hides_the_uid(tmp_path):
    first = UidHasher(tmp_path)
    mode = stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode)
    assert mode == 0o600
    uid = bytes.fromhex("04A224B1C55E80")
    value = first.credential_value(uid)
    assert value == UidHasher(tmp_path).credential_value(uid)
    assert uid.hex() not in value.lower()
    assert UidHasher(tmp_path / "other").credential_value(uid) != value


def test_delivery_blanks_personal_fields_and_keeps_the_rest(store):
    outbox = make_outbox(store)
    tap = outbox.record("tap", {"session_id": "S1", "credential": {"kind": "ndef", "ref": "M-1001"}})
    outbox.mark_delivered([tap["seq"]])
    kept = json.loads(store.query("SELECT payload FROM outbox WHERE seq = ?", (tap["seq"],))[0]["payload"])
    assert kept["data"] == {"session_id": "S1", "credential": {"kind": "ndef", "ref": None}}
    assert {k: v for k, v in kept.items() if k != "data"} == {k: v for k, v in tap.items() if k != "data"}


def test_full_outbox_sheds_low_then_normal_never_critical(store):
    spin = EventType("spin", {"type": "object"}, Priority.CRITICAL)  # as the prize wheel will declare it
    outbox = Outbox(store, kiosk_id="k1", store_id="s1", boot_id="B", clock_synced=lambda: True,
                    types={**EVENTS, "spin": spin}, max_pending=3)
    low = outbox.record("reader_status", {"ok": False})["seq"]
    spin = outbox.record("spin", {"prize": "coffee"})["seq"]
    tap = outbox.record("tap", {"n": 1})["seq"]
    outbox.record("tap", {"n": 2})  # full: the low-priority event goes
    assert low not in [p.seq for p in outbox.pending()]
    outbox.record("tap", {"n": 3})  # full again: the oldest normal event goes, the spin stays
    pending = [p.seq for p in outbox.pending()]
    assert spin in pending and tap not in pending and len(pending) == 3
    outbox.record("spin", {"prize": "bag"})
    outbox.record("spin", {"prize": "hat"})
    assert [json.loads(p.payload)["type"] for p in outbox.pending()] == ["spin", "spin", "spin"]
    outbox.record("spin", {"prize": "cap"})  # only critical left: nothing is dropped, the cap gives way
    assert outbox.depth() == 4
    assert outbox.dropped() == 4  # the low one and three taps


def test_upkeep_expires_low_priority_and_purges_delivered(store):
    outbox = make_outbox(store)
    outbox.low_priority_ttl_s, outbox.retain_delivered_s = 60, 600
    low = outbox.record("reader_status", {"ok": False})
    tap = outbox.record("tap", {"n": 1})
    delivered = outbox.record("tap", {"n": 2})
    outbox.mark_delivered([delivered["seq"]])
    later = time.time() + 120
    outbox.maintain(now=later)
    assert [p.seq for p in outbox.pending()] == [tap["seq"]]
    assert store.query("SELECT count(*) FROM outbox WHERE seq = ?", (delivered["seq"],))[0][0] == 1
    outbox.maintain(now=later + 600)
    assert store.query("SELECT count(*) FROM outbox WHERE seq = ?", (delivered["seq"],))[0][0] == 0
    assert low["seq"] not in [p.seq for p in outbox.pending()]


SECRET = b"TOKEN-SECRET-42"


def files_holding(folder, needle: bytes) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes())


def test_blanked_personal_fields_leave_every_file_at_the_scrub(tmp_path):
    store = Store(tmp_path / "state.db")
    outbox = Outbox(store, kiosk_id="k1", store_id="s1", boot_id="B", clock_synced=lambda: True, types=EVENTS,
                    scrub_after_s=5)
    event = outbox.record("tap", {"session_id": "S1", "credential": {"kind": "app", "ref": SECRET.decode()}})
    outbox.mark_delivered([event["seq"]])
    assert files_holding(tmp_path, SECRET) == ["state.db-wal"]  # secure_delete does not reach the WAL
    outbox.scrub_if_due(time.monotonic() + 4.9)
    assert files_holding(tmp_path, SECRET) == ["state.db-wal"]  # one scrub per scrub_after_s, not per batch
    outbox.scrub_if_due(time.monotonic() + 5)
    assert files_holding(tmp_path, SECRET) == []
    assert json.loads(store.query("SELECT payload FROM outbox")[0]["payload"])["data"]["credential"]["ref"] is None
    store.close()


def test_a_wal_left_by_a_crash_is_scrubbed_when_the_store_opens(tmp_path):
    store = Store(tmp_path / "state.db")
    outbox = make_outbox(store)
    event = outbox.record("tap", {"session_id": "S1", "credential": {"kind": "app", "ref": SECRET.decode()}})
    outbox.mark_delivered([event["seq"]])
    assert files_holding(tmp_path, SECRET) == ["state.db-wal"]
    # The process dies here (the connection is never closed, so SQLite's own checkpoint at close never runs).
    again = Store(tmp_path / "state.db")
    assert files_holding(tmp_path, SECRET) == []
    assert make_outbox(again).depth() == 0
    again.close()
    store.close()


def test_a_scrub_does_not_wait_for_a_reader_and_succeeds_once_it_is_gone(store, tmp_path):
    make_outbox(store).record("reader_status", {"ok": True, "error": None, "can_emulate": False})
    reader = sqlite3.connect(tmp_path / "state.db")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM outbox").fetchall()  # holds a read snapshot of the WAL
    assert store.scrub() is False
    reader.close()
    assert store.scrub() is True
    assert (tmp_path / "state.db-wal").stat().st_size == 0


def test_state_files_are_private(tmp_path):
    folder = tmp_path / "state"
    store = Store(folder / "state.db")
    make_outbox(store).record("reader_status", {"ok": True, "error": None, "can_emulate": False})
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("state.db", "state.db-wal", "state.db-shm"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    store.close()


def test_state_files_an_older_version_left_open_are_tightened(tmp_path):
    folder = tmp_path / "state"
    Store(folder / "state.db").close()
    folder.chmod(0o755)
    (folder / "state.db").chmod(0o644)
    Store(folder / "state.db").close()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "state.db").stat().st_mode) == 0o600


def test_upkeep_prunes_sessions_that_ended_long_ago(store):
    outbox = make_outbox(store)
    outbox.retain_delivered_s = 600
    journal = Journal(store, outbox, EVENTS)
    for session_id in ("OLD", "OPEN"):
        journal.record([Event("tap", {"session_id": session_id, "credential": {"kind": "ndef", "ref": "M-1"}})])
    journal.record([Event("session_ended", {"session_id": "OLD", "reason": "done", "duration_s": 1.0})])
    outbox.maintain(now=time.time() + 60)
    assert {r["session_id"] for r in store.query("SELECT session_id FROM sessions")} == {"OLD", "OPEN"}
    outbox.maintain(now=time.time() + 601)
    assert {r["session_id"] for r in store.query("SELECT session_id FROM sessions")} == {"OPEN"}

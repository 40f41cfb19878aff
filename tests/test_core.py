"""Pure domain logic: the session state machine, tiers, event identities, debounce, credentials."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.credential import Credential
from kiosk.core.debounce import Debouncer
from kiosk.core.events import envelope, new_ulid, utc_ms
from kiosk.core.member import Member, Tier, progress, tier_for
from kiosk.core.session import LOOKUP_FAILED, Scene, SessionMachine

ANNA = Member("M-1001", "Anna", 1240, "gold")
CARD = Credential("ndef", "M-1001")
TIERS = [Tier("silver", 0), Tier("gold", 1000), Tier("platinum", 5000)]


def tapped(machine: SessionMachine, now: float = 0.0, session_id: str = "S1"):
    return machine.tap(CARD, now, session_id)


def test_tap_celebrates_and_asks_for_a_lookup():
    machine = SessionMachine(idle_timeout_s=45)
    step = tapped(machine)
    assert step.scene == Scene.CELEBRATE
    assert step.lookup == CARD
    assert step.events[0].type == "tap"
    assert step.events[0].data == {"session_id": "S1", "credential": {"kind": "ndef", "ref": "M-1001"}}


def test_member_is_welcomed_after_the_celebration_not_before():
    machine = SessionMachine(idle_timeout_s=45, celebrate_s=1.5)
    tapped(machine)
    early = machine.lookup_done("S1", ANNA, now=0.2)
    assert early.scene is None
    assert [e.type for e in early.events] == ["member_identified"]
    assert machine.next_deadline() == 1.5
    assert machine.tick(1.4).scene is None
    assert machine.tick(1.5).scene == Scene.WELCOME
    assert machine.member == ANNA


def test_late_lookup_moves_on_at_once():
    machine = SessionMachine(idle_timeout_s=45, celebrate_s=1.5)
    tapped(machine)
    assert machine.tick(3.0).scene is None  # still celebrating while the backend thinks
    assert machine.lookup_done("S1", None, now=3.0).scene == Scene.JOIN


@pytest.mark.parametrize(("outcome", "scene", "event"), [
    (ANNA, Scene.WELCOME, "member_identified"),
    (None, Scene.JOIN, "unknown_credential"),
    (LOOKUP_FAILED, Scene.UNAVAILABLE, "lookup_failed"),
])
def test_lookup_outcomes(outcome, scene, event):
    machine = SessionMachine(idle_timeout_s=45, celebrate_s=0)
    tapped(machine)
    step = machine.lookup_done("S1", outcome, now=0.1)
    assert step.scene == scene
    assert step.events[0].type == event


def test_answer_for_an_ended_session_is_dropped():
    machine = SessionMachine(idle_timeout_s=45, celebrate_s=0)
    tapped(machine, session_id="S1")
    machine.tap(Credential("ndef", "M-2"), 1.0, "S2")
    assert machine.lookup_done("S1", ANNA, now=1.1).scene is None
    assert machine.member is None


def test_idle_timeout_returns_to_attract_and_forgets_the_shopper():
    machine = SessionMachine(idle_timeout_s=45, celebrate_s=0)
    tapped(machine)
    machine.lookup_done("S1", ANNA, now=0.1)
    machine.touch(30.0)
    assert machine.tick(74.9).scene is None
    step = machine.tick(75.0)
    assert step.scene == Scene.ATTRACT
    assert step.events[0].data == {"session_id": "S1", "reason": "idle_timeout", "duration_s": 75.0}
    assert machine.member is None and machine.session_id is None
    assert machine.next_deadline() is None


def test_done_says_goodbye_then_attract():
    machine = SessionMachine(idle_timeout_s=45, celebrate_s=0, goodbye_s=3)
    tapped(machine)
    machine.lookup_done("S1", ANNA, now=0.1)
    step = machine.done(5.0)
    assert step.scene == Scene.GOODBYE
    assert step.events[0].data["reason"] == "done"
    assert machine.member is None
    assert machine.done(5.5).scene is None
    assert machine.tick(8.0).scene == Scene.ATTRACT


def test_new_tap_ends_the_running_session_first():
    machine = SessionMachine(idle_timeout_s=45, celebrate_s=0)
    tapped(machine)
    step = machine.tap(Credential("app", "APP-1"), 2.0, "S2")
    assert [e.type for e in step.events] == ["session_ended", "tap"]
    assert step.events[0].data["reason"] == "new_tap"
    assert machine.session_id == "S2"


def test_tiers_and_progress():
    assert tier_for(0, TIERS).key == "silver"
    assert tier_for(999, TIERS).key == "silver"
    assert tier_for(1000, TIERS).key == "gold"
    p = progress(3000, TIERS)
    assert (p.current.key, p.next.key, p.points_to_next, p.fraction) == ("gold", "platinum", 2000, 0.5)
    top = progress(9000, TIERS)
    assert (top.next, top.points_to_next, top.fraction) == (None, 0, 1.0)


def test_ulid_shape_and_order():
    first = new_ulid(1_700_000_000_000)
    later = new_ulid(1_700_000_000_001)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", first)
    assert first < later
    assert new_ulid() != new_ulid()


def test_envelope_fields():
    event = envelope(event_id="E", seq=7, boot_id="B", kiosk_id="k", store_id="s", type="tap",
                     occurred_at=1.5, clock_synced=True, data={"a": 1})
    assert event == {"schema": "kiosk.event/1", "event_id": "E", "seq": 7, "boot_id": "B", "kiosk_id": "k",
                     "store_id": "s", "type": "tap", "occurred_at": utc_ms(1.5), "clock_synced": True,
                     "data": {"a": 1}}
    assert utc_ms(1.5) == "1970-01-01T00:00:01.500Z"


def test_debounce_same_credential_only():
    debouncer = Debouncer(3.0)
    other = Credential("ndef", "M-2")
    assert debouncer.accept(CARD, 0.0)
    assert not debouncer.accept(CARD, 2.9)
    assert debouncer.accept(other, 3.0)
    assert debouncer.accept(CARD, 3.1)


@given(st.text(max_size=200), st.text(max_size=200))
def test_credential_accepts_only_known_kinds_and_safe_values(kind, value):
    try:
        credential = Credential(kind, value)
    except ValueError:
        return
    assert credential.kind in ("app", "ndef", "uid", "phone_join")
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", credential.value)


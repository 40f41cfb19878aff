"""Pure domain logic: the session state machine, tiers, event identities, debounce, credentials."""

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.credential import Credential
from kiosk.core.debounce import Debouncer
from kiosk.core.events import envelope, new_ulid, utc_ms
from kiosk.core.flow import Step
from kiosk.core.member import Member, Tier, progress, tier_for
from kiosk.core.session import ATTRACT, CELEBRATE, FAILSAFE, GOODBYE, SessionMachine
from kiosk.features.welcome import flow

ANNA = Member("M-1001", "Anna", 1240, "gold")
CARD = Credential("ndef", "M-1001")
TIERS = [Tier("silver", 0), Tier("gold", 1000), Tier("platinum", 5000)]


def machine_for(**timing) -> SessionMachine:
    return SessionMachine(idle_timeout_s=45, language="en", **timing)


def tapped(machine: SessionMachine, now: float = 0.0, session_id: str = "S1"):
    return flow.tap(machine, CARD, now, session_id)


def test_tap_celebrates_and_asks_for_a_lookup():
    machine = machine_for()
    step = tapped(machine)
    assert step.scene == CELEBRATE
    assert len(step.calls) == 1
    assert step.events[0].type == "tap"
    assert step.events[0].data == {"session_id": "S1", "credential": {"kind": "ndef", "ref": "M-1001"}}


def test_the_lookup_call_asks_the_backend_and_answers_with_a_message():
    class Backend:
        def lookup(self, credential):
            return ANNA if credential == CARD else None

    call = tapped(machine_for()).calls[0]
    assert call.reply(call.run(Backend()), None) == flow.LookupDone("S1", ANNA)
    assert call.reply(None, TimeoutError()) == flow.LookupDone("S1", flow.LOOKUP_FAILED)


def test_member_is_welcomed_after_the_celebration_not_before():
    machine = machine_for(celebrate_s=1.5)
    tapped(machine)
    early = flow.lookup_done(machine, "S1", ANNA, now=0.2)
    assert early.scene is None
    assert [e.type for e in early.events] == ["member_identified"]
    assert machine.next_deadline() == 1.5
    assert machine.tick(1.4).scene is None
    assert machine.tick(1.5).scene == flow.WELCOME
    assert machine.member == ANNA


def test_late_lookup_moves_on_at_once():
    machine = machine_for(celebrate_s=1.5)
    tapped(machine)
    assert machine.tick(3.0).scene is None  # still celebrating while the backend thinks
    assert flow.lookup_done(machine, "S1", None, now=3.0).scene == flow.JOIN


@pytest.mark.parametrize(("outcome", "scene", "event"), [
    (ANNA, flow.WELCOME, "member_identified"),
    (None, flow.JOIN, "unknown_credential"),
    (flow.LOOKUP_FAILED, flow.UNAVAILABLE, "lookup_failed"),
])
def test_lookup_outcomes(outcome, scene, event):
    machine = machine_for(celebrate_s=0)
    tapped(machine)
    step = flow.lookup_done(machine, "S1", outcome, now=0.1)
    assert step.scene == scene
    assert step.events[0].type == event
    assert flow.lookup_done(machine, "S1", outcome, now=0.2) == Step()  # a second answer changes nothing


def test_answer_for_an_ended_session_is_dropped():
    machine = machine_for(celebrate_s=0)
    tapped(machine, session_id="S1")
    machine.tap(Credential("ndef", "M-2"), 1.0, "S2")
    assert flow.lookup_done(machine, "S1", ANNA, now=1.1).scene is None
    assert machine.member is None


def test_a_member_who_joined_on_the_phone_is_welcomed():
    machine = machine_for(celebrate_s=0)
    tapped(machine)
    flow.lookup_done(machine, "S1", None, now=0.1)
    step = flow.joined(machine, "S1", ANNA, now=5.0)
    assert step.scene == flow.WELCOME and [e.type for e in step.events] == ["member_joined"]
    assert machine.member == ANNA
    assert flow.joined(machine, "S-gone", ANNA, now=6.0) == Step()


def test_idle_timeout_returns_to_attract_and_forgets_the_shopper():
    machine = machine_for(celebrate_s=0)
    tapped(machine)
    flow.lookup_done(machine, "S1", ANNA, now=0.1)
    machine.touch(30.0)
    assert machine.tick(74.9).scene is None
    step = machine.tick(75.0)
    assert step.scene == ATTRACT
    assert step.events[0].data == {"session_id": "S1", "reason": "idle_timeout", "duration_s": 75.0}
    assert machine.member is None and machine.session_id is None
    assert machine.next_deadline() is None


def test_done_says_goodbye_then_attract():
    machine = machine_for(celebrate_s=0, goodbye_s=3)
    tapped(machine)
    flow.lookup_done(machine, "S1", ANNA, now=0.1)
    step = machine.done(5.0)
    assert step.scene == GOODBYE
    assert step.events[0].data["reason"] == "done"
    assert machine.member is None
    assert machine.done(5.5).scene is None
    assert machine.tick(8.0).scene == ATTRACT


def test_new_tap_ends_the_running_session_first():
    machine = machine_for(celebrate_s=0)
    tapped(machine)
    step = machine.tap(Credential("app", "APP-1"), 2.0, "S2")
    assert [e.type for e in step.events] == ["session_ended", "tap"]
    assert step.events[0].data["reason"] == "new_tap"
    assert machine.session_id == "S2"


def test_a_new_tap_starts_in_the_configured_language_not_the_last_shoppers():
    machine = machine_for(celebrate_s=0)
    tapped(machine)
    machine.set_language("ru")
    assert machine.language == "ru"
    machine.tap(Credential("app", "APP-1"), 2.0, "S2")
    assert machine.language == "en"


def test_a_language_chosen_on_the_attract_screen_carries_into_that_tap_and_resets_after():
    machine = machine_for(celebrate_s=0)
    machine.set_language("nb")
    tapped(machine)
    assert machine.language == "nb"
    machine.done(5.0)
    assert machine.language == "en"
    machine.tick(10.0)
    machine.set_language("ru")  # chosen, then nobody taps: back to the default after the idle timeout
    assert machine.next_deadline() == 10.0 + 45
    assert machine.tick(55.0).scene == ATTRACT and machine.language == "en"


def test_a_scene_that_failed_ends_the_session_and_the_failsafe_gives_way_to_attract():
    machine = machine_for(celebrate_s=0, failsafe_s=8)
    tapped(machine)
    step = machine.scene_failed(1.0)
    assert step.scene == FAILSAFE and step.events[0].data["reason"] == "failsafe"
    assert machine.session_id is None
    assert machine.next_deadline() == 9.0
    assert machine.tick(9.0).scene == ATTRACT


def test_a_stop_ends_the_session_on_screen():
    machine = machine_for()
    assert machine.stop(1.0) == []
    tapped(machine)
    assert [e.data["reason"] for e in machine.stop(2.0)] == ["stop"]
    assert machine.session_id is None


def test_suspended_refuses_taps_until_resumed():
    machine = machine_for()
    tapped(machine)
    step = machine.suspend("maintenance", "maintenance", 1.0)
    assert step.scene == "maintenance" and step.events[0].data["reason"] == "maintenance"
    refused = machine.tap(CARD, 2.0, "S2")
    assert refused.scene is None and refused.events[0].type == "tap_refused"
    assert machine.resume(3.0).scene == ATTRACT
    assert tapped(machine, 4.0, "S3").scene == CELEBRATE


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


def test_debounce_boundary_the_same_card_counts_again_at_exactly_the_delay():
    before = Debouncer(3.0)
    assert before.accept(CARD, 100.0)
    assert not before.accept(CARD, math.nextafter(103.0, 0.0))  # the last instant of the delay: still ignored
    at = Debouncer(3.0)
    assert at.accept(CARD, 100.0)
    assert at.accept(CARD, 103.0)  # exactly the delay later: a new tap


@given(st.text(max_size=200), st.text(max_size=200))
def test_credential_accepts_only_known_kinds_and_safe_values(kind, value):
    try:
        credential = Credential(kind, value)
    except ValueError:
        return
    assert credential.kind in ("app", "ndef", "uid", "phone_join")
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", credential.value)



def test_a_store_screen_outside_a_session_gives_way_to_attract_when_idle():
    machine = machine_for()
    assert machine.go("fixture", 10.0).scene == "fixture"
    assert machine.next_deadline() == 55.0
    assert machine.tick(55.0).scene == ATTRACT
    assert machine.next_deadline() is None


def test_a_walk_up_session_starts_only_on_the_attract_screen_in_service_with_nobody_there():
    machine = machine_for(celebrate_s=0)
    machine.set_language("nb")  # chosen on the attract screen: the walk-up session takes it
    step = machine.walk_up(1.0, "W1")
    assert step.scene is None and [(e.type, e.data) for e in step.events] == [("walk_up", {"session_id": "W1"})]
    assert (machine.session_id, machine.credential, machine.member, machine.language) == ("W1", None, None, "nb")
    assert machine.walk_up(2.0, "W2") == Step()  # a session is running
    machine.go("stylist", 2.0)
    assert machine.next_deadline() == 47.0
    step = machine.tick(47.0)
    assert step.scene == ATTRACT and step.events[0].data == {"session_id": "W1", "reason": "idle_timeout",
                                                             "duration_s": 46.0}
    machine.suspend("maintenance", "maintenance", 50.0)
    assert machine.walk_up(51.0, "W3") == Step() and machine.session_id is None
    machine.resume(52.0)
    machine.go("maintenance_screen", 53.0)  # a store screen outside a session
    assert machine.walk_up(54.0, "W4") == Step()


def test_leaving_a_walk_up_session_ends_it_without_the_goodbye():
    machine = machine_for()
    machine.walk_up(0.0, "W1")
    machine.go("stylist", 0.0)
    step = machine.leave(4.0)
    assert step.scene == ATTRACT and step.events[0].data == {"session_id": "W1", "reason": "done", "duration_s": 4.0}
    assert machine.session_id is None and machine.leave(5.0) == Step()


def test_a_tap_during_a_walk_up_session_names_its_shopper_and_a_member_goes_back_where_they_were():
    machine = machine_for(celebrate_s=1)
    machine.walk_up(0.0, "W1")
    machine.go("stylist_look", 1.0)
    step = tapped(machine, 2.0, session_id="S9")
    assert step.scene == CELEBRATE and [e.type for e in step.events] == ["tap"]  # no session ended
    assert step.events[0].data["session_id"] == "W1" and machine.session_id == "W1"
    assert step.calls[0].reply(ANNA, None) == flow.LookupDone("W1", ANNA)
    step = flow.lookup_done(machine, "W1", ANNA, now=2.5)
    assert [e.type for e in step.events] == ["member_identified"]
    assert machine.tick(3.0).scene == "stylist_look" and machine.member == ANNA and not machine.joined
    second = machine.tap(Credential("app", "APP-1"), 4.0, "S10")  # a second tap is a new shopper, as ever
    assert [e.type for e in second.events] == ["session_ended", "tap"] and machine.interrupted is None


@pytest.mark.parametrize("outcome, scene", [(None, "join"), (flow.LOOKUP_FAILED, "unavailable")])
def test_a_tap_during_a_walk_up_session_that_names_no_member_leads_where_any_tap_does(outcome, scene):
    machine = machine_for(celebrate_s=0)
    machine.walk_up(0.0, "W1")
    machine.go("stylist_look", 1.0)
    tapped(machine, 2.0)
    assert flow.lookup_done(machine, "W1", outcome, now=2.5).scene == scene and machine.session_id == "W1"


def test_a_walk_up_shopper_who_joins_on_their_phone_is_a_new_member():
    machine = machine_for(celebrate_s=0)
    machine.walk_up(0.0, "W1")
    machine.go("stylist", 0.0)
    assert flow.joined(machine, "W1", ANNA, 5.0).scene == "welcome" and machine.joined

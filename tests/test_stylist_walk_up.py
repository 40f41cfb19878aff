"""Shoppers who are not members (or do not tap) start the stylist themselves: the real app in-process (SDL dummy
driver, real mouse events on the screen's buttons), a real mosquitto for what it reports. From the attract
screen to a request without a member; from the join screen and back; the idle timeout and "Back" end the
session; a member who taps meanwhile keeps the look and sends it as theirs; no entry where the stylist is not
offered."""

import time

import pygame
import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.bus import post
from kiosk.core.credential import Credential
from kiosk.core.messages import TapDetected
from kiosk.features.stylist.flow import HOME, LOOK, STATUS
from tests.bundles import without_catalogue
from tests.helpers import Listener, wait_for, write_config
from tests.test_stylist_requests import act, step_until

ANNA = Credential("ndef", "M-1001")
UNKNOWN = Credential("uid", "c0ffee" * 10)
A_LOOK = ("category:tops", "product:TOP-05", "size:M", "add", "product:ACC-04", "add")  # two picks, sized


@pytest.fixture
def kiosk(tmp_path, broker):
    """Start the app in-process (idle timeout 5 s, MQTT to the test's broker) with a listener on its events."""
    started: list[KioskApp] = []
    listener = Listener(broker.port, "loyalty/v1/#")
    wait_for(lambda: listener.subscriptions, 10, "the listener's subscription")

    def start(content_dir=None):
        sections = {"content": {"dir": str(content_dir)}} if content_dir else {}
        path = write_config(tmp_path, mqtt_port=broker.port, debug={"input_socket": ""},
                            kiosk={"idle_timeout_s": 5}, **sections)
        app = KioskApp(config.load(path), demo=True)
        app.start()
        started.append(app)
        return app, listener

    yield start
    listener.close()
    for app in started:
        app.stop()


def entries(app) -> list:
    """The buttons into the stylist on the screen."""
    return [widget for widget in app.rt.ui.current.buttons if getattr(widget, "action", None) == "stylist:open"]


def press(app, widget, then):
    """A finger on the widget and off again (real SDL mouse events through the scene's input), until ``then``."""
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        pygame.event.post(pygame.event.Event(kind, pos=widget.rect.center, button=1))
    step_until(app, then, f"the press on {widget.action}")


def events(listener, type_):
    return [e["data"] for e in listener.events() if e["type"] == type_]


def test_from_the_attract_screen_without_a_tap_to_a_request_without_a_member(kiosk):
    app, listener = kiosk()
    assert app.rt.ui.name == "attract" and app.rt.machine.session_id is None
    [entry] = entries(app)
    target = app.rt.ui.current._ring_area
    assert not entry.rect.colliderect(target)  # the way in keeps clear of "tap here"
    assert entry.kind == "secondary" and entry.rect.height >= app.rt.ui.look.min_target
    press(app, entry, lambda: app.rt.ui.name == HOME)
    session_id = app.rt.machine.session_id
    assert session_id is not None and app.rt.machine.member is None and app.rt.machine.credential is None
    act(app, *A_LOOK, "submit")
    assert app.rt.ui.name == STATUS
    step_until(app, lambda: events(listener, "stylist_request"), "the request on the broker")
    request = events(listener, "stylist_request")[0]
    assert request["member_ref"] is None and request["session_id"] == session_id
    assert events(listener, "walk_up") == [{"session_id": session_id}]
    assert not events(listener, "tap")
    assert app.features.handle_action("done", time.monotonic())
    step_until(app, lambda: events(listener, "session_ended"), "the session's end")
    assert events(listener, "session_ended")[0]["session_id"] == session_id
    assert events(listener, "session_ended")[0]["reason"] == "done"


def test_the_idle_timeout_ends_a_walk_up_session_and_clears_the_look(kiosk):
    app, listener = kiosk()
    press(app, entries(app)[0], lambda: app.rt.ui.name == HOME)
    session_id = app.rt.machine.session_id
    act(app, "curated:office")
    assert app.rt.ui.name == LOOK and app.features["stylist"].shopper.look.picks
    step_until(app, lambda: app.rt.ui.name == "attract", "the idle timeout", timeout=20)
    assert app.rt.machine.session_id is None and app.features["stylist"].shopper is None
    step_until(app, lambda: events(listener, "session_ended"), "the session's end")
    assert events(listener, "session_ended")[0]["session_id"] == session_id
    assert events(listener, "session_ended")[0]["reason"] == "idle_timeout"
    press(app, entries(app)[0], lambda: app.rt.ui.name == HOME)
    assert app.rt.machine.session_id != session_id
    assert app.rt.ui.current.view.count == 0  # the next shopper starts with an empty look


def test_back_on_the_stylists_start_leaves_the_session_for_the_attract_screen(kiosk):
    app, listener = kiosk()
    press(app, entries(app)[0], lambda: app.rt.ui.name == HOME)
    back = next(widget for widget in app.rt.ui.current.buttons if widget.action == "stylist:leave")
    press(app, back, lambda: app.rt.ui.name == "attract")
    assert app.rt.machine.session_id is None
    step_until(app, lambda: events(listener, "session_ended"), "the session's end")
    assert events(listener, "session_ended")[0]["reason"] == "done"


def test_the_join_screen_leads_into_the_stylist_and_back(kiosk):
    app, listener = kiosk()
    post(TapDetected(UNKNOWN, "test", time.monotonic()))
    step_until(app, lambda: app.rt.ui.name == "join", "the join screen for a new face")
    session_id = app.rt.machine.session_id
    [entry] = entries(app)
    done = next(widget for widget in app.rt.ui.current.buttons if widget.action == "done")
    assert entry.rect.bottom == done.rect.bottom and entry.rect.right < done.rect.left
    press(app, entry, lambda: app.rt.ui.name == HOME)
    act(app, *A_LOOK, "home")
    press(app, next(w for w in app.rt.ui.current.buttons if w.action == "stylist:leave"),
          lambda: app.rt.ui.name == "join")
    assert app.rt.machine.session_id == session_id  # the same session: nothing ended
    act(app, "open", "look")
    assert app.rt.ui.name == LOOK and len(app.features["stylist"].shopper.look.picks) == 2  # still their look
    act(app, "submit")
    step_until(app, lambda: events(listener, "stylist_request"), "the request on the broker")
    request = events(listener, "stylist_request")[0]
    assert request["member_ref"] is None and request["session_id"] == session_id
    assert not events(listener, "walk_up") and not events(listener, "session_ended")


def test_a_member_who_taps_while_building_a_look_keeps_it_and_sends_it_as_theirs(kiosk):
    app, listener = kiosk()
    press(app, entries(app)[0], lambda: app.rt.ui.name == HOME)
    session_id = app.rt.machine.session_id
    act(app, *A_LOOK)
    look = app.features["stylist"].shopper.look
    post(TapDetected(ANNA, "test", time.monotonic()))
    step_until(app, lambda: app.rt.ui.name == "celebrate", "the tap celebrated")
    step_until(app, lambda: app.rt.ui.name == LOOK, "back to the look once Anna is known")
    assert app.rt.machine.session_id == session_id and app.rt.machine.member.ref == "M-1001"
    assert app.features["stylist"].shopper.look == look
    act(app, "submit")
    step_until(app, lambda: events(listener, "stylist_request"), "the request on the broker")
    request = events(listener, "stylist_request")[0]
    assert request["member_ref"] == "M-1001" and request["session_id"] == session_id
    assert [e["session_id"] for e in events(listener, "tap")] == [session_id]
    assert not events(listener, "session_ended")  # the tap did not end the session: it named its shopper
    act(app, "home", "leave")  # "Back" now leads to the member's profile
    assert app.rt.ui.name == "welcome"


def test_no_entry_where_the_stylist_is_not_offered(kiosk, tmp_path):
    bundle = without_catalogue(tmp_path / "bundle")
    app, _ = kiosk(bundle)
    assert app.rt.ui.name == "attract" and entries(app) == []
    post(TapDetected(UNKNOWN, "test", time.monotonic()))
    step_until(app, lambda: app.rt.ui.name == "join", "the join screen for a new face")
    assert entries(app) == []

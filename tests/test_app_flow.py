"""The kiosk app in-process under the SDL dummy driver, with real gpiozero devices on MockFactory."""

import contextlib
import json
import os
import time
from pathlib import Path

import pygame
import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.bus import post
from kiosk.core.credential import Credential
from kiosk.core.messages import ButtonPressed, CommandReceived, TapDetected
from kiosk.trace import Tracer
from tests.helpers import wait_for, write_config

ANNA = Credential("ndef", "M-1001")
UNKNOWN = Credential("uid", "f" * 64)


@pytest.fixture
def app(tmp_path):
    settings = config.load(write_config(tmp_path, debug={"input_socket": ""}))
    kiosk = KioskApp(settings, demo=True, tracer=Tracer(tmp_path / "trace.jsonl"))
    kiosk.start()
    yield kiosk
    kiosk.stop()


def step_until(app: KioskApp, predicate, timeout: float = 10.0) -> None:
    def stepped():
        app.run_once()
        return predicate()
    wait_for(stepped, timeout, "the app to reach the expected state")


def tap(app: KioskApp, credential: Credential) -> None:
    post(TapDetected(credential, "test", time.monotonic()))


def trace(tmp_path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "trace.jsonl").read_text().splitlines()]


def outbox_types(app: KioskApp) -> list[str]:
    return [row["type"] for row in app.store.query("SELECT type FROM outbox ORDER BY seq")]


def test_starts_on_attract_with_the_led_glowing_idle(app):
    assert app.rt.ui.name == "attract"
    assert app.rt.parts.led_colour == pytest.approx(tuple(c / 255 for c in app.rt.bundle.theme.colours["led_idle"]))


def test_member_tap_celebrates_at_once_then_welcomes(app, tmp_path):
    tap(app, ANNA)
    app.run_once()
    assert app.rt.ui.name == "celebrate"  # before the lookup's answer could be handled
    step_until(app, lambda: app.rt.ui.name == "welcome")
    assert app.rt.ui.current.view.member.name == "Anna"
    assert outbox_types(app) == ["tap", "member_identified"]
    marks = [m["name"] for m in trace(tmp_path)]
    assert marks.index("tap.detected") < marks.index("feedback.led") < marks.index("feedback.frame")


def test_the_celebration_greets_the_member_by_name_once_known(app):
    tap(app, ANNA)
    app.run_once()
    assert app.rt.ui.name == "celebrate" and app.rt.ui.current.view.member is None  # a hello for anyone, at once
    step_until(app, lambda: app.rt.machine.member is not None)
    assert app.rt.ui.name == "celebrate"  # the celebration lasts its time, now personal
    view = app.rt.ui.current.view
    assert view.member.name == "Anna" and view.tier.key == "gold" and view.tier.colour is not None
    step_until(app, lambda: app.rt.ui.name == "welcome")


def assert_celebrated_until_welcome(app: KioskApp) -> None:
    """Step the app to the welcome scene, watching the real LED and buzzer: the LED flashed the theme's
    celebration colour and the buzzer sounded on the way."""
    seen_led, seen_buzzer = set(), set()

    def watch():
        app.run_once()
        seen_led.add(app.rt.parts.led_colour)
        seen_buzzer.add(app.rt.parts.buzzer.value)
        return app.rt.ui.name == "welcome"
    wait_for(watch, 10, "welcome")
    celebrate = tuple(c / 255 for c in app.rt.bundle.theme.colours["led_celebrate"])
    assert any(colour == pytest.approx(celebrate) for colour in seen_led)
    assert 1 in seen_buzzer


def test_celebration_drives_the_real_led_and_buzzer(app):
    tap(app, ANNA)
    assert_celebrated_until_welcome(app)


def test_unknown_card_gets_the_join_screen(app):
    tap(app, UNKNOWN)
    step_until(app, lambda: app.rt.ui.name == "join")
    assert outbox_types(app) == ["tap", "unknown_credential"]


def test_same_card_twice_is_one_tap(app):
    app.features["welcome"].debouncer.delay_s = 3.0
    tap(app, ANNA)
    tap(app, ANNA)
    step_until(app, lambda: app.rt.ui.name == "welcome")
    assert outbox_types(app).count("tap") == 1


def test_keyboard_keys_tap_demo_cards(app):
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_2, mod=0))
    step_until(app, lambda: app.rt.ui.name == "welcome")
    assert app.rt.ui.current.view.member.name == "Ivan"


def touch(app: KioskApp, x: int, y: int) -> None:
    """What SDL posts for one finger's touch and lift: FINGERDOWN and FINGERUP, each followed by a synthetic
    mouse event marked ``touch``."""
    width, height = app.rt.ui.look.size
    for finger, mouse in ((pygame.FINGERDOWN, pygame.MOUSEBUTTONDOWN), (pygame.FINGERUP, pygame.MOUSEBUTTONUP)):
        pygame.event.post(pygame.event.Event(finger, x=x / width, y=y / height, finger_id=0, touch_id=0,
                                             dx=0.0, dy=0.0, pressure=1.0))
        pygame.event.post(pygame.event.Event(mouse, pos=(x, y), button=1, touch=True))


def welcome_in(app: KioskApp, language: str) -> None:
    """Anna taps, is welcomed, and touches the chip of ``language``."""
    tap(app, ANNA)
    step_until(app, lambda: app.rt.ui.name == "welcome")
    chip = next(b for b in app.rt.ui.current.buttons if b.action == f"lang:{language}")
    touch(app, *chip.rect.center)
    step_until(app, lambda: app.rt.machine.language == language)


def test_a_touch_counts_once_and_a_mouse_click_counts_too(app, tmp_path):
    chip = next(b for b in app.rt.ui.current.buttons if b.action == "lang:ru")
    touch(app, *chip.rect.center)
    step_until(app, lambda: app.rt.machine.language == "ru")
    app.run_once()
    assert [m for m in trace(tmp_path) if m["name"] == "input.touch"] == [
        {"name": "input.touch", "mono": pytest.approx(0, abs=1e9), "x": chip.rect.centerx, "y": chip.rect.centery}
    ]
    chip = next(b for b in app.rt.ui.current.buttons if b.action == "lang:nb")
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=chip.rect.center, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=chip.rect.center, button=1))
    step_until(app, lambda: app.rt.machine.language == "nb")


def test_done_says_goodbye_and_forgets_the_shopper(app):
    welcome_in(app, "nb")
    done = next(b for b in app.rt.ui.current.buttons if b.action == "done")
    touch(app, *done.rect.center)
    step_until(app, lambda: app.rt.ui.name == "goodbye")
    assert app.rt.machine.member is None
    assert all(scene.view == scene.view_model(scene.view.language)
               for scene in app.rt.ui.scenes.values() if scene is not app.rt.ui.current)
    step_until(app, lambda: app.rt.ui.name == "attract", timeout=6)
    assert app.rt.machine.language == "en"  # the next shopper starts in the kiosk's language
    assert outbox_types(app)[-1] == "session_ended"
    row = app.store.query("SELECT end_reason, ended_at FROM sessions")[0]
    assert row["end_reason"] == "done" and row["ended_at"] is not None


def test_idle_timeout_returns_to_attract_and_clears_everything(app):
    app.rt.machine.idle_timeout_s = 2.5  # the config's minimum is 5 s; a shorter wait keeps the test quick
    tap(app, ANNA)
    step_until(app, lambda: app.rt.ui.name == "welcome")
    step_until(app, lambda: app.rt.ui.name == "attract", timeout=5)
    assert app.rt.machine.member is None and app.rt.machine.session_id is None
    assert all(scene.view == scene.view_model(scene.view.language)
               for scene in app.rt.ui.scenes.values() if scene is not app.rt.ui.current)
    ended = json.loads(app.store.query("SELECT payload FROM outbox WHERE type = 'session_ended'")[0]["payload"])
    assert ended["data"]["reason"] == "idle_timeout"


def test_spin_button_on_mock_pins_reaches_the_main_loop(app, tmp_path):
    app.rt.parts.press("spin")
    received = []
    original = app._on_message

    def spy(message):
        received.append(message)
        original(message)
    app._on_message = spy
    step_until(app, lambda: ButtonPressed("spin") in received)


def test_a_scene_that_fails_to_draw_shows_the_failsafe_and_the_flow_follows(app, caplog):
    app.rt.apply(app.rt.machine.tap(ANNA, time.monotonic(), "01ARZ3NDEKTSV4RRFFQ69G5FAV"), time.monotonic())
    app.rt.apply(app.rt.machine.go("welcome", time.monotonic()), time.monotonic())  # no member: cannot draw
    assert app.rt.ui.name == "failsafe" and app.rt.machine.scene == "failsafe"
    assert "failed to draw" in caplog.text
    ended = app.store.query("SELECT payload FROM outbox WHERE type = 'session_ended'")
    assert json.loads(ended[0]["payload"])["data"]["reason"] == "failsafe"
    app.rt.machine.failsafe_s = 0.2
    step_until(app, lambda: app.rt.ui.name == "attract")


def test_a_new_tap_without_done_starts_the_next_shopper_in_the_configured_language(app):
    welcome_in(app, "ru")
    tap(app, UNKNOWN)
    step_until(app, lambda: app.rt.ui.name == "join")
    assert app.rt.machine.language == "en" and app.rt.ui.current.view.language == "en"


def test_a_phone_join_arriving_during_the_celebration_welcomes_the_new_member(app):
    answers = []
    tap(app, UNKNOWN)
    app.run_once()
    assert app.rt.ui.name == "celebrate"
    session_id = app.rt.machine.session_id
    post(CommandReceived("session_joined", {"session_id": session_id, "member_ref": "M-1001"},
                         lambda ok, error=None, data=None: answers.append(ok)))
    step_until(app, lambda: app.rt.ui.name == "welcome")
    assert answers == [True] and app.rt.machine.member.ref == "M-1001"
    assert "member_joined" in outbox_types(app)
    post(CommandReceived("session_joined", {"session_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "member_ref": "M-1001"},
                         lambda ok, error=None, data=None: answers.append(ok)))
    step_until(app, lambda: len(answers) == 2)
    assert answers[1] is False  # not the session on the screen


def open_font_files() -> int:
    """The process's file descriptors on font files (pygame keeps a font's file open while the font lives)."""
    targets = []
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):  # closed between listing and reading
            targets.append(os.readlink(fd))
    return sum(target.endswith((".otf", ".ttf")) for target in targets)


def test_a_stopped_kiosk_leaves_no_font_file_open(tmp_path):
    # The whole suite starts hundreds of kiosks in one process, and nfcpy's select() fails past descriptor 1024.
    before = open_font_files()
    for run in range(3):
        (tmp_path / str(run)).mkdir()
        kiosk = KioskApp(config.load(write_config(tmp_path / str(run), debug={"input_socket": ""})), demo=True,
                         tracer=Tracer(None))
        kiosk.start()
        tap(kiosk, ANNA)
        step_until(kiosk, lambda kiosk=kiosk: kiosk.rt.ui.name == "welcome")
        kiosk.stop()
    assert open_font_files() == before

"""Screen power: the pure rules with plain times, the sysfs backlight, and the app dimming, waking and sleeping."""

import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.bus import post
from kiosk.core.credential import Credential
from kiosk.core.messages import MotionChanged, TapDetected
from kiosk.core.screen_power import Power, ScreenPower, StoreHours, parse_hours
from kiosk.devices.backlight import Backlight
from tests.helpers import write_config

NOON, NIGHT = clock(12, 0), clock(23, 30)


def power(hours="08:00-21:00", dim_after_s=120.0, motion_wakes=True) -> ScreenPower:
    return ScreenPower(parse_hours(hours), dim_after_s, now=0.0, motion_wakes=motion_wakes)


# Store hours.


def test_store_hours_parse_and_open():
    hours = parse_hours("08:00-21:00")
    assert hours == StoreHours(clock(8, 0), clock(21, 0))
    assert hours.is_open(clock(8, 0)) and hours.is_open(clock(20, 59))
    assert not hours.is_open(clock(21, 0)) and not hours.is_open(clock(7, 59))
    assert parse_hours("") is None


def test_store_hours_past_midnight():
    hours = parse_hours("18:00-02:00")
    assert hours.is_open(clock(23, 0)) and hours.is_open(clock(1, 59))
    assert not hours.is_open(clock(2, 0)) and not hours.is_open(clock(12, 0))


@pytest.mark.parametrize("text", ["8:00-21:00", "08:00", "08:00-24:00", "08:60-21:00", "09:00-09:00", "always"])
def test_bad_store_hours_are_refused(text):
    with pytest.raises(ValueError, match="store hours"):
        parse_hours(text)


# The rules.


def test_on_at_start_then_dimmed_when_nobody_is_around():
    screen = power()
    assert screen.state(now=119.0, clock=NOON, in_session=False) is Power.ON
    assert screen.state(now=121.0, clock=NOON, in_session=False) is Power.DIM


def test_a_session_keeps_the_screen_on():
    assert power().state(now=10_000.0, clock=NIGHT, in_session=True) is Power.ON


def test_off_outside_store_hours():
    assert power().state(now=500.0, clock=NIGHT, in_session=False) is Power.OFF


def test_motion_wakes_it_in_store_hours_and_keeps_it_on_a_while_after():
    screen = power()
    screen.motion(True, now=500.0)
    assert screen.state(now=500.0, clock=NOON, in_session=False) is Power.ON
    assert screen.state(now=5000.0, clock=NOON, in_session=False) is Power.ON  # still someone there
    screen.motion(False, now=5000.0)
    assert screen.state(now=5119.0, clock=NOON, in_session=False) is Power.ON
    assert screen.state(now=5121.0, clock=NOON, in_session=False) is Power.DIM


def test_motion_does_not_wake_it_after_hours():
    screen = power()
    screen.motion(True, now=500.0)
    assert screen.state(now=500.0, clock=NIGHT, in_session=False) is Power.OFF


def test_motion_can_be_ignored():
    screen = power(motion_wakes=False)
    screen.motion(True, now=500.0)
    assert screen.state(now=500.0, clock=NOON, in_session=False) is Power.DIM


def test_first_touch_on_a_dim_or_dark_screen_only_wakes_it():
    screen = power()
    assert screen.touch(now=500.0, clock=NOON, in_session=False) is True
    assert screen.state(now=501.0, clock=NOON, in_session=False) is Power.ON
    assert screen.touch(now=502.0, clock=NOON, in_session=False) is False  # awake now: touches count


def test_touch_or_tap_wakes_it_after_hours_too():
    screen = power()
    assert screen.touch(now=500.0, clock=NIGHT, in_session=False) is True
    assert screen.state(now=600.0, clock=NIGHT, in_session=False) is Power.ON
    assert screen.state(now=621.0, clock=NIGHT, in_session=False) is Power.OFF
    screen.activity(now=700.0)
    assert screen.state(now=700.0, clock=NIGHT, in_session=False) is Power.ON


def test_never_dims_when_dimming_is_off():
    screen = power(hours="", dim_after_s=0)
    assert screen.state(now=1e9, clock=NIGHT, in_session=False) is Power.ON


# The backlight in sysfs (a folder laid out like /sys/class/backlight).


def make_backlight(root, name="rpi_backlight", maximum=255):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "max_brightness").write_text(f"{maximum}\n")
    (folder / "brightness").write_text(f"{maximum}\n")
    return folder


def test_backlight_found_and_set(tmp_path):
    folder = make_backlight(tmp_path / "backlight", maximum=200)
    light = Backlight.find("auto", sysfs=tmp_path / "backlight")
    assert light.folder == folder
    light.set(0.15)
    assert (folder / "brightness").read_text() == "30\n"
    light.set(0.0)
    assert (folder / "brightness").read_text() == "0\n"


def test_no_backlight(tmp_path):
    assert Backlight.find("auto", sysfs=tmp_path / "missing") is None
    assert Backlight.find("none") is None
    assert Backlight.find(str(tmp_path / "not-a-backlight")) is None


# The app.


@pytest.fixture
def app(tmp_path):
    backlight = make_backlight(tmp_path / "sys")
    path = write_config(tmp_path, debug={"input_socket": ""},
                        screen={"dim_after_s": 60, "dim_brightness": 20, "backlight": str(backlight)})
    kiosk = KioskApp(config.load(path), demo=True)
    kiosk.start()
    yield kiosk
    kiosk.stop()


def brightness(app: KioskApp) -> str:
    return (Path(app.settings.screen.backlight) / "brightness").read_text()


def nobody_around_for_long(app: KioskApp, hours: str = "") -> None:
    """As if the kiosk had stood untouched for ten minutes: the last input long ago."""
    app.rt.screen_power = ScreenPower(parse_hours(hours), 60, now=time.monotonic() - 600)


def closed_now() -> str:
    """Store hours that do not include the current local time."""
    start = datetime.now() + timedelta(hours=2)
    return f"{start:%H:%M}-{start + timedelta(hours=1):%H:%M}"


def test_dims_when_nobody_is_around_and_stops_the_animation(app):
    nobody_around_for_long(app)
    app.run_once()
    assert app.rt.screen_output.power is Power.DIM
    assert brightness(app) == "51\n"  # 20 % of 255
    before = app.rt.ui.screen.copy()
    for _ in range(5):
        app.run_once()
    assert app.rt.ui.name == "attract"
    assert bytes(app.rt.ui.screen.get_view("1")) == bytes(before.get_view("1"))  # the rings stopped


def test_motion_wakes_it(app):
    nobody_around_for_long(app)
    app.run_once()
    post(MotionChanged(True))
    app.run_once()
    assert app.rt.screen_output.power is Power.ON
    assert brightness(app) == "255\n"


def test_the_touch_that_wakes_the_screen_does_nothing_else(app):
    nobody_around_for_long(app)
    app.run_once()
    chip = next(b for b in app.rt.ui.current.buttons if b.action == "lang:ru")
    touch(app, chip.rect.center)
    assert app.rt.screen_output.power is Power.ON
    assert app.rt.machine.language == "en"  # the chip was not pressed
    touch(app, chip.rect.center)
    assert app.rt.machine.language == "ru"


def test_a_tap_on_a_dim_screen_wakes_it_and_celebrates(app):
    nobody_around_for_long(app)
    app.run_once()
    post(TapDetected(Credential("ndef", "M-1001"), "test", time.monotonic()))
    app.run_once()
    assert app.rt.ui.name == "celebrate"
    assert app.rt.screen_output.power is Power.ON


def test_dark_outside_store_hours(app):
    nobody_around_for_long(app, hours=closed_now())
    app.run_once()
    assert app.rt.screen_output.power is Power.OFF
    assert brightness(app) == "0\n"
    width, height = app.rt.ui.screen.get_size()
    assert {app.rt.ui.screen.get_at((x, y))[:3] for x in (0, width // 2, width - 1) for y in (0, height - 1)} == {
        (0, 0, 0)}


def touch(app: KioskApp, pos: tuple[int, int]) -> None:
    import pygame

    width, height = app.rt.ui.look.size
    for kind in (pygame.FINGERDOWN, pygame.FINGERUP):
        pygame.event.post(pygame.event.Event(kind, x=pos[0] / width, y=pos[1] / height, finger_id=0, touch_id=0,
                                             dx=0.0, dy=0.0, pressure=1.0))
    app.run_once()

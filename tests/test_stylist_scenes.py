"""The stylist's scenes in the app in-process (SDL dummy driver): reached from the profile and back, the grid
scrolled and tapped with real mouse events, a bundle without a catalogue (tests/test_stylist_walk_up.py: the
ways in without a member, and the idle timeout forgetting the look)."""

import time

import pygame
import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.bus import post
from kiosk.core.credential import Credential
from kiosk.core.messages import CommandReceived, TapDetected
from tests.bundles import without_catalogue
from tests.helpers import write_config
from tests.test_stylist_requests import step_until

ANNA = Credential("ndef", "M-1001")


def start(tmp_path, **sections):
    app = KioskApp(config.load(write_config(tmp_path, debug={"input_socket": ""}, **sections)), demo=True)
    app.start()
    return app


@pytest.fixture
def app(tmp_path):
    kiosk = start(tmp_path, display={"mode": "headless", "width": 1280, "height": 720, "fps": 30})
    yield kiosk
    kiosk.stop()


def act(app, action):
    assert app.features.handle_action(f"stylist:{action}", time.monotonic())


def mouse(kind, pos, **extra):
    pygame.event.post(pygame.event.Event(kind, pos=pos, **extra))


def test_from_the_profile_and_back_again(app):
    post(TapDetected(ANNA, "test", time.monotonic()))
    step_until(app, lambda: app.rt.ui.name == "welcome")
    act(app, "open")
    assert app.rt.ui.name == "stylist"
    act(app, "category:shoes")
    act(app, "home")
    act(app, "leave")  # "Back" on the stylist's start: where the shopper came from
    assert app.rt.ui.name == "welcome" and app.rt.machine.member.ref == "M-1001"


def test_the_grid_scrolls_with_the_finger_and_a_tap_opens_the_product(app):
    act(app, "open")
    act(app, "category:tops")
    grid = next(w for w in app.rt.ui.current.buttons if type(w).__name__ == "Grid")
    x, y = grid.rect.centerx, grid.rect.bottom - 20
    mouse(pygame.MOUSEBUTTONDOWN, (x, y), button=1)
    for step in range(1, 11):
        mouse(pygame.MOUSEMOTION, (x, y - 30 * step), rel=(0, -30), buttons=(1, 0, 0))
    mouse(pygame.MOUSEBUTTONUP, (x, y - 300), button=1)
    step_until(app, lambda: grid.offset == grid.max_offset, "the grid scrolled to its end")
    second_row = grid.cell_rect(4)  # TOP-05, the first of the second row, now in view
    assert grid.rect.contains(second_row)
    mouse(pygame.MOUSEBUTTONDOWN, second_row.center, button=1)
    mouse(pygame.MOUSEBUTTONUP, second_row.center, button=1)
    step_until(app, lambda: app.rt.ui.name == "stylist_product", "the product opened by a tap")
    assert app.rt.ui.current.view.sku == "TOP-05"


def test_a_bundle_without_a_catalogue_has_no_stylist(tmp_path):
    bundle = without_catalogue(tmp_path / "bundle")
    app = start(tmp_path, content={"dir": str(bundle)})
    try:
        assert app.rt.bundle.files["catalogue.json"] is None
        act(app, "open")
        assert app.rt.ui.name == "attract"
    finally:
        app.stop()


def test_a_shopper_waiting_for_the_associate_is_not_idle(tmp_path):
    app = start(tmp_path, kiosk={"idle_timeout_s": 5})
    try:
        act(app, "open")
        act(app, "curated:office")
        for size_action in ("product:TOP-06", "size:M", "add", "product:BOT-01", "size:M", "add",
                            "product:SHO-02", "size:40", "add", "submit"):
            act(app, size_action)
        assert app.rt.ui.name == "stylist_status"
        deadline = time.monotonic() + 7
        while time.monotonic() < deadline:  # past the idle timeout, nobody touching
            app.run_once()
        assert app.rt.ui.name == "stylist_status"
        request_id = app.features["stylist"].shopper.request_id
        post(CommandReceived("stylist_done", {"request_id": request_id}, lambda ok, error=None, data=None: None))
        step_until(app, lambda: app.rt.ui.name == "attract", "the idle timeout once the look was brought", timeout=15)
    finally:
        app.stop()

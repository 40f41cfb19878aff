"""A new scene drawn off screen over several frames before its crossfade (SceneManager, Scene.drawing): the
outgoing frame stays up meanwhile, the crossfade ends on the complete scene, a touch finishes it at once, a
failure in a later step ends in the failsafe scene. Real pygame rendering (SDL dummy driver), shipped content;
BUILD_SLICE_S set to 0 makes every frame draw one step, so the drawing takes as many frames as it has steps."""

import time

import pygame
import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.bus import post
from kiosk.cli.screenshot import demo_view
from kiosk.content.bundle import DEFAULT_DIR, load_bundle
from kiosk.core.credential import Credential
from kiosk.core.messages import TapDetected
from kiosk.features import default_features
from kiosk.features.registry import FeatureSet
from kiosk.ui import manager as manager_module
from kiosk.ui.input import Press, Release
from kiosk.ui.kit import Grid
from kiosk.ui.kit.widget import Widget
from kiosk.ui.look import Look
from kiosk.ui.manager import SceneManager
from kiosk.ui.scene import Scene
from tests.helpers import write_config
from tests.test_stylist_requests import step_until

SIZE = (1280, 720)
BUNDLE = load_bundle(DEFAULT_DIR)
SPECS = FeatureSet(default_features()).scenes
SETTINGS = config.load(None)


@pytest.fixture(scope="module")
def screen():
    pygame.init()
    yield pygame.display.set_mode(SIZE)
    pygame.quit()


@pytest.fixture
def one_step_a_frame(monkeypatch):
    monkeypatch.setattr(manager_module, "BUILD_SLICE_S", 0.0)


class Plain(Widget):
    def draw(self, screen, now):
        screen.fill((200, 0, 0), self.rect)


class Broken(Widget):
    def draw(self, screen, now):
        raise RuntimeError("a widget that cannot draw")


class BrokenLater(Scene):
    """Composes fine; its second widget fails when drawn, a few steps into the scene's drawing."""

    name = "broken_later"

    def compose(self, screen, now):
        self.buttons = [Plain(self.look, pygame.Rect(0, 0, 10, 10)), Broken(self.look, pygame.Rect(20, 0, 10, 10))]


def manager(screen, **options) -> SceneManager:
    builds = {name: spec.build for name, spec in SPECS.items()} | {BrokenLater.name: BrokenLater}
    return SceneManager(screen, Look(BUNDLE, SIZE), builds, **options)


def view(name: str):
    return demo_view(BUNDLE, SETTINGS, name, "en")


def pixels(surface: pygame.Surface) -> bytes:
    return pygame.image.tobytes(surface, "RGB")


def drawn_at_once(name: str, now: float) -> bytes:
    """Scene ``name`` as a manager without transitions draws it in one go."""
    whole = manager(pygame.Surface(SIZE), transitions=False)
    whole.show(name, view(name), now)
    return pixels(whole.screen)


def entering(screen: pygame.Surface, name: str, now: float, **options) -> SceneManager:
    """A manager showing the attract screen that has just been asked to show ``name`` at ``now``."""
    ui = manager(screen, **options)
    ui.show("attract", view("attract"), 0.0)
    ui.show(name, view(name) if name in SPECS else view("attract"), now)
    return ui


@pytest.mark.parametrize("name", ["welcome", "join_form", "stylist", "stylist_grid", "stylist_look", "wheel"])
def test_a_scene_drawn_over_frames_is_whole_and_the_same_as_one_drawn_at_once(screen, one_step_a_frame, name):
    cut = manager(screen, transitions=False)
    cut.show("attract", view("attract"), 0.0)
    outgoing = pixels(screen)
    ui = entering(screen, name, 10.0)
    building, t = 0, 10.0
    while ui.transition is None:
        assert ui.changing and ui.animating(t) and ui.frame_rate(30, t) == manager_module.BUILD_FPS
        assert pixels(screen) == outgoing  # the outgoing frame stays up while the incoming one is drawn
        t += 1 / 60
        ui.frame(t)
        building += 1
    assert building >= 3  # the background and compose, then each widget (and each grid cell, each tile's face)
    assert ui.transition.start == t  # the crossfade starts once the incoming frame is whole, for all its length
    while ui.changing:
        t += 1 / 60
        ui.frame(t)
    assert ui.name == name and pixels(screen) == drawn_at_once(name, 10.0)


def test_a_touch_while_the_scene_is_drawn_finishes_it_at_once(screen, one_step_a_frame):
    ui = entering(screen, "unavailable", 10.0)
    assert ui.changing and ui.transition is None
    done = next(button for button in ui.current.buttons if button.action == "done")
    ui.handle(Press(done.rect.center), 10.01)
    assert not ui.changing
    assert ui.handle(Release(done.rect.center), 10.02) == "done"
    ui.frame(10.1)
    assert pixels(screen) == drawn_at_once("unavailable", 10.0)


def test_a_scene_that_fails_in_a_later_step_shows_the_failsafe_scene_and_says_so(screen, one_step_a_frame):
    failed: list[float] = []
    ui = entering(screen, BrokenLater.name, 10.0, failed=failed.append)
    assert ui.name == BrokenLater.name and ui.changing  # its compose worked: the drawing goes on over frames
    t = 10.0
    while ui.changing and not failed:
        t += 1 / 60
        ui.frame(t)
    assert failed == [t] and ui.name == "failsafe" and not ui.changing
    assert ui.scenes[BrokenLater.name].buttons == []  # it left, forgetting its view
    assert pixels(screen) == drawn_at_once("failsafe", t)


def test_showing_another_scene_while_one_is_drawn_drops_the_first(screen, one_step_a_frame):
    ui = entering(screen, "welcome", 10.0)
    ui.frame(10.02)
    ui.show("goodbye", view("goodbye"), 10.03)
    assert ui.scenes["welcome"].view == ui.scenes["welcome"].view_model(language="en")  # left: its shopper forgotten
    t = 10.03
    while ui.changing:
        t += 1 / 60
        ui.frame(t)
    assert ui.name == "goodbye" and pixels(screen) == drawn_at_once("goodbye", 10.0)


def test_in_the_app_a_scene_that_fails_in_a_later_step_ends_the_session(tmp_path, one_step_a_frame, monkeypatch):
    """The profile's offer grid made to fail (a fault no real part produces on the shipped content): the welcome
    scene composes, its grid's cells fail a few frames later, and the session ends with the failsafe scene."""
    def broken(grid, now):
        raise RuntimeError("an offer that cannot be drawn")
        yield

    monkeypatch.setattr(Grid, "preparing", broken)
    app = KioskApp(config.load(write_config(tmp_path, debug={"input_socket": ""})), demo=True)
    app.start()
    try:
        post(TapDetected(Credential("ndef", "M-1001"), "test", time.monotonic()))
        step_until(app, lambda: app.rt.machine.scene != "attract", "the tap")
        step_until(app, lambda: app.rt.machine.scene == "failsafe", "the session ended by the failing scene")
        assert app.rt.ui.name == "failsafe" and app.rt.machine.member is None
    finally:
        app.stop()

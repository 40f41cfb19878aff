"""Scenes drawn once off screen while the attract screen idles (SceneManager.warm, Runtime.warm_next), so a
shopper's first entry finds its fonts, card faces and pictures ready."""

import pygame
import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.cli.screenshot import demo_view
from kiosk.content.bundle import DEFAULT_DIR, load_bundle
from kiosk.features import default_features
from kiosk.features.registry import FeatureSet
from kiosk.ui.kit import card
from kiosk.ui.look import Look
from kiosk.ui.manager import SceneManager
from tests.helpers import wait_for, write_config

SIZE = (1280, 720)


@pytest.fixture
def ui():
    pygame.init()
    screen = pygame.display.set_mode(SIZE)
    bundle = load_bundle(DEFAULT_DIR)
    specs = FeatureSet(default_features()).scenes
    builds = {name: spec.build for name, spec in specs.items()}
    manager = SceneManager(screen, Look(bundle, SIZE), builds)
    settings = config.load(None)
    manager.show("attract", demo_view(bundle, settings, "attract", "en"), 0.0)
    return manager, lambda name: demo_view(bundle, settings, name, "en")


def _opened(look: Look) -> set:
    return set(look._fonts) | set(look._other_sizes)


def test_a_warmed_scene_is_entered_with_nothing_left_to_open_or_render(ui):
    manager, view = ui
    screen = pygame.image.tobytes(manager.screen, "RGB")
    assert manager.warm("join", view("join"), 1.0)
    assert pygame.image.tobytes(manager.screen, "RGB") == screen  # drawn off screen
    assert manager.name == "attract"
    assert manager.scenes["join"].view == manager.scenes["join"].view_model(language="en")  # forgotten again
    fonts, faces = _opened(manager.look), card._face.cache_info().misses
    manager.show("join", view("join"), 2.0)
    assert _opened(manager.look) == fonts
    assert card._face.cache_info().misses == faces


def test_the_scene_shown_and_a_running_transition_are_left_alone(ui):
    manager, view = ui
    assert not manager.warm("attract", view("attract"), 1.0)
    manager.show("join", view("join"), 2.0)
    assert manager.changing
    assert not manager.warm("welcome", view("welcome"), 2.0)  # the off-screen buffer holds the incoming frame


def test_a_scene_that_fails_to_draw_is_not_warmed_and_forgets_its_view(ui):
    manager, view = ui
    scene = manager.scenes["welcome"]
    assert not manager.warm("welcome", view("join"), 1.0)  # the wrong view: its draw raises
    assert scene.view == scene.view_model(language=scene.view.language)
    assert not manager.warm("no-such-scene", view("join"), 1.0)


def test_the_idle_attract_screen_warms_every_scene_once_after_start(tmp_path):
    app = KioskApp(config.load(write_config(tmp_path, debug={"input_socket": ""})), demo=True)
    app.start()
    try:
        warmed: list[str] = []
        warm = app.rt.ui.warm
        app.rt.ui.warm = lambda name, view, now: warmed.append(name) or warm(name, view, now)
        wait_for(lambda: app.run_once() or not app.rt._to_warm, 20, "every scene warmed")
        expected = [name for name in app.features.scenes if name != "attract"]
        assert warmed == [name for name in expected if name in warmed]  # in order, one at a time
        assert set(warmed) >= {"welcome", "join", "stylist", "wheel"}
        assert app.rt.ui.name == "attract"
    finally:
        app.stop()

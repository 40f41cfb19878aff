"""The reworked scenes (attract, celebrate, goodbye, unavailable, maintenance, failsafe) drawn for real: every
text fits its box whole in every language at 1920x1080 and 1280x720, nothing overlaps, the confetti never
touches a text box, the celebration turns personal in the tier's colour, and the LED mirror stays in the
theme's palette. Real pygame rendering (SDL dummy driver) with the real fonts and both shipped bundles."""

from pathlib import Path

import pygame
import pytest

from kiosk.config import LANGUAGES
from kiosk.content.bundle import DEFAULT_DIR, load_bundle
from kiosk.core.member import Member
from kiosk.features import default_features
from kiosk.features.base import ViewSource
from kiosk.features.registry import FeatureSet
from kiosk.features.welcome.scenes.celebrate import CelebrateScene, CelebrateView
from kiosk.ui.look import Look
from kiosk.ui.manager import SceneManager
from kiosk.ui.scene import View
from kiosk.ui.text import Block

REPO = Path(__file__).resolve().parents[1]
BUNDLES = {"default": DEFAULT_DIR, "evening": REPO / "deploy" / "demo-content" / "evening"}
SCREENS = [(1920, 1080), (1280, 720)]
SCENES = ["attract", "celebrate", "goodbye", "unavailable", "maintenance", "failsafe"]
LONG_NAMES = {"en": "Aleksandra Konstantinopolskaya-Vasilyeva", "ru": "Александра Константинопольская-Васильева",
              "nb": "Kristoffer Aleksander Bjørnstad-Østgård"}
FEATURES = FeatureSet(default_features())


@pytest.fixture(scope="module", autouse=True)
def display():
    pygame.init()
    pygame.display.set_mode((1, 1))
    yield
    pygame.quit()


@pytest.fixture
def drawn_texts(monkeypatch):
    """Every block of text drawn, with the rectangle it covers (the real drawing, observed)."""
    drawn: list[tuple[pygame.Surface, Block, pygame.Rect]] = []
    real = Block.draw

    def draw(self, screen, box, colour, align="left", valign="top"):
        covered = real(self, screen, box, colour, align, valign)
        drawn.append((screen, self, covered))
        return covered

    monkeypatch.setattr(Block, "draw", draw)
    return drawn


def source(bundle, language, member=None, reader_ok=True):
    """What the app gives the views, with every default feature installed (the unavailable screen offers to join
    on the kiosk)."""
    return ViewSource(language, member, tuple(bundle.tiers), "https://example.test/j/k7Qm2pX9vR4sT1wZ", reader_ok,
                      content=bundle.files, actions=FEATURES.actions)


def member_named(name, points=1240):
    return Member("M-1", name, points, "gold")


@pytest.mark.parametrize("size", SCREENS)
@pytest.mark.parametrize("bundle_name", BUNDLES)
def test_every_reworked_scene_fits_its_texts_in_every_language(bundle_name, size, drawn_texts):
    bundle = load_bundle(BUNDLES[bundle_name])
    look = Look(bundle, size)
    screen = pygame.Surface(size)
    bounds = screen.get_rect()
    cases = [(scene, None, True) for scene in SCENES] + [("celebrate", "long name", True), ("attract", None, False)]
    for language in LANGUAGES:
        for scene_name, member, reader_ok in cases:
            shopper = member_named(LONG_NAMES[language]) if member else None
            scene = FEATURES.scenes[scene_name].build(look)
            scene.enter(FEATURES.scenes[scene_name].view(source(bundle, language, shopper, reader_ok)), 0.0)
            drawn_texts.clear()
            scene.draw(screen, 0.0)
            case = (bundle_name, size, language, scene_name, member, reader_ok)
            assert drawn_texts, case
            if scene_name == "unavailable":
                assert any(button.action == "join:form" for button in scene.buttons), case
            for _, block, _ in drawn_texts:  # on the screen, or on a button's face
                assert not block.cut, (case, block.lines)
            texts = [rect for surface, _, rect in drawn_texts if surface is screen]
            for i, rect in enumerate(texts):
                assert bounds.contains(rect), (case, rect)
                assert rect.collidelist(texts[i + 1:]) < 0, (case, "texts overlap")
                assert rect.collidelist([button.rect for button in scene.buttons]) < 0, (case, "under a button")


@pytest.mark.parametrize("size", SCREENS)
@pytest.mark.parametrize("personal", [False, True])
def test_confetti_never_touches_a_text_box(size, personal):
    look = Look(load_bundle(DEFAULT_DIR), size)
    scene = CelebrateScene(look)
    tier = look.bundle.tiers[1]
    view = CelebrateView("ru", member_named(LONG_NAMES["ru"]) if personal else None, tier if personal else None)
    screen = pygame.Surface(size)
    scene.enter(view, 0.0)
    scene.draw(screen, 30.0)  # long after the burst: the texts alone
    reference = screen.copy()
    boxes = list(scene.text_boxes)
    assert len(boxes) == 2
    scene.leave()
    scene.enter(view, 0.0)
    scene.draw(screen, 0.0)
    touched_screen = 0
    for frame in range(1, 90):  # three seconds at 30 frames a second: the whole burst
        changed = scene.animate(screen, frame / 30)
        touched_screen += len(changed)
        for box in boxes:
            assert pygame.image.tobytes(screen.subsurface(box), "RGB") == \
                pygame.image.tobytes(reference.subsurface(box), "RGB"), (frame, box)
            assert box.collidelist(changed) < 0, frame
    assert touched_screen > 1000  # the burst did fly
    assert scene.animate(screen, 30.0) == [] or pygame.image.tobytes(screen, "RGB") == \
        pygame.image.tobytes(reference, "RGB")


def test_the_celebration_turns_personal_in_the_tier_colour_and_keeps_its_burst():
    look = Look(load_bundle(DEFAULT_DIR), (1280, 720))
    gold = next(tier for tier in look.bundle.tiers if tier.key == "gold")
    assert gold.colour is not None and gold.colour != look.colour["accent"]
    ui = SceneManager(pygame.Surface((1280, 720)), look, {"celebrate": CelebrateScene})
    ui.show("celebrate", CelebrateView("en"), 10.0)
    ui.frame(10.2)
    anonymous = pygame.image.tobytes(ui.screen, "RGB")
    ui.show("celebrate", CelebrateView("en", member_named("Anna"), gold), 10.2)
    assert ui.current.entered_at == 10.2 and ui.current._burst_at == 10.0  # the burst goes on, not again
    personal = ui.screen.copy()
    assert pygame.image.tobytes(personal, "RGB") != anonymous
    colours = {personal.get_at((x, y))[:3] for x in range(0, 1280, 2) for y in range(0, 720, 2)}
    assert gold.colour in colours  # the medal and the confetti in the tier's colour
    fresh = CelebrateScene(look)  # the personal greeting as a screenshot shows it
    reference = pygame.Surface((1280, 720))
    fresh.enter(CelebrateView("en", member_named("Anna"), gold), 10.0)
    fresh.draw(reference, 10.2)
    boxes = ui.current.text_boxes
    assert boxes == fresh.text_boxes

    def texts(surface):
        return [pygame.image.tobytes(surface.subsurface(box), "RGB") for box in boxes]

    ui.frame(10.25)
    halfway = texts(ui.screen)
    assert halfway != texts(reference)  # the name fades in
    ui.frame(10.2 + look.theme.durations_ms["quick"] / 1000 + 0.01)
    assert texts(ui.screen) == texts(reference)  # and stands, whole
    ui.show("celebrate", CelebrateView("en"), 20.0)  # a new tap: a new burst
    assert ui.current._burst_at == 20.0


def test_the_celebration_is_the_same_every_time():
    look = Look(load_bundle(DEFAULT_DIR), (1280, 720))
    shots = []
    for _ in range(2):
        scene = CelebrateScene(look)
        screen = pygame.Surface((1280, 720))
        scene.enter(CelebrateView("nb", member_named("Ingrid"), look.bundle.tiers[0]), 0.0)
        scene.draw(screen, 0.35)
        shots.append(pygame.image.tobytes(screen, "RGB"))
    assert shots[0] == shots[1]


@pytest.mark.parametrize("size", SCREENS)
@pytest.mark.parametrize("bundle_name", BUNDLES)
def test_each_attract_frame_is_the_scene_drawn_afresh_though_it_redraws_only_what_moves(bundle_name, size):
    """A frame puts back the background only where the rings and the pulse move and draws them over it: frame on
    frame, at uneven steps through more than a period, the screen is what a whole drawing at that moment is."""
    bundle = load_bundle(BUNDLES[bundle_name])
    look = Look(bundle, size)
    spec = FEATURES.scenes["attract"]
    for language in LANGUAGES:
        view = spec.view(source(bundle, language))
        animated, fresh = spec.build(look), spec.build(look)
        screen, reference = pygame.Surface(size), pygame.Surface(size)
        animated.enter(view, 0.0)
        animated.draw(screen, 0.0)
        now = 0.0
        for step in range(60):
            now += (1 / 20, 1 / 30, 0.13, 0.011)[step % 4]
            changed = animated.animate(screen, now)
            fresh.enter(view, 0.0)
            fresh.draw(reference, now)
            assert pygame.image.tobytes(screen, "RGB") == pygame.image.tobytes(reference, "RGB"), (language, now)
            assert all(rect.collidelist([button.rect for button in animated.buttons]) < 0 for rect in changed)


@pytest.mark.parametrize("bundle_name", BUNDLES)
def test_the_led_mirror_is_drawn_in_the_theme_palette_and_only_when_asked(bundle_name):
    look = Look(load_bundle(BUNDLES[bundle_name]), (1280, 720))
    ink = look.colour
    for led_key, halo in (("led_idle", False), ("led_celebrate", True)):
        raw = ink[led_key]
        ui = SceneManager(pygame.Surface((1280, 720)), look, {}, led=lambda raw=raw: tuple(c / 255 for c in raw))
        ui.show("failsafe", View("en"), 0.0)
        mirror = ui._led_rect
        seen = {ui.screen.get_at((x, y))[:3] for x in range(mirror.left, mirror.right)
                for y in range(mirror.top, mirror.bottom)}
        assert ui.screen.get_at(mirror.center)[:3] == ink["accent"]
        assert {ink["panel"], ink["line"]} <= seen
        if raw not in (ink["accent"], ink["panel"], ink["line"]):
            assert raw not in seen, led_key  # not the LED's raw RGB (a pure blue disc)
        edge = ui.screen.get_at((mirror.centerx, mirror.top + 2))[:3]
        assert (edge != look.background_at(mirror.top + 2)) == halo, led_key
    plain = SceneManager(pygame.Surface((1280, 720)), look, {})  # not the demo: no mirror
    plain.show("failsafe", View("en"), 0.0)
    background = pygame.Surface(look.size)
    look.paint_background(background)
    assert pygame.image.tobytes(plain.screen.subsurface(mirror), "RGB") == \
        pygame.image.tobytes(background.subsurface(mirror), "RGB")

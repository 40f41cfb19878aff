"""Motion: easing curves as CSS evaluates them, and scene transitions that end on the exact incoming frame within
the theme's duration. Real pygame rendering (SDL dummy driver) with the shipped content."""

import itertools

import pygame
import pytest

from kiosk.content.bundle import DEFAULT_DIR, load_bundle
from kiosk.content.theme import Easing
from kiosk.features import default_features
from kiosk.features.base import ViewSource
from kiosk.features.registry import FeatureSet
from kiosk.ui.input import Press, Release
from kiosk.ui.kit.motion import ease
from kiosk.ui.look import Look
from kiosk.ui.manager import BUILD_FPS, SceneManager
from kiosk.ui.motion import changed_rects

FEATURES = FeatureSet(default_features())


@pytest.fixture(scope="module")
def screen():
    pygame.init()
    yield pygame.display.set_mode((1280, 720))
    pygame.quit()


def manager(screen, **options):
    look = Look(load_bundle(DEFAULT_DIR), screen.get_size())
    return SceneManager(screen, look, {name: spec.build for name, spec in FEATURES.scenes.items()}, **options)


def view(name, language="en"):
    bundle = load_bundle(DEFAULT_DIR)
    source = ViewSource(language, None, tuple(bundle.tiers), "https://example.test/j/k7Qm2pX9", True)
    return FEATURES.scenes[name].view(source)


def pixels(surface):
    return pygame.image.tobytes(surface, "RGB")


@pytest.mark.parametrize(("points", "checks"), [
    ((0.0, 0.0, 1.0, 1.0), [(0.3, 0.3), (0.8, 0.8)]),  # linear
    ((0.25, 0.1, 0.25, 1.0), [(0.5, 0.8024033877399112), (0.1, 0.09479630571604)]),  # CSS "ease"
    ((0.42, 0.0, 1.0, 1.0), [(0.5, 0.3153568)]),  # CSS "ease-in"
    ((0.0, 0.0, 0.58, 1.0), [(0.5, 0.6846432)]),  # CSS "ease-out"
])
def test_easing_is_evaluated_as_css_does(points, checks):
    for x, y in checks:
        assert ease(Easing(*points), x) == pytest.approx(y, abs=1e-5)


def test_the_shipped_easings_rise_monotonically_from_0_to_1():
    for easing in load_bundle(DEFAULT_DIR).theme.easings.values():
        values = [ease(easing, i / 100) for i in range(101)]
        assert values[0] == 0.0 and values[-1] == 1.0
        assert all(a <= b + 1e-9 for a, b in itertools.pairwise(values))


def test_a_transition_eases_in_and_ends_on_the_exact_incoming_frame(screen):
    cut = manager(screen, transitions=False)
    cut.show("goodbye", view("goodbye"), 0.0)
    incoming = pixels(screen)
    cut.show("attract", view("attract"), 1.0)
    outgoing = pixels(screen)

    ui = manager(screen)
    ui.show("attract", view("attract"), 0.0)  # the first scene has nothing to ease from
    assert ui.transition is None and pixels(screen) == outgoing
    ui.show("goodbye", view("goodbye"), 10.0)
    assert ui.animating(10.0) and pixels(screen) == outgoing  # the first blend is a later frame
    duration = ui.look.theme.durations_ms["standard"] / 1000
    assert 0 < duration <= 0.25
    shown = []
    t = 10.0
    while ui.transition is None:  # the incoming scene drawn off screen, over as many frames as it takes
        assert ui.changing and pixels(screen) == outgoing
        t += 1 / 60
        ui.frame(t)
    start = ui.transition.start
    while ui.transition is not None:
        t += 1 / 60
        ui.frame(t)
        shown.append(pixels(screen))
    assert t - start <= duration + 1 / 60  # finished within the duration, at the first frame after it
    assert shown[-1] == incoming  # exactly the incoming frame
    assert all(frame not in (incoming, outgoing) for frame in shown[:-1]) and len(shown) >= 3
    assert not ui.animating(t + 1)  # goodbye is still: nothing more to draw


def test_a_tap_cuts_to_the_celebration_at_once(screen):
    ui = manager(screen)
    ui.show("attract", view("attract"), 0.0)
    ui.show("celebrate", view("celebrate"), 5.0)
    assert ui.transition is None and ui.name == "celebrate"
    first = pixels(screen)
    cut = manager(screen, transitions=False)
    cut.show("celebrate", view("celebrate"), 5.0)
    assert pixels(screen) == first


def test_showing_the_scene_that_is_up_redraws_it_without_a_transition(screen):
    ui = manager(screen)
    ui.show("attract", view("attract"), 0.0)
    ui.show("attract", view("attract", "nb"), 1.0)
    assert ui.transition is None


@pytest.mark.parametrize(("before", "after"), [("attract", "goodbye"), ("goodbye", "attract"),
                                               ("attract", "unavailable"), ("attract", "maintenance"),
                                               ("attract", "failsafe"), ("celebrate", "join")])
def test_a_transition_blends_every_pixel_that_changes(screen, before, after):
    """Only the parts that change are blended: every pixel that differs between the two frames is in them."""
    cut = manager(screen, transitions=False)
    cut.show(after, view(after), 0.0)
    incoming = screen.copy()
    cut.show(before, view(before), 0.0)
    rects = changed_rects(screen, incoming)
    differs = pygame.mask.from_threshold(screen, (0, 0, 0, 255), (1, 1, 1, 255), incoming, 1)
    differs.invert()
    assert differs.count() > 0 and rects
    covered = pygame.mask.Mask(screen.get_size())
    for rect in rects:
        covered.draw(pygame.mask.Mask(rect.size, fill=True), rect.topleft)
    assert differs.overlap_area(covered, (0, 0)) == differs.count()
    assert sum(rect.width * rect.height for rect in rects) < 0.9 * screen.get_width() * screen.get_height()


def test_the_attract_rings_are_drawn_at_their_own_slower_rate_and_the_way_into_them_at_the_configured_one(screen):
    ui = manager(screen)
    ui.show("goodbye", view("goodbye"), 0.0)
    ui.show("attract", view("attract"), 10.0)
    assert ui.current.max_fps == pytest.approx(1 / 0.06)
    t, rates = 10.0, set()
    while ui.changing:  # drawn off screen, then crossfaded
        rates.add(ui.frame_rate(30, t))
        t += 1 / 30
        ui.frame(t)
    assert rates <= {30, BUILD_FPS} and 30 in rates
    assert ui.animating(t) and 1 / ui.frame_rate(30, t) == pytest.approx(0.06)  # then the rings alone, slowly
    assert ui.frame_rate(12, t) == 12  # never more than configured for them
    t = 20.0
    ui.show("goodbye", view("goodbye"), t)
    while ui.changing:
        t += 1 / 30
        ui.frame(t)
    assert ui.frame_rate(30, t) == 30


def test_an_animated_scene_goes_on_from_the_end_of_its_transition_without_a_jump(screen):
    ui = manager(screen)
    ui.show("goodbye", view("goodbye"), 0.0)
    ui.show("attract", view("attract"), 10.0)
    t = 10.0
    while ui.changing:
        t += 1 / 30
        ui.frame(t)
    end = 10.0 + ui.look.theme.durations_ms["standard"] / 1000
    cut = manager(pygame.Surface(screen.get_size()), transitions=False)  # the same scene, cut to at 10.0
    cut.show("attract", view("attract"), 10.0)
    cut.frame(end)
    assert pixels(screen) == pixels(cut.screen)  # the rings as they are when the transition ends
    for _ in range(3):
        t += 1 / 30
        ui.frame(t)
        cut.frame(t)
        assert pixels(screen) == pixels(cut.screen)  # and on from there, on the scene's own clock


def test_a_touch_during_a_transition_ends_it_at_once(screen):
    cut = manager(pygame.Surface(screen.get_size()), transitions=False)
    cut.show("unavailable", view("unavailable"), 0.0)
    ui = manager(screen)
    ui.show("attract", view("attract"), 0.0)
    ui.show("unavailable", view("unavailable"), 10.0)
    ui.frame(10.0 + 1 / 30)
    assert ui.changing
    done = next(button for button in ui.current.buttons if button.action == "done")
    ui.handle(Press(done.rect.center), 10.05)
    assert not ui.changing
    ui.handle(Release(done.rect.center), 10.1)
    ui.frame(10.2)
    assert pixels(screen) == pixels(cut.screen)  # the scene itself, its button drawn as it is now

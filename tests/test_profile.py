"""The member's profile in-process (the embedded backend with the demo members, SDL dummy driver): points, tier,
the offers of the member's tier from the content, the ways into the installed features, and the language a
member chose, used on their next tap."""

import json
import time
from dataclasses import replace

import pygame
import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.content.bundle import DEFAULT_DIR, load_bundle
from kiosk.features import default_features
from kiosk.features.registry import FeatureSet
from kiosk.features.welcome.scenes.welcome import SHOWN_OFFERS
from kiosk.trace import Tracer
from tests.helpers import write_config
from tests.test_app_flow import ANNA, step_until, tap, touch


def start(tmp_path, features=None) -> KioskApp:
    settings = config.load(write_config(tmp_path, debug={"input_socket": ""}))
    app = KioskApp(settings, demo=True, tracer=Tracer(None), features=features)
    app.start()
    return app


@pytest.fixture
def app(tmp_path):
    kiosk = start(tmp_path)
    yield kiosk
    kiosk.stop()


def profile_shown(app: KioskApp):
    step_until(app, lambda: app.rt.ui.name == "welcome" and app.rt.ui.current.view.offers)
    return app.rt.ui.current.view


def test_a_member_sees_the_offers_of_their_tier_and_the_way_to_the_prize_wheel(app):
    tap(app, ANNA)
    view = profile_shown(app)
    offers = {offer.offer_id for offer in view.offers}
    assert "gold-private-sales" in offers  # Anna is gold
    assert "platinum-styling" not in offers and "welcome-500" not in offers  # not platinum; a member for long
    installed = tuple(name for name in ("wheel", "stylist") if name in app.features.actions)
    assert "wheel" in view.entries and view.entries == installed and not view.joined and not view.pending
    assert [b.action for b in app.rt.ui.current.buttons if (getattr(b, "action", None) or "").endswith(":open")] == \
        [f"{name}:open" for name in installed]


def test_no_way_into_a_feature_that_is_not_installed(tmp_path):
    kiosk = start(tmp_path, [f for f in default_features() if f.name != "wheel"])
    try:
        tap(kiosk, ANNA)
        view = profile_shown(kiosk)
        assert "wheel" not in view.entries and "stylist" in view.entries
        assert not [b for b in kiosk.rt.ui.current.buttons if getattr(b, "action", None) == "wheel:open"]
    finally:
        kiosk.stop()


def test_the_language_a_member_chose_greets_them_on_their_next_tap(app):
    tap(app, ANNA)
    profile_shown(app)
    chip = next(b for b in app.rt.ui.current.buttons if getattr(b, "action", None) == "lang:nb")
    touch(app, *chip.rect.center)
    step_until(app, lambda: app.rt.machine.language == "nb")
    chosen = [json.loads(r["payload"])["data"] for r in app.store.query(
        "SELECT payload FROM outbox WHERE type = 'language_chosen'")]
    assert chosen == [{"member_ref": "M-1001", "language": "nb"}]
    done = next(b for b in app.rt.ui.current.buttons if getattr(b, "action", None) == "done")
    touch(app, *done.rect.center)
    step_until(app, lambda: app.rt.ui.name == "goodbye")
    assert app.rt.machine.language == "en"  # the kiosk's own language between shoppers
    tap(app, ANNA)
    step_until(app, lambda: app.rt.ui.name == "welcome")
    assert app.rt.machine.language == "nb" and app.rt.ui.current.view.language == "nb"
    assert profile_shown(app).offers[0].title  # the offers' titles in Norwegian from the content


def swipe_up(app: KioskApp, x: int, y: int, travel: int) -> None:
    """One finger's quick swipe up from (x, y): down, two moves, up, as SDL posts them."""
    width, height = app.rt.ui.look.size
    for kind, dy in ((pygame.FINGERDOWN, 0), (pygame.FINGERMOTION, travel // 2), (pygame.FINGERMOTION, travel),
                     (pygame.FINGERUP, travel)):
        pygame.event.post(pygame.event.Event(kind, x=x / width, y=(y - dy) / height, finger_id=0, touch_id=0,
                                             dx=0.0, dy=-travel / 2 / height, pressure=1.0))


def test_every_offer_can_be_seen_page_by_page_in_the_offer_grid(app):
    tap(app, ANNA)
    view = profile_shown(app)
    # More offers than a page holds: the profile's view with seven (the scene, grid and input are the real ones).
    many = tuple(replace(view.offers[0], offer_id=f"offer-{i}", title=f"Offer {i}") for i in range(7))
    app.rt.ui.show("welcome", replace(view, offers=many), time.monotonic())
    scene = app.rt.ui.current
    grid = scene.offers
    assert grid is not None and grid in scene.buttons and grid.count == 7 and list(grid.visible()) == [0, 1, 2]
    seen = set(grid.visible())
    for page in (1, 2):
        swipe_up(app, *grid.rect.center, grid.rect.height // 3)
        step_until(app, lambda: grid.page == page and not grid.moving(time.monotonic()))  # noqa: B023
        seen |= set(grid.visible())
    assert seen == set(range(7))
    assert app.rt.ui.current is scene and app.rt.ui.name == "welcome"  # a swipe on the grid is no other action
    assert "7" in scene.t("welcome.offers_more", count=7)


def test_a_page_of_offers_or_fewer_fits_with_nothing_to_swipe(app):
    tap(app, ANNA)
    view = profile_shown(app)
    assert 0 < len(view.offers) <= SHOWN_OFFERS
    grid = app.rt.ui.current.offers
    assert grid.pages == 1 and grid.max_offset == 0


def test_no_way_into_a_feature_whose_content_the_bundle_lacks():
    features = FeatureSet(default_features())
    files = load_bundle(DEFAULT_DIR).files
    assert {"wheel", "stylist", "join"} <= features.offered(files)
    without = {name: data for name, data in files.items() if name not in ("wheel.json", "catalogue.json")}
    offered = features.offered(without)
    assert "wheel" not in offered and "stylist" not in offered and "join" in offered and "done" in offered

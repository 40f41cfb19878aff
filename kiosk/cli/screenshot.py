"""``kiosk screenshot``: render any scene headless to a PNG, with demo data where a scene needs a member."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pygame

from kiosk.backend.local import offers_for
from kiosk.backend.models import Profile
from kiosk.config import Settings
from kiosk.content.bundle import Bundle, load_configured
from kiosk.core.member import tier_for
from kiosk.exc import KioskError
from kiosk.features import default_features
from kiosk.features.base import ViewSource
from kiosk.features.registry import FeatureSet
from kiosk.tap.setup import join_url
from kiosk.ui.display import open_display
from kiosk.ui.look import Look
from kiosk.ui.manager import SceneManager
from kiosk.ui.scene import View

CELEBRATE_AT_S = 0.35  # a moment into the burst, when the confetti has spread
DEMO_DAY = date(2026, 12, 1)  # the day whose offers the demo member has: the same screenshots every day
_SCENES = FeatureSet(default_features())


def render_scene(settings: Settings, scene: str, language: str, out: Path) -> None:
    bundle = load_configured(settings.content.dir)
    try:
        screen = open_display("headless", settings.display.width, settings.display.height)
        ui = scene_manager(screen, bundle)
        if scene not in ui.scenes:
            raise KioskError(f"no scene named {scene!r}; known: {', '.join(ui.scenes)}")
        draw(ui, bundle, settings, scene, language)
        out.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(screen, str(out))
    finally:
        pygame.quit()


def scene_manager(screen: pygame.Surface, bundle: Bundle) -> SceneManager:
    """Every scene of the kiosk's features offered with ``bundle``, for ``bundle`` on ``screen``."""
    specs = {name: _SCENES.scenes[name].build for name in _SCENES.offered_scenes(bundle.files)}
    return SceneManager(screen, Look(bundle, screen.get_size()), specs, transitions=False)


def demo_view(bundle: Bundle, settings: Settings, scene: str, language: str, *, member: bool = True) -> View:
    """The view of ``scene`` in ``language`` from demo data: the bundle's first demo member (``member`` False: a
    shopper nobody knows yet), a fixed join token (the same picture every time)."""
    demo = bundle.demo_members[0]
    tier = tier_for(demo.points, bundle.tiers).key
    offers = offers_for(bundle.files.get("offers.json", []), language, tier, None, None, DEMO_DAY)
    shopper = Profile(demo.ref, demo.name, demo.points, tier, language=language, offers=offers) if member else None
    source = ViewSource(language, shopper, bundle.tiers, join_url(settings.nfc.join_url, "k7Qm2pX9vR4sT1wZ"), True,
                        held_until=settings.nfc.join_wait_s,  # a screen that waits shows the whole wait
                        content=bundle.files, actions=_SCENES.offered(bundle.files))
    return _SCENES.scenes[scene].view(source)


def draw(ui: SceneManager, bundle: Bundle, settings: Settings, scene: str, language: str) -> None:
    """Show ``scene`` in ``language`` on ``ui``'s screen as a shopper would see it, with the first demo member
    where the scene needs one."""
    ui.show(scene, demo_view(bundle, settings, scene, language), 0.0)
    if ui.current.animated:
        ui.frame(CELEBRATE_AT_S)

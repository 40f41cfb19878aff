"""The loyalty backend port and its adapters; :func:`build` picks one from the settings."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.backend.http import HttpBackend
from kiosk.backend.local import LocalBackend
from kiosk.backend.port import LoyaltyBackend
from kiosk.config import BackendSettings
from kiosk.content.bundle import Bundle
from kiosk.storage.store import Store


def build(settings: BackendSettings, store: Store, bundle: Bundle, *, demo: bool = False,
          content: Callable[[], Bundle] | None = None) -> LoyaltyBackend:
    """The HTTP backend, or the local one on ``store`` (in the demo, with ``bundle``'s demo members) with the
    tiers, offers and prize wheel of the bundle ``content`` returns (the one on screen; ``bundle`` when not
    given)."""
    if settings.kind == "http":
        return HttpBackend(settings.url, settings.token, settings.timeout_s)
    local = LocalBackend(store, content or (lambda: bundle))
    if demo:
        local.seed(bundle.demo_members, bundle.tiers)
    return local

"""Shopper and store features, one package each (docs/architecture.md, "A feature is a package").

Adding a feature is one line here; nothing else in the app changes.
"""

from __future__ import annotations

from kiosk.features.base import Feature
from kiosk.features.content import Content
from kiosk.features.device import Device
from kiosk.features.join import Join
from kiosk.features.maintenance import Maintenance
from kiosk.features.stylist import Stylist
from kiosk.features.welcome import Welcome
from kiosk.features.wheel import PrizeWheel


def default_features() -> list[Feature]:
    """The features the kiosk runs, in the order they see each loop turn."""
    return [Welcome(), Join(), Maintenance(), Content(), Device(), Stylist(), PrizeWheel()]

"""The virtual stylist: browse the store's catalogue, build a complete look, and have a sales associate bring it.
"""

from __future__ import annotations

from kiosk.content.schemas import FileSchema
from kiosk.features.base import Feature
from kiosk.features.stylist.catalogue import check_catalogue

CATALOGUE = FileSchema("catalogue.json", check_catalogue, max_bytes=256 * 1024, optional=True)
"""The catalogue; a bundle without one has no stylist (the profile does not offer it)."""


class Stylist(Feature):
    name = "stylist"

    def content(self) -> list[FileSchema]:
        return [CATALOGUE]

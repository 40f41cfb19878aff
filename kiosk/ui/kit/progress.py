"""Progress as a bar or a ring, legible at a glance even when nearly empty: any progress above nothing shows
at least a full round dot (a bar as long as it is thick; a ring's arc as long as the ring is thick), in the
accent colour on a visible track.

Both are rendered once per value and size (anti-aliased rings are drawn at 3x and smoothed down), then only
blitted.

    >>> import pygame; _ = pygame.init(); _ = pygame.display.set_mode((1, 1))
    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> look = Look(load_bundle(DEFAULT_DIR), (1920, 1080))
    >>> bar = ProgressBar(look, pygame.Rect(0, 0, 800, 24), 0.01)
    >>> bar.filled().width  # 1 % of 800 px would be 8 px; it shows as a dot as wide as the bar is thick
    24
    >>> ProgressRing(look, pygame.Rect(0, 0, 200, 200), 0.5).sweep()  # radians
    3.141592653589793
"""

from __future__ import annotations

import math
from functools import lru_cache

import pygame

from kiosk.ui.kit.widget import Widget
from kiosk.ui.look import Colour, Look

SUPERSAMPLE = 3


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


class ProgressBar(Widget):
    """A horizontal bar: ``value`` from 0 to 1 of ``rect``'s width, filled from the left."""

    def __init__(self, look: Look, rect: pygame.Rect, value: float) -> None:
        super().__init__(look, rect)
        self.value = _clamp(value)

    def filled(self) -> pygame.Rect:
        """The filled part: never shorter than the bar is thick, unless the value is nothing at all."""
        width = round(self.rect.width * self.value)
        if self.value > 0:
            width = max(width, self.rect.height)
        return pygame.Rect(self.rect.left, self.rect.top, min(width, self.rect.width), self.rect.height)

    def draw(self, screen: pygame.Surface, now: float) -> None:
        colour = self.look.colour
        radius = self.rect.height // 2
        pygame.draw.rect(screen, colour["line"], self.rect, border_radius=radius)
        if self.value > 0:
            pygame.draw.rect(screen, colour["accent"], self.filled(), border_radius=radius)


class ProgressRing(Widget):
    """A ring in the square ``rect``, filled clockwise from twelve o'clock; ``thickness`` in pixels at 1080
    lines (a tenth of the diameter when not given)."""

    def __init__(self, look: Look, rect: pygame.Rect, value: float, thickness: int | None = None) -> None:
        super().__init__(look, rect)
        self.value = _clamp(value)
        side = min(self.rect.size)
        self.thickness = look.px(thickness) if thickness else max(2, side // 10)

    def sweep(self) -> float:
        """The filled angle in radians: at least one ring-thickness of arc when anything is filled."""
        if self.value <= 0:
            return 0.0
        radius = (min(self.rect.size) - self.thickness) / 2
        least = self.thickness / max(radius, 1)
        return min(2 * math.pi, max(2 * math.pi * self.value, least))

    def draw(self, screen: pygame.Surface, now: float) -> None:
        colour = self.look.colour
        side = min(self.rect.size)
        face = _ring(side, self.thickness, round(self.sweep(), 4), colour["line"], colour["accent"])
        screen.blit(face, face.get_rect(center=self.rect.center))


@lru_cache(maxsize=64)
def _ring(side: int, thickness: int, sweep: float, track: Colour, fill: Colour) -> pygame.Surface:
    big_side, big_thick = side * SUPERSAMPLE, thickness * SUPERSAMPLE
    big = pygame.Surface((big_side, big_side), pygame.SRCALPHA)
    centre = big_side / 2
    outer = centre
    middle = outer - big_thick / 2
    pygame.draw.circle(big, track, (centre, centre), outer, width=big_thick)
    if sweep > 0:
        steps = max(8, int(sweep * 60))
        angles = [-math.pi / 2 + sweep * i / steps for i in range(steps + 1)]
        inner = outer - big_thick
        points = [(centre + outer * math.cos(a), centre + outer * math.sin(a)) for a in angles]
        points += [(centre + inner * math.cos(a), centre + inner * math.sin(a)) for a in reversed(angles)]
        pygame.draw.polygon(big, fill, points)
        for angle in (angles[0], angles[-1]):  # round caps
            cap = (centre + middle * math.cos(angle), centre + middle * math.sin(angle))
            pygame.draw.circle(big, fill, cap, big_thick / 2)
    return pygame.transform.smoothscale(big, (side, side))

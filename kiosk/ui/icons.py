"""Icons drawn in code from the theme's palette: a soft disc with a line drawing in the accent colour.

Drawn three times larger and scaled down smoothly (pygame draws thick shapes without antialiasing), once per
size and palette: a scene draws them when it is entered, never per frame. Shapes are laid out on a 100-unit
square.

    >>> import pygame
    >>> icon = render("clock", 120, (125, 47, 36), (247, 244, 239))
    >>> icon.get_size(), icon.get_at((60, 2))[3] > 0, icon.get_at((0, 0))[3]
    ((120, 120), True, 0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import pygame

Colour = tuple[int, int, int]
SUPERSAMPLE = 3
Pen = Callable[[pygame.Surface, float, Colour], None]
"""Draws one icon's lines on a square surface; the float is the surface's size of one unit (of 100)."""


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _line(surface: pygame.Surface, ink: Colour, u: float, points: list[tuple[float, float]], width: float) -> None:
    """A thick polyline with round joins and ends."""
    scaled = [(x * u, y * u) for x, y in points]
    pygame.draw.lines(surface, ink, False, scaled, round(width * u))
    for point in scaled:
        pygame.draw.circle(surface, ink, point, width * u / 2)


def _arc(surface: pygame.Surface, ink: Colour, u: float, centre: tuple[float, float], radius: float,
         start: float, end: float, width: float) -> None:
    """An arc from ``start`` to ``end`` degrees (clockwise on the screen, 0 at three o'clock), round-ended."""
    steps = max(2, int(abs(end - start) / 4))
    angles = [math.radians(start + (end - start) * i / steps) for i in range(steps + 1)]
    points = [(centre[0] + radius * math.cos(a), centre[1] + radius * math.sin(a)) for a in angles]
    _line(surface, ink, u, points, width)


def _clock(surface: pygame.Surface, u: float, ink: Colour) -> None:
    """A clock at ten past: back soon."""
    _arc(surface, ink, u, (50, 50), 27, 0, 360, 6)
    _line(surface, ink, u, [(50, 33), (50, 50), (62, 57)], 6)


def _cloud(surface: pygame.Surface, u: float, ink: Colour) -> None:
    """A cloud with a slash: the profile cannot be fetched."""
    _arc(surface, ink, u, (39, 55), 12, 90, 270, 6)
    _arc(surface, ink, u, (52, 45), 15, 200, 340, 6)
    _arc(surface, ink, u, (64, 55), 11, 270, 450, 6)
    _line(surface, ink, u, [(39, 67), (64, 67)], 6)
    _line(surface, ink, u, [(30, 30), (72, 76)], 6)


def _bag(surface: pygame.Surface, u: float, ink: Colour) -> None:
    """A shopping bag with a heart: thank you, enjoy your shopping."""
    _line(surface, ink, u, [(30, 40), (70, 40), (74, 76), (26, 76), (30, 40)], 6)
    _arc(surface, ink, u, (50, 38), 11, 180, 360, 6)
    heart = [(50, 68), (41, 59), (41, 54), (45, 51), (50, 54), (55, 51), (59, 54), (59, 59), (50, 68)]
    pygame.draw.polygon(surface, ink, [(x * u, y * u) for x, y in heart])


def _refresh(surface: pygame.Surface, u: float, ink: Colour) -> None:
    """A circular arrow: the screen starts again by itself."""
    _arc(surface, ink, u, (50, 50), 24, -60, 230, 6)
    tip = (50 + 24 * math.cos(math.radians(-60)), 50 + 24 * math.sin(math.radians(-60)))
    head = [(tip[0] - 11, tip[1] - 6), (tip[0] + 5, tip[1] - 11), (tip[0] + 3, tip[1] + 7)]
    pygame.draw.polygon(surface, ink, [(x * u, y * u) for x, y in head])


def _staff(surface: pygame.Surface, u: float, ink: Colour) -> None:
    """A person: ask our staff."""
    pygame.draw.circle(surface, ink, (50 * u, 36 * u), 12 * u)
    pygame.draw.ellipse(surface, ink, pygame.Rect(26 * u, 54 * u, 48 * u, 40 * u))


def _tap(surface: pygame.Surface, u: float, ink: Colour) -> None:
    """A phone with the waves of a tap: hold it here."""
    _line(surface, ink, u, [(30, 18), (56, 18), (56, 82), (30, 82), (30, 18)], 6)
    _line(surface, ink, u, [(39, 72), (47, 72)], 5)
    for radius in (12, 22):
        _arc(surface, ink, u, (60, 50), radius, -45, 45, 5)


PENS: dict[str, Pen] = {"clock": _clock, "cloud": _cloud, "bag": _bag, "refresh": _refresh, "staff": _staff,
                        "tap": _tap}


@lru_cache(maxsize=16)
def render(name: str, side: int, accent: Colour, backdrop: Colour, disc: bool = True) -> pygame.Surface:
    """Icon ``name`` on a ``side``-pixel square with transparency: the accent's lines on a disc of the accent
    faded towards ``backdrop`` (no disc: the lines alone)."""
    big = side * SUPERSAMPLE
    surface = pygame.Surface((big, big), pygame.SRCALPHA)
    tint = _mix(accent, backdrop, 0.88)
    surface.fill((*(tint if disc else accent), 0))  # see-through, but not black: the scaled edge stays clean
    if disc:
        pygame.draw.circle(surface, tint, (big / 2, big / 2), big / 2)
    PENS[name](surface, big / 100, accent)
    return pygame.transform.smoothscale(surface, (side, side))

"""The shopper's input as scenes see it: presses, drags, releases, swipes, text and keys.

:class:`Gestures` turns SDL's touch, mouse, text and key events into these, so every scene takes input
through one ``handle(event)``. SDL copies every touch into a mouse event marked ``touch``: those are dropped,
the finger events stand for them.

    >>> gestures = Gestures((1000, 1000))
    >>> gestures.feed(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(100, 500), button=1), now=0.0)
    [Press(pos=(100, 500))]
    >>> gestures.feed(pygame.event.Event(pygame.MOUSEMOTION, pos=(400, 500), rel=(300, 0), buttons=(1, 0, 0)),
    ...               now=0.1)
    [Drag(pos=(400, 500), delta=(300, 0))]
    >>> gestures.feed(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(400, 500), button=1), now=0.12)
    [Release(pos=(400, 500)), Swipe(direction='right', speed=2500.0)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

SWIPE_MIN_TRAVEL = 0.06
"""The least travel (share of the screen height) for a swipe."""
SWIPE_MIN_SPEED = 0.5
"""The least average speed (screen heights per second) for a swipe."""


@dataclass(frozen=True)
class Press:
    pos: tuple[int, int]


@dataclass(frozen=True)
class Drag:
    pos: tuple[int, int]
    delta: tuple[int, int]


@dataclass(frozen=True)
class Release:
    pos: tuple[int, int]


@dataclass(frozen=True)
class Swipe:
    direction: str  # left, right, up or down
    speed: float  # pixels per second


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Key:
    name: str  # as pygame names it: "backspace", "return", "1"


Input = Press | Drag | Release | Swipe | Text | Key


class Gestures:
    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self._down: tuple[tuple[int, int], float] | None = None  # where and when the press began
        self._last: tuple[int, int] | None = None

    def feed(self, event: pygame.event.Event, now: float) -> list[Input]:
        """The inputs that one SDL event makes (often none)."""
        if getattr(event, "touch", False):
            return []
        kind = event.type
        if kind == pygame.FINGERDOWN or (kind == pygame.MOUSEBUTTONDOWN and event.button == 1):
            pos = self._pos(event)
            self._down, self._last = (pos, now), pos
            return [Press(pos)]
        if kind in (pygame.FINGERMOTION, pygame.MOUSEMOTION) and self._last is not None:
            pos = self._pos(event)
            delta = (pos[0] - self._last[0], pos[1] - self._last[1])
            self._last = pos
            return [Drag(pos, delta)] if delta != (0, 0) else []
        if kind == pygame.FINGERUP or (kind == pygame.MOUSEBUTTONUP and event.button == 1):
            return self._release(self._pos(event), now)
        if kind == pygame.TEXTINPUT:
            return [Text(event.text)]
        if kind == pygame.KEYDOWN:
            return [Key(pygame.key.name(event.key))]
        return []

    def _pos(self, event: pygame.event.Event) -> tuple[int, int]:
        if event.type in (pygame.FINGERDOWN, pygame.FINGERMOTION, pygame.FINGERUP):
            return int(event.x * self.size[0]), int(event.y * self.size[1])
        return event.pos

    def _release(self, pos: tuple[int, int], now: float) -> list[Input]:
        if self._down is None:
            return []
        (x0, y0), began = self._down
        self._down = self._last = None
        inputs: list[Input] = [Release(pos)]
        dx, dy = pos[0] - x0, pos[1] - y0
        travel = math.hypot(dx, dy)
        speed = travel / max(now - began, 1e-3)
        height = self.size[1]
        if travel >= SWIPE_MIN_TRAVEL * height and speed >= SWIPE_MIN_SPEED * height:
            direction = ("right" if dx > 0 else "left") if abs(dx) >= abs(dy) else ("down" if dy > 0 else "up")
            inputs.append(Swipe(direction, round(speed, 1)))
        return inputs

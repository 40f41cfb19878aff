"""The scene transition: a crossfade of two frames drawn once, eased by the theme's motion tokens
(:mod:`kiosk.ui.kit.motion` evaluates the easing curves).

A transition never draws a scene: the outgoing frame is what the screen shows, the incoming one is drawn once
when the scene is entered, and each frame of the transition is one alpha blit of the incoming frame over the
screen. The alpha of each blit is chosen so that the screen shows ``(1 - p) * outgoing + p * incoming`` for
the eased progress ``p`` of that frame (blending over the previous blend, not over a fresh copy of the
outgoing frame, saves a full-screen copy per frame); the last frame is the incoming frame itself, exactly.

    >>> blend_alpha(0.0, 0.5), blend_alpha(0.5, 1.0), blend_alpha(0.5, 0.75)
    (128, 255, 128)
"""

from __future__ import annotations

import pygame

from kiosk.ui.kit.motion import progress
from kiosk.ui.look import Look


def blend_alpha(shown: float, wanted: float) -> int:
    """The alpha (0-255) that takes a screen showing ``shown`` of the incoming frame to ``wanted`` of it, by one
    blit of the incoming frame: (1 - wanted) = (1 - shown) * (1 - alpha)."""
    if wanted >= 1.0:
        return 255
    return max(0, min(255, round(255 * (1 - (1 - wanted) / (1 - shown)))))


class Transition:
    """A crossfade from what the screen shows now to ``incoming``, from ``start`` over the theme's motion
    token ``duration`` with its ``standard`` easing."""

    def __init__(self, incoming: pygame.Surface, start: float, look: Look, duration: str) -> None:
        self.incoming = incoming
        self.start = start
        self.look = look
        self.duration = duration
        self._shown = 0.0  # the share of the incoming frame on the screen

    def done(self, now: float) -> bool:
        return self._progress(now) >= 1.0

    def _progress(self, now: float) -> float:
        return progress(self.look, self.duration, "standard", self.start, now)

    def draw(self, screen: pygame.Surface, now: float) -> None:
        """The frame at ``now``: one blit of the incoming frame; at the end, the incoming frame exactly."""
        if self.done(now):
            self.incoming.set_alpha(None)
            screen.blit(self.incoming, (0, 0))
            self._shown = 1.0
            return
        wanted = self._progress(now)
        if wanted <= self._shown:
            return
        alpha = blend_alpha(self._shown, wanted)
        self.incoming.set_alpha(alpha)
        screen.blit(self.incoming, (0, 0))
        self._shown = 1 - (1 - self._shown) * (1 - alpha / 255)

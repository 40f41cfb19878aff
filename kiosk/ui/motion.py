"""The scene transition: a crossfade of two frames drawn once, eased by the theme's motion tokens
(:mod:`kiosk.ui.kit.motion` evaluates the easing curves).

A transition never draws a scene: the outgoing frame is what the screen shows, the incoming one is drawn once
when the scene is entered, and each frame of the transition is one alpha blit of the incoming frame over the
screen. The alpha of each blit is chosen so that the screen shows ``(1 - p) * outgoing + p * incoming`` for
the eased progress ``p`` of that frame (blending over the previous blend, not over a fresh copy of the
outgoing frame, saves a full-screen copy per frame), and only where the two frames differ (the backgrounds
are the same: the texts and pictures fade, the rest of the screen is left alone); the last frame is the
incoming frame itself, exactly.

    >>> blend_alpha(0.0, 0.5), blend_alpha(0.5, 1.0), blend_alpha(0.5, 0.75)
    (128, 255, 128)
"""

from __future__ import annotations

import pygame

from kiosk.ui.kit.motion import progress
from kiosk.ui.look import Look

SAMPLE = 4  # pixels between the samples a transition compares its two frames on
MARGIN = 3  # samples a difference is grown by


def blend_alpha(shown: float, wanted: float) -> int:
    """The alpha (0-255) that takes a screen showing ``shown`` of the incoming frame to ``wanted`` of it, by one
    blit of the incoming frame: (1 - wanted) = (1 - shown) * (1 - alpha)."""
    if wanted >= 1.0:
        return 255
    return max(0, min(255, round(255 * (1 - (1 - wanted) / (1 - shown)))))


class Transition:
    """A crossfade from what ``screen`` shows now to ``incoming``, from ``start`` over the theme's motion token
    ``duration`` with its ``standard`` easing. Only the parts of the screen that change are blended."""

    def __init__(self, screen: pygame.Surface, incoming: pygame.Surface, start: float, look: Look,
                 duration: str) -> None:
        self.incoming = incoming
        self.start = start
        self.look = look
        self.duration = duration
        self.rects = changed_rects(screen, incoming)
        self._shown = 0.0  # the share of the incoming frame on the screen

    def done(self, now: float) -> bool:
        return self._progress(now) >= 1.0

    def _progress(self, now: float) -> float:
        return progress(self.look, self.duration, "standard", self.start, now)

    def draw(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        """The frame at ``now``: one blit of the incoming frame over the parts that change; at the end, the
        whole incoming frame exactly. Returns the rectangles drawn."""
        if self.done(now):
            self.incoming.set_alpha(None)
            screen.blit(self.incoming, (0, 0))
            self._shown = 1.0
            return [screen.get_rect()]
        wanted = self._progress(now)
        if wanted <= self._shown:
            return []
        alpha = blend_alpha(self._shown, wanted)
        self.incoming.set_alpha(alpha)
        for rect in self.rects:
            screen.blit(self.incoming, rect, rect)
        self._shown = 1 - (1 - self._shown) * (1 - alpha / 255)
        return self.rects


def changed_rects(before: pygame.Surface, after: pygame.Surface) -> list[pygame.Rect]:
    """Where ``after`` differs from ``before``, as a few rectangles: compared on every ``SAMPLE``-th pixel
    (0.5 ms at 1080p rather than 16 ms for every pixel), each difference grown by ``MARGIN`` samples so that the
    strokes between the samples are inside, overlapping rectangles merged. A thin detail the samples miss shows
    at the last frame of the transition, which is the incoming frame whole.

    >>> a = pygame.Surface((400, 200)); b = a.copy(); _ = pygame.draw.rect(b, (255, 0, 0), (100, 50, 30, 20))
    >>> changed_rects(a, b)
    [<rect(88, 40, 56, 44)>]
    >>> changed_rects(a, a)
    []
    """
    size = before.get_size()
    small = (max(1, size[0] // SAMPLE), max(1, size[1] // SAMPLE))
    mask = pygame.mask.from_threshold(pygame.transform.scale(before, small), (0, 0, 0, 255), (1, 1, 1, 255),
                                      pygame.transform.scale(after, small), 1)
    mask.invert()  # from_threshold marks the samples that are the same
    bounds = before.get_rect()
    grown = [pygame.Rect(r.x * SAMPLE, r.y * SAMPLE, r.w * SAMPLE, r.h * SAMPLE).inflate(
        2 * MARGIN * SAMPLE, 2 * MARGIN * SAMPLE).clip(bounds) for r in mask.get_bounding_rects()]
    merged: list[pygame.Rect] = []  # pairwise apart: a new rectangle takes in every one it touches
    for rect in grown:
        while (touched := rect.collidelist(merged)) >= 0:
            rect = rect.union(merged.pop(touched))
        merged.append(rect)
    return merged

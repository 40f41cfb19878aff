"""The celebration that answers a tap at once: a confetti burst and a big hello."""

from __future__ import annotations

import math
import random

import pygame

from kiosk.ui.scene import Scene, View

PIECES = 90
GRAVITY = 900.0  # pixels per second squared at 1080 lines
CONFETTI_SEED = 7  # the same burst every time: re-rendered screenshots stay byte for byte the same


class CelebrateScene(Scene):
    name = "celebrate"
    animated = True

    def enter(self, view: View, now: float) -> None:
        super().enter(view, now)
        look = self.look
        rng = random.Random(CONFETTI_SEED)
        palette = [look.colour["accent"], look.colour["highlight"], look.colour["text"], look.colour["muted"]]
        self._pieces = []
        for _ in range(PIECES):
            angle = rng.uniform(-math.pi, 0)
            speed = rng.uniform(400, 1100)
            self._pieces.append((math.cos(angle) * speed, math.sin(angle) * speed,
                                 rng.choice(palette), rng.uniform(8, 18)))
        width = look.size[0]
        self._title = look.fit(self.t("celebrate.title"), "display", (int(width * 0.8), look.px(340)), max_lines=2)
        self._subtitle = look.fit(self.t("celebrate.subtitle"), "lead", (int(width * 0.6), look.px(120)))

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        elapsed = now - self.entered_at
        origin_x, origin_y = look.size[0] / 2, look.size[1] * 0.55
        g = GRAVITY * look.unit
        for vx, vy, colour, size in self._pieces:
            x = origin_x + vx * look.unit * elapsed
            y = origin_y + vy * look.unit * elapsed + 0.5 * g * elapsed * elapsed
            pygame.draw.rect(screen, colour, (int(x), int(y), look.px(size), look.px(size * 0.6)))
        width = look.size[0]
        self._title.draw(screen, pygame.Rect(0, look.px(330), width, 0), look.colour["highlight"], align="centre")
        self._subtitle.draw(screen, pygame.Rect(0, look.px(520), width, 0), look.colour["muted"], align="centre")

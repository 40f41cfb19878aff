"""The celebration that answers a tap at once: a confetti burst and a big hello."""

from __future__ import annotations

import math
import random

import pygame

from kiosk.ui.scene import Scene, View

PIECES = 90
GRAVITY = 900.0  # pixels per second squared at 1080 lines


class CelebrateScene(Scene):
    name = "celebrate"
    animated = True

    def enter(self, view: View, now: float) -> None:
        super().enter(view, now)
        look = self.look
        rng = random.Random()
        palette = [look.colour["accent"], look.colour["highlight"], look.colour["text"], look.colour["muted"]]
        self._pieces = []
        for _ in range(PIECES):
            angle = rng.uniform(-math.pi, 0)
            speed = rng.uniform(400, 1100)
            self._pieces.append((math.cos(angle) * speed, math.sin(angle) * speed,
                                 rng.choice(palette), rng.uniform(8, 18)))
        self._title = look.render(self.t("celebrate.title"), 150, look.colour["highlight"])
        self._subtitle = look.render(self.t("celebrate.subtitle"), 52, look.colour["muted"])

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        elapsed = now - self.entered_at
        origin_x, origin_y = look.size[0] / 2, look.size[1] * 0.55
        g = GRAVITY * look.unit
        for vx, vy, colour, size in self._pieces:
            x = origin_x + vx * look.unit * elapsed
            y = origin_y + vy * look.unit * elapsed + 0.5 * g * elapsed * elapsed
            pygame.draw.rect(screen, colour, (int(x), int(y), look.px(size), look.px(size * 0.6)))
        self.blit_centered(screen, self._title, look.px(330))
        self.blit_centered(screen, self._subtitle, look.px(520))

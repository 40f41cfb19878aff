"""The attract loop: the invitation to tap, with rings pulsing out of the reader target."""

from __future__ import annotations

import math

import pygame

from kiosk.ui.look import mix
from kiosk.ui.scenes.base import Scene
from kiosk.ui.widgets import language_chips

RING_PERIOD_S = 2.4
RINGS = 3


class AttractScene(Scene):
    name = "attract"
    animated = True

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        width = look.size[0]
        self.buttons = language_chips(look, self.view.language)
        left = look.px(110)
        y = look.px(260)
        for line in look.wrap(self.t("attract.title"), 104, int(width * 0.52)):
            screen.blit(look.render(line, 104), (left, y))
            y += look.px(100)
        y += look.px(30)
        for line in look.wrap(self.t("attract.subtitle"), 48, int(width * 0.5)):
            screen.blit(look.render(line, 48, look.colour["muted"]), (left, y))
            y += look.px(54)
        self._ring_area = self._target_rect()
        self._draw_rings(screen, now)

    def _target_rect(self) -> pygame.Rect:
        look = self.look
        side = look.px(620)
        rect = pygame.Rect(0, 0, side, side)
        rect.center = (int(look.size[0] * 0.77), look.size[1] // 2)
        return rect

    def animate(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        # Only the rings move: redraw that square and leave the texts alone (CPU budget on the attract loop).
        screen.blit(self.look.background(), self._ring_area, self._ring_area)
        self._draw_rings(screen, now)
        return [self._ring_area]

    def _draw_rings(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        area = self._ring_area
        centre = area.center
        core = look.px(150)
        reach = area.width // 2 - look.px(4)
        backdrop = look.background().get_at(centre)[:3]
        phase = ((now - self.entered_at) / RING_PERIOD_S) % 1.0
        for i in range(RINGS):
            t = (phase + i / RINGS) % 1.0
            radius = int(core + (reach - core) * t)
            colour = mix(look.colour["accent"], backdrop, t)
            pygame.draw.circle(screen, colour, centre, radius, width=look.px(10))
        pulse = 1 + 0.04 * math.sin((now - self.entered_at) * 2 * math.pi / RING_PERIOD_S)
        pygame.draw.circle(screen, look.colour["accent"], centre, int(core * pulse))
        hint = look.render(self.t("attract.hint"), 40)
        screen.blit(hint, hint.get_rect(center=centre))

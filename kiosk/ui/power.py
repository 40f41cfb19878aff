"""Puts the screen power state on the screen: the backlight where there is one, else the picture itself.

Dimmed or off, the main loop draws no animation frames (the attract rings stop), so the kiosk idles.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pygame

from kiosk.core.screen_power import Power
from kiosk.ui.manager import SceneManager

log = logging.getLogger(__name__)
BLACK = (0, 0, 0)


class ScreenOutput:
    """``backlight`` takes a brightness from 0.0 to 1.0 (None: no backlight to control)."""

    def __init__(self, backlight: Callable[[float], None] | None, dim_brightness: float) -> None:
        self.backlight = backlight
        self.dim_brightness = dim_brightness
        self.power = Power.ON

    def follow(self, ui: SceneManager, power: Power, now: float) -> None:
        """Put ``power`` on the screen when it changed."""
        if power is not self.power:
            log.info("screen: %s -> %s", self.power.value, power.value)
            self.power = power
            self.apply(ui, power, now)

    def apply(self, ui: SceneManager, power: Power, now: float) -> None:
        """Show ``power``: on and dimmed redraw the current scene (without re-entering it), off goes black."""
        screen = ui.screen
        if power is Power.OFF:
            screen.fill(BLACK)  # black as well as backlight off: some panels leak light at brightness 0
        else:
            ui.settle(now)  # a scene on its way in is drawn whole first: it is the one redrawn
            ui.current.draw(screen, now)
            if power is Power.DIM and self.backlight is None:
                shade = pygame.Surface(screen.get_size())
                shade.set_alpha(round(255 * (1 - self.dim_brightness)))
                screen.blit(shade, (0, 0))
        if self.backlight is not None:
            self.backlight({Power.ON: 1.0, Power.DIM: self.dim_brightness, Power.OFF: 0.0}[power])
        pygame.display.flip()

"""Scenes that show a title and a few lines (join, unavailable, goodbye, maintenance), and the failsafe scene."""

from __future__ import annotations

import pygame

from kiosk.ui.scene import Scene
from kiosk.ui.widgets import done_button, language_chips


class MessageScene(Scene):
    """A title, then body lines; ``highlight`` is shown larger in the highlight colour."""

    title_key = ""
    body_keys: tuple[str, ...] = ()
    highlight_key = ""
    with_buttons = True

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        width = look.size[0]
        if self.with_buttons:
            self.buttons = [*language_chips(look, self.view.language), done_button(look, self.view.language)]
        y = look.px(220)
        for line in look.wrap(self.t(self.title_key), 110, int(width * 0.85)):
            self.blit_centered(screen, look.render(line, 110), y)
            y += look.px(110)
        y += look.px(50)
        for key in self.body_keys:
            for line in look.wrap(self.t(key), 56, int(width * 0.7)):
                self.blit_centered(screen, look.render(line, 56, look.colour["muted"]), y)
                y += look.px(64)
        if self.highlight_key:
            y += look.px(50)
            self.blit_centered(screen, look.render(self.t(self.highlight_key), 72, look.colour["highlight"]), y)


class FailsafeScene(MessageScene):
    """Shown when another scene fails to draw: the shopper sees a calm message, never a traceback."""

    name = "failsafe"
    title_key = "failsafe.title"
    with_buttons = False

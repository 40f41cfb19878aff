"""Scenes that show a title and a few lines (join, unavailable, goodbye, maintenance), and the failsafe scene."""

from __future__ import annotations

import pygame

from kiosk.ui.kit import done_button, language_switch
from kiosk.ui.scene import Scene


class MessageScene(Scene):
    """A title, then body lines; ``highlight`` is shown larger in the highlight colour."""

    title_key = ""
    body_keys: tuple[str, ...] = ()
    highlight_key = ""
    with_buttons = True

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        width, height = look.size
        if self.with_buttons:
            self.buttons = [*language_switch(look, self.view.language), done_button(look, self.view.language)]
        colour = look.colour
        texts = [(self.title_key, "headline", 0.8, 3, colour["text"])]
        texts += [(key, "lead", 0.6, 4, colour["muted"]) for key in self.body_keys]
        if self.highlight_key:
            texts.append((self.highlight_key, "title", 0.7, 2, colour["accent"]))
        blocks = [(look.fit(self.t(key), style, (int(width * share), height // 3), max_lines=lines), ink)
                  for key, style, share, lines, ink in texts]
        gap = look.space("l")
        # The stack sits in the middle of the room above the buttons, not in the top third with nothing below.
        room_bottom = height - look.space("xxl") if self.with_buttons else height
        stack = sum(block.size[1] for block, _ in blocks) + gap * (len(blocks) - 1)
        y = max(look.space("xl"), (room_bottom - stack) // 2)
        for block, ink in blocks:
            block.draw(screen, pygame.Rect(0, y, width, block.size[1]), ink, align="centre")
            y += block.size[1] + gap


class FailsafeScene(MessageScene):
    """Shown when another scene fails to draw: the shopper sees a calm message, never a traceback."""

    name = "failsafe"
    title_key = "failsafe.title"
    with_buttons = False

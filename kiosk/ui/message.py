"""Scenes that show an icon, a title and a few lines (join, unavailable, goodbye, maintenance), and the failsafe
scene.

The stack (icon, title, body, highlight, the pointer to staff) is set in the middle of the room above the
buttons, each part fitted to its box, so a short message does not sit in the top third with nothing below.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pygame

from kiosk.ui import icons
from kiosk.ui.kit import Button, done_button, language_switch
from kiosk.ui.scene import Scene
from kiosk.ui.text import Block

ICON_SIDE = 200  # pixels at 1080 lines
STAFF_ICON_SIDE = 56


class MessageScene(Scene):
    """A title, then body lines; ``highlight`` is shown larger in the highlight colour; ``icon`` (a name in
    :data:`kiosk.ui.icons.PENS`) above the title; ``staff`` adds the pointer to the store's staff; the buttons
    of :meth:`actions` end the stack."""

    title_key = ""
    body_keys: tuple[str, ...] = ()
    highlight_key = ""
    icon = ""
    staff = False
    with_buttons = True

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        width, height = look.size
        if self.with_buttons:
            self.buttons = [*language_switch(look, self.view.language), done_button(look, self.view.language)]
        colour = look.colour
        room_bottom = height - look.space("xxl") if self.with_buttons else height - look.space("l")
        room = room_bottom - look.space("l")
        texts = [(self.title_key, "headline", 0.8, 3, colour["text"], 0.34)]
        texts += [(key, "lead", 0.6, 4, colour["muted"], 0.22) for key in self.body_keys]
        if self.highlight_key:
            texts.append((self.highlight_key, "title", 0.7, 2, colour["accent"], 0.16))
        blocks = [(look.fit(self.t(key), style, (int(width * share), int(room * tall)), max_lines=lines), ink)
                  for key, style, share, lines, ink, tall in texts]
        gap = look.space("m")
        parts: list[tuple[int, int, Callable[[int], object]]] = []  # (height, space above, draw at a top)
        if self.icon:
            side = look.px(ICON_SIDE)
            icon = icons.render(self.icon, side, colour["accent"], colour["background_top"])
            parts.append((side, 0, lambda top: self.blit_centered(screen, icon, top)))
        for block, ink in blocks:
            above = (look.space("l") if len(parts) == 1 and self.icon else gap) if parts else 0
            parts.append((block.size[1], above, partial(self._draw_block, screen, block, ink)))
        if self.staff:
            text, icon_surface = self._staff_line()
            parts.append((text.size[1], look.space("l"), partial(self._draw_staff, screen, text, icon_surface)))
        for label_key, action in self.actions():
            button = pygame.Rect(0, 0, look.px(620), max(look.px(100), look.min_target))
            parts.append((button.height, look.space("l"), partial(self._add_action, button, label_key, action)))
        stack = sum(tall + above for tall, above, _ in parts)
        y = max(look.space("l"), (room_bottom - stack) // 2)
        for tall, above, draw in parts:
            y += above
            draw(y)
            y += tall

    def actions(self) -> list[tuple[str, str]]:
        """(label key, action) of the secondary buttons the stack ends with: what the shopper may do next."""
        return []

    def _add_action(self, rect: pygame.Rect, label_key: str, action: str, top: int) -> None:
        rect.midtop = (self.look.size[0] // 2, top)
        self.buttons.append(Button(self.look, rect, self.t(label_key), action, "secondary"))

    def _draw_block(self, screen: pygame.Surface, block: Block, ink: tuple[int, int, int], top: int) -> None:
        block.draw(screen, pygame.Rect(0, top, self.look.size[0], block.size[1]), ink, align="centre")

    def _staff_line(self) -> tuple[Block, pygame.Surface]:
        look = self.look
        side = look.px(STAFF_ICON_SIDE)
        text = look.fit(self.t("staff.help"), "body", (int(look.size[0] * 0.6) - side, look.px(120)), max_lines=2)
        return text, icons.render("staff", side, look.colour["accent"], look.colour["background_top"])

    def _draw_staff(self, screen: pygame.Surface, text: Block, icon: pygame.Surface, y: int) -> None:
        """The person icon, then the pointer to staff, centred as one line."""
        look = self.look
        gap = look.space("s")
        width = icon.get_width() + gap + text.size[0]
        left = (look.size[0] - width) // 2
        screen.blit(icon, (left, y + (text.size[1] - icon.get_height()) // 2))
        box = pygame.Rect(left + icon.get_width() + gap, y, text.size[0], text.size[1])
        text.draw(screen, box, look.colour["text"], align="left")


class FailsafeScene(MessageScene):
    """Shown when another scene fails to draw: the shopper sees a calm message, never a traceback."""

    name = "failsafe"
    title_key = "failsafe.title"
    body_keys = ("failsafe.body",)
    icon = "refresh"
    staff = True
    with_buttons = False

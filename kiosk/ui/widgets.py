"""Touch targets drawn on a scene: buttons and the language chips."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.config import LANGUAGES
from kiosk.ui.look import Look


@dataclass(frozen=True)
class Button:
    rect: pygame.Rect
    label: str
    action: str
    selected: bool = False

    def draw(self, screen: pygame.Surface, look: Look) -> None:
        fill = look.colour["accent"] if self.selected else look.colour["panel"]
        ink = look.colour["on_accent"] if self.selected else look.colour["text"]
        radius = min(look.radius("pill"), self.rect.height // 2)
        pygame.draw.rect(screen, fill, self.rect, border_radius=radius)
        pygame.draw.rect(screen, look.colour["accent"] if self.selected else look.colour["line"], self.rect,
                         width=look.px(2), border_radius=radius)
        padding = look.space("s")
        label = look.fit(self.label, "label", (self.rect.width - 2 * padding, self.rect.height), max_lines=1)
        label.draw(screen, self.rect, ink, align="centre", valign="middle")


def language_chips(look: Look, current: str) -> list[Button]:
    """One chip per language, bottom left; the action is ``lang:<code>``."""
    width, height = look.px(110), look.px(70)
    x, y = look.px(40), look.size[1] - look.px(40) - height
    chips = []
    for code in LANGUAGES:
        chips.append(Button(pygame.Rect(x, y, width, height), code.upper(), f"lang:{code}", code == current))
        x += width + look.px(16)
    return chips


def done_button(look: Look, language: str) -> Button:
    width, height = look.px(300), look.px(90)
    rect = pygame.Rect(look.size[0] - look.px(40) - width, look.size[1] - look.px(40) - height, width, height)
    return Button(rect, look.text(language, "button.done"), "done", selected=True)


def hit(buttons: list[Button], pos: tuple[int, int]) -> str | None:
    for button in buttons:
        if button.rect.collidepoint(pos):
            return button.action
    return None

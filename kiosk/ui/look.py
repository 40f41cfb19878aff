"""The look of the kiosk: colours from the content theme, fonts by size, texts by language."""

from __future__ import annotations

import pygame

from kiosk.content.bundle import Bundle

Colour = tuple[int, int, int]


class Look:
    """Everything a scene needs to draw, sized for one screen; built once per bundle and screen size."""

    def __init__(self, bundle: Bundle, size: tuple[int, int]) -> None:
        self.bundle = bundle
        self.size = size
        self.unit = size[1] / 1080  # layouts are drawn for 1080 lines and scaled
        self.colour = bundle.theme
        self._fonts: dict[int, pygame.font.Font] = {}
        self._background: pygame.Surface | None = None

    def px(self, value: float) -> int:
        return max(1, round(value * self.unit))

    def font(self, size: float) -> pygame.font.Font:
        px = self.px(size)
        if px not in self._fonts:
            self._fonts[px] = pygame.font.Font(None, px)
        return self._fonts[px]

    def text(self, language: str, key: str, **values: object) -> str:
        return self.bundle.text(language, key, **values)

    def render(self, text: str, size: float, colour: Colour | None = None) -> pygame.Surface:
        return self.font(size).render(text, True, colour or self.colour["text"])

    def wrap(self, text: str, size: float, max_width: int) -> list[str]:
        """Break ``text`` into lines that fit ``max_width`` pixels."""
        font = self.font(size)
        lines, line = [], ""
        for word in text.split():
            candidate = f"{line} {word}".strip()
            if line and font.size(candidate)[0] > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        return [*lines, line] if line else lines

    def background(self) -> pygame.Surface:
        """A vertical gradient, rendered once: scenes blit it instead of filling."""
        if self._background is None:
            width, height = self.size
            top, bottom = self.colour["background_top"], self.colour["background_bottom"]
            strip = pygame.Surface((1, height))
            for y in range(height):
                t = y / max(1, height - 1)
                strip.set_at((0, y), mix(top, bottom, t))
            self._background = pygame.transform.scale(strip, (width, height)).convert()
        return self._background


def mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))

"""Buttons: primary (the one thing to do), secondary, and quiet (text only, as in the language switch).

A press shows the button pressed; lifting the finger over it fires its action; sliding off lets it go
without firing. Its faces (plain and pressed) are rendered once and then only blitted.

    >>> import pygame; _ = pygame.init(); _ = pygame.display.set_mode((1, 1))
    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> from kiosk.ui.input import Press, Release
    >>> look = Look(load_bundle(DEFAULT_DIR), (1280, 720))
    >>> ok = Button(look, pygame.Rect(100, 100, 240, 80), "OK", "ok")
    >>> ok.handle(Press((150, 130))), ok.pressed, ok.handle(Release((150, 130))), ok.pressed
    (None, True, 'ok', False)
    >>> [switch.label for switch in language_switch(look, "ru")]
    ['Русский', '·', 'English', '·', 'Norsk']
"""

from __future__ import annotations

import pygame

from kiosk.config import LANGUAGES
from kiosk.ui.input import Drag, Input, Press, Release
from kiosk.ui.kit.widget import Widget, hits, shade
from kiosk.ui.look import Look

KINDS = ("primary", "secondary", "quiet")
PRESSED_SHADE = 0.18
"""How far a pressed fill darkens towards the text colour: visible at a glance, still the same colour."""


class Button(Widget):
    """``kind``: primary (accent fill), secondary (panel fill, outlined) or quiet (text only); a ``selected``
    quiet button (the current language) is in the accent colour and underlined."""

    interactive = True

    def __init__(self, look: Look, rect: pygame.Rect, label: str, action: str | None, kind: str = "primary",
                 selected: bool = False) -> None:
        if kind not in KINDS:
            raise ValueError(f"a button kind is one of {KINDS}, got {kind!r}")
        super().__init__(look, rect, action)
        self.label, self.kind, self.selected = label, kind, selected
        self.pressed = False
        self._held = False  # the press began on this button
        self._faces: dict[bool, pygame.Surface] = {}

    def handle(self, event: Input) -> str | None:
        if isinstance(event, Press):
            self._held = True
            self._set_pressed(True)
        elif isinstance(event, Drag) and self._held:
            self._set_pressed(hits(self, event.pos))
        elif isinstance(event, Release) and self._held:
            fired = hits(self, event.pos)
            self._held = False
            self._set_pressed(False)
            return self.action if fired else None
        return None

    def _set_pressed(self, pressed: bool) -> None:
        if pressed != self.pressed:
            self.pressed, self.stale = pressed, True

    def draw(self, screen: pygame.Surface, now: float) -> None:
        if self.pressed not in self._faces:
            self._faces[self.pressed] = self._face(self.pressed)
        screen.blit(self._faces[self.pressed], self.rect)

    def _face(self, pressed: bool) -> pygame.Surface:
        look, colour = self.look, self.look.colour
        face = pygame.Surface(self.rect.size, pygame.SRCALPHA)
        box = face.get_rect()
        radius = min(look.radius("pill"), box.height // 2)
        ink = colour["text"]
        if self.kind == "primary":
            pygame.draw.rect(face, shade(look, "accent", PRESSED_SHADE) if pressed else colour["accent"], box,
                             border_radius=radius)
            ink = colour["on_accent"]
        elif self.kind == "secondary":
            pygame.draw.rect(face, colour["line"] if pressed else colour["panel"], box, border_radius=radius)
            pygame.draw.rect(face, colour["line"], box, width=look.px(2), border_radius=radius)
        else:
            if pressed:
                pygame.draw.rect(face, colour["line"], box, border_radius=radius)
            ink = colour["accent"] if self.selected else colour["muted"]
        padding = look.space("s")
        label = look.fit(self.label, "label", (box.width - 2 * padding, box.height), max_lines=1)
        covered = label.draw(face, box, ink, align="centre", valign="middle")
        if self.kind == "quiet" and self.selected:
            rule = pygame.Rect(covered.left, covered.bottom + look.px(4), covered.width, look.px(3))
            pygame.draw.rect(face, ink, rule)
        return face


class Separator(Widget):
    """A muted middle dot between quiet buttons; takes no input."""

    label = "·"

    def draw(self, screen: pygame.Surface, now: float) -> None:
        dot = self.look.render(self.label, "label", self.look.colour["muted"])
        screen.blit(dot, dot.get_rect(center=self.rect.center))


def language_switch(look: Look, current: str) -> list[Button | Separator]:
    """"Русский · English · Norsk" at the bottom left, each name in its own language (the ``language.name``
    string); the action is ``lang:<code>``, the current language is underlined."""
    height = max(look.px(80), look.min_target)
    padding = look.space("s")
    font = look.font("label")
    x, y = look.space("m"), look.size[1] - look.space("m") - height
    widgets: list[Button | Separator] = []
    for code in LANGUAGES:
        if widgets:
            dot = look.px(24)
            widgets.append(Separator(look, pygame.Rect(x, y, dot, height)))
            x += dot
        name = look.text(code, "language.name")
        width = max(font.size(name)[0] + 2 * padding, look.min_target)
        widgets.append(Button(look, pygame.Rect(x, y, width, height), name, f"lang:{code}", "quiet", code == current))
        x += width
    return widgets


def done_button(look: Look, language: str) -> Button:
    """The primary Done button at the bottom right: the shopper ends the session."""
    width, height = look.px(300), max(look.px(90), look.min_target)
    rect = pygame.Rect(look.size[0] - look.space("m") - width, look.size[1] - look.space("m") - height, width,
                       height)
    return Button(look, rect, look.text(language, "button.done"), "done")

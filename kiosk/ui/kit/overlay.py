"""What comes over a scene: a modal (a card over a dimmed screen, with a close button) and a toast (a short
note that slides in at the bottom and leaves by itself).

An open modal takes all input; closing it (its button, or a tap beside the card) fires its ``action``, if any,
and leaves the scene as it was.

    >>> import pygame; _ = pygame.init(); _ = pygame.display.set_mode((1, 1))
    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> from kiosk.ui.input import Press, Release
    >>> look = Look(load_bundle(DEFAULT_DIR), (1920, 1080))
    >>> terms = Modal(look, "Terms", "We keep your phone number to ...", "Close")
    >>> terms.open(); terms.modal
    True
    >>> corner = (5, 5)  # beside the card
    >>> terms.handle(Press(corner)), terms.handle(Release(corner)), terms.modal
    (None, None, False)
    >>> toast = Toast(look, "Saved", now=10.0)
    >>> toast.moving(10.1)  # it animates until it has faded out
    True
"""

from __future__ import annotations

from functools import lru_cache

import pygame

from kiosk.ui.input import Input, Press, Release
from kiosk.ui.kit.button import Button
from kiosk.ui.kit.card import Card
from kiosk.ui.kit.motion import progress
from kiosk.ui.kit.widget import Widget, hits
from kiosk.ui.look import Colour, Look

SCRIM_ALPHA = 150  # of the theme's text colour over the scene: dim enough to put the card first
TOAST_HOLD_S = 3.0


class Modal(Widget):
    """A card in the middle of the screen with a title, a text (fitted: long terms shrink, then wrap into many
    lines) and a close button. Closed when built; :meth:`open` shows it."""

    interactive = True

    def __init__(self, look: Look, title: str, text: str, close_label: str, action: str | None = None) -> None:
        width, height = look.size
        card = pygame.Rect(0, 0, min(width - 2 * look.space("l"), look.px(1200)), height - 2 * look.space("l"))
        card.center = (width // 2, height // 2)
        super().__init__(look, card, action)
        self.title, self.text = title, text
        self.is_open = False
        self._card = Card(look, card)
        inner = self._card.inner
        button_height = max(look.px(90), look.min_target)
        close = pygame.Rect(0, 0, look.px(320), button_height)
        close.midbottom = inner.midbottom
        self.close_button = Button(look, close, close_label, "close")
        self._outside = False  # the press began beside the card
        self._face: pygame.Surface | None = None

    @property
    def modal(self) -> bool:
        return self.is_open

    def area(self) -> pygame.Rect:
        return pygame.Rect((0, 0), self.look.size) if self.is_open else self.rect

    def targets(self) -> list[pygame.Rect]:
        return self.close_button.targets() if self.is_open else []

    def open(self) -> None:
        self.is_open, self.stale = True, True

    def close(self) -> None:
        self.is_open, self.stale = False, True

    def handle(self, event: Input) -> str | None:
        if not self.is_open:
            return None
        if isinstance(event, Press):
            self._outside = not self.rect.collidepoint(event.pos)
            if hits(self.close_button, event.pos):
                self.close_button.handle(event)
        elif isinstance(event, Release) and self._outside:
            self._outside = False
            if not self.rect.collidepoint(event.pos):
                self.close()
                return self.action
        elif self.close_button.handle(event):
            self.close()
            return self.action
        self.stale = self.stale or self.close_button.stale
        return None

    def redraw(self, screen: pygame.Surface, now: float) -> list[pygame.Rect] | None:
        """Only the close button, when only it changed (pressed): it sits on the card's opaque panel."""
        button = self.close_button
        if not (self.is_open and button.stale):
            return None
        screen.fill(self.look.colour["panel"], button.rect)
        button.draw(screen, now)
        button.stale = False
        return [button.rect]

    def draw(self, screen: pygame.Surface, now: float) -> None:
        if not self.is_open:
            return
        if self._face is None:  # the text is set once, on first opening: fitting long terms takes a while
            self._face = self._render()
        screen.blit(_scrim(screen.get_size(), self.look.colour["text"]), (0, 0))
        screen.blit(self._face, self._card.area())
        self.close_button.draw(screen, now)
        self.close_button.stale = False

    def _render(self) -> pygame.Surface:
        """The card with its title and text, on a surface the size of the card's area (with its shadow)."""
        look, card = self.look, self._card
        area = card.area()
        face = pygame.Surface(area.size, pygame.SRCALPHA)
        offset = (-area.left, -area.top)
        card.rect.move_ip(offset)
        card.inner.move_ip(offset)
        try:
            card.draw(face, 0.0)
            inner = card.inner
            title = look.fit(self.title, "title", (inner.width, inner.height // 4), max_lines=2)
            covered = title.draw(face, inner, look.colour["text"])
            gap = look.space("m")
            bottom = self.close_button.rect.top + offset[1] - gap
            room = pygame.Rect(inner.left, covered.bottom + gap, inner.width, bottom - covered.bottom - gap)
            body_style = look.theme.type["body"]
            lines = max(1, room.height // max(1, look.px(body_style.size * body_style.line)))
            body = look.fit(self.text, "body", room.size, max_lines=lines * 2, min_scale=0.6)
            body.draw(face, room, look.colour["muted"])
        finally:
            card.rect.move_ip(-offset[0], -offset[1])
            card.inner.move_ip(-offset[0], -offset[1])
        return face


@lru_cache(maxsize=4)
def _scrim(size: tuple[int, int], colour: Colour) -> pygame.Surface:
    scrim = pygame.Surface(size)
    scrim.fill(colour)
    scrim.set_alpha(SCRIM_ALPHA)
    return scrim


class Toast(Widget):
    """A short note at the bottom centre, from ``now``: it slides in (the theme's ``standard`` duration and
    ``enter`` easing), stays ``hold_s`` seconds and fades out (``quick``, ``exit``)."""

    def __init__(self, look: Look, text: str, now: float, hold_s: float = TOAST_HOLD_S) -> None:
        padding = look.space("m")
        self._face = self._render(look, text, padding)
        rect = self._face.get_rect(midbottom=(look.size[0] // 2, look.size[1] - look.space("xxl")))
        super().__init__(look, rect)
        self.text, self.shown_at, self.hold_s = text, now, hold_s
        self._gone = False

    @staticmethod
    def _render(look: Look, text: str, padding: int) -> pygame.Surface:
        block = look.fit(text, "body", (look.size[0] * 2 // 3, look.size[1] // 4), max_lines=2)
        width, height = block.size[0] + 2 * padding, block.size[1] + padding
        face = pygame.Surface((width, height), pygame.SRCALPHA)
        pygame.draw.rect(face, look.colour["text"], face.get_rect(), border_radius=min(look.radius("l"), height // 2))
        block.draw(face, face.get_rect(), look.colour["panel"], align="centre", valign="middle")
        return face

    def area(self) -> pygame.Rect:
        rise = self.look.space("m")
        return self.rect.inflate(0, rise).move(0, rise // 2)

    def _leaves_at(self) -> float:
        return self.shown_at + self.look.theme.durations_ms["standard"] / 1000 + self.hold_s

    def moving(self, now: float) -> bool:
        return not self._gone

    def draw(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        leaving = now >= self._leaves_at()
        if leaving:
            shown = 1 - progress(look, "quick", "exit", self._leaves_at(), now)
            self._gone = shown <= 0
        else:
            shown = progress(look, "standard", "enter", self.shown_at, now)
        if shown <= 0:
            return
        face = self._face.copy()
        face.set_alpha(round(255 * shown))
        screen.blit(face, self.rect.move(0, round(look.space("m") * (1 - shown))))

"""A consent checkbox: a box and its short label (a tap on either toggles it) and, under the label, a link
that opens the full text in a :class:`~kiosk.ui.kit.overlay.Modal`, a tap away.

Toggling fires ``<action>:on`` or ``<action>:off``; opening and closing the text fires nothing.

    >>> import pygame; _ = pygame.init(); _ = pygame.display.set_mode((1, 1))
    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> from kiosk.ui.input import Press, Release
    >>> look = Look(load_bundle(DEFAULT_DIR), (1920, 1080))
    >>> consent = ConsentCheckbox(look, pygame.Rect(100, 100, 900, 200), "I agree to the terms", "consent",
    ...                           "Read the terms", "Terms", "The full terms ...", "Close")
    >>> tap = lambda pos: [consent.handle(Press(pos)), consent.handle(Release(pos))][1]
    >>> tap(consent.box.center), consent.checked
    ('consent:on', True)
    >>> tap(consent.link.rect.center), consent.terms.is_open
    (None, True)
"""

from __future__ import annotations

import pygame

from kiosk.ui.input import Input, Press, Release
from kiosk.ui.kit.button import Button
from kiosk.ui.kit.overlay import Modal
from kiosk.ui.kit.widget import Widget, grow
from kiosk.ui.look import Look


class ConsentCheckbox(Widget):
    """In ``rect``: the box at the top left, ``label`` beside it, the ``link_label`` link under the label; the
    link opens ``title`` and ``text`` in a modal closed by ``close_label``."""

    interactive = True

    def __init__(self, look: Look, rect: pygame.Rect, label: str, action: str, link_label: str, title: str,
                 text: str, close_label: str, checked: bool = False) -> None:
        super().__init__(look, rect, action)
        self.label, self.checked = label, checked
        side = max(look.px(56), look.min_target)
        self.box = pygame.Rect(self.rect.left, self.rect.top, side, side)
        left = self.box.right + look.space("m")
        link_height = max(look.px(64), look.min_target)
        self.label_rect = pygame.Rect(left, self.rect.top, self.rect.right - left,
                                      self.rect.height - link_height - look.space("xs"))
        font = look.font("label")
        link_width = min(font.size(link_label)[0] + 2 * look.space("s"), self.rect.right - left)
        link = pygame.Rect(left - look.space("s"), self.rect.bottom - link_height, link_width, link_height)
        self.link = Button(look, link, link_label, "terms", "quiet", selected=True)
        self.terms = Modal(look, title, text, close_label)
        self._held = False

    @property
    def modal(self) -> bool:
        return self.terms.is_open

    def area(self) -> pygame.Rect:
        return self.terms.area() if self.terms.is_open else self.rect

    def _row(self) -> pygame.Rect:
        """What toggles: the box and the label, one row at least a touch target high."""
        return grow(self.box.union(self.label_rect), self.look.min_target)

    def targets(self) -> list[pygame.Rect]:
        return self.terms.targets() if self.terms.is_open else [self._row(), *self.link.targets()]

    def handle(self, event: Input) -> str | None:
        if self.terms.is_open:
            self.terms.handle(event)
            self.stale = self.stale or self.terms.stale
            return None
        if isinstance(event, Press):
            if any(target.collidepoint(event.pos) for target in self.link.targets()):
                self.link.handle(event)
            else:
                self._held = self._row().collidepoint(event.pos)
        elif isinstance(event, Release) and self._held:
            self._held = False
            if self._row().collidepoint(event.pos):
                self.checked, self.stale = not self.checked, True
                return f"{self.action}:{'on' if self.checked else 'off'}"
        elif self.link.handle(event):
            self.terms.open()
        self.stale = self.stale or self.link.stale or self.terms.stale
        return None

    def redraw(self, screen: pygame.Surface, now: float) -> list[pygame.Rect] | None:
        return self.terms.redraw(screen, now) if self.terms.is_open else None

    def draw(self, screen: pygame.Surface, now: float) -> None:
        look, colour = self.look, self.look.colour
        radius = look.radius("s")
        if self.checked:
            pygame.draw.rect(screen, colour["accent"], self.box, border_radius=radius)
            s = self.box.width
            x, y = self.box.topleft
            tick = [(x + s * 0.25, y + s * 0.52), (x + s * 0.43, y + s * 0.7), (x + s * 0.76, y + s * 0.32)]
            pygame.draw.lines(screen, colour["on_accent"], False, tick, width=max(2, s // 10))
        else:
            pygame.draw.rect(screen, colour["panel"], self.box, border_radius=radius)
            pygame.draw.rect(screen, colour["muted"], self.box, width=look.px(3), border_radius=radius)
        label = look.fit(self.label, "body", self.label_rect.size, max_lines=3)
        label.draw(screen, self.label_rect, colour["text"])
        self.link.draw(screen, now)
        self.terms.draw(screen, now)
        self.link.stale = self.terms.stale = False

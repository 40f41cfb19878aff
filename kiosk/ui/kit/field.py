"""A one-line text field with a caret at the end of its text, filled by the on-screen keyboard or phone pad
(or a USB keyboard's text and keys, see :meth:`TextField.handle`).

Long text scrolls: the field shows the end, where the caret is. :meth:`TextField.clear` forgets the text (a
feature clears every field when the session ends: nothing typed stays for the next shopper).

    >>> import pygame; _ = pygame.init(); _ = pygame.display.set_mode((1, 1))
    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> from kiosk.ui.input import Key, Text
    >>> look = Look(load_bundle(DEFAULT_DIR), (1920, 1080))
    >>> phone = TextField(look, pygame.Rect(100, 100, 700, 110), "Phone number", allowed=PHONE_CHARACTERS)
    >>> phone.insert("+47 a12"), phone.text
    (None, '+47 12')
    >>> _ = phone.handle(Key("backspace")); _ = phone.handle(Text("3")); phone.text
    '+47 13'
    >>> phone.clear(); phone.text
    ''
"""

from __future__ import annotations

import pygame

from kiosk.ui.input import Input, Key, Press, Release, Text
from kiosk.ui.kit.widget import Widget, hits
from kiosk.ui.look import Look

PHONE_CHARACTERS = "+0123456789 "
"""What a phone number field takes: digits, a leading plus for the country code and spaces."""


class TextField(Widget):
    """A field in ``rect`` showing ``placeholder`` (muted) until something is typed; ``allowed`` limits the
    characters it takes (None: any printable), ``max_length`` its length. Tapping it fires ``action`` (a scene
    with several fields moves the keyboard to the tapped one)."""

    interactive = True

    def __init__(self, look: Look, rect: pygame.Rect, placeholder: str = "", action: str | None = None, *,
                 allowed: str | None = None, max_length: int = 64, focused: bool = True) -> None:
        super().__init__(look, rect, action)
        self.placeholder, self.allowed, self.max_length = placeholder, allowed, max_length
        self.text = ""
        self.focused = focused
        self._held = False

    def insert(self, text: str) -> None:
        """Add ``text`` at the caret, without the characters the field does not take."""
        kept = "".join(char for char in text if char.isprintable() and (self.allowed is None or char in self.allowed))
        kept = kept[:max(0, self.max_length - len(self.text))]
        if kept:
            self.text, self.stale = self.text + kept, True

    def backspace(self) -> None:
        if self.text:
            self.text, self.stale = self.text[:-1], True

    def clear(self) -> None:
        """Forget the text."""
        if self.text:
            self.text, self.stale = "", True

    def focus(self, focused: bool) -> None:
        if focused != self.focused:
            self.focused, self.stale = focused, True

    def handle(self, event: Input) -> str | None:
        if isinstance(event, Text) and self.focused:
            self.insert(event.text)
        elif isinstance(event, Key) and event.name == "backspace" and self.focused:
            self.backspace()
        elif isinstance(event, Press):
            self._held = True
        elif isinstance(event, Release) and self._held:
            self._held = False
            return self.action if hits(self, event.pos) else None
        return None

    def draw(self, screen: pygame.Surface, now: float) -> None:
        look, colour = self.look, self.look.colour
        radius = min(look.radius("m"), self.rect.height // 2)
        pygame.draw.rect(screen, colour["panel"], self.rect, border_radius=radius)
        edge = (colour["accent"], look.px(3)) if self.focused else (colour["line"], look.px(2))
        pygame.draw.rect(screen, edge[0], self.rect, width=edge[1], border_radius=radius)
        padding = look.space("m")
        inner = self.rect.inflate(-2 * padding, 0)
        font = look.font("lead")
        shown, ink = (self.text, colour["text"]) if self.text else (self.placeholder, colour["muted"])
        while shown and font.size(shown)[0] > inner.width - look.px(8):  # keep the end, where the caret is
            shown = shown[1:]
        line = font.render(shown, True, ink)
        place = line.get_rect(midleft=inner.midleft)
        screen.blit(line, place)
        if self.focused:
            caret_x = place.right if self.text else inner.left
            caret = pygame.Rect(caret_x + look.px(2), 0, look.px(3), font.get_height())
            caret.centery = inner.centery
            pygame.draw.rect(screen, colour["accent"], caret)

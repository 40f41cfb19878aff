"""A one-line text field with a caret at the end of its text, filled by the on-screen keyboard or phone pad
(or a USB keyboard's text and keys, see :meth:`TextField.handle`).

Long text scrolls: the field shows the end, where the caret is. :meth:`TextField.clear` forgets the text (a
feature clears every field when the session ends: nothing typed stays for the next shopper).

Text a field cannot take whole is refused whole, never cut or cleaned silently: control characters and
direction marks (a USB keyboard's or the automation socket's text can carry them; :data:`UNPRINTABLE`), or
more than ``max_length`` characters (:data:`TOO_LONG`). The value stays as it was and ``refused`` names why,
for the scene to say so beside the field; the next text the field takes clears it. Characters outside
``allowed`` (a letter in a phone number) are only left out.

    >>> import pygame; _ = pygame.init(); _ = pygame.display.set_mode((1, 1))
    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> from kiosk.ui.input import Key, Text
    >>> look = Look(load_bundle(DEFAULT_DIR), (1920, 1080))
    >>> phone = TextField(look, pygame.Rect(100, 100, 700, 110), "Phone number", allowed=PHONE_CHARACTERS)
    >>> phone.insert("+47 a12"), phone.text
    (None, '+47 12')
    >>> phone.insert("3\u200f"), phone.text, phone.refused
    ('unprintable', '+47 12', 'unprintable')
    >>> _ = phone.handle(Key("backspace")); _ = phone.handle(Text("3")); phone.text, phone.refused
    ('+47 13', None)
    >>> phone.insert("1" * 70), phone.text
    ('too_long', '+47 13')
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
UNPRINTABLE, TOO_LONG = "unprintable", "too_long"
"""Why a field refused text (:attr:`TextField.refused`)."""


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
        self.refused: str | None = None  # why the last text typed was refused (UNPRINTABLE, TOO_LONG), if it was
        self.focused = focused
        self._held = False

    def insert(self, text: str) -> str | None:
        """Add ``text`` at the caret, without the characters outside ``allowed``; or refuse it whole (the text
        unchanged) and return why."""
        if not all(char.isprintable() for char in text):
            self.refused = UNPRINTABLE
        else:
            kept = "".join(char for char in text if self.allowed is None or char in self.allowed)
            self.refused = TOO_LONG if len(self.text) + len(kept) > self.max_length else None
            if kept and self.refused is None:
                self.text, self.stale = self.text + kept, True
        return self.refused

    def backspace(self) -> None:
        self.refused = None
        if self.text:
            self.text, self.stale = self.text[:-1], True

    def clear(self) -> None:
        """Forget the text."""
        self.refused = None
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

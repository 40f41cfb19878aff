"""The on-screen keyboard and the phone-number pad, typing into a :class:`~kiosk.ui.kit.field.TextField`.

Layouts: ``latin`` (with the Norwegian æ ø å where a Norwegian keyboard has them), ``cyrillic`` (ЙЦУКЕН, with
ё and ъ) and ``symbols`` (digits and ``@ . - + _``), each with shift (one letter in capitals), backspace and
keys to switch to the other layouts; ``phone`` is a 3x4 pad of digits, ``+`` and backspace. The key under the
finger shows pressed and types when the finger lifts; only keys that changed are redrawn.

    >>> import pygame; _ = pygame.init(); _ = pygame.display.set_mode((1, 1))
    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> from kiosk.ui.input import Press, Release
    >>> from kiosk.ui.kit.field import TextField
    >>> look = Look(load_bundle(DEFAULT_DIR), (1920, 1080))
    >>> field = TextField(look, pygame.Rect(100, 100, 800, 110))
    >>> keyboard = Keyboard(look, pygame.Rect(0, 560, 1920, 520), field, language="nb")
    >>> def type_key(value):
    ...     key = keyboard.key(value)
    ...     _ = keyboard.handle(Press(key.rect.center)), keyboard.handle(Release(key.rect.center))
    >>> for value in ("shift", "å", "s", "e", "symbols", "@", "2"):
    ...     type_key(value)
    >>> field.text, keyboard.layout
    ('Åse@2', 'symbols')
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.ui.input import Drag, Input, Press, Release
from kiosk.ui.kit.field import TextField
from kiosk.ui.kit.widget import Widget, shade
from kiosk.ui.look import Colour, Look

SHIFT, BACKSPACE, SPACE = "shift", "backspace", "space"
LAYOUT_NAMES = {"latin": "ABC", "cyrillic": "АБВ", "symbols": "123"}
"""What a key that switches to a layout says: the script's first letters, the same in every language."""

_LETTER_ROWS = {
    "latin": ("qwertyuiopå", "asdfghjkløæ", "zxcvbnm"),
    "cyrillic": ("йцукенгшщзхъ", "фывапролджэё", "ячсмитьбю"),
}
_SYMBOL_ROWS = ("1234567890", "@.-+_")
_PHONE_ROWS = ("123", "456", "789", "+0")
TEXT_LAYOUTS = ("latin", "cyrillic", "symbols")
FIRST_LAYOUT = {"ru": "cyrillic"}
"""The layout a keyboard opens in, by language (any other: latin)."""


@dataclass(frozen=True)
class KeySpec:
    value: str  # the character typed, or SHIFT, BACKSPACE, SPACE, or a layout name
    units: float = 1.0  # width in key widths


@dataclass
class Key:
    spec: KeySpec
    rect: pygame.Rect

    @property
    def value(self) -> str:
        return self.spec.value


def _rows(layout: str, others: tuple[str, ...]) -> list[list[KeySpec]]:
    """The rows of keys of ``layout``; ``others`` are the layouts its switch keys lead to."""
    if layout == "phone":
        rows = [[KeySpec(char) for char in row] for row in _PHONE_ROWS]
        rows[-1].append(KeySpec(BACKSPACE))
        return rows
    switches = [KeySpec(other, 1.5) for other in others]
    if layout == "symbols":
        return [[KeySpec(char) for char in _SYMBOL_ROWS[0]],
                [*(KeySpec(char) for char in _SYMBOL_ROWS[1]), KeySpec(BACKSPACE, 1.5)],
                [*switches, KeySpec(SPACE, 5)]]
    first, second, third = _LETTER_ROWS[layout]
    return [[KeySpec(char) for char in first], [KeySpec(char) for char in second],
            [KeySpec(SHIFT, 1.5), *(KeySpec(char) for char in third), KeySpec(BACKSPACE, 1.5)],
            [*switches, KeySpec(SPACE, 5), KeySpec("@"), KeySpec(".")]]


class Keyboard(Widget):
    """Keys filling ``rect`` (grown when needed so that every key is a full touch target), on a tray of the
    theme's ``background_bottom``; typing goes into ``field`` (:meth:`bind` moves it to another field).
    ``layouts``: those to offer, the first shown first (see :func:`phone_pad`); ``language`` picks the first
    text layout (Cyrillic for Russian)."""

    interactive = True

    def __init__(self, look: Look, rect: pygame.Rect, field: TextField, *, language: str = "en",
                 layouts: tuple[str, ...] = TEXT_LAYOUTS) -> None:
        super().__init__(look, rect)
        self.field = field
        first = FIRST_LAYOUT.get(language, layouts[0])
        self.layouts = (first, *(name for name in layouts if name != first)) if first in layouts else layouts
        self.shift = False
        self._keys = {name: self._place(name) for name in self.layouts}
        self.layout = self.layouts[0]
        self._pressed: Key | None = None
        self._changed: list[Key] = []  # keys to redraw; [] with stale set: the whole keyboard
        self._faces: dict[tuple[str, str, bool, tuple[int, int]], pygame.Surface] = {}

    def bind(self, field: TextField) -> None:
        """Type into ``field`` from now on (the one focused)."""
        self.field.focus(False)
        self.field = field
        field.focus(True)

    @property
    def keys(self) -> list[Key]:
        return self._keys[self.layout]

    def key(self, value: str) -> Key:
        """The key of the current layout typing ``value`` (or switching to the layout ``value``)."""
        return next(key for key in self.keys if key.value == value)

    def targets(self) -> list[pygame.Rect]:
        return [key.rect for key in self.keys]

    def _place(self, layout: str) -> list[Key]:
        rows = _rows(layout, tuple(name for name in self.layouts if name != layout))
        look = self.look
        gap = look.space("xs")
        widest = max(sum(spec.units for spec in row) for row in rows)
        unit = max((self.rect.width - gap) / widest - gap, look.min_target)
        height = max((self.rect.height - gap) // len(rows) - gap, look.min_target)
        if layout == "phone":  # a pad, not a bar: keys no wider than 1.6 times their height
            unit = max(min(unit, height * 1.6), look.min_target)
        total_height = len(rows) * (height + gap) + gap
        self.rect.union_ip(pygame.Rect(self.rect.left, self.rect.bottom - total_height, self.rect.width,
                                       total_height))
        keys = []
        y = self.rect.bottom - total_height + gap
        for row in rows:
            width = sum(spec.units * (unit + gap) for spec in row) - gap
            x = self.rect.centerx - width / 2
            for spec in row:
                span = spec.units * (unit + gap) - gap
                keys.append(Key(spec, pygame.Rect(round(x), y, round(span), height)))
                x += span + gap
            y += height + gap
        return keys

    def handle(self, event: Input) -> str | None:
        if isinstance(event, Press | Drag) and (isinstance(event, Press) or self._pressed is not None):
            self._press(self._key_at(event.pos))
        elif isinstance(event, Release) and self._pressed is not None:
            key = self._key_at(event.pos)
            self._press(None)
            if key is not None:
                self._type(key)
        return None

    def _key_at(self, pos: tuple[int, int]) -> Key | None:
        return next((key for key in self.keys if key.rect.collidepoint(pos)), None)

    def _press(self, key: Key | None) -> None:
        if key is self._pressed:
            return
        self._changed += [k for k in (self._pressed, key) if k is not None]
        self._pressed, self.stale = key, True

    def _type(self, key: Key) -> None:
        value = key.value
        if value == BACKSPACE:
            self.field.backspace()
        elif value == SPACE:
            self.field.insert(" ")
        elif value == SHIFT:
            self._relabel(shift=not self.shift)
        elif value in self._keys:
            self.layout = value
            self._relabel(shift=False)
        else:
            self.field.insert(value.upper() if self.shift else value)
            if self.shift:
                self._relabel(shift=False)

    def _relabel(self, shift: bool) -> None:
        """Every key may look different now: the whole keyboard is redrawn."""
        self.shift, self._changed, self.stale = shift, [], True

    def redraw(self, screen: pygame.Surface, now: float) -> list[pygame.Rect] | None:
        if not self._changed:
            return None
        changed, self._changed = self._changed, []
        tray = self.look.colour["background_bottom"]
        for key in changed:
            screen.fill(tray, key.rect)
            self._draw_key(screen, key)
        return [key.rect for key in changed]

    def draw(self, screen: pygame.Surface, now: float) -> None:
        self._changed = []
        screen.fill(self.look.colour["background_bottom"], self.rect)
        for key in self.keys:
            self._draw_key(screen, key)

    def _draw_key(self, screen: pygame.Surface, key: Key) -> None:
        kind = "char" if len(key.value) == 1 else key.value
        label = key.value.upper() if self.shift and kind == "char" else key.value
        if kind == SHIFT:
            label = SHIFT + ("_on" if self.shift else "")
        cache = (kind, label, key is self._pressed, key.rect.size)
        if cache not in self._faces:
            self._faces[cache] = self._face(kind, label, key is self._pressed, key.rect.size)
        screen.blit(self._faces[cache], key.rect)

    def _face(self, kind: str, label: str, pressed: bool, size: tuple[int, int]) -> pygame.Surface:
        look, colour = self.look, self.look.colour
        face = pygame.Surface(size, pygame.SRCALPHA)
        box = face.get_rect()
        special = kind != "char"
        fill = colour["line"] if special else colour["panel"]
        pygame.draw.rect(face, shade(look, "line" if special else "panel", 0.25) if pressed else fill, box,
                         border_radius=look.radius("s"))
        ink = colour["text"]
        if kind == SHIFT:
            _shift_icon(face, box, ink, filled=label.endswith("_on"), stroke=look.px(3))
        elif kind == BACKSPACE:
            _backspace_icon(face, box, ink, stroke=look.px(3))
        elif kind in LAYOUT_NAMES:
            text = look.render(LAYOUT_NAMES[kind], "label", ink)
            face.blit(text, text.get_rect(center=box.center))
        elif kind != SPACE:
            text = look.render(label, "title", ink)
            face.blit(text, text.get_rect(center=box.center))
        return face


def _shift_icon(face: pygame.Surface, box: pygame.Rect, ink: Colour, filled: bool, stroke: int) -> None:
    """An upward arrow, drawn (a brand font need not have ⇧); filled while shift is on."""
    s = min(box.size) * 0.42
    cx, cy = box.center
    points = [(cx, cy - s / 2), (cx + s / 2, cy), (cx + s / 4, cy), (cx + s / 4, cy + s / 2),
              (cx - s / 4, cy + s / 2), (cx - s / 4, cy), (cx - s / 2, cy)]
    pygame.draw.polygon(face, ink, points, width=0 if filled else stroke)


def _backspace_icon(face: pygame.Surface, box: pygame.Rect, ink: Colour, stroke: int) -> None:
    """A key-shaped outline pointing left with a cross in it, drawn (a brand font need not have ⌫)."""
    h = min(box.size) * 0.36
    w = h * 1.5
    cx, cy = box.center
    left, right, top, bottom = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
    pygame.draw.polygon(face, ink, [(left, cy), (left + h / 2, top), (right, top), (right, bottom),
                                    (left + h / 2, bottom)], width=stroke)
    mx, r = cx + h / 4, h / 5
    pygame.draw.line(face, ink, (mx - r, cy - r), (mx + r, cy + r), stroke)
    pygame.draw.line(face, ink, (mx - r, cy + r), (mx + r, cy - r), stroke)


def phone_pad(look: Look, rect: pygame.Rect, field: TextField) -> Keyboard:
    """A 3x4 pad of digits, ``+`` and backspace, centred at the bottom of ``rect``, typing into ``field``."""
    return Keyboard(look, rect, field, layouts=("phone",))

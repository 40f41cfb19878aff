"""The look of the kiosk: the theme's tokens (colours, type scale, spacing, radii, motion), its fonts loaded by
file, texts by language with numbers written the language's way, and text that fits its box.

Fonts: pygame's wheels (and Raspberry Pi OS's SDL_ttf 2.20, which pygame is built against on the Pi) shape
text with HarfBuzz, which applies the font's OpenType kerning by default; ``Font.set_script`` changes nothing
for Latin and Cyrillic in Inter (measured: "AV" 129 px kerned against 136 px of single letters at 100 px, "ТА"
123 against 132, whatever the script), so the kiosk leaves it alone.

    >>> import pygame; _ = pygame.font.init()
    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> look = Look(load_bundle(DEFAULT_DIR), (1280, 720))
    >>> look.space("l"), look.text("ru", "welcome.points", points=5)
    (43, '5 баллов')
    >>> look.min_target  # 9 mm on a 15.6-inch 1280x720 screen
    34
    >>> name = look.fit("Александра Константинопольская-Васильева", "headline", (600, 200), max_lines=2)
    >>> name.lines, name.shrunk, name.cut
    (('Александра', 'Константинопольская-Васильева'), True, False)
"""

from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pygame

from kiosk.config import DEFAULT_DIAGONAL_INCHES
from kiosk.content import messages
from kiosk.content.bundle import Bundle
from kiosk.ui.images import ImageCache
from kiosk.ui.text import Block, fit

Colour = tuple[int, int, int]
MM_PER_INCH = 25.4
MIN_TARGET_MM = 9.0
"""The least side of anything a finger is meant to hit (a fingertip is 8-10 mm wide)."""
BACKGROUND_STRIP = 128
"""Width of the background gradient kept rendered, in pixels: a full screen is painted in a few blits of it."""
OTHER_SIZES_KEPT = 24
"""Fonts at sizes other than the type styles' kept open, least recently used first out: shrink-to-fit tries a
few sizes for each text it shrinks (a binary search) and keeps one, and each size open holds its own FreeType
face and glyph cache (about 0.4 MB: the whole catalogue browsed opened 36 sizes, 14 MB)."""
LAYOUTS_KEPT = 1024
"""Texts of the bundle kept laid out (:meth:`Look.fit`), least recently used first out: balancing the lines of a
paragraph measures it a few hundred times (a consent's label 10 ms, the wheel's rules 17 ms at 1080p), which a
scene's first entry need not do again. A few hundred bytes each."""
PERSONAL_FILES = ("demo_members.json", "offers.json")
"""Bundle files whose texts tell of a shopper (the demo members' names; the offers, of which a member is shown
those of their tier and history): never kept laid out."""


class Look:
    """Everything a scene needs to draw, sized for one screen; built once per bundle and screen size."""

    def __init__(self, bundle: Bundle, size: tuple[int, int],
                 diagonal_inches: float = DEFAULT_DIAGONAL_INCHES) -> None:
        self.bundle = bundle
        self.theme = bundle.theme
        self.size = size
        self.unit = size[1] / 1080  # layouts are drawn for 1080 lines and scaled
        self.colour = bundle.theme.colours
        self.px_per_mm = math.hypot(*size) / (diagonal_inches * MM_PER_INCH)
        self.min_target = self.mm(MIN_TARGET_MM)
        """The least side of a touch target, in pixels on this screen."""
        self._fonts: dict[tuple[str, int], pygame.font.Font] = {}  # the type styles' own sizes, kept
        self._other_sizes: OrderedDict[tuple[str, int], pygame.font.Font] = OrderedDict()
        self._background: pygame.Surface | None = None
        self._layouts: OrderedDict[tuple, tuple[tuple[str, ...], int, int, bool, bool]] = OrderedDict()
        self._bundle_texts = frozenset(text for name, content in bundle.files.items() if name not in PERSONAL_FILES
                                       for text in _texts(content))
        """What :meth:`fit` keeps laid out: only the bundle's own texts, whole, so that no shopper's name,
        points or typing stays in memory after their session (a text with a shopper's data filled in is never
        one of them)."""
        self.images = ImageCache()
        """The bundle's images as scenes show them, scaled once, within one memory budget for all scenes."""
        pygame.font.init()  # idempotent; a Look made for a screenshot or a preview needs no display set up first
        for style in self.theme.type:  # opened now, at start, so the first tap's celebration does not wait on it
            self.font(style)

    def close(self) -> None:
        """Let go of the open fonts, before pygame quits: pygame closes a font's file only while its font module
        runs, so a font freed after ``pygame.quit()`` holds its file descriptor for the rest of the process."""
        self._fonts.clear()
        self._other_sizes.clear()
        self._layouts.clear()

    def px(self, value: float) -> int:
        return max(1, round(value * self.unit))

    def mm(self, value: float) -> int:
        """``value`` millimetres on the physical screen, in whole pixels (rounded up)."""
        return math.ceil(value * self.px_per_mm)

    def space(self, name: str) -> int:
        """A spacing token of the theme, in pixels on this screen."""
        return self.px(self.theme.space[name])

    def radius(self, name: str) -> int:
        return self.px(self.theme.radius[name])

    def font(self, style: str, px: int | None = None) -> pygame.font.Font:
        """The font of the type style ``style`` at its size on this screen, or at ``px`` pixels."""
        role = self.theme.type[style].font
        own = self.px(self.theme.type[style].size)
        key = (role, px or own)
        font = self._fonts.get(key)
        if font is not None:
            return font
        if key[1] == own:
            font = self._fonts[key] = pygame.font.Font(self.theme.fonts[role], key[1])
            return font
        font = self._other_sizes.pop(key, None) or pygame.font.Font(self.theme.fonts[role], key[1])
        self._other_sizes[key] = font
        if len(self._other_sizes) > OTHER_SIZES_KEPT:
            self._other_sizes.popitem(last=False)
        return font

    def text(self, language: str, key: str, **values: object) -> str:
        return self.bundle.text(language, key, **values)

    def number(self, language: str, value: float | Decimal) -> str:
        return messages.format_number(language, value)

    def price(self, language: str, amount: float | Decimal, currency: str) -> str:
        return messages.format_price(language, amount, currency)

    def day(self, language: str, day: date) -> str:
        return messages.format_day(language, day)

    def render(self, text: str, style: str, colour: Colour | None = None) -> pygame.Surface:
        """One line in a type style; for text that has a box to keep to, use :meth:`fit`."""
        return self.font(style).render(text, True, colour or self.colour["text"])

    def fit(self, text: str, style: str, box: tuple[int, int], *, max_lines: int = 3,
            min_scale: float = 0.5, keep: bool = False) -> Block:
        """``text`` in ``style``, in balanced lines that fit ``box`` (width, height): shrunk down to
        ``min_scale`` of the style's size if need be, cut with an ellipsis only if even that does not fit.
        ``keep``: the text tells nothing of the shopper (a countdown's seconds filled in), so it is kept laid
        out as the bundle's own texts are."""
        key = (text, style, (box[0], box[1]), max_lines, min_scale)
        laid = self._layouts.get(key)
        if laid is not None:
            self._layouts.move_to_end(key)
            lines, line_height, px, shrunk, cut = laid
            return Block(lines, self.font(style, px), line_height, px, shrunk, cut)
        type_style = self.theme.type[style]
        size = self.px(type_style.size)
        block = fit(text, lambda px: self.font(style, px), box, size, min_size=max(1, round(size * min_scale)),
                    line=type_style.line, max_lines=max_lines)
        if keep or text in self._bundle_texts:
            self._layouts[key] = (block.lines, block.line_height, block.px, block.shrunk, block.cut)
            if len(self._layouts) > LAYOUTS_KEPT:
                self._layouts.popitem(last=False)
        return block

    def paint_background(self, screen: pygame.Surface, area: pygame.Rect | None = None) -> None:
        """The theme's vertical gradient over ``area`` of ``screen`` (all of it by default), instead of a fill."""
        screen.blits(self.background_blits([screen.get_rect() if area is None else area], screen.get_size()),
                     doreturn=False)

    def background_blits(self, areas: Iterable[pygame.Rect], bounds: tuple[int, int] | None = None,
                         ) -> list[tuple[pygame.Surface, tuple[int, int], pygame.Rect]]:
        """The blits (for ``Surface.blits``) that paint the gradient over ``areas``, clipped to a screen of
        ``bounds`` (this look's size by default): the strip across each. An animation works them out once and
        restores what it moves over with them every frame."""
        strip = self._background_strip()
        screen = pygame.Rect((0, 0), bounds or self.size)
        blits = []
        for area in areas:
            area = pygame.Rect(area).clip(screen)
            for x in range(area.left, area.right, strip.get_width()):
                blits.append((strip, (x, area.top), pygame.Rect(0, area.top, min(strip.get_width(), area.right - x),
                                                                area.height)))
        return blits

    def background_at(self, y: int) -> Colour:
        """The background's colour on line ``y``."""
        return tuple(self._background_strip().get_at((0, y))[:3])

    def _background_strip(self) -> pygame.Surface:
        """The gradient BACKGROUND_STRIP pixels wide, rendered once: every column of a vertical gradient is the
        same, so the strip repeated across covers the screen, and it holds 0.5 MB where the whole screen's
        width held 8 MB at 1080p."""
        if self._background is None:
            height = self.size[1]
            top, bottom = self.colour["background_top"], self.colour["background_bottom"]
            line = pygame.image.frombytes(gradient_bytes(top, bottom, height), (1, height), "RGB")
            self._background = pygame.transform.scale(line, (min(BACKGROUND_STRIP, self.size[0]), height)).convert()
        return self._background

def _texts(content: Any) -> Iterator[str]:
    """Every string in a bundle file as it was checked and converted (dataclasses, mappings, sequences)."""
    if isinstance(content, str):
        yield content
    elif isinstance(content, Mapping):
        for key, value in content.items():
            yield from _texts(key)
            yield from _texts(value)
    elif isinstance(content, list | tuple | set | frozenset):
        for value in content:
            yield from _texts(value)
    elif dataclasses.is_dataclass(content) and not isinstance(content, type):
        for field in dataclasses.fields(content):
            yield from _texts(getattr(content, field.name))


def mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def gradient_bytes(top: Colour, bottom: Colour, height: int) -> bytes:
    """A vertical gradient one pixel wide as RGB bytes, line ``y`` the colour ``mix(top, bottom, y / (height - 1))``
    (computed a channel at a time: a colour per line through ``set_at`` took 4-6 ms of a content switch at 1080p)::

        >>> gradient_bytes((0, 0, 0), (255, 128, 10), 3) == bytes([*mix((0, 0, 0), (255, 128, 10), 0.0),
        ...     *mix((0, 0, 0), (255, 128, 10), 0.5), *mix((0, 0, 0), (255, 128, 10), 1.0)])
        True
    """
    steps = [y / max(1, height - 1) for y in range(height)]
    pixels = bytearray(3 * height)
    for channel, (a, b) in enumerate(zip(top, bottom, strict=True)):
        pixels[channel::3] = bytes([round(a + (b - a) * t) for t in steps])
    return bytes(pixels)

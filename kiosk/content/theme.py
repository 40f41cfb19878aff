"""The theme of a bundle (``theme.json``): the design tokens every scene draws with, so that a retailer rebrands
by content alone.

- ``colours``: the palette (``#rrggbb``): one accent, text and surfaces in high contrast;
- ``fonts``: font files by role. A name with a ``/`` is a file in the bundle (a brand font); a bare file name
  is an installed font, found under :data:`FONT_DIRS` (the shipped theme names the Inter family, which
  ``deploy/dev.sh`` and ``deploy/install.sh`` install from Debian's ``fonts-inter``);
- ``type``: the type scale, by style: a font role, a size in pixels at 1080 lines, a line height factor;
- ``space`` and ``radius``: pixels at 1080 lines, by name;
- ``motion``: durations in milliseconds (:data:`MOTION_DURATIONS`; a scene transition takes ``standard``) and
  easings as cubic Bézier control points ``[x1, y1, x2, y2]`` (:data:`EASINGS`).

Every font must have a glyph for every letter, sign and digit the bundle's texts show in every language: a
brand font without Cyrillic would put boxes on the Russian screens, so such a bundle is refused.

    >>> from kiosk.content.schemas import DEFAULT_DIR, read_json
    >>> strings = {"strings.json": {"en": {"hello": "Hello, {name}!"}, "ru": {"hello": "Привет, {name}!"}}}
    >>> theme = check_theme(read_json(DEFAULT_DIR / "theme.json", 1 << 20), DEFAULT_DIR / "theme.json", strings)
    >>> theme.type["headline"].font in theme.fonts, theme.space["m"] < theme.space["l"]
    (True, True)
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pygame

from kiosk.content.messages import PLURAL_KEY, format_number
from kiosk.exc import ContentError

Colour = tuple[int, int, int]

COLOURS = ("background_top", "background_bottom", "text", "muted", "accent", "on_accent", "highlight", "panel",
           "line", "led_idle", "led_celebrate")
"""The colours every theme names: the scenes and the status LED draw with these."""

TYPE_STYLES = ("display", "headline", "title", "lead", "body", "label", "caption", "figure")
"""The type styles every theme sets; the scenes pick one of these for every text they show."""

MOTION_DURATIONS = ("quick", "standard", "gentle", "celebrate")
TRANSITIONS = ("quick", "standard", "gentle")
"""The durations every theme names; the transitions among them last at most TRANSITION_MAX_MS (a scene change
eases in well under a quarter of a second)."""
TRANSITION_MAX_MS = 250
EASINGS = ("standard", "enter", "exit")
"""The easings every theme names, as cubic Bézier points."""

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
"""Where installed fonts are looked up by file name (Debian's and Raspberry Pi OS's font folders)."""

FONT_SUFFIXES = (".otf", ".ttf")
_FONT_MAGIC = (b"OTTO", b"\x00\x01\x00\x00", b"true")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class TypeStyle:
    font: str  # a role in Theme.fonts
    size: int  # pixels at 1080 lines
    line: float  # line height as a factor of the size


@dataclass(frozen=True)
class Easing:
    """A cubic Bézier easing curve from (0, 0) to (1, 1), as in CSS ``cubic-bezier(x1, y1, x2, y2)``."""

    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Theme:
    colours: dict[str, Colour]
    fonts: dict[str, Path]  # role -> font file, resolved
    type: dict[str, TypeStyle]
    space: dict[str, int]
    radius: dict[str, int]
    durations_ms: dict[str, int]
    easings: dict[str, Easing]


def fail(file: Path, key: str, expected: str) -> ContentError:
    return ContentError(f"{file}: {key}: expected {expected}")


def check_theme(data: Any, file: Path, parsed: Mapping[str, Any]) -> Theme:
    """Read and check ``theme.json`` against the checked ``strings.json`` in ``parsed``; every error names the
    file and the key."""
    if not isinstance(data, dict):
        raise fail(file, "(top)", "an object with colours, fonts, type, space, radius and motion")
    colours = {key: check_colour(_get(data, "colours", file).get(key), file, f"colours.{key}") for key in COLOURS}
    fonts = {role: _font(value, file, f"fonts.{role}") for role, value in _get(data, "fonts", file).items()}
    if not fonts:
        raise fail(file, "fonts", "at least one font")
    check_glyphs(fonts, parsed["strings.json"], file)
    styles = _get(data, "type", file)
    type_scale = {name: _style(styles.get(name), fonts, file, f"type.{name}") for name in TYPE_STYLES}
    motion = _get(data, "motion", file)
    durations = _get(motion, "durations_ms", file, "motion.")
    for name in MOTION_DURATIONS:
        high = TRANSITION_MAX_MS if name in TRANSITIONS else 5000
        if not _number(durations.get(name)) or not 0 <= durations[name] <= high:
            raise fail(file, f"motion.durations_ms.{name}", f"a whole number of milliseconds from 0 to {high}")
    for name in EASINGS:
        _easing(_get(motion, "easings", file, "motion.").get(name), file, f"motion.easings.{name}")
    return Theme(
        colours, fonts, type_scale,
        space=_sizes(_get(data, "space", file), file, "space", 0, 1080),
        radius=_sizes(_get(data, "radius", file), file, "radius", 0, 1080),
        durations_ms=_sizes(durations, file, "motion.durations_ms", 0, 5000),
        easings={name: _easing(value, file, f"motion.easings.{name}")
                 for name, value in _get(motion, "easings", file, "motion.").items()},
    )


def _get(data: dict, key: str, file: Path, prefix: str = "") -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        raise fail(file, prefix + key, "an object")
    return value


def check_colour(value: Any, file: Path, key: str) -> Colour:
    """A ``#rrggbb`` colour as RGB, or a ContentError naming ``file`` and ``key``."""
    if not isinstance(value, str) or not _HEX.match(value):
        raise fail(file, key, "a colour like '#7a2e22'")
    return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))


def _font(value: Any, file: Path, key: str) -> Path:
    """A bundle font (a path with ``/``, inside the bundle) or an installed one (a bare file name)."""
    if not isinstance(value, str) or not value.endswith(FONT_SUFFIXES):
        raise fail(file, key, f"a font file name ending in {' or '.join(FONT_SUFFIXES)}")
    if "/" in value:
        parts = Path(value).parts
        if Path(value).is_absolute() or ".." in parts:
            raise fail(file, key, "a path inside the bundle")
        path = file.parent / value
        if path.is_symlink() or not path.is_file():
            raise fail(file, key, f"a font file in the bundle (no {value})")
    else:
        path = installed_font(value)
        if path is None:
            raise fail(file, key, f"an installed font (no {value} under {', '.join(map(str, FONT_DIRS))}; "
                                  "deploy/dev.sh and deploy/install.sh install the shipped ones)")
    with path.open("rb") as font:
        if font.read(4) not in _FONT_MAGIC:
            raise fail(file, key, f"an OpenType or TrueType font ({value} is not one)")
    return path


@cache
def installed_font(name: str) -> Path | None:
    """The installed font file called ``name``, or None (searched once per name)."""
    for folder in FONT_DIRS:
        for root, _, names in os.walk(folder):
            if name in names:
                return Path(root, name)
    return None


NOT_A_CHARACTER = "\uffff"
"""A Unicode noncharacter: no font has it, so a font draws its missing-glyph box for it."""


def missing_glyphs(font: pygame.font.Font, text: str) -> list[str]:
    """The characters of ``text`` that ``font`` would draw as its missing-glyph box. SDL_ttf measures those
    like any glyph, so a character measured like the box is drawn too and compared.

    >>> _ = pygame.font.init()
    >>> missing_glyphs(pygame.font.Font(installed_font("Inter-Regular.otf"), 24), "Ærø, Ёлка, 漢字")
    ['字', '漢']
    """
    chars = "".join(sorted({char for char in set(text) if char.isprintable() and not char.isspace()}))
    box = font.metrics(NOT_A_CHARACTER)[0]
    suspects = [char for char, metrics in zip(chars, font.metrics(chars), strict=True) if metrics in (box, None)]
    if not suspects:
        return []
    box_image = pygame.image.tobytes(font.render(NOT_A_CHARACTER, True, (0, 0, 0)), "RGBA")
    return [char for char in suspects if pygame.image.tobytes(font.render(char, True, (0, 0, 0)), "RGBA")
            == box_image]


def check_glyphs(fonts: Mapping[str, Path], strings: Mapping[str, Mapping[str, Any]], file: Path) -> None:
    """Every font has every character the texts of every language show (and the language's digits); ``strings``
    maps a language to its texts (``strings.json``'s shape; a feature's file may hand its own texts in)."""
    shown = {language: set(re.sub(r"\{[^}]*\}", "", "".join(_forms(texts))) + format_number(language, 1234567.89))
             for language, texts in strings.items()}
    chars = "".join(sorted(set().union(*shown.values())))
    for role, path in fonts.items():
        missing = _missing_in_file(path, *_identity(path), chars)
        if missing:
            language = next(language for language, used in shown.items() if missing[0] in used)
            raise fail(file, f"fonts.{role}", f"a font with every character the {language} texts use (no "
                                              f"{' '.join(missing)} in {path.name})")


def _forms(texts: Mapping[str, Any]) -> list[str]:
    return [form for text in texts.values()
            for form in ([text] if isinstance(text, str) else [v for k, v in text.items() if k != PLURAL_KEY])]


def _identity(path: Path) -> tuple[int, int, int, int]:
    info = path.stat()
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


@lru_cache(maxsize=64)
def _missing_in_file(path: Path, device: int, inode: int, size: int, mtime_ns: int, chars: str) -> list[str]:
    """:func:`missing_glyphs` of a font file, remembered by the file's identity: a bundle checked in staging
    is checked again where it is installed (moved, the same file) and when it is switched to, which must stay
    within the switch's time budget."""
    if not pygame.font.get_init():
        pygame.font.init()
    try:
        font = pygame.font.Font(path, 32)
    except (OSError, pygame.error) as exc:
        raise ContentError(f"{path}: not a font pygame can open ({exc})") from None
    return missing_glyphs(font, chars)


def _style(value: Any, fonts: dict[str, Path], file: Path, key: str) -> TypeStyle:
    if not isinstance(value, dict) or value.get("font") not in fonts:
        raise fail(file, f"{key}.font", f"one of the theme's fonts {sorted(fonts)}")
    size, line = value.get("size"), value.get("line", 1.2)
    if not _number(size) or not 8 <= size <= 400:
        raise fail(file, f"{key}.size", "a size from 8 to 400 pixels (at 1080 lines)")
    if not _number(line) or not 0.8 <= line <= 2.5:
        raise fail(file, f"{key}.line", "a line height from 0.8 to 2.5 times the size")
    return TypeStyle(value["font"], int(size), float(line))


def _sizes(data: dict, file: Path, key: str, low: int, high: int) -> dict[str, int]:
    for name, value in data.items():
        if not _number(value) or isinstance(value, float) or not low <= value <= high:
            raise fail(file, f"{key}.{name}", f"a whole number from {low} to {high}")
    return dict(data)


def _easing(value: Any, file: Path, key: str) -> Easing:
    if (not isinstance(value, list) or len(value) != 4 or not all(_number(v) for v in value)
            or not (0 <= value[0] <= 1 and 0 <= value[2] <= 1)):
        raise fail(file, key, "cubic Bézier points [x1, y1, x2, y2] with x1 and x2 from 0 to 1")
    return Easing(*(float(v) for v in value))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

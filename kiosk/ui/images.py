"""Images decoded and scaled once, on first use, and kept within a memory budget shared by every scene.

A scene asks for an image at the size it shows it (``fit``: all of it inside the box; ``fill``: the box
covered, the overflow cropped from the middle); the cache keeps that scaled surface, not the decoded
original, and lets the least recently used ones go once their pixels pass the budget. The bundle's images are
checked when the bundle is loaded (``content/images.py``), so a file here decodes.

    >>> import pygame; _ = pygame.init()
    >>> from kiosk.content.bundle import DEFAULT_DIR
    >>> cache = ImageCache(budget_bytes=200 * 200 * 4)
    >>> photo = sorted((DEFAULT_DIR / "catalogue").glob("*.png"))[0]
    >>> cache.get(photo, (200, 200), "fill").get_size(), cache.bytes
    ((200, 200), 160000)
    >>> _ = cache.get(photo, (200, 200), "fill"); cache.hits, cache.misses
    (1, 1)
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path

import pygame

log = logging.getLogger(__name__)

DEFAULT_BUDGET_BYTES = 4 * 1024 * 1024
"""Room for a screenful of product pictures at the sizes the stylist shows them (a grid keeps its own rendered
cells, a look scene needs about 3 MB): with the whole default catalogue browsed the kiosk stays within its 150 MB
resident budget (tests/perf/bench_stylist.py: 48 MB took it to 191 MB, 8 MB to 152 MB once the other features
had grown the rest)."""
MODES = ("fit", "fill")

Key = tuple[Path, tuple[int, int], str]


class ImageCache:
    """Scaled images by (file, size, mode), least recently used first out once over ``budget_bytes``."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        self.budget_bytes = budget_bytes
        self.bytes = 0
        self.hits = self.misses = 0
        self._surfaces: OrderedDict[Key, pygame.Surface] = OrderedDict()

    def get(self, file: Path, size: tuple[int, int], mode: str = "fit") -> pygame.Surface:
        """``file`` scaled to ``size`` (``fit`` inside it, or ``fill`` it); decoded and scaled on the first
        call, then from memory. An image bigger than the whole budget is drawn but not kept."""
        if mode not in MODES:
            raise ValueError(f"an image mode is one of {MODES}, got {mode!r}")
        key = (Path(file), (int(size[0]), int(size[1])), mode)
        surface = self._surfaces.get(key)
        if surface is not None:
            self.hits += 1
            self._surfaces.move_to_end(key)
            return surface
        self.misses += 1
        surface = _scaled(_decode(key[0]), key[1], mode)
        cost = _cost(surface)
        if cost > self.budget_bytes:
            log.warning("images: %s at %s takes %d bytes, over the whole cache budget; not kept", file, size, cost)
            return surface
        self._surfaces[key] = surface
        self.bytes += cost
        while self.bytes > self.budget_bytes:
            _, dropped = self._surfaces.popitem(last=False)
            self.bytes -= _cost(dropped)
        return surface

    def __contains__(self, key: Key) -> bool:
        return key in self._surfaces

    def clear(self) -> None:
        self._surfaces.clear()
        self.bytes = 0


def _cost(surface: pygame.Surface) -> int:
    return surface.get_width() * surface.get_height() * surface.get_bytesize()


def _decode(file: Path) -> pygame.Surface:
    try:
        surface = pygame.image.load(str(file))
    except (pygame.error, FileNotFoundError) as exc:
        raise ValueError(f"{file}: cannot be shown as an image ({exc})") from None
    if pygame.display.get_surface() is not None:  # in the display's pixel format a blit is a plain copy
        return surface.convert_alpha()
    deep = pygame.Surface(surface.get_size(), pygame.SRCALPHA, 32)  # smoothscale takes 24 or 32 bits only
    deep.blit(surface, (0, 0))
    return deep


def _scaled(image: pygame.Surface, size: tuple[int, int], mode: str) -> pygame.Surface:
    width, height = image.get_size()
    scale = (min if mode == "fit" else max)(size[0] / width, size[1] / height)
    scaled = pygame.transform.smoothscale(image, (max(1, round(width * scale)), max(1, round(height * scale))))
    if mode == "fit":
        return scaled
    crop = pygame.Rect((0, 0), size)
    crop.center = scaled.get_rect().center
    return scaled.subsurface(crop.clip(scaled.get_rect())).copy()

"""Product images, decoded and scaled once, lazily, and kept within a memory budget: the least recently shown
go first. Main thread only (pygame surfaces).

    >>> import pygame; _ = pygame.display.init(); _ = pygame.display.set_mode((1, 1))
    >>> from kiosk.content.bundle import DEFAULT_DIR
    >>> cache = ImageCache(budget_bytes=300 * 375 * 4 * 2)  # room for two images of 300 x 375
    >>> first = cache.get(DEFAULT_DIR / "catalogue/top-01.png", (300, 375))
    >>> cache.get(DEFAULT_DIR / "catalogue/top-01.png", (300, 375)) is first, cache.decoded
    (True, 1)
    >>> for sku in ("top-02", "top-03"):
    ...     _ = cache.get(DEFAULT_DIR / f"catalogue/{sku}.png", (300, 375))
    >>> len(cache), cache.used <= cache.budget_bytes
    (2, True)
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pygame


class ImageCache:
    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self.used = 0
        self.decoded = 0  # files decoded so far (a figure for tests and benchmarks)
        self._surfaces: OrderedDict[tuple[Path, tuple[int, int]], pygame.Surface] = OrderedDict()

    def __len__(self) -> int:
        return len(self._surfaces)

    def get(self, path: Path, size: tuple[int, int]) -> pygame.Surface:
        """The image at ``path`` scaled to ``size`` (the caller keeps its proportions)."""
        key = (path, size)
        surface = self._surfaces.get(key)
        if surface is not None:
            self._surfaces.move_to_end(key)
            return surface
        surface = _scaled(pygame.image.load(str(path)), size)
        self.decoded += 1
        self._surfaces[key] = surface
        self.used += _bytes(surface)
        while self.used > self.budget_bytes and len(self._surfaces) > 1:
            _, dropped = self._surfaces.popitem(last=False)
            self.used -= _bytes(dropped)
        return surface

    def clear(self) -> None:
        """Forget every image (a new content bundle)."""
        self._surfaces.clear()
        self.used = 0


def fit(image_size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The largest size with the image's proportions that fits ``box``.

        >>> fit((360, 450), (400, 400))
        (320, 400)
    """
    scale = min(box[0] / image_size[0], box[1] / image_size[1])
    return max(1, round(image_size[0] * scale)), max(1, round(image_size[1] * scale))


def _scaled(image: pygame.Surface, size: tuple[int, int]) -> pygame.Surface:
    rgb = pygame.Surface(image.get_size())  # smoothscale takes 24 or 32 bits; the shipped PNGs have a palette
    rgb.blit(image, (0, 0))
    scaled = pygame.transform.smoothscale(rgb, size)
    return scaled.convert() if pygame.display.get_surface() is not None else scaled


def _bytes(surface: pygame.Surface) -> int:
    return surface.get_width() * surface.get_height() * surface.get_bytesize()

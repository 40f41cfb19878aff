"""QR codes as pygame surfaces (segno: pure Python), rendered once and then only blitted."""

from __future__ import annotations

import pygame
import segno

from kiosk.ui.look import Colour

QUIET_ZONE = 4  # modules of light border the QR standard asks for
DARK: Colour = (16, 16, 24)
LIGHT: Colour = (255, 255, 255)


def qr_surface(text: str, max_side: int) -> pygame.Surface:
    """A QR code of ``text`` with whole-pixel modules, at most ``max_side`` pixels square.

        >>> pygame.init() and None
        >>> qr_surface("https://example.com/j/abc", 200).get_width() <= 200
        True
    """
    rows = list(segno.make(text, error="m").matrix_iter(scale=1, border=QUIET_ZONE))
    modules = len(rows)
    small = pygame.Surface((modules, modules))
    small.fill(LIGHT)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                small.set_at((x, y), DARK)
    scale = max(1, max_side // modules)  # whole pixels per module keep every edge sharp for the camera
    return pygame.transform.scale(small, (modules * scale, modules * scale))

"""A QR code as a widget: rendered once (``kiosk.ui.qr``: whole-pixel modules, dark on light as every camera
reads it, whatever the theme) and centred in its rectangle.

    >>> import pygame; _ = pygame.init(); _ = pygame.display.set_mode((1, 1))
    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> look = Look(load_bundle(DEFAULT_DIR), (1920, 1080))
    >>> code = QrCode(look, pygame.Rect(0, 0, 300, 300), "https://example.com/j/abc")
    >>> code.face.get_width() <= 300
    True
"""

from __future__ import annotations

import pygame

from kiosk.ui.kit.widget import Widget
from kiosk.ui.look import Look
from kiosk.ui.qr import qr_surface


class QrCode(Widget):
    """The QR code of ``text``, as large as fits ``rect`` in whole pixels per module."""

    def __init__(self, look: Look, rect: pygame.Rect, text: str) -> None:
        super().__init__(look, rect)
        self.text = text
        self.face = qr_surface(text, min(self.rect.size))

    def draw(self, screen: pygame.Surface, now: float) -> None:
        screen.blit(self.face, self.face.get_rect(center=self.rect.center))

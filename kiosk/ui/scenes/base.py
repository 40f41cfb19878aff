"""What every scene is: drawn from a SceneView, animated or static, with touch targets."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.core.member import Member, TierProgress
from kiosk.ui.look import Look
from kiosk.ui.widgets import Button, hit


@dataclass(frozen=True)
class SceneView:
    """The data a scene shows; the scene keeps nothing of it after the next ``enter``."""

    language: str
    member: Member | None = None
    progress: TierProgress | None = None
    join_url: str | None = None  # the one-time sign-up URL the attract screen shows as a QR code
    reader_ok: bool = True  # False: the NFC reader is down, the attract screen offers the QR code instead


class Scene:
    """Subclasses set ``name`` and ``animated`` and implement ``compose`` (and ``animate`` if animated)."""

    name = ""
    animated = False
    """An animated scene is drawn every frame; a static one only on entering it."""

    def __init__(self, look: Look) -> None:
        self.look = look
        self.view = SceneView(language="en")
        self.buttons: list[Button] = []
        self.entered_at = 0.0

    def enter(self, view: SceneView, now: float) -> None:
        self.view = view
        self.entered_at = now
        self.buttons = []

    def leave(self) -> None:
        """Forget the shown data: nothing of one shopper stays in memory for the next."""
        self.view = SceneView(language=self.view.language)
        self.buttons = []

    def draw(self, screen: pygame.Surface, now: float) -> None:
        """Draw the whole scene."""
        screen.blit(self.look.background(), (0, 0))
        self.compose(screen, now)
        for button in self.buttons:
            button.draw(screen, self.look)

    def compose(self, screen: pygame.Surface, now: float) -> None:
        raise NotImplementedError

    def animate(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        """Draw the next animation frame over the last one; return the rectangles that changed."""
        self.draw(screen, now)
        return [screen.get_rect()]

    def hit(self, pos: tuple[int, int]) -> str | None:
        return hit(self.buttons, pos)

    def blit_centered(self, screen: pygame.Surface, surface: pygame.Surface, y: int, x: int | None = None) -> None:
        cx = screen.get_width() // 2 if x is None else x
        screen.blit(surface, surface.get_rect(midtop=(cx, y)))

    def t(self, key: str, **values: object) -> str:
        return self.look.text(self.view.language, key, **values)

"""What every scene is: drawn from its own view model, animated or static, taking input through ``handle``."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.ui.input import Input, Press
from kiosk.ui.look import Look
from kiosk.ui.widgets import Button, hit


@dataclass(frozen=True)
class View:
    """The data a scene shows. Each scene has its own view model, a subclass of this one; the scene keeps
    nothing of it after :meth:`Scene.leave`."""

    language: str


class Scene:
    """Subclasses set ``name`` and ``animated`` and implement ``compose`` (and ``animate`` if animated)."""

    name = ""
    animated = False
    """An animated scene is drawn every frame; a static one only on entering it."""
    view_model: type[View] = View
    """The class of this scene's view model; every field but ``language`` has a default (the empty view)."""

    def __init__(self, look: Look) -> None:
        self.look = look
        self.view = self.view_model(language="en")
        self.buttons: list[Button] = []
        self.entered_at = 0.0

    def enter(self, view: View, now: float) -> None:
        if not isinstance(view, self.view_model):
            raise TypeError(f"the {self.name} scene draws a {self.view_model.__name__}, got {type(view).__name__}")
        self.view = view
        self.entered_at = now
        self.buttons = []

    def leave(self) -> None:
        """Forget the shown data: nothing of one shopper stays in memory for the next."""
        self.view = self.view_model(language=self.view.language)
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

    def handle(self, event: Input) -> str | None:
        """React to the shopper's input; returns the action it asks for (``done``, ``lang:nb``, ...), if any.
        A press on a button is its action; scenes with lists, wheels or forms override this for drags, swipes
        and text."""
        if isinstance(event, Press):
            return hit(self.buttons, event.pos)
        return None

    def blit_centered(self, screen: pygame.Surface, surface: pygame.Surface, y: int, x: int | None = None) -> None:
        cx = screen.get_width() // 2 if x is None else x
        screen.blit(surface, surface.get_rect(midtop=(cx, y)))

    def t(self, key: str, **values: object) -> str:
        return self.look.text(self.view.language, key, **values)

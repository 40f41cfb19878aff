"""What every scene is: drawn from its own view model, animated or static, taking input through ``handle``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pygame

from kiosk.ui.input import Input, Press
from kiosk.ui.kit.widget import Widget, hits
from kiosk.ui.look import Look


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
    transition: str | None = "standard"
    """The theme's motion token the scene eases in with; None cuts to it at once."""
    fps: int | None = None
    """The frame rate an animated scene needs, if above the configured one (the wheel's spin: 60)."""
    max_fps: float | None = None
    """The frame rate that is enough for an animated scene's own slow motion, if below the configured one (the
    attract's rings: a frame every 60 ms): the same look in fewer frames, less idle CPU. Transitions and moving
    widgets keep theirs."""
    view_model: type[View] = View
    """The class of this scene's view model; every field but ``language`` has a default (the empty view)."""

    def __init__(self, look: Look) -> None:
        self.look = look
        self.view = self.view_model(language="en")
        self.buttons: list[Widget] = []
        """The scene's kit widgets (buttons, switches, toasts, ...), drawn over what ``compose`` drew."""
        self.entered_at = 0.0
        self._under: dict[Widget, tuple[pygame.Rect, pygame.Surface]] = {}  # what each widget covers

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
        self._under = {}

    def draw(self, screen: pygame.Surface, now: float) -> None:
        """Draw the whole scene."""
        for _ in self.drawing(screen, now):
            pass

    def drawing(self, screen: pygame.Surface, now: float) -> Iterator[None]:
        """Draw the whole scene in steps, pausing between them: the background and what ``compose`` draws (all
        that reads the view, so a view the scene cannot show fails in the first step), then what each widget
        prepares (a grid's cells, one at a time) and each widget. The scene manager spreads a new scene's drawing
        over frames at these pauses, so that no frame waits on all of it."""
        self.look.paint_background(screen)
        self.compose(screen, now)
        self._under = {}
        yield
        for widget in self._in_drawing_order():
            yield from widget.preparing(now)
            self._paint(screen, widget, now)
            yield

    def refresh(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        """Redraw the widgets that changed (pressed, toggled, opened) or move; return the rectangles redrawn."""
        return [rect for widget in self._in_drawing_order() if widget.stale or widget.moving(now)
                for rect in self._paint(screen, widget, now)]

    def moving(self, now: float) -> bool:
        """Whether a widget needs drawing: the scene is drawn every frame while this is true."""
        return any(widget.stale or widget.moving(now) for widget in self.buttons)

    def _in_drawing_order(self) -> list[Widget]:
        return sorted(self.buttons, key=lambda widget: widget.modal)  # an open modal over everything else

    def _paint(self, screen: pygame.Surface, widget: Widget, now: float) -> list[pygame.Rect]:
        """Draw ``widget`` over what was under it (kept from when it was first drawn there), or only its parts
        that changed; return what was drawn."""
        area = widget.area().clip(screen.get_rect())
        old_area, under = self._under.get(widget, (None, None))
        parts = widget.redraw(screen, now) if old_area == area else None
        if parts is None:
            if under is not None:
                screen.blit(under, old_area)
            if under is None or old_area != area:
                self._under[widget] = (area, screen.subsurface(area).copy())
            widget.draw(screen, now)
            parts = [area.union(old_area) if old_area is not None else area]
        widget.stale = False
        return parts

    def compose(self, screen: pygame.Surface, now: float) -> None:
        raise NotImplementedError

    def animate(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        """Draw the next animation frame over the last one; return the rectangles that changed."""
        self.draw(screen, now)
        return [screen.get_rect()]

    def handle(self, event: Input) -> str | None:
        """React to the shopper's input; returns the action it asks for (``done``, ``lang:nb``, ...), if any.
        A press goes to the top widget it hits (only an open modal, while one is open); drags and releases go
        to every widget, so the one held can follow the finger and fire when it lifts over it."""
        modal = [widget for widget in self.buttons if widget.modal]
        widgets = modal[-1:] or self.buttons[::-1]
        if isinstance(event, Press):
            hit = next((widget for widget in widgets if hits(widget, event.pos)), None)
            return hit.handle(event) if hit is not None else None
        actions = [widget.handle(event) for widget in widgets]
        return next((action for action in actions if action), None)

    def blit_centered(self, screen: pygame.Surface, surface: pygame.Surface, y: int, x: int | None = None) -> None:
        cx = screen.get_width() // 2 if x is None else x
        screen.blit(surface, surface.get_rect(midtop=(cx, y)))

    def t(self, key: str, **values: object) -> str:
        return self.look.text(self.view.language, key, **values)

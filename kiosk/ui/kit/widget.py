"""What every kit widget is: a rectangle on the scene that draws itself from the look and, if interactive,
takes the shopper's input.

A scene keeps its widgets in ``Scene.buttons``: it draws them over what it composed, hands them its input
(:meth:`Scene.handle`) and redraws only the ones that changed (:meth:`Scene.refresh`), over a copy of what was
under them. A widget marks itself ``stale`` when its look changes (pressed, toggled, opened); ``moving`` is
true while it animates (a toast sliding in).
"""

from __future__ import annotations

from collections.abc import Iterator

import pygame

from kiosk.ui.input import Input
from kiosk.ui.look import Colour, Look, mix


class Widget:
    """The base of every kit widget. Subclasses implement :meth:`draw`; interactive ones :meth:`handle` too."""

    interactive = False
    """Whether it takes input: an interactive widget's :meth:`targets` are each at least ``look.min_target``."""

    def __init__(self, look: Look, rect: pygame.Rect, action: str | None = None) -> None:
        self.look = look
        self.rect = pygame.Rect(rect)
        self.action = action
        """What the widget asks for when used (``done``, ``lang:nb``), handled by the feature that declared it."""
        self.stale = False

    @property
    def modal(self) -> bool:
        """While true the widget takes all input and is drawn over the others (an open modal)."""
        return False

    def area(self) -> pygame.Rect:
        """What the widget covers on the screen (an open modal: all of it)."""
        return self.rect

    def targets(self) -> list[pygame.Rect]:
        """Where a finger can hit it: each one grown to the least touch target."""
        return [grow(self.rect, self.look.min_target)] if self.interactive else []

    def draw(self, screen: pygame.Surface, now: float) -> None:
        raise NotImplementedError

    def preparing(self, now: float) -> Iterator[None]:
        """Make what :meth:`draw` will need, in steps with a pause after each (a grid renders a cell a step), so
        that a scene drawn over several frames (:meth:`Scene.drawing`) splits a widget's work; none by default."""
        return iter(())

    def redraw(self, screen: pygame.Surface, now: float) -> list[pygame.Rect] | None:
        """Redraw only the parts that changed, over themselves, and return them; None (the default): the scene
        redraws the whole widget over what was under it. A keyboard redraws just the key pressed."""
        return None

    def handle(self, event: Input) -> str | None:
        """React to input; the action it fires, if any. A Press reaches only the widget it hits (see
        :meth:`Scene.handle`); drags and releases reach every widget, so a held one can let go."""
        return None

    def moving(self, now: float) -> bool:
        return False


def grow(rect: pygame.Rect, least: int) -> pygame.Rect:
    """``rect`` grown about its centre to at least ``least`` pixels on each side.

        >>> grow(pygame.Rect(10, 10, 20, 60), 40)
        <rect(0, 10, 40, 60)>
    """
    grown = rect.inflate(max(0, least - rect.width), max(0, least - rect.height))
    grown.center = rect.center
    return grown


def hits(widget: Widget, pos: tuple[int, int]) -> bool:
    return any(target.collidepoint(pos) for target in widget.targets())


class Label(Widget):
    """One line of text in a type style and a theme colour, centred in its rectangle; takes no input."""

    def __init__(self, look: Look, rect: pygame.Rect, text: str, style: str = "label", colour: str = "text") -> None:
        super().__init__(look, rect)
        self.text, self.style, self.colour = text, style, colour

    def draw(self, screen: pygame.Surface, now: float) -> None:
        block = self.look.fit(self.text, self.style, self.rect.size, max_lines=1)
        block.draw(screen, self.rect, self.look.colour[self.colour], align="centre", valign="middle")


def shade(look: Look, colour: str, amount: float) -> Colour:
    """A theme colour moved ``amount`` (0 to 1) towards the theme's text colour: the pressed look of a fill."""
    base, ink = look.colour[colour], look.colour["text"]
    if base == ink:  # text-coloured fills lighten towards the panel instead
        ink = look.colour["panel"]
    return mix(base, ink, amount)

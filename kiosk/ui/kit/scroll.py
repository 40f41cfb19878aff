"""A list or grid of cells that scrolls with the finger: drag, fling with deceleration, or swipe page by
page. Only the cells in view are drawn; each cell is rendered once (by the caller's ``render``) and then only
blitted, so a scrolling frame is a few blits.

A fling starts at the speed of the swipe and slows down exponentially (time constant :data:`FLING_TAU_S`),
stopping at the ends; a paged grid settles on the nearest page, or the next one in a swipe's direction, with
the theme's ``standard`` motion. A tap (a press that moves less than :data:`TAP_SLOP_MM`) on a cell fires
``<action>:<index>``.

    >>> import pygame; _ = pygame.init(); _ = pygame.display.set_mode((1, 1))
    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> from kiosk.ui.input import Drag, Press, Release, Swipe
    >>> look = Look(load_bundle(DEFAULT_DIR), (1920, 1080))
    >>> def render(index, size):
    ...     cell = pygame.Surface(size); cell.fill(look.colour["panel"]); return cell
    >>> grid = Grid(look, pygame.Rect(0, 0, 1000, 600), 40, (480, 200), render, across=2, action="product")
    >>> grid.max_offset  # 20 rows of 200 px with 16 px gaps, less the 600 px in view
    3704.0
    >>> grid.handle(Press((100, 500))), grid.handle(Release((100, 500)))
    (None, 'product:4')
    >>> _ = grid.handle(Press((100, 500))), grid.handle(Drag((100, 200), (0, -300)))
    >>> grid.offset, grid.handle(Release((100, 200)))
    (300.0, None)
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterator

import pygame

from kiosk.ui.input import Drag, Input, Press, Release, Swipe
from kiosk.ui.kit.motion import progress
from kiosk.ui.kit.widget import Widget
from kiosk.ui.look import Look

FLING_TAU_S = 0.325
"""How fast a fling slows down: its speed falls to a third every 0.325 s, as on the phones shoppers know."""
STOP_SPEED = 20.0
"""Pixels per second below which a fling has stopped."""
TAP_SLOP_MM = 3.0
"""A finger that moves less than this is still tapping, not scrolling."""
KEPT_SCREENFULS = 3
"""Rendered cells kept: three screenfuls (the one in view and one either side, rendered ahead when a finger
touches the grid), so a swipe to the next page renders nothing in its frames."""
NEW_CELLS_PER_FRAME = 2
"""After its first drawing, at most this many cells are rendered in one frame (a fast fling shows more new
ones): the others show as blank panels for a frame or a few, and every frame stays within its budget."""

Render = Callable[[int, tuple[int, int]], pygame.Surface]
"""Draws cell ``index`` at ``size``: called once per cell while it is kept."""


class Grid(Widget):
    """``count`` cells of ``cell`` size (width, height) in ``rect``, ``across`` cells per line, scrolling
    vertically (or ``horizontal``); ``paged`` scrolls one viewport (plus the gap) at a time. Cells of a
    tappable grid (with an ``action``) must be full touch targets."""

    interactive = True

    def __init__(self, look: Look, rect: pygame.Rect, count: int, cell: tuple[int, int], render: Render, *,
                 across: int = 1, horizontal: bool = False, paged: bool = False, action: str | None = None,
                 gap: int | None = None) -> None:
        super().__init__(look, rect, action)
        if action and min(cell) < look.min_target:
            raise ValueError(f"grid cells of {cell} px are smaller than a touch target ({look.min_target} px)")
        self.count, self.cell, self.render = count, (int(cell[0]), int(cell[1])), render
        self.across, self.horizontal, self.paged = max(1, across), horizontal, paged
        self.gap = look.space("s") if gap is None else gap
        self.offset = 0.0
        self._cells: OrderedDict[int, pygame.Surface] = OrderedDict()
        self._press: tuple[tuple[int, int], float, int] | None = None  # where, how far it moved, page at press
        self._fling: tuple[float, float, float | None] | None = None  # start offset, speed, start time
        self._snap: tuple[float, float, float | None] | None = None  # from, to, start time
        self._blanks = False  # cells were drawn blank (no time to render them in that frame)
        self._drawn = False

    # Geometry.

    def _along(self, size: tuple[int, int]) -> int:
        return size[0] if self.horizontal else size[1]

    @property
    def extent(self) -> int:
        """The length of the view along the scrolling direction."""
        return self._along(self.rect.size)

    @property
    def pitch(self) -> int:
        """From one line of cells to the next."""
        return self._along(self.cell) + self.gap

    @property
    def page_length(self) -> int:
        return self.extent + self.gap

    @property
    def lines(self) -> int:
        return math.ceil(self.count / self.across)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.lines * self.pitch / self.page_length))

    @property
    def max_offset(self) -> float:
        if self.paged:
            return float((self.pages - 1) * self.page_length)
        return float(max(0, self.lines * self.pitch - self.gap - self.extent))

    @property
    def page(self) -> int:
        return round(self.offset / self.page_length)

    def cell_rect(self, index: int) -> pygame.Rect:
        """Where cell ``index`` is on the screen now (it may be out of view)."""
        line, slot = divmod(index, self.across)
        along = round(line * self.pitch - self.offset)
        across = slot * (self._along(self.cell[::-1]) + self.gap)
        x, y = (along, across) if self.horizontal else (across, along)
        return pygame.Rect(self.rect.left + x, self.rect.top + y, *self.cell)

    def visible(self, margin: float = 0) -> range:
        """The cells in view (and within ``margin`` pixels of it)."""
        first = max(0, int((self.offset - margin) // self.pitch))
        last = min(self.lines, math.ceil((self.offset + self.extent + margin) / self.pitch))
        return range(first * self.across, min(self.count, last * self.across))

    def index_at(self, pos: tuple[int, int]) -> int | None:
        return next((index for index in self.visible() if self.cell_rect(index).collidepoint(pos)
                     and self.rect.collidepoint(pos)), None)

    # Input.

    def handle(self, event: Input) -> str | None:
        if isinstance(event, Press):
            self._press = (event.pos, 0.0, self.page)
            self._fling = self._snap = None
            self._render_ahead()
        elif isinstance(event, Drag) and self._press is not None:
            start, moved, page = self._press
            step = self._along(event.delta)
            self._press = (start, moved + abs(step), page)
            self._scroll_to(self.offset - step)
        elif isinstance(event, Release) and self._press is not None:
            _, moved, _ = self._press
            if moved < self.look.mm(TAP_SLOP_MM):
                self._press = None
                index = self.index_at(event.pos)
                return f"{self.action}:{index}" if self.action and index is not None else None
            if self.paged:
                self._settle(self.page)
        elif isinstance(event, Swipe) and self._press is not None:
            _, _, page = self._press
            self._press = None
            forward = {"left": True, "up": True, "right": False, "down": False}[event.direction]
            if (event.direction in ("left", "right")) != self.horizontal:
                return None
            if self.paged:
                self._settle(page + (1 if forward else -1))
            else:
                self._fling = (self.offset, event.speed if forward else -event.speed, None)
        return None

    def _scroll_to(self, offset: float) -> bool:
        """Move to ``offset`` within the ends; False when an end stopped it."""
        kept = min(self.max_offset, max(0.0, offset))
        if kept != self.offset:
            self.offset, self.stale = kept, True
        return kept == offset

    def _settle(self, page: int) -> None:
        target = min(self.max_offset, max(0.0, float(page * self.page_length)))
        self._snap = (self.offset, target, None)

    # Motion.

    def moving(self, now: float) -> bool:
        if self._fling is not None:
            start, speed, began = self._fling
            if began is None:
                self._fling = (start, speed, now)
                return True
            decay = math.exp(-(now - began) / FLING_TAU_S)
            within = self._scroll_to(start + speed * FLING_TAU_S * (1 - decay))
            if not within or abs(speed * decay) < STOP_SPEED:
                self._fling = None
            return True
        if self._snap is not None:
            start, target, began = self._snap
            if began is None:
                self._snap = (start, target, now)
                return True
            done = progress(self.look, "standard", "standard", began, now)
            self._scroll_to(start + (target - start) * done)
            if done >= 1:
                self._snap = None
            return True
        if self._blanks:  # at rest: the cells drawn blank are rendered in the next frames
            self._blanks, self.stale = False, True
        return False

    # Drawing.

    def draw(self, screen: pygame.Surface, now: float) -> None:
        clip = screen.get_clip()
        screen.set_clip(self.rect.clip(clip))
        new = NEW_CELLS_PER_FRAME if self._drawn else self.count
        self._drawn = True
        for index in self.visible():
            cell = self._cells.get(index)
            if cell is None and new > 0:
                new -= 1
                cell = self._cell(index)
            if cell is None:
                pygame.draw.rect(screen, self.look.colour["panel"], self.cell_rect(index))
                self._blanks = True
            else:
                self._cells.move_to_end(index)
                screen.blit(cell, self.cell_rect(index))
        screen.set_clip(clip)

    def preparing(self, now: float) -> Iterator[None]:
        """The cells of the first drawing rendered one a step: a scene drawn over frames splits them."""
        for index in self.visible():
            if index not in self._cells:
                self._cell(index)
                yield

    def _render_ahead(self) -> None:
        """Render the cells in view and a screenful either side, now, while the finger is down and no frame
        is waiting: then the frames of a swipe or a short fling only blit."""
        for index in self.visible(margin=self.page_length):
            if index not in self._cells:
                self._cell(index)

    def _cell(self, index: int) -> pygame.Surface:
        surface = self._cells[index] = self.render(index, self.cell)
        keep = KEPT_SCREENFULS * max(1, len(self.visible()))
        while len(self._cells) > keep:
            self._cells.popitem(last=False)
        return surface

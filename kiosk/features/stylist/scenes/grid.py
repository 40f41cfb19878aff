"""The products of one category in a grid that scrolls with the finger (kinetic, see :mod:`.kinetic`).

The grid is rendered once per entry into one opaque surface; each frame blits the visible part of it, so a
scroll costs one blit of the viewport (the benchmark holds it to the frame budget at 1920x1080).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pygame

from kiosk.features.stylist.flow import GRID
from kiosk.features.stylist.scenes.base import IMAGE_RATIO, StylistScene, StylistView, Tile
from kiosk.features.stylist.scenes.kinetic import Kinetic
from kiosk.ui.input import Drag, Input, Press, Release

COLUMNS = 4
TAP_SLOP = 0.012
"""A finger that moves less than this share of the screen width before lifting tapped; more, it scrolled."""


@dataclass(frozen=True)
class GridView(StylistView):
    category: str | None = None


class GridScene(StylistScene):
    name = GRID
    view_model = GridView
    view: GridView
    back_action = "stylist:home"

    def __init__(self, look, images) -> None:
        super().__init__(look, images)
        self.scroll = Kinetic(0)
        self.tiles: list[Tile] = []
        self.viewport = pygame.Rect(0, 0, 0, 0)
        self._content: pygame.Surface | None = None
        self._press: tuple[int, int] | None = None
        self._pressed: Tile | None = None
        self._travel = 0

    @property
    def animated(self) -> bool:  # type: ignore[override]
        return self.scroll.moving

    def leave(self) -> None:
        super().leave()
        self.tiles, self._content, self._pressed = [], None, None
        self.scroll = Kinetic(0)

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look, catalogue = self.look, self.catalogue
        category = catalogue.category(self.view.category or catalogue.categories[0].key)
        self.frame(screen, category.name[self.view.language])
        margin, gap = look.space("l"), look.space("m")
        self.viewport = pygame.Rect(margin, self.top, look.size[0] - 2 * margin, self.bottom - self.top)
        width = (self.viewport.width - (COLUMNS - 1) * gap) // COLUMNS
        picture = (width - 2 * look.space("s"), round((width - 2 * look.space("s")) * IMAGE_RATIO))
        height = picture[1] + look.px(110) + 2 * look.space("s")
        self.tiles = []
        for i, product in enumerate(catalogue.in_category(category.key)):
            rect = pygame.Rect((i % COLUMNS) * (width + gap), (i // COLUMNS) * (height + gap), width, height)
            sold_out = not any(product.stock.values())
            caption = self.t("stylist.sold_out") if sold_out else self.price(product.price)
            self.tiles.append(Tile(look, rect, f"stylist:product:{product.sku}", self.picture(product, picture),
                                   product.name[self.view.language], caption, muted=sold_out))
        rows = (len(self.tiles) + COLUMNS - 1) // COLUMNS
        content_height = max(self.viewport.height, rows * (height + gap) - gap)
        self.scroll = Kinetic(content_height - self.viewport.height)
        self._content = pygame.Surface((self.viewport.width, content_height)).convert()
        self._content.fill(screen.get_at(self.viewport.center)[:3])  # the background under the grid
        for tile in self.tiles:
            self._content.blit(tile.face(), tile.rect)
            tile.forget()  # the grid keeps its picture of the tiles; a pressed face is drawn when needed
        self._blit(screen)

    def _blit(self, screen: pygame.Surface) -> None:
        assert self._content is not None
        offset = round(self.scroll.offset)
        screen.blit(self._content, self.viewport, pygame.Rect(0, offset, *self.viewport.size))
        if self._pressed is not None:
            screen.set_clip(self.viewport)
            where = self._pressed.rect.move(self.viewport.left, self.viewport.top - offset)
            screen.blit(self._pressed.face(True), where)
            screen.set_clip(None)

    def animate(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        self.scroll.step(now)
        self._blit(screen)
        return [self.viewport]

    def _tile_at(self, pos: tuple[int, int]) -> Tile | None:
        x, y = pos[0] - self.viewport.left, pos[1] - self.viewport.top + round(self.scroll.offset)
        return next((tile for tile in self.tiles if tile.rect.collidepoint(x, y)), None)

    def handle(self, event: Input) -> str | None:
        now = time.monotonic()
        if isinstance(event, Press) and self.viewport.collidepoint(event.pos):
            self._press, self._travel = event.pos, 0
            self._pressed = self._tile_at(event.pos)
            self.scroll.press(now)
            return None
        if self._press is None:
            return super().handle(event)
        if isinstance(event, Drag):
            self._travel += abs(event.delta[0]) + abs(event.delta[1])
            if self._travel > TAP_SLOP * self.look.size[0]:
                self._pressed = None  # a scroll, not a tap
            self.scroll.drag(event.delta[1], now)
        elif isinstance(event, Release):
            tapped = self._pressed if self._pressed is not None and self._tile_at(event.pos) is self._pressed else None
            self._press, self._pressed = None, None
            self.scroll.release(now)
            if tapped is not None:
                self.scroll.velocity = 0.0
                return tapped.action
        return None

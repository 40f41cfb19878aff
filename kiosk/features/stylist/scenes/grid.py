"""The products of one category in the kit's scrolling grid (drag, fling, tap; only the cells in view drawn,
each rendered once): the benchmark holds its frames to the budget at 1920x1080."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.features.stylist.flow import GRID
from kiosk.features.stylist.scenes.base import IMAGE_RATIO, StylistScene, StylistView, Tile
from kiosk.ui.kit import Grid

COLUMNS = 4


@dataclass(frozen=True)
class GridView(StylistView):
    category: str | None = None


class GridScene(StylistScene):
    name = GRID
    view_model = GridView
    view: GridView
    back_action = "stylist:home"

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look, catalogue, language = self.look, self.catalogue, self.view.language
        category = catalogue.category(self.view.category or catalogue.categories[0].key)
        self.frame(screen, category.name[language])
        products = catalogue.in_category(category.key)
        margin, gap = look.space("l"), look.space("m")
        viewport = pygame.Rect(margin, self.top, look.size[0] - 2 * margin, self.bottom - self.top)
        width = (viewport.width - (COLUMNS - 1) * gap) // COLUMNS
        picture = (width - 2 * look.space("s"), round((width - 2 * look.space("s")) * IMAGE_RATIO))
        cell = (width, picture[1] + look.px(110) + 2 * look.space("s"))
        ground = screen.get_at(viewport.center)[:3]  # the background under the grid: cells are opaque, fast blits

        def render(index: int, size: tuple[int, int]) -> pygame.Surface:
            product = products[index]
            sold_out = not any(product.stock.values())
            caption = self.t("stylist.sold_out") if sold_out else self.price(product.price)
            tile = Tile(look, pygame.Rect((0, 0), size), "", self.picture_of(product, picture),
                        product.name[language], caption, muted=sold_out)
            face = pygame.Surface(size)  # the display's format: a cell blits as a plain copy
            face.fill(ground)
            return tile.paint(face)

        grid = Grid(look, viewport, len(products), cell, render, across=COLUMNS, action="stylist:pick", gap=gap)
        self.buttons = [*self.buttons, grid]

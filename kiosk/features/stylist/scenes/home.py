"""The stylist's start: the categories, the looks the store put together, and the style quiz as a way in."""

from __future__ import annotations

from functools import partial

import pygame

from kiosk.features.stylist.catalogue import SLOTS
from kiosk.features.stylist.flow import HOME
from kiosk.features.stylist.scenes.base import IMAGE_RATIO, StylistScene, StylistView, Tile
from kiosk.ui.kit import Button


class HomeScene(StylistScene):
    name = HOME
    view_model = StylistView
    back_action = "stylist:leave"

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look, catalogue, language = self.look, self.catalogue, self.view.language
        self.frame(screen, self.t("stylist.title"))
        margin, gap = look.space("l"), look.space("m")
        width = look.size[0] - 2 * margin
        lead = pygame.Rect(margin, self.top - look.px(30), width - look.px(560), look.px(70))
        look.fit(self.t("stylist.lead"), "lead", lead.size, max_lines=1, min_scale=0.6).draw(
            screen, lead, look.colour["muted"], valign="middle")
        quiz = Button(look, pygame.Rect(margin + width - look.px(520), lead.top, look.px(520), look.px(90)),
                      self.t("stylist.quiz"), "stylist:quiz")
        tiles: list[Tile] = []
        columns = len(catalogue.categories)
        tile_w = (width - (columns - 1) * gap) // columns
        pic = (tile_w - 2 * look.space("s"), look.px(250))
        top = lead.bottom + gap
        for i, category in enumerate(catalogue.categories):
            first = catalogue.in_category(category.key)[0]
            rect = pygame.Rect(margin + i * (tile_w + gap), top, tile_w, pic[1] + look.px(70) + 2 * look.space("s"))
            tiles.append(Tile(look, rect, f"stylist:category:{category.key}", self.picture_of(first, pic),
                              category.name[language]))
        heading = pygame.Rect(margin, tiles[0].rect.bottom + gap, width, look.px(60))
        look.fit(self.t("stylist.looks"), "label", heading.size, max_lines=1).draw(screen, heading,
                                                                                  look.colour["muted"])
        columns = max(1, len(catalogue.looks))
        look_w = (width - (columns - 1) * gap) // columns
        height = self.bottom - heading.bottom - look.space("s")
        for i, curated in enumerate(catalogue.looks[:4]):
            rect = pygame.Rect(margin + i * (look_w + gap), heading.bottom + look.space("s"), look_w, height)
            collage = partial(self._collage, curated.skus, rect, height)
            tiles.append(Tile(look, rect, f"stylist:curated:{curated.key}", collage, curated.name[language]))
        self.buttons = [*self.buttons, quiz, *tiles]

    def _collage(self, skus: tuple[str, ...], rect: pygame.Rect, height: int) -> pygame.Surface:
        """The look's products side by side, one per slot."""
        look = self.look
        room = (rect.width - 2 * look.space("s"), height - look.px(70) - 2 * look.space("s"))
        each = room[0] // len(SLOTS)
        size = (each, min(room[1], round(each * IMAGE_RATIO)))
        collage = pygame.Surface((each * len(skus), size[1]), pygame.SRCALPHA)
        for i, sku in enumerate(skus):
            picture = self.picture(self.catalogue.products[sku], size)
            collage.blit(picture, picture.get_rect(midtop=(i * each + each // 2, 0)))
        return collage

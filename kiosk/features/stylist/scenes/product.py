"""One product: its picture, name, price, description and colours, the sizes the store has, "add to my look"."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.features.stylist.flow import PRODUCT
from kiosk.features.stylist.scenes.base import StylistScene, StylistView, card
from kiosk.ui.kit import Button


@dataclass(frozen=True)
class ProductView(StylistView):
    sku: str | None = None
    size: str | None = None


class ProductScene(StylistScene):
    name = PRODUCT
    view_model = ProductView
    view: ProductView
    back_action = "stylist:back"

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look, language = self.look, self.view.language
        product = self.catalogue.products[self.view.sku or next(iter(self.catalogue.products))]
        self.frame(screen, self.catalogue.category(product.category).name[language])
        margin, gap = look.space("l"), look.space("l")
        height = self.bottom - self.top
        frame = pygame.Rect(margin, self.top, round(height / 1.25) + 2 * look.space("m"), height)
        inner = card(look, frame, screen)
        picture = self.picture(product, inner.size)
        screen.blit(picture, picture.get_rect(center=inner.center))

        x = frame.right + gap
        width = look.size[0] - margin - x
        y = self.top
        for text, style, lines, ink, room in (
                (product.name[language], "headline", 2, "text", look.px(200)),
                (self.price(product.price), "title", 1, "highlight", look.px(90)),
                (product.description[language], "body", 3, "muted", look.px(150)),
                (self.t("stylist.colours", colours=", ".join(self.catalogue.colours[c].name[language]
                                                             for c in product.colours)), "caption", 1, "muted",
                 look.px(50))):
            block = look.fit(text, style, (width, room), max_lines=lines)
            covered = block.draw(screen, pygame.Rect(x, y, width, room), look.colour[ink])
            y = covered.bottom + look.space("m")

        y += look.space("s")
        label = self.t("stylist.pick_size")
        look.fit(label, "label", (width, look.px(50)), max_lines=1).draw(
            screen, pygame.Rect(x, y, width, look.px(50)), look.colour["text"])
        y += look.px(70)
        chip_w, chip_h = look.px(130), look.px(90)
        chips, cx = [], x
        for size, pieces in product.stock.items():
            if cx + chip_w > x + width:
                cx, y = x, y + chip_h + look.space("s")
            rect = pygame.Rect(cx, y, chip_w, chip_h)
            shown = self.t("stylist.one_size") if size == "one" else size
            if pieces > 0:
                chips.append(Button(look, rect, shown, f"stylist:size:{size}",
                                    "primary" if size == self.view.size else "secondary"))
            else:  # sold out: shown, struck through, not pressable
                pygame.draw.rect(screen, look.colour["line"], rect, width=look.px(2), border_radius=chip_h // 2)
                look.fit(shown, "label", rect.size, max_lines=1).draw(screen, rect, look.colour["muted"],
                                                                       align="centre", valign="middle")
                strike = rect.inflate(-chip_h // 2, -chip_h // 3)
                pygame.draw.line(screen, look.colour["muted"], strike.bottomleft, strike.topright, look.px(2))
            cx += chip_w + look.space("s")
        y += chip_h + look.space("s")
        if self.view.size is not None:  # how many the store has of the size picked
            box = pygame.Rect(x, y, width, look.px(50))
            look.fit(self.t("stylist.in_store", count=product.stock[self.view.size]), "caption", box.size,
                     max_lines=1).draw(screen, box, look.colour["muted"])
        y += look.px(50) + look.space("m")
        add = pygame.Rect(x, y, min(width, look.px(520)), look.px(100))
        if self.view.size is not None:
            chips.append(Button(look, add, self.t("stylist.add"), "stylist:add"))
        else:
            look.fit(self.t("stylist.size_first"), "body", add.size, max_lines=2).draw(
                screen, add, look.colour["muted"], valign="middle")
        self.buttons = [*self.buttons, *chips]

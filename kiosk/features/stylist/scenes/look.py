"""The look being built: one card per slot (the pick with its size and price, or suggestions that go with the
rest), the total, where to bring it, and the button that calls an associate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pygame

from kiosk.features.stylist.catalogue import SLOTS
from kiosk.features.stylist.flow import LOOK
from kiosk.features.stylist.looks import Answers, Look, suggestions
from kiosk.features.stylist.requests import DELIVER_TO
from kiosk.features.stylist.scenes.base import IMAGE_RATIO, StylistScene, StylistView, Tile, card
from kiosk.ui.kit import Button


@dataclass(frozen=True)
class LookView(StylistView):
    look: Look = field(default_factory=Look)
    answers: Answers = field(default_factory=Answers)  # the quiz's, for the suggestions
    history: Mapping[str, int] = field(default_factory=dict)  # the member's style tags, for the suggestions
    deliver_to: str = DELIVER_TO[0]


class LookScene(StylistScene):
    name = LOOK
    view_model = LookView
    view: LookView
    back_action = "stylist:home"
    with_look_button = False

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look, catalogue, language = self.look, self.catalogue, self.view.language
        self.frame(screen, self.t("stylist.look_title"))
        margin, gap = look.space("l"), look.space("m")
        width = look.size[0] - 2 * margin
        column = (width - (len(SLOTS) - 1) * gap) // len(SLOTS)
        footer = look.px(120)
        height = self.bottom - self.top - footer - gap
        widgets: list = []
        for i, slot in enumerate(SLOTS):
            rect = pygame.Rect(margin + i * (column + gap), self.top, column, height)
            inner = card(look, rect, screen)
            look.fit(self.t(f"stylist.slot.{slot}"), "label", (inner.width, look.px(50)), max_lines=1).draw(
                screen, pygame.Rect(inner.left, inner.top, inner.width, look.px(50)), look.colour["muted"])
            body = pygame.Rect(inner.left, inner.top + look.px(60), inner.width, inner.height - look.px(60))
            pick = self.view.look.picks.get(slot)
            if pick is None:
                widgets += self._suggestions(screen, slot, body)
                continue
            product = catalogue.products[pick.sku]
            if pick.size is None:
                size = self.t("stylist.size_missing")
            else:
                size = self.t("stylist.one_size") if pick.size == "one" else self.t("stylist.size", size=pick.size)
            tile = pygame.Rect(body.left, body.top, body.width, body.height - look.px(100))
            pic = (tile.width - 2 * look.space("s"), min(round((tile.width - 2 * look.space("s")) * IMAGE_RATIO),
                                                          tile.height - look.px(130)))
            widgets.append(Tile(look, tile, f"stylist:product:{pick.sku}", self.picture_of(product, pic),
                                product.name[language], f"{size} · {self.price(product.price)}"))
            widgets.append(Button(look, pygame.Rect(body.left, body.bottom - look.px(90), body.width, look.px(90)),
                                  self.t("stylist.remove"), f"stylist:remove:{slot}", "quiet"))
        widgets += self._footer(screen, self.top + height + gap, footer)
        self.buttons = [*self.buttons, *widgets]

    def _suggestions(self, screen: pygame.Surface, slot: str, body: pygame.Rect) -> list:
        look = self.look
        look.fit(self.t("stylist.goes_with"), "caption", (body.width, look.px(46)), max_lines=1).draw(
            screen, pygame.Rect(body.left, body.top, body.width, look.px(46)), look.colour["muted"])
        skus = [p.sku for p in suggestions(self.catalogue, self.view.look, slot, self.view.answers,
                                           self.view.history, limit=3)]
        top = body.top + look.px(56)
        each = (body.height - look.px(56) - 2 * look.space("s")) // 3
        tiles = []
        for i, sku in enumerate(skus):
            product = self.catalogue.products[sku]
            rect = pygame.Rect(body.left, top + i * (each + look.space("s")), body.width, each)
            side = each - 2 * look.space("s")
            tiles.append(Tile(look, rect, f"stylist:product:{sku}", self.picture_of(product, (side, side)),
                              product.name[self.view.language], self.price(product.price), beside=True))
        return tiles

    def _footer(self, screen: pygame.Surface, y: int, height: int) -> list:
        look, catalogue = self.look, self.catalogue
        margin = look.space("l")
        widgets = []
        total = self.t("stylist.total", total=self.price(self.view.look.total(catalogue)))
        look.fit(total, "title", (look.px(460), height), max_lines=1, min_scale=0.6).draw(
            screen, pygame.Rect(margin, y, look.px(460), height), look.colour["text"], valign="middle")
        x = margin + look.px(480)
        for where in DELIVER_TO:
            rect = pygame.Rect(x, y + look.px(10), look.px(340), look.px(100))
            widgets.append(Button(look, rect, self.t(f"stylist.deliver.{where}"), f"stylist:deliver:{where}",
                                  "quiet", selected=where == self.view.deliver_to))
            x = rect.right + look.space("s")
        send = pygame.Rect(look.size[0] - margin - look.px(480), y + look.px(10), look.px(480), look.px(100))
        if self.view.look.ready(catalogue):
            widgets.append(Button(look, send, self.t("stylist.submit"), "stylist:submit"))
        else:
            look.fit(self.t("stylist.not_ready"), "caption", send.size, max_lines=2).draw(
                screen, send, look.colour["muted"], align="right", valign="middle")
        return widgets

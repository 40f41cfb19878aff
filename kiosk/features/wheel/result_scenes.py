"""After the spin: the prize with its code (text and QR), how to redeem it and until when; or a kind word and
the next chance. And the rules and odds, a tap away from the wheel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pygame

from kiosk.core.prizes import Awarded, odds, win_chance
from kiosk.features.wheel.wheel_scene import content_wheel
from kiosk.ui.kit import Button, Card, done_button
from kiosk.ui.qr import qr_surface
from kiosk.ui.scene import Scene, View

OPEN = "wheel:open"
NOTHING_AWARDED = Awarded()


@dataclass(frozen=True)
class ResultView(View):
    won: bool = False
    segment: str = ""  # the wheel's segment: its name and how to redeem it, in the language on screen
    label: str = ""  # the backend's name of the prize, for one not on this kiosk's wheel
    code: str = ""
    expires: date | None = None
    next_chance: str = ""  # when the member may spin again; empty when they may now
    recovered: bool = False  # shown after a restart that interrupted the spin


class ResultScene(Scene):
    name = "wheel_result"
    view_model = ResultView
    view: ResultView

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look, view = self.look, self.view
        width, height = look.size
        ink = look.colour
        self.buttons = [done_button(look, view.language)]
        if not view.next_chance and not view.recovered:
            again = pygame.Rect(look.px(40), height - look.px(130), look.px(420), look.px(90))
            self.buttons.append(Button(look, again, self.t("wheel.again"), OPEN, "secondary"))
        left = pygame.Rect(look.px(140), look.px(120), int(width * 0.52), height - look.px(300))
        y = left.top
        if view.recovered:
            block = look.fit(self.t("wheel.recovered"), "lead", (left.width, look.px(120)), max_lines=2)
            block.draw(screen, pygame.Rect(left.left, y, left.width, block.size[1]), ink["muted"])
            y += block.size[1] + look.space("s")
        title = self.t("wheel.won") if view.won else self.t("wheel.lost")
        block = look.fit(title, "headline", (left.width, look.px(130)), max_lines=1, min_scale=0.5)
        block.draw(screen, pygame.Rect(left.left, y, left.width, block.size[1]), ink["text"])
        y += block.size[1] + look.space("m")
        lines = []
        if view.won:
            segment = content_wheel(look).segment(view.segment)
            label = segment.labels[view.language] if segment else view.label
            redeem = segment.redeem.get(view.language, "") if segment else ""
            lines = [(label, "title", ink["accent"], 2), (view.code, "figure", ink["text"], 1),
                     (redeem, "body", ink["text"], 3)]
            if view.expires is not None:
                lines.append((self.t("wheel.expires", day=look.day(view.language, view.expires)), "body",
                              ink["muted"], 1))
            lines.append((self.t("wheel.on_phone"), "caption", ink["muted"], 2))
        else:
            lines = [(self.t("wheel.lost_body"), "lead", ink["muted"], 3)]
        if view.next_chance:
            lines.append((view.next_chance, "lead", ink["accent"], 3))
        for text, style, colour, max_lines in lines:
            block = look.fit(text, style, (left.width, look.px(220)), max_lines=max_lines, min_scale=0.4)
            block.draw(screen, pygame.Rect(left.left, y, left.width, block.size[1]), colour)
            y += block.size[1] + look.space("s")
        if view.won and view.code:
            side = min(int(width * 0.28), look.px(440))
            qr = qr_surface(view.code, side)
            box = qr.get_rect(midtop=(int(width * 0.8), look.px(200)))
            Card(look, box.inflate(2 * look.space("m"), 2 * look.space("m"))).draw(screen, now)
            screen.blit(qr, box)


@dataclass(frozen=True)
class RulesView(View):
    awarded: Awarded = NOTHING_AWARDED  # the prizes awarded so far: the odds of the next spin follow them


class RulesScene(Scene):
    name = "wheel_rules"
    view_model = RulesView
    view: RulesView

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look, view = self.look, self.view
        wheel = content_wheel(look)
        width, height = look.size
        ink = look.colour
        back = pygame.Rect(look.px(40), height - look.px(130), look.px(420), look.px(90))
        self.buttons = [done_button(look, view.language), Button(look, back, self.t("wheel.back"), OPEN, "secondary")]
        column = pygame.Rect(look.px(140), look.px(90), width - look.px(280), look.px(120))
        look.fit(self.t("wheel.rules"), "headline", column.size, max_lines=1).draw(screen, column, ink["text"])
        y = column.bottom + look.space("s")
        limits = wheel.limits
        rules = [self.t(f"wheel.limit_{limits.period}", spins=limits.spins, day=limits.until),
                 self.t("wheel.members_only")]
        if limits.cooldown_s:
            rules.append(self.t("wheel.cooldown", minutes=max(1, round(limits.cooldown_s / 60))))
        if wheel.odds == "stock":
            rules.append(self.t("wheel.odds_stock"))
        chance = win_chance(wheel, view.awarded)
        rules.append(self.t("wheel.win_chance", percent=look.number(view.language, round(chance * 100, 1))))
        for rule in rules:
            block = look.fit(rule, "body", (column.width, look.px(110)), max_lines=2)
            block.draw(screen, pygame.Rect(column.left, y, column.width, block.size[1]), ink["muted"])
            y += block.size[1] + look.space("xs")
        y += look.space("m")
        row_h = min(look.px(70), (height - look.px(170) - y) // max(1, len(wheel.segments)))
        for segment, chance in zip(wheel.segments, odds(wheel, view.awarded), strict=True):
            swatch = pygame.Rect(column.left, y + row_h // 4, row_h // 2, row_h // 2)
            pygame.draw.rect(screen, segment.colour, swatch, border_radius=look.radius("s"))
            pygame.draw.rect(screen, ink["line"], swatch, width=1, border_radius=look.radius("s"))
            name = look.fit(segment.labels[view.language], "body", (int(column.width * 0.6), row_h), max_lines=1)
            name.draw(screen, pygame.Rect(swatch.right + look.space("m"), y, int(column.width * 0.6), row_h),
                      ink["text"], valign="middle")
            percent = self.t("wheel.chance", percent=look.number(view.language, round(chance * 100, 1)))
            share = look.fit(percent, "body", (int(column.width * 0.25), row_h), max_lines=1)
            share.draw(screen, pygame.Rect(column.right - int(column.width * 0.25), y, int(column.width * 0.25),
                                           row_h), ink["text"], align="right", valign="middle")
            y += row_h

"""A member's profile: the greeting (welcome back, or welcome to the club), points, the tier as a badge in its
colour with the way to the next tier, the member's offers with the day each is good until, and the ways into
the features installed (the prize wheel, the stylist)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pygame

from kiosk.backend.models import Offer
from kiosk.core.member import Member, TierProgress
from kiosk.features.welcome.scenes.badge import draw_badge, tier_colour
from kiosk.ui.kit import Button, Card, Grid, ProgressBar, done_button, language_switch
from kiosk.ui.scene import Scene, View

ENTRIES = ("wheel", "stylist")
"""Features the profile leads into, each by its action ``<name>:open``, shown where the feature is installed."""
SHOWN_OFFERS = 3
"""Offers on one page of the profile's offer grid; a swipe up turns to the next page."""


@dataclass(frozen=True)
class WelcomeView(View):
    member: Member | None = None
    progress: TierProgress | None = None
    offers: tuple[Offer, ...] = ()
    entries: tuple[str, ...] = ()  # of ENTRIES, the installed ones
    joined: bool = False  # joined in this session: "welcome to the club"
    pending: bool = False  # the backend has not confirmed the sign-up yet


class WelcomeScene(Scene):
    name = "welcome"
    view_model = WelcomeView
    view: WelcomeView

    def __init__(self, look) -> None:
        super().__init__(look)
        self.offers: Grid | None = None  # the member's offers, when they have any

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        member, progress = self.view.member, self.view.progress
        if member is None or progress is None:
            raise ValueError("the welcome scene needs a member and their tier progress")
        width = look.size[0]
        margin = look.space("xl")
        ink = look.colour
        self.buttons = [*language_switch(look, self.view.language), done_button(look, self.view.language)]
        self.offers = None
        if self.view.joined:
            greeting = self.t("welcome.joined_name", name=member.name) if member.name else self.t("welcome.joined")
        else:
            greeting = self.t("welcome.greeting", name=member.name)
        top = look.px(60)
        headline = look.fit(greeting, "headline", (width - 2 * margin, look.px(130)), max_lines=1, min_scale=0.4)
        headline.draw(screen, pygame.Rect(margin, top, width - 2 * margin, look.px(130)), ink["text"],
                      valign="middle")
        top += look.px(140)
        if self.view.pending:
            note = look.fit(self.t("welcome.pending"), "body", (width - 2 * margin, look.px(60)), max_lines=1)
            note.draw(screen, pygame.Rect(margin, top, width - 2 * margin, look.px(60)), ink["muted"])
        top += look.px(80)
        column = (width - 2 * margin - look.space("l")) // 2
        card = Card(look, pygame.Rect(margin, top, column, look.px(520)))
        card.draw(screen, now)
        self._draw_standing(screen, card.inner, member, progress)
        self._draw_offers(screen, pygame.Rect(margin + column + look.space("l"), top, column, look.px(520)), now)
        entry_top = top + look.px(520) + look.space("m")
        x = margin
        for i, name in enumerate(self.view.entries):
            label = self.t(f"welcome.{name}")
            size = (min(column, look.font("label").size(label)[0] + 2 * look.space("l")),
                    max(look.px(100), look.min_target))
            self.buttons.append(Button(look, pygame.Rect((x, entry_top), size), label, f"{name}:open",
                                       "primary" if i == 0 else "secondary"))
            x += size[0] + look.space("m")

    def _draw_standing(self, screen: pygame.Surface, box: pygame.Rect, member: Member,
                       progress: TierProgress) -> None:
        """Points, the tier badge, the bar to the next tier and how far it is."""
        look = self.look
        ink = look.colour
        points = look.fit(self.t("welcome.points", points=member.points), "figure", (box.width, look.px(180)),
                          max_lines=1)
        points.draw(screen, pygame.Rect(box.left, box.top, box.width, look.px(180)), ink["highlight"],
                    valign="middle")
        tier_name = self.t("welcome.tier", tier=self.t(f"tier.{progress.current.key}"))
        label = look.fit(tier_name, "title", (box.width - look.px(90), look.px(80)), max_lines=1)
        draw_badge(screen, look, label, tier_colour(look, progress.current), box.left, box.top + look.px(200))
        bar_top = box.top + look.px(320)
        ProgressBar(look, pygame.Rect(box.left, bar_top, box.width, look.px(28)), progress.fraction).draw(screen, 0)
        if progress.next is None:
            note = self.t("welcome.top")
        else:
            note = self.t("welcome.to_next", points=progress.points_to_next, tier=self.t(f"tier.{progress.next.key}"))
        note_box = pygame.Rect(box.left, bar_top + look.px(48), box.width, box.bottom - bar_top - look.px(48))
        look.fit(note, "lead", note_box.size, max_lines=2).draw(screen, note_box, ink["muted"])

    def _draw_offers(self, screen: pygame.Surface, box: pygame.Rect, now: float) -> None:
        """The member's offers in the kit's paged grid, SHOWN_OFFERS a page: a swipe up shows the next ones, and
        a caption beside the title says how many there are when they do not fit on one page."""
        look = self.look
        ink = look.colour
        offers = self.view.offers
        more = len(offers) > SHOWN_OFFERS
        title_width = box.width // 2 if more else box.width
        title = look.fit(self.t("welcome.offers"), "title", (title_width, look.px(80)), max_lines=1)
        title.draw(screen, pygame.Rect(box.left, box.top, title_width, look.px(80)), ink["text"], valign="middle")
        if not offers:
            empty = look.fit(self.t("welcome.no_offers"), "lead", (box.width, look.px(200)), max_lines=3)
            empty.draw(screen, pygame.Rect(box.left, box.top + look.px(100), box.width, 0), ink["muted"])
            return
        if more:
            hint_box = pygame.Rect(box.left + title_width, box.top, box.width - title_width, look.px(80))
            hint = look.fit(self.t("welcome.offers_more", count=len(offers)), "caption", hint_box.size, max_lines=2)
            hint.draw(screen, hint_box, ink["muted"], align="right", valign="middle")
        gap = look.space("s")
        height = (box.height - look.px(100) - gap * (SHOWN_OFFERS - 1)) // SHOWN_OFFERS
        viewport = pygame.Rect(box.left, box.top + look.px(100), box.width, SHOWN_OFFERS * (height + gap) - gap)
        # Each cell is opaque: its corners show the background of its place on a page (a page puts the same
        # places under the same slots), so a page of cells is a few plain blits.
        grounds = [screen.subsurface(pygame.Rect(viewport.left, viewport.top + i * (height + gap), box.width,
                                                 height)).copy() for i in range(min(SHOWN_OFFERS, len(offers)))]

        def render(index: int, size: tuple[int, int]) -> pygame.Surface:
            cell = grounds[index % SHOWN_OFFERS].copy()
            card = Card(look, pygame.Rect((0, 0), size), elevated=False, radius="m")
            card.draw(cell, now)
            offer, inner = offers[index], card.inner
            name = look.fit(offer.title, "label", (inner.width, inner.height * 3 // 5), max_lines=2)
            name.draw(cell, pygame.Rect(inner.left, inner.top, inner.width, 0), ink["text"])
            until = datetime.fromisoformat(offer.valid_until).date()
            valid = look.fit(self.t("welcome.valid_until", day=until), "caption",
                             (inner.width, inner.height * 2 // 5), max_lines=1)
            valid.draw(cell, pygame.Rect(inner.left, inner.bottom - valid.size[1], inner.width, 0), ink["muted"])
            return cell

        self.offers = Grid(look, viewport, len(offers), (box.width, height), render, paged=True, gap=gap)
        self.buttons.append(self.offers)

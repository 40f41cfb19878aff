"""The join screen for a new face: what the club gives, the QR code and "hold your phone here" that hand the
sign-up to the shopper's phone, how long the screen waits for that phone, and the way to join on the kiosk.

A phone that already read the join tag gets "carry on on your phone" instead of the code. Without a join URL
the backend took (none configured, or the offer failed), the form is the one way in and takes the middle. A
shopper whose sign-up found them a member already is shown the way to log in instead (the phone page's
log-in, or their card). Where the stylist is offered, a shopper who does not want to join now can build a look
instead (beside Done).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

from kiosk.ui.kit import Button, Card, ProgressBar, done_button, language_switch
from kiosk.ui.qr import qr_surface
from kiosk.ui.scene import Scene, View


@dataclass(frozen=True)
class JoinView(View):
    join_url: str | None = None  # the one-time sign-up URL the QR code and the join tag carry
    phone_tapped: bool = False  # the shopper's phone read the join tag: the sign-up goes on there
    waits_until: float | None = None  # monotonic time until which the screen waits for the phone
    already_member: bool = False  # the shopper's sign-up found them a member: show the way to log in
    stylist: bool = False  # the stylist is offered: a way into it instead of joining


FORM_ACTION = "join:form"


class JoinScene(Scene):
    name = "join"
    view_model = JoinView
    view: JoinView

    def __init__(self, look) -> None:
        super().__init__(look)
        self._qr: tuple[str, int, pygame.Surface] | None = None
        self._wait_box = pygame.Rect(0, 0, 0, 0)
        self._shown_seconds: int | None = None

    @property
    def animated(self) -> bool:
        """Only the countdown moves, once a second."""
        return self.view.waits_until is not None and self._handoff

    @property
    def _handoff(self) -> bool:
        return self.view.phone_tapped or bool(self.view.join_url)

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        width, height = look.size
        ink = look.colour
        done = done_button(look, self.view.language)
        self.buttons = [*language_switch(look, self.view.language), done]
        if self.view.stylist:
            label = self.t("join.stylist")
            entry = pygame.Rect(0, done.rect.top, look.font("label").size(label)[0] + 2 * look.space("l"),
                                done.rect.height)
            entry.right = done.rect.left - look.space("m")
            self.buttons.append(Button(look, entry, label, "stylist:open", "secondary"))
        column = int(width * (0.5 if self._handoff else 0.8))
        left = look.space("xl") if self._handoff else (width - column) // 2
        align = "left" if self._handoff else "centre"
        y = look.px(150)
        texts = (("join.member_title", "headline", 3, ink["text"]), ("join.member_body", "lead", 4, ink["muted"])) \
            if self.view.already_member else (("join.title", "headline", 2, ink["text"]),
                                              ("join.body", "lead", 4, ink["muted"]),
                                              ("join.bonus", "title", 2, ink["accent"]))
        for key, style, lines, colour in texts:
            block = look.fit(self.t(key), style, (column, look.px(260)), max_lines=lines)
            y = block.draw(screen, pygame.Rect(left, y, column, 0), colour, align=align).bottom + look.space("m")
        if not self.view.already_member:
            form = pygame.Rect(0, y + look.space("s"), min(column, look.px(620)), max(look.px(110), look.min_target))
            if self._handoff:
                form.left = left
            else:
                form.centerx = width // 2
            self.buttons.append(Button(look, form, self.t("join.on_kiosk"), FORM_ACTION, "secondary"
                                       if self._handoff else "primary"))
        if self._handoff:
            self._draw_handoff(screen, now, pygame.Rect(int(width * 0.58), look.px(120), int(width * 0.36),
                                                        height - look.px(320)))

    def _draw_handoff(self, screen: pygame.Surface, now: float, card: pygame.Rect) -> None:
        look = self.look
        ink = look.colour
        panel = Card(look, card)
        panel.draw(screen, now)
        inner = panel.inner
        y = inner.top
        if self.view.phone_tapped:
            block = look.fit(self.t("join.on_phone"), "title", (inner.width, look.px(300)), max_lines=3)
            y = block.draw(screen, pygame.Rect(inner.left, y + look.px(80), inner.width, 0), ink["text"],
                           align="centre").bottom
        else:
            qr = self._qr_code(min(inner.width, inner.height - look.px(260)))
            screen.blit(qr, qr.get_rect(midtop=(inner.centerx, y)))
            y += qr.get_height() + look.space("s")
            block = look.fit(self.t("join.scan"), "body", (inner.width, look.px(110)), max_lines=2)
            y = block.draw(screen, pygame.Rect(inner.left, y, inner.width, 0), ink["text"], align="centre").bottom
        self._wait_box = pygame.Rect(inner.left, max(y + look.space("s"), inner.bottom - look.px(110)),
                                     inner.width, look.px(110))
        self._shown_seconds = None
        self._draw_wait(screen, now)

    def _draw_wait(self, screen: pygame.Surface, now: float) -> None:
        """The line saying how long the screen keeps waiting, and a bar that empties with it."""
        if self.view.waits_until is None:
            return
        look = self.look
        box = self._wait_box
        seconds = max(0, math.ceil(self.view.waits_until - now))
        self._shown_seconds = seconds
        pygame.draw.rect(screen, look.colour["panel"], box)
        note = look.fit(self.t("join.waiting", seconds=seconds), "caption", (box.width, look.px(70)), max_lines=2,
                        keep=True)  # a countdown: balanced once a second while the shopper waits, not personal
        note.draw(screen, pygame.Rect(box.left, box.top, box.width, look.px(70)), look.colour["muted"],
                  align="centre")
        total = max(1.0, self.view.waits_until - self.entered_at)
        ProgressBar(look, pygame.Rect(box.left, box.bottom - look.px(14), box.width, look.px(14)),
                    (self.view.waits_until - now) / total).draw(screen, now)

    def animate(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        if self.view.waits_until is None or math.ceil(self.view.waits_until - now) == self._shown_seconds:
            return []
        self._draw_wait(screen, now)
        return [self._wait_box]

    def _qr_code(self, side: int) -> pygame.Surface:
        url = self.view.join_url or ""
        if self._qr is None or self._qr[:2] != (url, side):
            self._qr = (url, side, qr_surface(url, side))
        return self._qr[2]

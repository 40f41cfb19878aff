"""The attract loop: the invitation to tap, with rings pulsing out of the reader target, and the join URL as a
QR code for phones without NFC. When the reader is down the QR code takes the target's place (and nothing
animates)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

from kiosk.ui.kit import language_switch
from kiosk.ui.look import mix
from kiosk.ui.qr import qr_surface
from kiosk.ui.scene import Scene, View

RING_PERIOD_S = 2.4
RINGS = 3
RING_CORE = 150  # radius of the reader target, pixels at 1080 lines


@dataclass(frozen=True)
class AttractView(View):
    join_url: str | None = None  # the one-time sign-up URL, shown as a QR code
    reader_ok: bool = True  # False: the NFC reader is down, the QR code takes the target's place


class AttractScene(Scene):
    name = "attract"
    view_model = AttractView
    view: AttractView

    def __init__(self, look) -> None:
        super().__init__(look)
        self._qr: tuple[str, int, pygame.Surface] | None = None  # (url, side, surface): rendered once per URL

    @property
    def animated(self) -> bool:
        return not self._qr_only

    @property
    def _qr_only(self) -> bool:
        """The reader is down and there is a join URL: offer the QR code instead of "tap here"."""
        return not self.view.reader_ok and bool(self.view.join_url)

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        width = look.size[0]
        self.buttons = language_switch(look, self.view.language)
        left = look.space("xl")
        column = int(width * 0.52)
        title, subtitle = ("attract.qr_title", "attract.qr_hint") if self._qr_only else ("attract.title",
                                                                                        "attract.subtitle")
        y = look.px(240)
        headline = look.fit(self.t(title), "headline", (column, look.px(330)))
        y = headline.draw(screen, pygame.Rect(left, y, column, 0), look.colour["text"]).bottom + look.space("m")
        lead = look.fit(self.t(subtitle), "lead", (int(width * 0.45), look.px(200)), max_lines=4)
        y = lead.draw(screen, pygame.Rect(left, y, column, 0), look.colour["muted"]).bottom
        self._ring_area = self._target_rect()
        hint_box = pygame.Rect(0, 0, int(look.px(RING_CORE) * 1.6), int(look.px(RING_CORE) * 1.2))
        self._hint = look.fit(self.t("attract.hint"), "label", hint_box.size, max_lines=2)  # set once, drawn per frame
        if self._qr_only:
            qr = self._qr_code(look.px(520))
            screen.blit(qr, qr.get_rect(center=self._ring_area.center))
            return
        self._draw_rings(screen, now)
        if self.view.join_url:
            self._draw_small_qr(screen, left, y + look.px(40))

    def _draw_small_qr(self, screen: pygame.Surface, left: int, top: int) -> None:
        """Beside "tap here": the same join URL for phones with NFC off, if it fits above the language chips."""
        look = self.look
        room = look.size[1] - look.px(140) - top
        if room < look.px(120):
            return
        qr = self._qr_code(min(room, look.px(230)))
        screen.blit(qr, (left, top))
        caption_box = pygame.Rect(left + qr.get_width() + look.space("m"), top,
                                  int(look.size[0] * 0.5) - qr.get_width() - look.space("m"), qr.get_height())
        caption = look.fit(self.t("attract.qr"), "caption", caption_box.size, max_lines=4)
        caption.draw(screen, caption_box, look.colour["muted"], valign="middle")

    def _qr_code(self, side: int) -> pygame.Surface:
        url = self.view.join_url or ""
        if self._qr is None or self._qr[:2] != (url, side):
            self._qr = (url, side, qr_surface(url, side))
        return self._qr[2]

    def _target_rect(self) -> pygame.Rect:
        look = self.look
        side = look.px(620)
        rect = pygame.Rect(0, 0, side, side)
        rect.center = (int(look.size[0] * 0.77), look.size[1] // 2)
        return rect

    def animate(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        # Only the rings move: redraw that square and leave the texts alone (CPU budget on the attract loop).
        screen.blit(self.look.background(), self._ring_area, self._ring_area)
        self._draw_rings(screen, now)
        return [self._ring_area]

    def _draw_rings(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        area = self._ring_area
        centre = area.center
        core = look.px(RING_CORE)
        reach = area.width // 2 - look.px(4)
        backdrop = look.background().get_at(centre)[:3]
        phase = ((now - self.entered_at) / RING_PERIOD_S) % 1.0
        for i in range(RINGS):
            t = (phase + i / RINGS) % 1.0
            radius = int(core + (reach - core) * t)
            colour = mix(look.colour["accent"], backdrop, t)
            pygame.draw.circle(screen, colour, centre, radius, width=look.px(10))
        pulse = 1 + 0.04 * math.sin((now - self.entered_at) * 2 * math.pi / RING_PERIOD_S)
        pygame.draw.circle(screen, look.colour["accent"], centre, int(core * pulse))
        hint_box = pygame.Rect(0, 0, *self._hint.size)
        hint_box.center = centre
        self._hint.draw(screen, hint_box, look.colour["on_accent"], align="centre", valign="middle")

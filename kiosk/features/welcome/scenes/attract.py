"""The attract loop: the invitation to tap, with rings pulsing out of the reader target (a phone drawn in it),
and the join URL as a QR code on a card for phones without NFC. When the reader is down the QR code takes the
target's place (and nothing animates). Where the stylist is offered, a quieter way in for anyone, card or not,
sits in the bottom right corner (where Done is on the shopper's screens), away from the target."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

from kiosk.ui import icons
from kiosk.ui.kit import Button, Card, language_switch
from kiosk.ui.look import mix
from kiosk.ui.qr import qr_surface
from kiosk.ui.scene import Scene, View

RING_PERIOD_S = 2.4
RINGS = 3
RING_CORE = 150  # radius of the reader target, pixels at 1080 lines
PULSE = 0.04  # the target breathes by this share of its radius
RESTORE_ROWS = 16  # the height of the rectangles a frame puts the background back in


@dataclass(frozen=True)
class AttractView(View):
    join_url: str | None = None  # the one-time sign-up URL, shown as a QR code
    reader_ok: bool = True  # False: the NFC reader is down, the QR code takes the target's place
    stylist: bool = False  # the stylist is offered: "Build a look", no card needed


class AttractScene(Scene):
    name = "attract"
    # The rings widen 65 px a second and the target breathes 6 px: a frame every 60 ms (4 px a step) draws that
    # smoothly, on every third of the sleeping loop's 20 ms looks for input (kiosk/bus.py), which wake it anyway.
    max_fps = 1 / 0.06
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
        column = int(width * 0.5)
        title, subtitle = ("attract.qr_title", "attract.qr_hint") if self._qr_only else ("attract.title",
                                                                                        "attract.subtitle")
        y = look.px(200)
        headline = look.fit(self.t(title), "headline", (column, look.px(330)))
        y = headline.draw(screen, pygame.Rect(left, y, column, 0), look.colour["text"]).bottom + look.space("m")
        lead = look.fit(self.t(subtitle), "lead", (int(width * 0.45), look.px(200)), max_lines=4)
        y = lead.draw(screen, pygame.Rect(left, y, column, 0), look.colour["muted"]).bottom
        self._ring_area = self._target_rect()
        if self.view.stylist:
            self._stylist_entry(screen)
        if self._qr_only:
            side = look.px(520)
            card = Card(look, pygame.Rect(0, 0, side + 2 * look.space("m"), side + 2 * look.space("m")))
            card.rect.center = self._ring_area.center
            card.draw(screen, now)
            qr = self._qr_code(side)
            screen.blit(qr, qr.get_rect(center=card.rect.center))
            return
        self._restore = self._restore_blits()
        self._label = self._render_label(screen)
        self._draw_rings(screen, now)
        if self.view.join_url:
            self._draw_qr_card(screen, left, y + look.space("l"))

    def _draw_qr_card(self, screen: pygame.Surface, left: int, top: int) -> None:
        """Beside "tap here": the same join URL on a card, for phones with NFC off, if it fits above the
        language switch."""
        look = self.look
        pad = look.space("m")
        room = look.size[1] - look.px(150) - top
        side = min(room - 2 * pad, look.px(220))
        if side < look.px(110):
            return
        card = Card(look, pygame.Rect(left, top, int(look.size[0] * 0.42), side + 2 * pad))
        card.draw(screen, now=0.0)
        qr = self._qr_code(side)  # whole pixels per module: it may come out smaller than the square
        screen.blit(qr, qr.get_rect(center=(card.rect.left + pad + side // 2, card.rect.centery)))
        text_left = card.rect.left + pad + (side + qr.get_width()) // 2 + pad
        box = pygame.Rect(text_left, card.rect.top + pad, card.rect.right - pad - text_left, side)
        title = look.fit(self.t("attract.qr"), "label", (box.width, box.height // 2), max_lines=2)
        hint = look.fit(self.t("attract.qr_hint"), "caption", (box.width, box.height // 2), max_lines=3)
        gap = look.space("xs")
        top_of_text = box.centery - (title.size[1] + gap + hint.size[1]) // 2
        title.draw(screen, pygame.Rect(box.left, top_of_text, box.width, title.size[1]), look.colour["text"])
        hint.draw(screen, pygame.Rect(box.left, top_of_text + title.size[1] + gap, box.width, hint.size[1]),
                  look.colour["muted"])

    def _stylist_entry(self, screen: pygame.Surface) -> None:
        """A secondary button in the bottom right corner with "no card needed" above it: it starts a session of
        the shopper's own in the stylist (``stylist:open``)."""
        look = self.look
        label = self.t("attract.stylist")
        width = max(look.px(300), look.font("label").size(label)[0] + 2 * look.space("l"))
        height = max(look.px(90), look.min_target)
        rect = pygame.Rect(0, 0, width, height)
        rect.bottomright = (look.size[0] - look.space("m"), look.size[1] - look.space("m"))
        self.buttons.append(Button(look, rect, label, "stylist:open", "secondary"))
        room = pygame.Rect(look.size[0] // 2, rect.top - look.px(60), rect.right - look.size[0] // 2, look.px(56))
        hint = look.fit(self.t("attract.stylist_hint"), "caption", room.size, max_lines=1)
        hint.draw(screen, room, look.colour["muted"], align="right", valign="bottom")

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

    def _render_label(self, screen: pygame.Surface) -> pygame.Surface:
        """The target's label (the tap icon over "hold it here"), rendered once: the frames blit it. Already on
        the accent where it lies inside the target's smallest breath, as it does but for a long hint: a plain copy
        then, not a blend."""
        look = self.look
        core = look.px(RING_CORE)
        hint = look.fit(self.t("attract.hint"), "label", (int(core * 1.6), int(core * 0.6)), max_lines=2)
        icon = icons.render("tap", int(core * 0.8), look.colour["on_accent"], look.colour["accent"], disc=False)
        gap = look.space("xs")
        width, height = hint.size
        label = pygame.Surface((max(icon.get_width(), width), icon.get_height() + gap + height), pygame.SRCALPHA)
        label.blit(icon, icon.get_rect(midtop=(label.get_width() // 2, 0)))
        hint.draw(label, pygame.Rect(0, icon.get_height() + gap, label.get_width(), height), look.colour["on_accent"],
                  align="centre")
        if math.hypot(label.get_width() / 2 + 1, label.get_height() / 2 + 1) >= int(core * (1 - PULSE)) - 1:
            return label
        face = pygame.Surface(label.get_size(), 0, screen)
        face.fill(look.colour["accent"])
        face.blit(label, (0, 0))
        return face

    def _reach(self) -> int:
        return self._ring_area.width // 2 - self.look.px(4)

    def _restore_blits(self) -> list[tuple[pygame.Surface, tuple[int, int], pygame.Rect]]:
        """What a frame puts back of the background before it draws the rings: the band between the smallest
        pulse (inside it the target covers everything, every frame) and the rings' reach, about a third fewer
        pixels than the whole square."""
        area = self._ring_area
        inner = int(self.look.px(RING_CORE) * (1 - PULSE)) - 2  # a pixel or two of margin: circles are drawn whole
        band = [rect.clip(area) for rect in _ring_cover(area.center, inner, self._reach() + 2, RESTORE_ROWS)]
        return self.look.background_blits(band)

    def animate(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        # Only the rings and the pulse move: put their band's background back and draw them over it, and leave
        # the texts alone (CPU budget on the attract loop).
        screen.blits(self._restore, doreturn=False)
        self._draw_rings(screen, now)
        return [self._ring_area]

    def _draw_rings(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        centre = self._ring_area.center
        core = look.px(RING_CORE)
        reach = self._reach()
        backdrop = look.background_at(centre[1])
        phase = ((now - self.entered_at) / RING_PERIOD_S) % 1.0
        for i in range(RINGS):
            t = (phase + i / RINGS) % 1.0
            radius = int(core + (reach - core) * t)
            colour = mix(look.colour["accent"], backdrop, t)
            pygame.draw.circle(screen, colour, centre, radius, width=look.px(10))
        pulse = 1 + PULSE * math.sin((now - self.entered_at) * 2 * math.pi / RING_PERIOD_S)
        pygame.draw.circle(screen, look.colour["accent"], centre, int(core * pulse))
        screen.blit(self._label, self._label.get_rect(center=centre))


def _ring_cover(centre: tuple[int, int], inner: int, outer: int, rows: int) -> list[pygame.Rect]:
    """Rectangles ``rows`` high that cover every pixel between radius ``inner`` and ``outer`` around ``centre``
    and leave out most of what is inside ``inner``: one across a band of rows that passes outside the inner
    circle, two (left and right of it) across one that crosses it."""
    cx, cy = centre
    rects = []
    for top in range(cy - outer, cy + outer + 1, rows):
        height = min(rows, cy + outer + 1 - top)
        ends = (abs(top - cy), abs(top + height - 1 - cy))
        near = 0 if top <= cy < top + height else min(ends)
        far = max(ends)
        half = math.ceil(math.sqrt(outer * outer - near * near))
        if far >= inner:
            rects.append(pygame.Rect(cx - half, top, 2 * half + 1, height))
            continue
        hole = math.floor(math.sqrt(inner * inner - far * far))
        rects += [pygame.Rect(cx - half, top, half - hole, height),
                  pygame.Rect(cx + hole + 1, top, half - hole, height)]
    return rects

"""The celebration that answers a tap at once: a burst of confetti and a big hello, turning personal (the
member's name fading in, their tier in its colour) as soon as the backend says who it is.

It is cut to without a transition, so its first frame is on the screen the moment the tap is handled. The
burst is the same every time (a fixed seed: screenshots stay byte for byte the same) and keeps out of the text
boxes: a piece that would touch one is not drawn, so the confetti seems to fly behind the words. Each frame
only erases the pieces of the last frame and draws the new ones; the texts are drawn once.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pygame

from kiosk.core.member import Member, Tier
from kiosk.features.welcome.scenes.badge import badge_width, draw_badge, tier_colour
from kiosk.ui.kit.motion import progress
from kiosk.ui.look import Colour, mix
from kiosk.ui.scene import Scene, View
from kiosk.ui.text import Block

PIECES = 140
GRAVITY = 1500.0  # pixels per second squared at 1080 lines
DRAG = 2.6  # per second: the burst opens fast and the pieces drift down
CONFETTI_SEED = 7  # the same burst every time: re-rendered screenshots stay byte for byte the same


@dataclass(frozen=True)
class CelebrateView(View):
    member: Member | None = None  # None until the backend says who tapped
    tier: Tier | None = None  # the member's tier, for its colour


@dataclass(frozen=True)
class _Piece:
    vx: float
    vy: float
    width: float
    height: float
    angle: float
    spin: float  # radians per second, in the screen's plane
    flutter: float  # radians per second, the turn that makes a piece flash thin and wide
    ink: int  # index into the palette


class CelebrateScene(Scene):
    name = "celebrate"
    animated = True
    transition = None  # the tap's answer is on the screen at once
    view_model = CelebrateView
    view: CelebrateView

    def __init__(self, look) -> None:
        super().__init__(look)
        rng = random.Random(CONFETTI_SEED)
        self._pieces = [self._piece(rng) for _ in range(PIECES)]
        self._burst_at: float | None = None
        self._fade_at: float | None = None  # when the greeting by name began to fade in
        self._layers: list[tuple[pygame.Rect, pygame.Surface]] = []  # each text box as it ends the fade
        self._drawn: list[pygame.Rect] = []  # the pieces on the screen, erased at the next frame
        self.text_boxes: list[pygame.Rect] = []  # where the confetti never goes
        self._fitted: dict[tuple[str, str], Block] = {}  # the anonymous hello, set once per language

    @staticmethod
    def _piece(rng: random.Random) -> _Piece:
        angle = rng.uniform(-math.pi * 0.97, -math.pi * 0.03) if rng.random() < 0.8 else rng.uniform(0, math.pi)
        speed = rng.uniform(900, 2800)
        return _Piece(math.cos(angle) * speed, math.sin(angle) * speed, rng.uniform(16, 30), rng.uniform(9, 15),
                      rng.uniform(0, math.pi), rng.uniform(-6, 6), rng.uniform(5, 11), rng.randrange(4))

    def enter(self, view: View, now: float) -> None:
        """A tap (no member yet) starts the burst; the member becoming known re-enters the scene, the burst goes
        on where it is and the greeting by name fades in (the theme's ``quick`` motion, ``enter`` easing)."""
        turns_personal = self._burst_at is not None and self.view.member is None
        super().enter(view, now)
        if self._burst_at is None or self.view.member is None:
            self._burst_at = now
        self._fade_at = now if turns_personal and self.view.member is not None else None
        self._drawn = []

    def leave(self) -> None:
        super().leave()
        self._burst_at = self._fade_at = None
        self._layers = []
        self._drawn = []
        self.text_boxes = []

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        width, height = look.size
        member = self.view.member
        if member is None:
            title = self._fit(self.t("celebrate.title"), "display", (int(width * 0.8), look.px(360)))
            lead = self._fit(self.t("celebrate.subtitle"), "lead", (int(width * 0.6), look.px(130)))
        else:
            title = look.fit(self.t("celebrate.member", name=member.name), "display",
                             (int(width * 0.84), look.px(360)), max_lines=2, min_scale=0.4)
            tier = self.view.tier or Tier(member.tier, 0)
            lead = look.fit(self.t("welcome.tier", tier=self.t(f"tier.{tier.key}")), "title",
                            (int(width * 0.5), look.px(90)), max_lines=1)
        gap = look.space("l")
        stack = title.size[1] + gap + lead.size[1]
        top = (height - stack) // 2 - look.px(30)
        ink = look.colour
        title_box = title.draw(screen, pygame.Rect(0, top, width, title.size[1]), ink["text"], align="centre")
        lead_top = top + title.size[1] + gap
        if member is None:
            lead_box = lead.draw(screen, pygame.Rect(0, lead_top, width, lead.size[1]), ink["muted"],
                                 align="centre")
        else:
            lead_box = self._draw_badge(screen, lead, lead_top)
        margin = look.space("s")
        bounds = screen.get_rect()
        self.text_boxes = [box.inflate(2 * margin, 2 * margin).clip(bounds) for box in (title_box, lead_box)]
        self._layers = [(box, screen.subsurface(box).copy()) for box in self.text_boxes] if self._fade_at else []
        self._fade(screen, now)
        self._drawn = self._draw_pieces(screen, now)

    def _fit(self, text: str, style: str, box: tuple[int, int]) -> Block:
        """The anonymous hello, fitted once per language: a tap's first frame does not set type."""
        key = (text, style)
        if key not in self._fitted:
            self._fitted[key] = self.look.fit(text, style, box, max_lines=2)
        return self._fitted[key]

    def _draw_badge(self, screen: pygame.Surface, label: Block, top: int) -> pygame.Rect:
        """The tier as a medal in the tier's colour beside its name, centred."""
        left = (self.look.size[0] - badge_width(self.look, label)) // 2
        return draw_badge(screen, self.look, label, self._tier_colour(), left, top)

    def _tier_colour(self) -> Colour:
        return tier_colour(self.look, self.view.tier)

    def _palette(self) -> list[Colour]:
        ink = self.look.colour
        main = self._tier_colour() if self.view.member is not None else ink["accent"]
        return [main, mix(main, ink["background_top"], 0.45), ink["highlight"], ink["line"]]

    def animate(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        for rect in self._drawn:  # pieces never touch the texts: the background alone is under them
            self.look.paint_background(screen, rect)
        erased = self._drawn
        faded = self._fade(screen, now)
        self._drawn = self._draw_pieces(screen, now)
        return erased + faded + self._drawn

    def _fade(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        """The text boxes at the fade's progress at ``now`` (fully drawn at its end); the boxes drawn."""
        if self._fade_at is None or not self._layers:
            return []
        shown = progress(self.look, "quick", "enter", self._fade_at, now)
        for box, layer in self._layers:
            self.look.paint_background(screen, box)
            layer.set_alpha(None if shown >= 1.0 else round(255 * shown))
            screen.blit(layer, box)
        if shown >= 1.0:
            self._fade_at, self._layers = None, []
        return [box for box, _ in self._layers] or list(self.text_boxes)

    def _draw_pieces(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        look = self.look
        elapsed = max(0.0, now - (self._burst_at if self._burst_at is not None else now))
        unit = look.unit
        bounds = screen.get_rect()
        origin = self.text_boxes[0].center if self.text_boxes else bounds.center
        spread = (1 - math.exp(-DRAG * elapsed)) / DRAG  # the distance a unit velocity covers against the drag
        fall = GRAVITY / DRAG * (elapsed - spread)  # and the drop gravity adds at that drag
        palette = self._palette()
        drawn = []
        for piece in self._pieces:
            x = origin[0] + piece.vx * unit * spread
            y = origin[1] + (piece.vy * spread + fall) * unit
            turn = piece.angle + piece.spin * elapsed
            half_w = piece.width * unit / 2
            half_h = piece.height * unit / 2 * max(0.15, abs(math.cos(piece.angle + piece.flutter * elapsed)))
            cos, sin = math.cos(turn), math.sin(turn)
            corners = [(x + dx * cos - dy * sin, y + dx * sin + dy * cos)
                       for dx, dy in ((-half_w, -half_h), (half_w, -half_h), (half_w, half_h), (-half_w, half_h))]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            rect = pygame.Rect(int(min(xs)) - 1, int(min(ys)) - 1, int(max(xs) - min(xs)) + 3,
                               int(max(ys) - min(ys)) + 3)
            if not rect.colliderect(bounds) or rect.collidelist(self.text_boxes) >= 0:
                continue
            pygame.draw.polygon(screen, palette[piece.ink], corners)
            drawn.append(rect.clip(bounds))
        return drawn

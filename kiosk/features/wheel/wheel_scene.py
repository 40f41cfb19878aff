"""The prize wheel on screen, and its spin at full frame rate.

What never moves (background, texts, buttons, the rim's outer edge) is drawn once when the scene is entered.
Each frame redraws only the disc: the segments as filled polygons over one table of sines, the labels from
surfaces rendered once per language (turned to their segment's angle), the rim with its pegs, the hub, and
the pointer, which flicks back as a peg passes (its few tilted images are cached). The frame updates the
disc's square only: no full-screen blit, no rotation of a wheel-sized image (tests/perf/bench_wheel.py
measures both ways).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame
import pygame.gfxdraw

from kiosk.core.prizes import Wheel
from kiosk.features.wheel.spin import SpinPlan
from kiosk.ui.input import Input, Swipe
from kiosk.ui.kit import Button, done_button
from kiosk.ui.look import Colour, Look, mix
from kiosk.ui.scene import Scene, View

SPIN, RULES, BACK = "wheel:spin", "wheel:rules", "wheel:back"
ARC_STEP = 3.0  # degrees between the vertices of a segment's outer edge
TABLE = 3600  # sine table entries per turn (0.1 degree)
POINTER_ABOVE = 34  # pixels (at 1080 lines) the pointer stands above the rim
POINTER_INTO = 0.04  # share of the radius the pointer's tip reaches into the segments
LABEL_AT, LABEL_LENGTH = 0.6, 0.54  # a label's centre and length, as shares of the radius
POINTER_TILT_MAX = 24  # degrees the pointer flicks back when a peg passes it
PEG_REACH = 0.45  # share of a segment's width before a peg during which the pointer is pushed


@dataclass(frozen=True)
class WheelView(View):
    """The wheel's angle at rest or the spin under way, and the line under the title (a refusal, or the hint);
    the wheel itself is the content's (``wheel.json``)."""

    angle: float | None = None  # None: the first segment centred under the pointer
    plan: SpinPlan | None = None
    notice: str = ""
    can_spin: bool = False
    drawing: bool = False  # a spin was asked for: the draw, then the turn
    can_leave: bool = False  # back to where the wheel was opened (the profile)


def content_wheel(look: Look) -> Wheel:
    """The wheel of the content on screen."""
    wheel = look.bundle.files.get("wheel.json")
    if wheel is None:
        raise ValueError("the wheel scenes need a wheel.json in the content")
    return wheel


def ink_on(colour: Colour) -> Colour:
    """Dark or white text, whichever reads better on ``colour`` (relative luminance)."""
    r, g, b = (c / 255 for c in colour)
    return (27, 25, 22) if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55 else (255, 255, 255)


class WheelDisc:
    """The disc and pointer, drawn at any angle straight onto the screen; everything size- and text-dependent
    is prepared once in the constructor."""

    def __init__(self, look: Look, wheel: Wheel, language: str, centre: tuple[int, int], radius: int) -> None:
        self.look, self.wheel = look, wheel
        self.centre, self.radius = centre, radius
        self.rim = max(6, radius // 22)
        self.count = len(wheel.segments)
        self.width = 360 / self.count
        self._sin = [math.sin(math.tau * i / TABLE) for i in range(TABLE)]
        steps = max(2, math.ceil(self.width / ARC_STEP))
        self._arc = [self.width * k / steps for k in range(steps + 1)]
        self._colours = [s.colour for s in wheel.segments]
        self._labels = [self._label(s, language) for s in wheel.segments]
        self._rim_colour = look.colour["text"]
        self._peg_colour = look.colour["panel"]
        self._hub = self._make_hub()
        self._pointers = self._make_pointers()
        outer = radius + self.rim
        self.rect = pygame.Rect(0, 0, 2 * outer + 2, 2 * outer + 2)
        self.rect.center = centre
        tallest = max(p.get_height() for p in self._pointers)
        widest = max(p.get_width() for p in self._pointers)
        self.pointer_rect = pygame.Rect(0, 0, widest, tallest)
        self.pointer_rect.midtop = (centre[0], centre[1] - outer - look.px(POINTER_ABOVE))
        self.dirty = self.rect.union(self.pointer_rect)
        self._backdrop: pygame.Surface | None = None

    def _label(self, segment, language: str) -> pygame.Surface:
        look = self.look
        box = (int(self.radius * LABEL_LENGTH), int(2 * math.pi * self.radius * LABEL_AT / self.count * 0.7))
        if segment.image:
            image = pygame.image.load(str(look.bundle.path / segment.image)).convert_alpha()
            scale = min(box[0] / image.get_width(), box[1] / image.get_height())
            return pygame.transform.smoothscale(image, (max(1, int(image.get_width() * scale)),
                                                        max(1, int(image.get_height() * scale))))
        block = look.fit(segment.labels[language], "label", box, max_lines=2, min_scale=0.5)
        surface = pygame.Surface(block.size, pygame.SRCALPHA)
        block.draw(surface, surface.get_rect(), ink_on(segment.colour), align="centre", valign="middle")
        return surface

    def _make_hub(self) -> pygame.Surface:
        size = int(self.radius * 0.2) * 2
        scale = 4  # drawn large and smoothed down: round edges without jaggies
        big = pygame.Surface((size * scale, size * scale), pygame.SRCALPHA)
        c = size * scale // 2
        pygame.draw.circle(big, self._rim_colour, (c, c), c)
        pygame.draw.circle(big, self.look.colour["panel"], (c, c), int(c * 0.78))
        pygame.draw.circle(big, self.look.colour["accent"], (c, c), int(c * 0.3))
        return pygame.transform.smoothscale(big, (size, size))

    def _make_pointers(self) -> list[pygame.Surface]:
        """The pointer upright and tilted by each whole degree up to POINTER_TILT_MAX, its tip pushed the way the
        top of the wheel moves (to the right)."""
        look = self.look
        # Its tip reaches just past the rim into the segments, clear of the labels.
        w, h = look.px(70), look.px(POINTER_ABOVE) + self.rim + int(self.radius * POINTER_INTO)
        scale = 4
        big = pygame.Surface((w * scale, h * scale), pygame.SRCALPHA)
        pygame.draw.polygon(big, look.colour["accent"], [(0, 0), (w * scale, 0), (w * scale // 2, h * scale)])
        pygame.draw.polygon(big, look.colour["panel"], [(0, 0), (w * scale, 0), (w * scale // 2, h * scale)],
                            width=2 * scale)
        upright = pygame.transform.smoothscale(big, (w, h))
        return [upright] + [pygame.transform.rotozoom(upright, tilt, 1.0)
                            for tilt in range(1, POINTER_TILT_MAX + 1)]

    def keep_backdrop(self, screen: pygame.Surface) -> None:
        """What lies behind the pointer (the static scene), restored before each tilted pointer is drawn."""
        self._backdrop = screen.subsurface(self.pointer_rect.clip(screen.get_rect())).copy()

    def draw_outline(self, screen: pygame.Surface) -> None:
        """The static part: a smooth outer edge of the rim and a soft shadow, drawn once."""
        cx, cy = self.centre
        outer = self.radius + self.rim
        shadow = mix(self.look.colour["background_bottom"], (0, 0, 0), 0.12)
        pygame.draw.circle(screen, shadow, (cx, cy + self.look.px(10)), outer + 1)
        pygame.gfxdraw.aacircle(screen, cx, cy, outer, self._rim_colour)
        pygame.gfxdraw.filled_circle(screen, cx, cy, outer, self._rim_colour)

    def _sin_deg(self, degrees: float) -> float:
        return self._sin[int(degrees * 10) % TABLE]

    def _cos_deg(self, degrees: float) -> float:
        return self._sin[int(degrees * 10 + 900) % TABLE]

    def draw(self, screen: pygame.Surface, angle: float) -> pygame.Rect:
        """The disc turned by ``angle`` and the pointer; returns the rectangle that changed."""
        if self._backdrop is not None:  # behind the pointer: the static scene, the disc is drawn over it next
            screen.blit(self._backdrop, self.pointer_rect)
        cx, cy = self.centre
        r = self.radius + 1  # the rim drawn next covers the polygons' outer edge
        sin, cos = self._sin_deg, self._cos_deg
        for i, colour in enumerate(self._colours):
            start = angle + i * self.width
            points = [(cx, cy)] + [(cx + r * sin(start + a), cy - r * cos(start + a)) for a in self._arc]
            pygame.draw.polygon(screen, colour, points)
        for i, label in enumerate(self._labels):
            middle = angle + (i + 0.5) * self.width
            turned = pygame.transform.rotate(label, 90 - middle)
            reach = self.radius * LABEL_AT
            screen.blit(turned, turned.get_rect(center=(cx + reach * sin(middle), cy - reach * cos(middle))))
        pygame.draw.circle(screen, self._rim_colour, (cx, cy), self.radius + self.rim, width=self.rim + 1)
        peg_r, peg_at = max(3, self.rim // 3), self.radius + self.rim / 2
        for i in range(self.count):
            edge = angle + i * self.width
            pygame.draw.circle(screen, self._peg_colour, (cx + peg_at * sin(edge), cy - peg_at * cos(edge)), peg_r)
        screen.blit(self._hub, self._hub.get_rect(center=self.centre))
        pointer = self._pointers[self.tilt(angle)]
        screen.blit(pointer, pointer.get_rect(midtop=self.pointer_rect.midtop))
        return self.dirty

    def tilt(self, angle: float) -> int:
        """How far the pointer is pushed back: it rides up a peg approaching the top and snaps off past it."""
        # Pegs sit at whole multiples of the segment width on the wheel; turning clockwise, the wheel's point
        # under the pointer falls, so the next peg arrives after (-angle) mod width more degrees.
        ahead = (-angle) % self.width
        reach = self.width * PEG_REACH
        if ahead == 0 or ahead > reach:  # 0: the peg has just snapped past
            return 0
        return min(POINTER_TILT_MAX, round(POINTER_TILT_MAX * (1 - ahead / reach)))


class WheelScene(Scene):
    name = "wheel"
    view_model = WheelView
    view: WheelView
    fps = 60

    def __init__(self, look: Look) -> None:
        super().__init__(look)
        self._disc: WheelDisc | None = None
        self._disc_key: tuple | None = None
        self._shown_angle: float | None = None

    @property
    def animated(self) -> bool:  # type: ignore[override]  # a spin animates; the wheel at rest is static
        return self.view.plan is not None

    def disc(self) -> WheelDisc:
        """The disc for the view's wheel and language, prepared once for each."""
        look, view = self.look, self.view
        wheel = content_wheel(look)
        key = (id(wheel), view.language)
        if self._disc is None or self._disc_key != key:
            width, height = look.size
            radius = int(height * 0.39)
            self._disc = WheelDisc(look, wheel, view.language, (int(width * 0.34), int(height * 0.53)), radius)
            self._disc_key = key
        return self._disc

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look, view = self.look, self.view
        width = look.size[0]
        disc = self.disc()
        disc.draw_outline(screen)
        column = pygame.Rect(int(width * 0.64), look.px(100), int(width * 0.32), look.px(230))
        title = look.fit(self.t("wheel.title"), "headline", column.size, max_lines=2)
        title.draw(screen, column, look.colour["text"])
        note = pygame.Rect(column.left, column.bottom + look.space("m"), column.width, look.px(200))
        text = view.notice or self.t("wheel.hint")
        look.fit(text, "lead", note.size, max_lines=3, min_scale=0.6).draw(
            screen, note, look.colour["accent"] if view.notice else look.colour["muted"])
        self.buttons = [done_button(look, view.language)]
        rules = pygame.Rect(column.left, look.px(760), column.width, look.px(84))
        self.buttons.append(Button(look, rules, self.t("wheel.rules"), RULES, "secondary"))
        if view.can_leave:
            height = max(look.px(90), look.min_target)
            back = pygame.Rect(look.space("m"), look.size[1] - look.space("m") - height, look.px(300), height)
            self.buttons.append(Button(look, back, self.t("wheel.leave"), BACK, "secondary"))
        if view.can_spin or view.drawing:
            spin = pygame.Rect(column.left, look.px(596), column.width, look.px(136))
            if not view.drawing:
                self.buttons.append(Button(look, spin, self.t("wheel.spin"), SPIN))
            else:  # while it turns: a wish, not a button
                self.buttons.append(Button(look, spin, self.t("wheel.spinning"), None, "quiet"))
        disc.keep_backdrop(screen)
        angle = self._angle(now)
        disc.draw(screen, angle)
        self._shown_angle = angle

    def _angle(self, now: float) -> float:
        """The angle to draw, to the 0.1 degree of the sine table: the slow end of a spin skips the frames that
        would not move a pixel."""
        view = self.view
        if view.plan is not None:
            return round(view.plan.angle(now), 1)
        return round(view.angle if view.angle is not None else -self.disc().width / 2, 1)

    def animate(self, screen: pygame.Surface, now: float) -> list[pygame.Rect]:
        angle = self._angle(now)
        if angle == self._shown_angle:
            return []  # landed: nothing moves
        self._shown_angle = angle
        return [self.disc().draw(screen, angle)]

    def handle(self, event: Input) -> str | None:
        if isinstance(event, Swipe) and self._disc is not None and self.view.can_spin:
            return SPIN  # a swipe anywhere on the scene throws the wheel
        return super().handle(event)

    def leave(self) -> None:
        super().leave()
        self._shown_angle = None

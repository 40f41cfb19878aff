"""Draw the product images of the shipped catalogue (content/catalogue/*.png), made for this project:
flat garment silhouettes in the product's colours on a quiet background, drawn with pygame at twice the size
and scaled down (smooth edges), then reduced to a small palette so each PNG stays a few KB.

    .venv/bin/python deploy/draw-catalogue.py            # every product of content/catalogue.json
    bash deploy/build-default-content.sh <next version>  # then re-sign the bundle

Each SKU of the catalogue names its drawing in SHAPES below; a product without one is an error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
import pygame

CONTENT = Path(__file__).resolve().parents[1] / "content"
SIZE = (360, 450)
SCALE = 2  # drawn at twice the size, scaled down: pygame's polygons have no antialiasing of their own
BACKGROUND = (239, 234, 226)
SHADOW = (222, 214, 203)
PALETTE_COLOURS = 48  # after smoothing, the image is reduced to this many colours (small PNGs)

Rgb = tuple[int, int, int]
Pts = list[tuple[float, float]]


def shade(colour: Rgb, factor: float) -> Rgb:
    """Darker (factor < 1) or lighter (> 1), for seams and folds."""
    if factor < 1:
        return tuple(round(c * factor) for c in colour)
    return tuple(round(c + (255 - c) * (factor - 1)) for c in colour)


class Canvas:
    """Drawing in a unit square (0..1 across, 0..1.25 down) on the supersampled surface."""

    def __init__(self) -> None:
        self.surface = pygame.Surface((SIZE[0] * SCALE, SIZE[1] * SCALE))
        self.surface.fill(BACKGROUND)
        self.w = SIZE[0] * SCALE

    def p(self, pts: Pts) -> list[tuple[int, int]]:
        return [(round(x * self.w), round(y * self.w)) for x, y in pts]

    def poly(self, colour: Rgb, pts: Pts) -> None:
        pygame.draw.polygon(self.surface, colour, self.p(pts))

    def line(self, colour: Rgb, a: tuple[float, float], b: tuple[float, float], width: float = 0.008) -> None:
        pygame.draw.line(self.surface, colour, *self.p([a, b]), max(1, round(width * self.w)))

    def ellipse(self, colour: Rgb, x: float, y: float, w: float, h: float, width: float = 0) -> None:
        rect = pygame.Rect(round(x * self.w), round(y * self.w), round(w * self.w), round(h * self.w))
        pygame.draw.ellipse(self.surface, colour, rect, round(width * self.w))

    def rect(self, colour: Rgb, x: float, y: float, w: float, h: float, radius: float = 0, width: float = 0) -> None:
        rect = pygame.Rect(round(x * self.w), round(y * self.w), round(w * self.w), round(h * self.w))
        pygame.draw.rect(self.surface, colour, rect, round(width * self.w), border_radius=round(radius * self.w))

    def arc(self, colour: Rgb, x: float, y: float, w: float, h: float, start: float, stop: float,
            width: float = 0.012) -> None:
        rect = pygame.Rect(round(x * self.w), round(y * self.w), round(w * self.w), round(h * self.w))
        pygame.draw.arc(self.surface, colour, rect, start, stop, max(1, round(width * self.w)))

    def floor(self, y: float = 1.13, w: float = 0.7) -> None:
        self.ellipse(SHADOW, 0.5 - w / 2, y, w, 0.06)


# Tops: a torso with sleeves; the variants add their details.

def _torso(c: Canvas, colour: Rgb, sleeve: float = 0.62, hem: float = 1.0) -> None:
    c.floor()
    c.poly(colour, [(0.34, 0.2), (0.66, 0.2), (0.86, 0.3), (0.94, sleeve), (0.8, sleeve + 0.02), (0.75, 0.42),
                    (0.75, hem), (0.25, hem), (0.25, 0.42), (0.2, sleeve + 0.02), (0.06, sleeve), (0.14, 0.3)])


def shirt(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    _torso(c, colour, sleeve=0.7)
    c.poly(shade(colour, 0.9), [(0.4, 0.2), (0.5, 0.3), (0.6, 0.2), (0.56, 0.17), (0.5, 0.24), (0.44, 0.17)])
    c.line(shade(colour, 0.85), (0.5, 0.3), (0.5, 1.0), 0.006)
    for i in range(6):
        c.ellipse(shade(colour, 0.7), 0.49, 0.36 + i * 0.11, 0.02, 0.02)


def sweater(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    _torso(c, colour, sleeve=0.74, hem=0.96)
    c.ellipse(shade(colour, 0.85), 0.4, 0.16, 0.2, 0.1)
    c.ellipse(BACKGROUND, 0.42, 0.15, 0.16, 0.08)
    c.rect(shade(colour, 0.88), 0.25, 0.9, 0.5, 0.06)
    for x in (0.09, 0.8):
        c.rect(shade(colour, 0.88), x, 0.7, 0.11, 0.05, 0.01)


def blouse(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    _torso(c, colour, sleeve=0.72)
    c.poly(shade(colour, 0.8), [(0.5, 0.3), (0.38, 0.36), (0.4, 0.27)])
    c.poly(shade(colour, 0.8), [(0.5, 0.3), (0.62, 0.36), (0.6, 0.27)])
    c.poly(shade(colour, 0.75), [(0.5, 0.3), (0.44, 0.5), (0.48, 0.5)])
    c.poly(shade(colour, 0.75), [(0.5, 0.3), (0.56, 0.52), (0.52, 0.52)])
    c.ellipse(shade(colour, 0.7), 0.47, 0.27, 0.06, 0.06)


def striped_tee(c: Canvas, colours: list[Rgb]) -> None:
    stripe, ground = colours[0], colours[1] if len(colours) > 1 else (245, 245, 245)
    _torso(c, ground, sleeve=0.42)
    for i in range(8):
        y = 0.3 + i * 0.09
        left, right = (0.25, 0.75) if y > 0.42 else (0.15, 0.85)
        c.rect(stripe, left, y, right - left, 0.035)
    c.ellipse(BACKGROUND, 0.41, 0.15, 0.18, 0.09)


def denim_jacket(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    _torso(c, colour, sleeve=0.76, hem=0.9)
    c.poly(shade(colour, 0.8), [(0.34, 0.2), (0.5, 0.36), (0.66, 0.2), (0.6, 0.16), (0.5, 0.28), (0.4, 0.16)])
    c.line(shade(colour, 1.3), (0.5, 0.36), (0.5, 0.9), 0.008)
    for x in (0.31, 0.55):
        c.rect(shade(colour, 0.85), x, 0.45, 0.14, 0.1, 0.01)
        c.line(shade(colour, 1.3), (x, 0.48), (x + 0.14, 0.48), 0.005)
    c.rect(shade(colour, 0.85), 0.25, 0.84, 0.5, 0.06)


def blazer(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    _torso(c, colour, sleeve=0.8, hem=1.02)
    c.poly((236, 232, 226), [(0.42, 0.2), (0.58, 0.2), (0.5, 0.55)])
    c.poly(shade(colour, 1.35), [(0.42, 0.2), (0.5, 0.55), (0.4, 0.38), (0.36, 0.22)])
    c.poly(shade(colour, 1.35), [(0.58, 0.2), (0.5, 0.55), (0.6, 0.38), (0.64, 0.22)])
    for y in (0.62, 0.72):
        c.ellipse(shade(colour, 1.6), 0.485, y, 0.03, 0.03)
    c.line(shade(colour, 1.4), (0.3, 0.78), (0.42, 0.78), 0.008)
    c.line(shade(colour, 1.4), (0.58, 0.78), (0.7, 0.78), 0.008)


# Bottoms.

def _legs(c: Canvas, colour: Rgb, spread: float = 0.0, hem: float = 1.1) -> None:
    c.floor(1.14)
    c.poly(colour, [(0.3, 0.16), (0.7, 0.16), (0.72 + spread, hem), (0.53, hem), (0.5, 0.42), (0.47, hem),
                    (0.28 - spread, hem)])
    c.rect(shade(colour, 0.85), 0.3, 0.16, 0.4, 0.05)


def trousers(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    _legs(c, colour)
    c.line(shade(colour, 1.5), (0.38, 0.3), (0.38, 1.1), 0.004)
    c.line(shade(colour, 1.5), (0.62, 0.3), (0.62, 1.1), 0.004)


def jeans(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    _legs(c, colour)
    seam = (214, 160, 80)
    c.arc(seam, 0.31, 0.12, 0.14, 0.2, 3.6, 5.0, 0.006)
    c.arc(seam, 0.55, 0.12, 0.14, 0.2, 4.4, 5.8, 0.006)
    c.line(seam, (0.5, 0.21), (0.5, 0.4), 0.006)
    c.ellipse((190, 150, 90), 0.485, 0.175, 0.03, 0.03)


def skirt(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.floor(1.02, 0.6)
    c.poly(colour, [(0.35, 0.2), (0.65, 0.2), (0.82, 0.95), (0.18, 0.95)])
    c.rect(shade(colour, 0.85), 0.35, 0.18, 0.3, 0.05)
    for i in range(1, 8):
        t = i / 8
        c.line(shade(colour, 0.85), (0.35 + 0.3 * t, 0.23), (0.18 + 0.64 * t, 0.95), 0.005)


def wide_trousers(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    _legs(c, colour, spread=0.12)
    c.line(shade(colour, 0.85), (0.4, 0.4), (0.3, 1.1), 0.005)
    c.line(shade(colour, 0.85), (0.6, 0.4), (0.7, 1.1), 0.005)


def cargo(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    _legs(c, colour, spread=0.02)
    for x in (0.26, 0.6):
        c.rect(shade(colour, 0.85), x, 0.6, 0.15, 0.16, 0.01)
        c.rect(shade(colour, 0.75), x, 0.6, 0.15, 0.04, 0.01)


# Shoes, seen from the side.

def _sole(c: Canvas, colour: Rgb, y: float = 0.86, heel: bool = False) -> None:
    c.floor(0.92, 0.8)
    c.rect(colour, 0.12, y, 0.78, 0.05, 0.02)
    if heel:
        c.poly(colour, [(0.7, y), (0.84, y), (0.82, 0.93), (0.74, 0.93)])


def sneakers(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.poly(colour, [(0.14, 0.86), (0.14, 0.74), (0.3, 0.7), (0.5, 0.56), (0.72, 0.52), (0.88, 0.58), (0.9, 0.86)])
    _sole(c, (250, 250, 248))
    c.line(shade(colour, 0.8), (0.52, 0.6), (0.62, 0.72), 0.008)
    c.line(shade(colour, 0.8), (0.58, 0.57), (0.68, 0.69), 0.008)
    c.rect(shade(colour, 0.75), 0.78, 0.56, 0.1, 0.26, 0.02)


def loafers(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.poly(colour, [(0.14, 0.86), (0.16, 0.76), (0.34, 0.68), (0.62, 0.64), (0.86, 0.66), (0.88, 0.86)])
    _sole(c, shade(colour, 0.6), heel=True)
    c.rect(shade(colour, 0.75), 0.42, 0.66, 0.16, 0.04, 0.01)


def ankle_boots(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.poly(colour, [(0.14, 0.86), (0.16, 0.76), (0.42, 0.66), (0.56, 0.36), (0.84, 0.36), (0.86, 0.86)])
    _sole(c, shade(colour, 1.3), heel=True)
    c.line(shade(colour, 1.4), (0.62, 0.4), (0.62, 0.8), 0.006)


def pumps(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.floor(0.92, 0.8)
    c.poly(colour, [(0.12, 0.86), (0.14, 0.78), (0.34, 0.7), (0.7, 0.58), (0.84, 0.58), (0.86, 0.7),
                    (0.7, 0.72), (0.56, 0.86)])
    c.poly(shade(colour, 0.7), [(0.78, 0.68), (0.86, 0.68), (0.84, 0.93), (0.81, 0.93)])


def trainers(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.poly(colour, [(0.14, 0.86), (0.14, 0.74), (0.34, 0.68), (0.52, 0.54), (0.74, 0.5), (0.88, 0.58), (0.9, 0.86)])
    _sole(c, (245, 245, 240), y=0.84)
    c.rect((245, 245, 240), 0.12, 0.84, 0.8, 0.08, 0.03)
    c.poly((250, 250, 250), [(0.4, 0.8), (0.62, 0.58), (0.68, 0.6), (0.48, 0.82)])


def knee_boots(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.poly(colour, [(0.14, 0.86), (0.16, 0.76), (0.42, 0.66), (0.5, 0.1), (0.82, 0.1), (0.86, 0.86)])
    _sole(c, shade(colour, 0.55), heel=True)
    c.rect(shade(colour, 0.85), 0.5, 0.1, 0.32, 0.05)


# Accessories.

def tote(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.floor(1.02)
    c.arc(shade(colour, 0.8), 0.3, 0.22, 0.4, 0.5, 0.2, 2.94, 0.025)
    c.poly(colour, [(0.22, 0.46), (0.78, 0.46), (0.84, 1.0), (0.16, 1.0)])
    c.line(shade(colour, 0.8), (0.22, 0.56), (0.78, 0.56), 0.006)


def scarf(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.floor(1.0, 0.6)
    c.poly(colour, [(0.5, 0.2), (0.86, 0.58), (0.5, 0.96), (0.14, 0.58)])
    c.poly(shade(colour, 0.75), [(0.5, 0.34), (0.72, 0.58), (0.5, 0.82), (0.28, 0.58)])
    c.poly(shade(colour, 1.4), [(0.5, 0.46), (0.6, 0.58), (0.5, 0.7), (0.4, 0.58)])


def beanie(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.floor(0.96, 0.6)
    c.ellipse(colour, 0.2, 0.3, 0.6, 0.7)
    c.rect(BACKGROUND, 0.1, 0.72, 0.8, 0.4)
    c.rect(shade(colour, 0.85), 0.18, 0.68, 0.64, 0.22, 0.03)
    for i in range(1, 12):
        x = 0.18 + 0.64 * i / 12
        c.line(shade(colour, 0.7), (x, 0.69), (x, 0.89), 0.004)


def belt(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.floor(0.92, 0.7)
    c.ellipse(colour, 0.18, 0.3, 0.64, 0.6, 0.06)
    c.ellipse(shade(colour, 1.4), 0.25, 0.37, 0.5, 0.46, 0.05)
    c.rect((196, 160, 80), 0.44, 0.26, 0.14, 0.12, 0.01, 0.018)


def crossbody(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.floor(0.98, 0.6)
    c.arc(shade(colour, 0.8), 0.2, 0.1, 0.6, 0.9, 0.1, 3.04, 0.014)
    c.rect(colour, 0.26, 0.56, 0.48, 0.36, 0.04)
    c.poly(shade(colour, 0.8), [(0.26, 0.58), (0.74, 0.58), (0.74, 0.7), (0.5, 0.76), (0.26, 0.7)])
    c.ellipse((200, 170, 90), 0.48, 0.72, 0.04, 0.04)


def sunglasses(c: Canvas, colours: list[Rgb]) -> None:
    colour = colours[0]
    c.floor(0.8, 0.7)
    for x in (0.14, 0.54):
        c.rect(colour, x, 0.48, 0.32, 0.22, 0.08)
        c.rect((70, 80, 90), x + 0.03, 0.51, 0.26, 0.16, 0.06)
    c.arc(colour, 0.44, 0.48, 0.12, 0.1, 0.3, 2.84, 0.02)
    c.line(colour, (0.14, 0.52), (0.06, 0.48), 0.02)
    c.line(colour, (0.86, 0.52), (0.94, 0.48), 0.02)


SHAPES: dict[str, Callable[[Canvas, list[Rgb]], None]] = {
    "TOP-01": shirt, "TOP-02": sweater, "TOP-03": blouse, "TOP-04": striped_tee, "TOP-05": denim_jacket,
    "TOP-06": blazer,
    "BOT-01": trousers, "BOT-02": jeans, "BOT-03": skirt, "BOT-04": trousers, "BOT-05": wide_trousers,
    "BOT-06": cargo,
    "SHO-01": sneakers, "SHO-02": loafers, "SHO-03": ankle_boots, "SHO-04": pumps, "SHO-05": trainers,
    "SHO-06": knee_boots,
    "ACC-01": tote, "ACC-02": scarf, "ACC-03": beanie, "ACC-04": belt, "ACC-05": crossbody, "ACC-06": sunglasses,
}


def _rgb(hex_: str) -> Rgb:
    return tuple(int(hex_[i:i + 2], 16) for i in (1, 3, 5))


def _reduced(surface: pygame.Surface) -> pygame.Surface:
    """The picture in PALETTE_COLOURS colours: the most frequent ones, every pixel mapped to its nearest."""
    counts: dict[Rgb, int] = {}
    width, height = surface.get_size()
    for y in range(height):
        for x in range(width):
            rgb = tuple(surface.get_at((x, y)))[:3]
            counts[rgb] = counts.get(rgb, 0) + 1
    palette = sorted(counts, key=counts.get, reverse=True)[:PALETTE_COLOURS]
    nearest = {rgb: min(palette, key=lambda p: sum((a - b) ** 2 for a, b in zip(rgb, p, strict=True)))
               for rgb in counts}
    reduced = pygame.Surface((width, height), depth=8)
    reduced.set_palette(palette + [(0, 0, 0)] * (256 - len(palette)))
    index = {rgb: i for i, rgb in enumerate(palette)}
    for y in range(height):
        for x in range(width):
            reduced.set_at((x, y), index[nearest[tuple(surface.get_at((x, y)))[:3]]])
    return reduced


def draw(product: dict, colours: dict) -> pygame.Surface:
    canvas = Canvas()
    SHAPES[product["sku"]](canvas, [_rgb(colours[key]["hex"]) for key in product["colours"]])
    return _reduced(pygame.transform.smoothscale(canvas.surface, SIZE))


def main() -> int:
    pygame.display.init()
    catalogue = json.loads((CONTENT / "catalogue.json").read_text(encoding="utf-8"))
    missing = [p["sku"] for p in catalogue["products"] if p["sku"] not in SHAPES]
    if missing:
        print(f"no drawing for {missing}: add them to SHAPES", file=sys.stderr)
        return 1
    for product in catalogue["products"]:
        target = CONTENT / product["image"]
        target.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(draw(product, catalogue["colours"]), str(target))
        print(f"{target.relative_to(CONTENT)}: {target.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The widget kit's frames at 1920x1080 in software rendering (SDL dummy driver, in process): a full-screen
grid of product images flung from end to end, a paged carousel swiped page by page, a toast coming and going
(animation frames: p99 <= 6 ms, none over 16.7 ms), and a key of the on-screen keyboard pressed and lifted
(the redraw a touch waits for). Each frame is what the scene manager does: ``Scene.refresh`` and
``pygame.display.update`` of the rectangles it returns.

    .venv/bin/python tests/perf/bench_kit.py [--quick]   # alone; tests/perf/run.py runs it too
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

from harness import Figure, percentile

FRAME_BUDGET_MS = 6.0
SIZE = (1920, 1080)


def measure(quick: bool) -> list[Figure]:
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    import pygame

    from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    from kiosk.ui.input import Drag, Press, Release, Swipe
    from kiosk.ui.kit import Grid, Keyboard, TextField, Toast, done_button, language_switch
    from kiosk.ui.look import Look
    from kiosk.ui.scene import Scene

    pygame.init()
    screen = pygame.display.set_mode(SIZE)
    look = Look(load_bundle(DEFAULT_DIR), SIZE)
    images = sorted((DEFAULT_DIR / "catalogue").glob("*.png"))

    def product(index: int, size: tuple[int, int]) -> pygame.Surface:
        cell = pygame.Surface(size)
        cell.fill(look.colour["panel"])
        picture = look.images.get(images[index % len(images)], (size[0], size[1] - look.px(60)), "fill")
        cell.blit(picture, (0, 0))
        cell.blit(look.render(f"#{index}", "caption"), (look.space("s"), size[1] - look.px(50)))
        return cell

    grid = Grid(look, pygame.Rect(0, 0, *SIZE), 240, (464, 400), product, across=4, action="product")
    carousel = Grid(look, pygame.Rect(160, 200, 1600, 700), 8, (1600, 700), product, horizontal=True, paged=True,
                    action="look")
    field = TextField(look, pygame.Rect(200, 120, 1000, 110), "Email")
    keyboard = Keyboard(look, pygame.Rect(0, 600, SIZE[0], 480), field)

    shown: list = []  # the widgets under test, besides the language switch and Done

    class Bench(Scene):
        name = "bench"

        def compose(self, screen: pygame.Surface, now: float) -> None:
            self.buttons = [*shown, *language_switch(look, "en"), done_button(look, "en")]

    scene = Bench(look)
    figures: list[Figure] = []

    def frames(widgets: list, gesture: Callable[[float], None], seconds: float, repeats: int) -> list[float]:
        shown[:] = widgets
        scene.enter(scene.view, 0.0)
        scene.draw(screen, 0.0)
        pygame.display.flip()
        times = []
        for repeat in range(repeats):
            now = repeat * 100.0
            gesture(now)
            end = now + seconds
            while now < end:
                started = time.perf_counter()
                pygame.display.update(scene.refresh(screen, now))
                times.append(1000 * (time.perf_counter() - started))
                now += 1 / 60
        return times

    def fling(now: float) -> None:
        forward = grid.offset < grid.max_offset / 2
        step = -200 if forward else 200
        grid.handle(Press((960, 540)))
        grid.handle(Drag((960, 540 + step), (0, step)))
        grid.handle(Release((960, 540 + step)))
        grid.handle(Swipe("up" if forward else "down", 30000.0))

    def page(now: float) -> None:
        direction = "left" if carousel.page < carousel.pages - 1 else "right"
        step = -150 if direction == "left" else 150
        carousel.handle(Press((960, 500)))
        carousel.handle(Drag((960 + step, 500), (step, 0)))
        carousel.handle(Release((960 + step, 500)))
        carousel.handle(Swipe(direction, 3000.0))

    def toast(now: float) -> None:
        scene.buttons.append(Toast(look, "Saved to your wishlist", now, hold_s=0.5))

    repeats = 3 if quick else 12
    for label, widgets, gesture, seconds in (("grid flung end to end", [grid], fling, 1.5),
                                             ("carousel swiped a page", [carousel], page, 0.4),
                                             ("toast in and out", [], toast, 1.0)):
        times = frames(widgets, gesture, seconds, repeats)
        figures += [Figure(f"kit frame, {label}, p{p}", percentile(times, p), "ms",
                           FRAME_BUDGET_MS if p == 99 else None, len(times)) for p in (50, 99)]
        figures.append(Figure(f"kit frame, {label}, max", max(times), "ms", 16.7, len(times)))

    shown[:] = [field, keyboard]
    scene.draw(screen, 0.0)
    presses = []
    for i in range(40 if quick else 300):
        key = keyboard.keys[i % 10]
        started = time.perf_counter()
        scene.handle(Press(key.rect.center))
        pygame.display.update(scene.refresh(screen, i))
        scene.handle(Release(key.rect.center))
        pygame.display.update(scene.refresh(screen, i))
        presses.append(1000 * (time.perf_counter() - started))
        field.clear()
    figures += [Figure(f"keyboard key pressed and lifted, redraw, p{p}", percentile(presses, p), "ms", None,
                       len(presses)) for p in (50, 99)]
    pygame.quit()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    for figure in measure(parser.parse_args().quick):
        print(f"{figure.name:<52} {figure.value:8.2f} {figure.unit}  budget {figure.budget}  {figure.status}")
    sys.exit(0)

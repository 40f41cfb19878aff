"""The scenes' frames at 1920x1080 in software rendering (SDL dummy driver, in process), as the scene manager
draws them: every animated scene (the attract rings, the celebration anonymous and personal, and any scene of
a feature that animates) and every transition (the crossfade into each scene that has one, and the cut to the
celebration a tap makes), then the resident memory with the fonts loaded and the catalogue's images decoded.

Budgets (docs/architecture.md, "Budgets"): any animation or transition frame p99 <= 6 ms and none over
16.7 ms; resident memory <= 150 MB. A scene's entry (the incoming scene drawn off screen over frames while the
outgoing one stays on the screen: ``show`` and each frame until the crossfade starts) is reported per scene, its
worst frame in wall and in CPU time, against the 16.7 ms of one frame at 60 Hz; the first of the entries is the
shopper's first after the scenes were warmed.

    .venv/bin/python tests/perf/bench_scenes.py [--quick]   # alone; tests/perf/run.py runs it too
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from harness import Figure, percentile

FRAME_P99_MS = 6.0
FRAME_MAX_MS = 16.7
MEMORY_MB = 150.0
SIZE = (1920, 1080)
FPS = 30  # [display] fps of the shipped config: the frames a transition of 200 ms has
BUILD_FPS = 60  # the frame rate while an incoming scene is drawn off screen (kiosk/ui/manager.py)
ANIMATION_S = 3.0


def measure(quick: bool) -> list[Figure]:
    """The figures, measured in a fresh process: its resident memory is the kiosk's UI alone, not what the
    benchmarks run before left in this one."""
    args = [sys.executable, __file__, "--child", *(["--quick"] if quick else [])]
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    result = subprocess.run(args, cwd=Path(__file__).parent, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"bench_scenes child failed: {result.stderr[-2000:]}")
    return [Figure(**figure) for figure in json.loads(result.stdout.splitlines()[-1])]


def _measure(quick: bool) -> list[Figure]:
    import pygame

    from kiosk import config
    from kiosk.cli.screenshot import demo_view
    from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    from kiosk.features import default_features
    from kiosk.features.registry import FeatureSet
    from kiosk.ui.look import Look
    from kiosk.ui.manager import SceneManager

    pygame.init()
    screen = pygame.display.set_mode(SIZE)
    bundle = load_bundle(DEFAULT_DIR)
    features = FeatureSet(default_features())
    specs = features.scenes
    look = Look(bundle, SIZE)
    builds = {name: spec.build for name, spec in specs.items()}
    led = lambda: (0.0, 0.1, 1.0)  # noqa: E731 - the demo's LED mirror is drawn too
    cuts = SceneManager(screen, look, builds, led=led, transitions=False)  # a scene's own frames
    ui = SceneManager(screen, look, builds, led=led)
    settings = config.load(None)

    def view(name: str, member: bool = True):
        """The scene's view with the demo member (``member`` False: before the lookup names the shopper)."""
        return demo_view(bundle, settings, name, "en", member=member)

    def frames(ui: SceneManager, start: float, seconds: float) -> list[Sample]:
        """Each frame from ``start`` for ``seconds`` of the scene's time, while there is anything to draw."""
        times, now = [], start
        while now < start + seconds and ui.animating(now):
            times.append(_timed(ui.frame, now))
            now += 1 / FPS
        return times

    repeats = 3 if quick else 20
    figures: list[Figure] = []
    clock = 0.0

    # Animated scenes: everything the scene draws from its entry on (the celebration's whole burst).
    animated = [("celebrate (anonymous)", "celebrate", False), ("celebrate (member)", "celebrate", True)]
    for name in specs:
        cuts.show(name, view(name), clock)
        if name != "celebrate" and cuts.animating(clock + 1 / FPS):
            animated.append((name, name, True))
    for label, name, member in animated:
        samples: list[Sample] = []
        for _ in range(repeats):
            clock += 100.0
            cuts.show("failsafe", view("failsafe"), clock)
            cuts.show(name, view(name, member), clock)
            samples += frames(cuts, clock + 1 / FPS, ANIMATION_S)
        figures += _frames(f"animation: {label}", samples)

    # The tap: the cut to the celebration, whose first frame is drawn within show().
    cut: list[float] = []
    for _ in range(repeats):
        clock += 100.0
        ui.show("attract", view("attract"), clock)
        frames(ui, clock, 1.0)
        cut.append(_timed(lambda now: ui.show("celebrate", view("celebrate", member=False), now), clock + 1.0))
    figures.append(Figure("tap: cut to the celebration, first frame, max", max(wall for wall, _ in cut), "ms",
                          FRAME_MAX_MS, len(cut)))

    # Transitions: into every scene that eases in, from the scene a shopper comes from, each scene drawn once
    # off screen before as the app does while the attract screen idles (Runtime.warm_next).
    ui.show("attract", view("attract"), clock)
    for name in specs:
        ui.warm(name, view(name), clock)
    entries: list[Sample] = []
    for name in specs:
        if ui.scenes[name].transition is None:
            continue
        before = "goodbye" if name == "attract" else "attract"
        samples, entry, lengths = [], [], []
        for _ in range(repeats):
            clock += 100.0
            ui.show(before, view(before), clock)
            _changing_frames(ui, clock)  # the way into the scene before, not measured
            entry.append(_timed(lambda now, name=name: ui.show(name, view(name), now), clock + 0.5))
            building = _building_frames(ui, clock + 0.5)
            if ui.transition is None:
                raise RuntimeError(f"no transition into {name}")
            entry += building
            lengths.append(1 + len(building))
            samples += _changing_frames(ui, ui.transition.start)
        figures += _frames(f"transition: {before} -> {name}", samples)
        figures += [Figure(f"entry: {name}, worst frame, max", max(wall for wall, _ in entry), "ms", FRAME_MAX_MS,
                           len(entry)),
                    Figure(f"entry: {name}, worst frame, CPU time max", max(cpu for _, cpu in entry), "ms",
                           FRAME_MAX_MS, len(entry)),
                    Figure(f"entry: {name}, frames before the crossfade, max", max(lengths), "", None,
                           len(lengths))]
        entries += entry
    walls = [wall for wall, _ in entries]
    figures.append(Figure("entry: every scene, frame p50", percentile(walls, 50), "ms", None, len(walls)))
    figures.append(Figure("entry: every scene, worst frame, max", max(walls), "ms", FRAME_MAX_MS, len(walls)))
    figures.append(Figure("entry: every scene, worst frame, CPU time max", max(cpu for _, cpu in entries), "ms",
                          FRAME_MAX_MS, len(entries)))

    images = _load_catalogue_images(ui.look, DEFAULT_DIR / "catalogue")
    rss, peak = _memory_mb()
    figures.append(Figure("load average (1 min) while measuring, for context", os.getloadavg()[0], "", None, 1))
    figures.append(Figure(f"resident memory: fonts, every scene at 1080p, {images} images cached, VmRSS", rss,
                          "MB", MEMORY_MB, 1))
    figures.append(Figure("resident memory, VmHWM (peak)", peak, "MB", MEMORY_MB, 1))
    pygame.quit()
    return figures


Sample = tuple[float, float]
"""One frame: ms of wall time, and ms of this thread's CPU time (the frame's own cost, without the time other
processes took the core: the dev machine is shared)."""


def _timed(draw, now: float) -> Sample:
    wall, cpu = time.perf_counter(), time.thread_time()
    draw(now)
    return 1000 * (time.perf_counter() - wall), 1000 * (time.thread_time() - cpu)


def _building_frames(ui, start: float) -> list[Sample]:
    """The frames that draw an incoming scene off screen, until its crossfade starts."""
    times, now = [], start
    while ui.changing and ui.transition is None:
        now += 1 / BUILD_FPS
        times.append(_timed(ui.frame, now))
    return times


def _changing_frames(ui, start: float) -> list[Sample]:
    times, now = [], start
    while ui.changing:
        now += 1 / (BUILD_FPS if ui.transition is None else FPS)
        times.append(_timed(ui.frame, now))
    return times


def _frames(label: str, samples: list[Sample]) -> list[Figure]:
    if not samples:
        raise RuntimeError(f"{label}: no frames drawn")
    walls, cpus, n = [wall for wall, _ in samples], [cpu for _, cpu in samples], len(samples)
    return [Figure(f"{label}, p50", percentile(walls, 50), "ms", None, n),
            Figure(f"{label}, p99", percentile(walls, 99), "ms", FRAME_P99_MS, n),
            Figure(f"{label}, max", max(walls), "ms", FRAME_MAX_MS, n),
            Figure(f"{label}, CPU time p99", percentile(cpus, 99), "ms", None, n)]


def _load_catalogue_images(look, folder: Path) -> int:
    """Every image of the catalogue decoded and scaled as a product card shows it, in the look's cache."""
    pictures = sorted(folder.glob("*.png"))
    for picture in pictures:
        look.images.get(picture, (464, 340), "fill")
    return len(pictures)


def _memory_mb() -> tuple[float, float]:
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return tuple(int(status[key].split()[0]) * 1024 / 1e6 for key in ("VmRSS", "VmHWM"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # measure here, print JSON
    options = parser.parse_args()
    if options.child:
        print(json.dumps([dataclasses.asdict(figure) for figure in _measure(options.quick)]))
        sys.exit(0)
    for figure in measure(options.quick):
        budget = "" if figure.budget is None else f"<= {figure.budget:g}"
        print(f"{figure.name:<72} {figure.value:8.2f} {figure.unit} {budget:>9}  n={figure.samples}  {figure.status}")
    sys.exit(0)

"""Tap latency as the shopper feels it: card placed on the reader -> LED on and -> first celebration frame, with
the join tag on and off; and a phone that starts polling -> the join URL in its hands.

`kiosk demo` reads on the simulated reader (a loopback ``udp:`` path: nfcpy's udp driver with a PN532's timing,
kiosk/tap/simulation.py); member cards (Type 4A, the two demo members in turn, so that no tap looks like a card
left on the reader) are placed at random moments, each 0.2-0.6 s after the previous one left, and held 0.3 s
after the reader selected them. The clock starts when the card is placed (``CardEmulator.placed_at``), not when
nfcpy reports it: a card placed while the kiosk presents its join tag waits, as it would on a real reader.
The phone polls every ``PHONE_POLL_S`` (kiosk/tap/emulator.py) from a random moment on.

    .venv/bin/python tests/perf/bench_presentation.py [--quick]   # alone; tests/perf/run.py runs it too
"""

from __future__ import annotations

import argparse
import itertools
import random
import socket
import sys
import time

from harness import CONFIG, BenchmarkError, Figure, Kiosk, percentile, running_kiosk

from kiosk.tap.emulator import CardEmulator, member_card, read_join_tag

FRAME_BUDGET_MS = 150.0
PHONE_BUDGET_MS = 1000.0
TOKENS = ("M-1001", "M-1003")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(quick: bool) -> list[Figure]:
    presentations, phones = (30, 10) if quick else (200, 200)
    figures = []
    for join_tag in (True, False):
        to_led, to_frame = presentation_ms(presentations, join_tag)
        label = "join tag on" if join_tag else "join tag off"
        for what, samples in (("LED on", to_led), ("first frame", to_frame)):
            for p in (50, 95):
                budget = FRAME_BUDGET_MS if (what, p, join_tag) == ("first frame", 95, True) else None
                figures.append(Figure(f"card placed -> {what}, {label}, p{p}", percentile(samples, p), "ms",
                                      budget, len(samples)))
            figures.append(Figure(f"card placed -> {what}, {label}, max", max(samples), "ms", None, len(samples)))
    to_url = phone_ms(phones)
    figures += [Figure(f"phone polls -> join URL read, p{p}", percentile(to_url, p), "ms",
                       PHONE_BUDGET_MS if p == 95 else None, len(to_url)) for p in (50, 95)]
    figures.append(Figure("phone polls -> join URL read, max", max(to_url), "ms", None, len(to_url)))
    return figures


def _config(device: str, join_tag: bool) -> str:
    join = "" if join_tag else '\njoin_url = ""'
    return CONFIG.replace('device = "keyboard"', f'device = "{device}"{join}')


def presentation_ms(count: int, join_tag: bool) -> tuple[list[float], list[float]]:
    """ms from each card's placing to the kiosk's LED and to its first celebration frame."""
    device = f"udp:127.0.0.1:{_free_port()}"
    placed: list[float] = []
    with running_kiosk("demo", _config(device, join_tag), backend="reference" if join_tag else "local") as kiosk:
        kiosk.wait_for("frame.first")
        _wait_reader(kiosk)
        for token in itertools.islice(itertools.cycle(TOKENS), count):
            time.sleep(random.uniform(0.2, 0.6))
            card = CardEmulator(member_card(token), device)
            if not card.present(hold_s=0.3, wait_s=10):
                raise BenchmarkError(f"the kiosk's reader did not activate the card: {kiosk.log_tail()}")
            placed.append(card.placed_at)
        _wait_feedback(kiosk, count)
        trace = kiosk.trace()
    leds = [m["mono"] for m in trace if m["name"] == "feedback.led"]
    frames = [m["mono"] for m in trace if m["name"] == "feedback.frame"]
    return ([1000 * (at - start) for start, at in zip(placed, leds, strict=True)],
            [1000 * (at - start) for start, at in zip(placed, frames, strict=True)])


def phone_ms(count: int) -> list[float]:
    """ms from a phone starting to poll (at a random moment) to the join URL in its hands."""
    device = f"udp:127.0.0.1:{_free_port()}"
    samples = []
    with running_kiosk("demo", _config(device, True), backend="reference") as kiosk:
        kiosk.wait_for("frame.first")
        _wait_reader(kiosk)
        for _ in range(count):
            time.sleep(random.uniform(0.2, 0.6))
            started = time.monotonic()
            if read_join_tag(device, wait_s=10) is None:
                raise BenchmarkError(f"the phone read no join tag within 10 s: {kiosk.log_tail()}")
            samples.append(1000 * (time.monotonic() - started))
    return samples


def _wait_reader(kiosk: Kiosk) -> None:
    deadline = time.monotonic() + 10
    while "nfc: reading on" not in kiosk.log_path.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise BenchmarkError(f"the kiosk's reader did not open: {kiosk.log_tail()}")
        time.sleep(0.05)


def _wait_feedback(kiosk: Kiosk, count: int) -> None:
    deadline = time.monotonic() + 10
    while sum(m["name"] == "feedback.frame" for m in kiosk.trace()) < count:
        if time.monotonic() > deadline:
            frames = sum(m["name"] == "feedback.frame" for m in kiosk.trace())
            raise BenchmarkError(f"placed {count} cards, the kiosk celebrated {frames}: {kiosk.log_tail()}")
        time.sleep(0.05)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    for figure in measure(parser.parse_args().quick):
        print(f"{figure.name:<48} {figure.value:8.1f} {figure.unit}  n={figure.samples}  {figure.status}")
    sys.exit(0)

"""A card presented on nfcpy's udp: driver -> LED on and first celebration frame: p50/p95/p99 over 200 taps (30 quick),
with no budget of its own (the read is the reader's time: bench_tap_latency.py holds the 10 ms budget from
detection, bench_presentation.py the 150 ms from the card's placing); and nfcpy alone reading the same card,
as the floor.

The clock starts when the kiosk's reader thread discovers the card (nfcpy's on-discover: "tap.detected" in the
trace) and so includes activation, SELECT of the app's AID, the NDEF read, extraction, the post to the main loop
and the main loop's feedback, every reader operation taking a PN532's time (hardware/reader-timing.md). The wait
before that discovery is the reader's polling cycle: bench_presentation.py measures from the card's placing. The
floor is nfcpy on its own (no kiosk) from on-discover to the NDEF message in hand, with nfcpy's own Type 4 NDEF
reader.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time

from bench_tap_latency import latencies_ms
from harness import CONFIG, BenchmarkError, Figure, percentile, running_kiosk

from kiosk.tap.device import open_frontend
from kiosk.tap.emulator import CardEmulator, member_card

TOKENS = ("M-1001", "M-1003")  # demo members; alternating, so no tap looks like a card left on the reader


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(quick: bool) -> list[Figure]:
    taps = 30 if quick else 200
    device = f"udp:127.0.0.1:{_free_port()}"
    config = CONFIG.replace('device = "keyboard"', f'device = "{device}"\njoin_url = ""')
    with running_kiosk("demo", config) as kiosk:
        kiosk.wait_for("frame.first")
        for token in itertools.islice(itertools.cycle(TOKENS), taps):
            if not CardEmulator(member_card(token), device).present(hold_s=0.05, wait_s=10):
                raise BenchmarkError(f"the kiosk's reader did not activate the card: {kiosk.log_tail()}")
        deadline = time.monotonic() + 10
        while len(latencies_ms(kiosk.trace())[1]) < taps and time.monotonic() < deadline:
            time.sleep(0.05)
        to_led, to_frame = latencies_ms(kiosk.trace())
    if len(to_frame) != taps:
        raise BenchmarkError(f"presented {taps} cards, the trace shows feedback for {len(to_frame)}")
    floor = nfcpy_alone_ms(taps)
    figures = []
    for what, samples in (("LED on", to_led), ("first celebration frame", to_frame)):
        for p in (50, 95, 99):
            figures.append(Figure(f"nfc tap -> {what}, p{p}", percentile(samples, p), "ms", None, taps))
    figures += [Figure(f"nfcpy alone: discover -> NDEF read, p{p}", percentile(floor, p), "ms", None, len(floor))
                for p in (50, 95)]
    return figures


def nfcpy_alone_ms(taps: int) -> list[float]:
    """nfcpy's own connect loop reading the same cards: ms from on-discover to the NDEF octets."""
    device = f"udp:127.0.0.1:{_free_port()}"
    samples: list[float] = []
    clf = open_frontend(device)
    started: list[float] = []

    def on_discover(target) -> bool:
        started.append(time.monotonic())
        return True

    def on_connect(tag) -> bool:
        if tag.ndef is not None and tag.ndef.octets:
            samples.append(1000 * (time.monotonic() - started[-1]))
        return True

    done = threading.Event()
    options = {"targets": ["106A"], "iterations": 1, "interval": 0.1, "beep-on-connect": False,
               "on-discover": on_discover, "on-connect": on_connect}

    def read_until_done() -> None:
        while not done.is_set():
            clf.connect(rdwr=options, terminate=done.is_set)

    reader = threading.Thread(target=read_until_done, daemon=True)
    reader.start()
    try:
        for token in itertools.islice(itertools.cycle(TOKENS), taps):
            CardEmulator(member_card(token), device).present(hold_s=0.05, wait_s=10)
    finally:
        done.set()
        reader.join(5)
        clf.close()
    if not samples:
        raise BenchmarkError("nfcpy alone read no card")
    return samples


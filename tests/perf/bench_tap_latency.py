"""Tap -> LED on and tap -> first celebration frame, member in the local cache: p50/p95/p99 over 200 taps (30 quick).

Budget (docs/architecture.md, "Budgets"): p95 <= 10 ms for each; p50 and p99 are reported for context. Latencies come
from the trace: "tap.detected" (when the automation thread parsed the tap) to "feedback.led" and "feedback.frame".
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from harness import DEMO_CREDENTIALS, TAP_INTERVAL_S, BenchmarkError, Figure, percentile, running_kiosk

BUDGET_MS = 10.0


def measure(quick: bool) -> list[Figure]:
    taps = 30 if quick else 200
    with running_kiosk("demo") as kiosk:
        kiosk.wait_for("frame.first")
        for credential in itertools.islice(itertools.cycle(DEMO_CREDENTIALS), taps):
            kiosk.tap(credential)
            time.sleep(TAP_INTERVAL_S)
        to_led, to_frame = latencies_ms(kiosk.trace())
    if len(to_frame) != taps:
        raise BenchmarkError(f"sent {taps} taps, the trace shows feedback for {len(to_frame)}")
    figures = []
    for what, samples in (("LED on", to_led), ("first celebration frame", to_frame)):
        for p in (50, 95, 99):
            budget = BUDGET_MS if p == 95 else None
            figures.append(Figure(f"tap -> {what}, p{p}", percentile(samples, p), "ms", budget, taps))
    return figures


def latencies_ms(trace: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    """Per accepted tap, ms from "tap.detected" to "feedback.led" and to "feedback.frame"."""
    to_led: list[float] = []
    to_frame: list[float] = []
    detected = None
    for mark in trace:
        match mark["name"]:
            case "tap.detected":
                detected = mark["mono"]
            case "tap.ignored":
                raise BenchmarkError("the kiosk ignored a tap: is [nfc] same_tap_delay_s 0?")
            case "feedback.led" if detected is not None:
                to_led.append(1000 * (mark["mono"] - detected))
            case "feedback.frame" if detected is not None:
                to_frame.append(1000 * (mark["mono"] - detected))
                detected = None
    return to_led, to_frame

"""Run every kiosk benchmark, print each figure against its budget (docs/architecture.md, "Budgets") and write the
results to perf-results/latest.json.

    .venv/bin/python tests/perf/run.py [--quick] [--only NAME ...]

A figure over budget is reported, not failed: the exit code is 0 unless a benchmark could not run at all.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime

import bench_backend
import bench_content
import bench_idle_cpu
import bench_kit
import bench_memory
import bench_mqtt
import bench_nfc_tap
import bench_presentation
import bench_scenes
import bench_soak
import bench_startup
import bench_stylist
import bench_tap_latency
import bench_wheel
from harness import ROOT, Figure

BENCHMARKS: dict[str, Callable[[bool], list[Figure]]] = {
    "startup": bench_startup.measure,
    "idle_cpu": bench_idle_cpu.measure,
    "tap_latency": bench_tap_latency.measure,
    "nfc_tap": bench_nfc_tap.measure,
    "presentation": bench_presentation.measure,
    "kit": bench_kit.measure,
    "scenes": bench_scenes.measure,
    "memory": bench_memory.measure,
    "content": bench_content.measure,
    "mqtt": bench_mqtt.measure,
    "backend": bench_backend.measure,
    "wheel": bench_wheel.measure,
    "stylist": bench_stylist.measure,
    "soak": bench_soak.measure,  # last: 30 minutes (3 with --quick)
}
RESULTS = ROOT / "perf-results" / "latest.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and shorter windows: a smoke run")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, metavar="NAME",
                        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}")
    options = parser.parse_args(argv)
    quick = options.quick

    results: list[tuple[str, Figure]] = []
    errors: dict[str, str] = {}
    for name, measure in BENCHMARKS.items():
        if options.only and name not in options.only:
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        try:
            results += [(name, figure) for figure in measure(quick)]
        except Exception as exc:
            traceback.print_exc()
            errors[name] = f"{type(exc).__name__}: {exc}"
        print(f"  {name}: {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)

    print_table(results, errors)
    write_json(results, errors, quick)
    return 1 if errors else 0


def print_table(results: list[tuple[str, Figure]], errors: dict[str, str]) -> None:
    header = f"{'benchmark':<12} {'figure':<52} {'value':>12} {'budget':>12} {'n':>5}  status"
    print(header)
    print("-" * len(header))
    for name, figure in results:
        value = f"{figure.value:.3f} {figure.unit}" if figure.unit == "s" else f"{figure.value:.1f} {figure.unit}"
        bound = ">=" if figure.at_least else "<="
        budget = "-" if figure.budget is None else f"{bound} {figure.budget:g} {figure.unit}"
        print(f"{name:<12} {figure.name:<52} {value:>12} {budget:>12} {figure.samples:>5}  {figure.status}")
    for name, error in errors.items():
        print(f"{name:<12} COULD NOT RUN: {error}")


def write_json(results: list[tuple[str, Figure]], errors: dict[str, str], quick: bool) -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    document = {
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "host": {"machine": platform.machine(), "python": platform.python_version(), "cpus": os.cpu_count()},
        "figures": [{"benchmark": name, "name": figure.name, "value": figure.value, "unit": figure.unit,
                     "budget": figure.budget, "at_least": figure.at_least, "samples": figure.samples,
                     "status": figure.status}
                    for name, figure in results],
        "errors": errors,
    }
    RESULTS.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())

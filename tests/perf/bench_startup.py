"""Start to first attract frame: from just before spawning ``kiosk run`` to the trace's ``frame.first``.

Budget (docs/architecture.md, "Budgets"): <= 1 s. Each of the starts must make it, so median and max both count.
"""

from __future__ import annotations

import statistics

from harness import Figure, running_kiosk

BUDGET_S = 1.0


def measure(quick: bool) -> list[Figure]:
    starts = 2 if quick else 5
    samples = []
    for _ in range(starts):
        with running_kiosk("run") as kiosk:
            samples.append(kiosk.wait_for("frame.first")["mono"] - kiosk.spawned)
    return [Figure("start -> first attract frame, median", statistics.median(samples), "s", BUDGET_S, starts),
            Figure("start -> first attract frame, max", max(samples), "s", BUDGET_S, starts)]

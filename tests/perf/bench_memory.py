"""Resident memory at 1920x1080 with the default content, after start plus 20 taps of demo members.

Budget (docs/architecture.md, "Budgets"): <= 150 MB, held against both VmRSS (now) and VmHWM (the peak so far), in MB of
10^6 bytes.
"""

from __future__ import annotations

import itertools
import time

from harness import DEMO_CREDENTIALS, TAP_INTERVAL_S, Figure, running_kiosk

BUDGET_MB = 150.0
TAPS = 20
CELEBRATION_S = 3.0


def measure(quick: bool) -> list[Figure]:
    with running_kiosk("demo") as kiosk:
        kiosk.wait_for("frame.first")
        for credential in itertools.islice(itertools.cycle(DEMO_CREDENTIALS), TAPS):
            kiosk.tap(credential)
            time.sleep(TAP_INTERVAL_S)
        time.sleep(CELEBRATION_S)  # the last celebration ends and the welcome scene is drawn
        memory = kiosk.memory_mb()
    return [Figure(f"resident memory, VmRSS after {TAPS} taps", memory["VmRSS"], "MB", BUDGET_MB, 1),
            Figure(f"resident memory, VmHWM after {TAPS} taps", memory["VmHWM"], "MB", BUDGET_MB, 1)]

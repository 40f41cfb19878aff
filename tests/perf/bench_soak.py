"""A soak: resident memory of `kiosk demo` over a long run of member taps on nfcpy's udp: reader, with a real
broker, must level off.

Full run: 30 minutes; --quick: 3 minutes. Cards of two demo members alternate (so no tap looks like a card left on
the reader); the MQTT link delivers every event to a private mosquitto, so delivered rows are blanked, scrubbed and
purged as in a store. VmRSS is sampled every few seconds with the tap count (printed to stderr as the curve).
The first fifth of the run is the warm-up (fonts, scenes, caches filling); the rest is split in two halves, and
the growth per tap of each half is a figure: a plateau is a second half that grows no more than noise.

Before the fixes of this benchmark's issue the kiosk grew about 3.9 KB per tap with no sign of levelling off
(gpiozero's mock pins kept every LED change; SQLite's page cache followed the growing database up to 2 MiB).
"""

from __future__ import annotations

import itertools
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import CONFIG, BenchmarkError, Figure, Kiosk, running_kiosk

from kiosk.tap.emulator import CardEmulator, member_card
from tests.helpers import Broker

MEMORY_BUDGET_MB = 150.0
PLATEAU_BUDGET_B_PER_TAP = 256.0  # the growth per tap allowed in the second half: page-size noise, not a leak
TOKENS = ("M-1001", "M-1003")
WARM_UP = 0.2


def measure(quick: bool) -> list[Figure]:
    duration_s, every_s = (180.0, 5.0) if quick else (1800.0, 15.0)
    with tempfile.TemporaryDirectory(prefix="kiosk-soak-broker-") as broker_dir:
        broker = Broker(Path(broker_dir))
        broker.start()
        try:
            return _soak(broker.port, duration_s, every_s)
        finally:
            broker.stop()


def _soak(broker_port: int, duration_s: float, every_s: float) -> list[Figure]:
    device = f"udp:127.0.0.1:{free_udp_port()}"
    config = (CONFIG.replace('device = "keyboard"', f'device = "{device}"\njoin_url = ""')
              .replace("[mqtt]\nenabled = false", f"[mqtt]\nenabled = true\nport = {broker_port}"))
    with running_kiosk("demo", config) as kiosk:
        kiosk.wait_for("frame.first")
        taps = TapCounter()
        tapper = threading.Thread(target=tap_until, args=(device, taps, time.monotonic() + duration_s), daemon=True)
        tapper.start()
        samples = sample_until(kiosk, taps, tapper, every_s)
        tapper.join()
        if taps.error:
            raise BenchmarkError(f"{taps.error}: {kiosk.log_tail()}")
        end = vitals(kiosk)
    return figures(samples, end)


class TapCounter:
    def __init__(self) -> None:
        self.count = 0
        self.error: str | None = None


def tap_until(device: str, taps: TapCounter, until: float) -> None:
    for token in itertools.cycle(TOKENS):
        if time.monotonic() >= until:
            return
        if not CardEmulator(member_card(token), device).present(hold_s=0.05, wait_s=10):
            taps.error = f"the kiosk's reader did not activate the card after {taps.count} taps"
            return
        taps.count += 1


def sample_until(kiosk: Kiosk, taps: TapCounter, tapper: threading.Thread, every_s: float) -> list[tuple[int, float]]:
    """(taps so far, VmRSS in MB) every ``every_s`` while the tapper runs, printed as they come."""
    samples = []
    started = time.monotonic()
    while tapper.is_alive():
        rss = kiosk.memory_mb()["VmRSS"]
        samples.append((taps.count, rss))
        print(f"  soak: {time.monotonic() - started:6.0f} s {taps.count:6d} taps  VmRSS {rss:6.1f} MB",
              file=sys.stderr, flush=True)
        tapper.join(every_s)
    samples.append((taps.count, kiosk.memory_mb()["VmRSS"]))
    return samples


def vitals(kiosk: Kiosk) -> dict[str, float]:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{kiosk.proc.pid}/status").read_text().splitlines())
    state = Path(kiosk.socket_path).parent / "state"
    return {"threads": int(status["Threads"]), "fds": len(os.listdir(f"/proc/{kiosk.proc.pid}/fd")),
            "state_mb": sum(p.stat().st_size for p in state.glob("state.db*")) / 1e6,
            **kiosk.memory_mb()}


def growth_per_tap(first: tuple[int, float], last: tuple[int, float]) -> float:
    """Bytes of VmRSS per tap between two samples."""
    taps = last[0] - first[0]
    if taps <= 0:
        raise BenchmarkError("no taps between two samples: the reader stopped")
    return (last[1] - first[1]) * 1e6 / taps


def figures(samples: list[tuple[int, float]], end: dict[str, float]) -> list[Figure]:
    if len(samples) < 5:
        raise BenchmarkError(f"only {len(samples)} memory samples")
    warm = samples[int(len(samples) * WARM_UP)]
    middle = samples[(samples.index(warm) + len(samples) - 1) // 2]
    last = samples[-1]
    total = last[0]
    return [
        Figure("member taps on the udp: reader", total, "taps", None, total),
        Figure("VmRSS after the warm-up", warm[1], "MB", None, 1),
        Figure("VmRSS at the end", last[1], "MB", MEMORY_BUDGET_MB, 1),
        Figure("VmHWM at the end", end["VmHWM"], "MB", MEMORY_BUDGET_MB, 1),
        Figure("VmRSS growth per tap, first half", growth_per_tap(warm, middle), "B", None, middle[0] - warm[0]),
        Figure("VmRSS growth per tap, second half", growth_per_tap(middle, last), "B", PLATEAU_BUDGET_B_PER_TAP,
               last[0] - middle[0]),
        Figure("threads at the end", end["threads"], "", None, 1),
        Figure("open file descriptors at the end", end["fds"], "", None, 1),
        Figure("state.db and its WAL at the end", end["state_mb"], "MB", None, 1),
    ]


def free_udp_port() -> int:
    """A UDP port nobody uses now (nfcpy's udp: driver binds the kiosk's side of it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

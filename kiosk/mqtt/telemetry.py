"""Telemetry: what store operations see of a kiosk's health every ``telemetry_interval_s``."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from kiosk.core.events import utc_ms

THERMAL_ZONE = Path("/sys/class/thermal/thermal_zone0/temp")
SCHEMA = "kiosk.telemetry/1"


def cpu_temperature_c(zone: Path = THERMAL_ZONE) -> float | None:
    """The SoC temperature, or None where the kernel does not tell it (a VM, a container)."""
    try:
        return round(int(zone.read_text().strip()) / 1000, 1)
    except (OSError, ValueError):
        return None


def disk_free_mb(path: Path) -> float | None:
    try:
        return round(shutil.disk_usage(path).free / 1e6, 1)
    except OSError:
        return None


def telemetry(*, kiosk_id: str, boot_id: str, started_mono: float, outbox_depth: int, oldest_unsent_s: float,
              outbox_refused: int, refused_topics: list[str], state_dir: Path, app: dict) -> dict:
    """The telemetry payload; ``app`` holds what only the app knows (reader, last tap, content, frames)."""
    return {
        "schema": SCHEMA,
        "kiosk_id": kiosk_id,
        "boot_id": boot_id,
        "at": utc_ms(time.time()),
        "uptime_s": round(time.monotonic() - started_mono, 1),
        "outbox_depth": outbox_depth,
        "oldest_unsent_s": round(oldest_unsent_s, 1),
        "outbox_refused": outbox_refused,
        "refused_topics": refused_topics,
        "cpu_temp_c": cpu_temperature_c(),
        "disk_free_mb": disk_free_mb(state_dir),
        **app,
    }

"""``--trace FILE``: JSON lines of timed marks, read by the benchmarks in tests/perf.

Each line is ``{"name": ..., "mono": time.monotonic() seconds, ...fields}``; any thread may write.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any


class Tracer:
    def __init__(self, path: Path | None) -> None:
        self._file = open(path, "a", buffering=1, encoding="utf-8") if path else None  # noqa: SIM115
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._file is not None

    def mark(self, name: str, mono: float | None = None, **fields: Any) -> None:
        if self._file is None:
            return
        line = json.dumps({"name": name, "mono": time.monotonic() if mono is None else mono, **fields})
        with self._lock:
            self._file.write(line + "\n")

    def close(self) -> None:
        if self._file is not None:
            with self._lock:
                self._file.close()
                self._file = None

"""Shared by the benchmarks: the kiosk as a subprocess on a throwaway config, with its trace, its automation
socket and its /proc figures, and the :class:`Figure` every benchmark reports.

Trace ``mono`` values and this process's ``time.monotonic()`` read the same machine clock, so they compare.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # so benchmarks reuse the test suite's real parts (tests.helpers: private mosquitto)
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
REPLY_TIMEOUT_S = 10.0
TAP_INTERVAL_S = 0.3

# The members `kiosk demo` seeds into the local backend.
DEMO_CREDENTIALS = [{"kind": "ndef", "value": "M-1001"}, {"kind": "app", "value": "APP-7F3A9C"},
                    {"kind": "ndef", "value": "M-1003"}]

CONFIG = """\
[kiosk]
state_dir = "{tmp}/state"
idle_timeout_s = 3600

[display]
mode = "headless"
width = 1920
height = 1080
fps = 30

[gpio]
pin_factory = "mock"

[nfc]
device = "keyboard"
same_tap_delay_s = 0

[mqtt]
enabled = false

[backend]
kind = "local"

[debug]
input_socket = "{tmp}/in.sock"
"""


class BenchmarkError(Exception):
    """The benchmark could not measure: the kiosk did not start, answer or stop as expected."""


@dataclass(frozen=True)
class Figure:
    """One measured figure; ``budget`` None means it is reported for context and has no budget of its own.
    The budget is a ceiling, or a floor when ``at_least`` (a rate that must not fall below it)."""

    name: str
    value: float
    unit: str
    budget: float | None
    samples: int
    at_least: bool = False

    @property
    def status(self) -> str:
        if self.budget is None:
            return "-"
        if self.at_least:
            return "PASS" if self.value >= self.budget else "UNDER"
        return "PASS" if self.value <= self.budget else "OVER"


def percentile(samples: list[float], p: int) -> float:
    """The ``p``-th percentile (1-99), interpolated between the closest samples."""
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


class Kiosk:
    """A running kiosk process; start it with :func:`running_kiosk`."""

    def __init__(self, tmp: Path, command: str, config_text: str = CONFIG, backend: str = "local") -> None:
        self.trace_path = tmp / "trace.jsonl"
        self.socket_path = tmp / "in.sock"
        self.log_path = tmp / "kiosk.log"
        config = tmp / "kiosk.toml"
        config.write_text(config_text.format(tmp=tmp), encoding="utf-8")
        args = [sys.executable, "-m", "kiosk", "--config", str(config), "--trace", str(self.trace_path), command]
        if command == "demo":  # local: the kiosk alone (the reference backend a demo serves is no part of a kiosk)
            args += ["--headless", "--backend", backend, "--backend-host", "127.0.0.1"]
        env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
        self._conn: socket.socket | None = None
        self._reader: BinaryIO | None = None
        with open(self.log_path, "wb") as log:
            self.spawned = time.monotonic()
            self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT)

    # The trace.

    def trace(self) -> list[dict[str, Any]]:
        """Every complete trace line written so far."""
        try:
            text = self.trace_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.split("\n")[:-1]]

    def wait_for(self, name: str, timeout_s: float = START_TIMEOUT_S) -> dict[str, Any]:
        """The first trace line named ``name``, once it is written."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for mark in self.trace():
                if mark["name"] == name:
                    return mark
            if self.proc.poll() is not None:
                raise BenchmarkError(f"kiosk exited with {self.proc.returncode} before {name}: {self.log_tail()}")
            time.sleep(0.01)
        raise BenchmarkError(f"no {name} in the trace within {timeout_s:g} s: {self.log_tail()}")

    # The automation socket.

    def send(self, command: dict[str, Any]) -> dict[str, Any]:
        """Send one command and return the kiosk's reply."""
        if self._conn is None or self._reader is None:
            self._conn = self._connect()
            self._reader = self._conn.makefile("rb")
        self._conn.sendall(json.dumps(command).encode() + b"\n")
        line = self._reader.readline()
        if not line:
            raise BenchmarkError(f"the automation socket closed after {command}: {self.log_tail()}")
        reply = json.loads(line)
        if reply.get("ok") is False:
            raise BenchmarkError(f"the kiosk refused {command}: {reply.get('error')}")
        return reply

    def scene(self) -> str:
        """The scene shown once the main loop has handled everything sent before."""
        return self.send({"query": "scene"})["scene"]

    def tap(self, credential: dict[str, str]) -> str:
        """Tap a card, wait until the main loop has handled it, and return the scene it shows."""
        self.send({"tap": credential})
        return self.scene()

    def _connect(self) -> socket.socket:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(REPLY_TIMEOUT_S)
            try:
                conn.connect(str(self.socket_path))
            except (FileNotFoundError, ConnectionRefusedError):
                conn.close()
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise BenchmarkError(f"no automation socket at {self.socket_path}: {self.log_tail()}") from None
                time.sleep(0.05)
                continue
            return conn

    # Figures from /proc.

    def cpu_percent(self, window_s: float) -> float:
        """CPU time (user + system, all threads) over the next ``window_s`` seconds, in % of one core."""
        cpu_start, wall_start = self._cpu_seconds(), time.monotonic()
        time.sleep(window_s)
        cpu_end, wall_end = self._cpu_seconds(), time.monotonic()
        return 100 * (cpu_end - cpu_start) / (wall_end - wall_start)

    def _cpu_seconds(self) -> float:
        stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2:].split()  # fields from the 3rd on: the name may hold spaces
        utime, stime = int(fields[11]), int(fields[12])
        return (utime + stime) / os.sysconf("SC_CLK_TCK")

    def memory_mb(self) -> dict[str, float]:
        """VmRSS and VmHWM (peak resident) in MB of 10^6 bytes."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        values = dict(line.split(":", 1) for line in status.splitlines())
        return {key: int(values[key].split()[0]) * 1024 / 1e6 for key in ("VmRSS", "VmHWM")}

    # Stop.

    def stop(self) -> int:
        """SIGTERM, then SIGKILL if it has not stopped within STOP_TIMEOUT_S; the exit code."""
        if self._reader is not None:
            self._reader.close()
        if self._conn is not None:
            self._conn.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def log_tail(self, lines: int = 5) -> str:
        return " | ".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running_kiosk(command: str, config_text: str = CONFIG, backend: str = "local") -> Iterator[Kiosk]:
    """``kiosk run`` or ``kiosk demo --headless`` in a fresh temporary directory, stopped with SIGTERM at the end;
    ``config_text`` is a config template with ``{tmp}`` for that directory; a demo's ``backend`` is ``local`` or
    ``reference`` (on loopback: the phone pages that take the join tag's token)."""
    with tempfile.TemporaryDirectory(prefix="kiosk-perf-") as tmp:
        kiosk = Kiosk(Path(tmp), command, config_text, backend)
        try:
            yield kiosk
        finally:
            code = kiosk.stop()
        if code != 0:
            raise BenchmarkError(f"kiosk exited with {code} after SIGTERM (-9: killed after {STOP_TIMEOUT_S:g} s): "
                                 f"{kiosk.log_tail()}")

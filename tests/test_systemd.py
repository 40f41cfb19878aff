"""The systemd side: the unit file verified by systemd itself, sd_notify over a real notify socket, the watchdog
that stops petting systemd when a thread stalls (in-process and in a real `kiosk run`)."""

import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from kiosk import config, systemd
from kiosk.app import KioskApp
from kiosk.core.heartbeat import Heartbeat, stalled
from tests.helpers import REPO, KioskProcess, wait_for, write_config

UNIT = REPO / "systemd" / "kiosk.service"


def systemd_analyze() -> str:
    binary = shutil.which("systemd-analyze")
    if binary is None:
        raise RuntimeError("systemd-analyze is missing: run `bash deploy/dev.sh test` or `apt-get install systemd`")
    return binary


def unit_entries(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split("=", 1)) for line in text.splitlines() if "=" in line and not line.startswith("#")]


def verifiable_unit(tmp_path: Path) -> Path:
    """The shipped unit with ExecStart pointing at an executable that exists here (verify checks it)."""
    program = tmp_path / "opt" / "kiosk"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    unit = tmp_path / "kiosk.service"
    unit.write_text(UNIT.read_text().replace("ExecStart=/opt/kiosk/venv/bin/kiosk", f"ExecStart={program}"))
    return unit


class NotifySocket:
    """A Unix datagram socket standing in for systemd's: NOTIFY_SOCKET points at it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0)

    def messages(self) -> list[str]:
        received = []
        while True:
            try:
                received.append(self.sock.recv(4096).decode())
            except BlockingIOError:
                return received

    def wait_for(self, line: str, timeout: float = 15, step=None) -> list[str]:
        """Messages up to and including the first one with ``line``; ``step`` runs between looks."""
        seen: list[str] = []

        def arrived() -> bool:
            if step:
                step()
            seen.extend(self.messages())
            return any(line in m.splitlines() for m in seen)

        wait_for(arrived, timeout, f"{line!r} on the notify socket")
        return seen

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def notify_socket(tmp_path, monkeypatch):
    server = NotifySocket(tmp_path / "notify.sock")
    monkeypatch.setenv("NOTIFY_SOCKET", str(server.path))
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    yield server
    server.close()


# The unit file.


def test_unit_passes_systemd_analyze_verify(tmp_path):
    done = subprocess.run([systemd_analyze(), "verify", str(verifiable_unit(tmp_path))], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == ""  # verify only warns (exit 0) about unknown keys: none allowed


def test_unit_is_hardened_by_systemds_own_measure(tmp_path):
    done = subprocess.run([systemd_analyze(), "security", "--offline=true", str(verifiable_unit(tmp_path))],
                          capture_output=True, text=True)
    level = float(re.search(r"Overall exposure level for kiosk.service: ([\d.]+)", done.stdout).group(1))
    assert level <= 5.0, done.stdout  # 10 is "unsafe", the default for an unhardened service is 9.6


def test_unit_has_the_settings_the_kiosk_relies_on():
    entries = unit_entries(UNIT.read_text())
    keys = dict(entries)
    assert keys["Type"] == "notify" and int(keys["WatchdogSec"]) > 0
    assert keys["Restart"] == "always" and int(keys["StartLimitBurst"]) > 0 and int(keys["StartLimitIntervalSec"]) > 0
    assert keys["User"] == "kiosk" and keys["StateDirectory"] == "kiosk"
    assert keys["ProtectSystem"] == "strict" and keys["ProtectHome"] == "true" and keys["PrivateTmp"] == "true"
    assert keys["NoNewPrivileges"] == "true" and "AF_INET" in keys["RestrictAddressFamilies"]
    assert ("Environment", "SDL_VIDEODRIVER=kmsdrm") in entries
    assert "PrivateDevices" not in keys and "ProtectKernelTunables" not in keys  # GPIO, DRM and the backlight
    assert keys["ExecStart"].split()[:3] == ["/opt/kiosk/venv/bin/kiosk", "--config", "/etc/kiosk/kiosk.toml"]


# sd_notify and the watchdog logic.


def test_notify_sends_datagrams_to_the_socket(notify_socket):
    assert systemd.notify("READY=1", "STATUS=up")
    assert notify_socket.messages() == ["READY=1\nSTATUS=up"]


def test_notify_reaches_an_abstract_socket(monkeypatch):
    name = f"kiosk-test-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind("\0" + name)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert systemd.notify("WATCHDOG=1")
        assert server.recv(100) == b"WATCHDOG=1"


def test_without_systemd_nothing_is_sent(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert not systemd.notify("READY=1")


def test_watchdog_interval_from_the_environment(monkeypatch):
    import os

    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert systemd.watchdog_interval_s() == 30.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert systemd.watchdog_interval_s() == 30.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))  # meant for another process
    assert systemd.watchdog_interval_s() is None
    monkeypatch.delenv("WATCHDOG_USEC")
    assert systemd.watchdog_interval_s() is None


def test_stalled_names_the_sources_without_recent_progress():
    loop, reader, outbox = Heartbeat("main-loop", now=0), Heartbeat("nfc-reader", now=0), Heartbeat("mqtt", now=0)
    loop.beat(now=20)
    outbox.beat(now=14)
    assert stalled([loop, reader, outbox], now=20, limit_s=10) == ["nfc-reader"]
    assert stalled([loop, reader, outbox], now=25, limit_s=10) == ["nfc-reader", "mqtt"]


def test_watchdog_pets_only_while_every_source_makes_progress(notify_socket):
    loop, reader, outbox = Heartbeat("main-loop", now=0), Heartbeat("nfc-reader", now=0), Heartbeat("mqtt", now=0)
    watchdog = systemd.Watchdog(interval_s=30)
    for source in (loop, reader, outbox):
        watchdog.watch(source)
    watchdog.tick(now=1)
    assert notify_socket.messages() == ["WATCHDOG=1"]
    watchdog.tick(now=5)  # a third of the interval has not passed: no ping yet
    assert notify_socket.messages() == []

    loop.beat(now=20)
    outbox.beat(now=20)  # the reader thread hangs: its last beat stays at 0
    for now in (20, 25, 30, 40):
        watchdog.tick(now=now)
        loop.beat(now=now)
        outbox.beat(now=now)
    assert notify_socket.messages() == ["STATUS=stalled: nfc-reader"]

    reader.beat(now=41)
    watchdog.tick(now=41)
    assert notify_socket.messages() == ["STATUS=running", "WATCHDOG=1"]


def test_watchdog_is_off_without_an_interval(notify_socket):
    watchdog = systemd.Watchdog(interval_s=None)
    watchdog.watch(Heartbeat("main-loop", now=0))
    watchdog.tick(now=100)
    assert notify_socket.messages() == []


# The app with a real notify socket.


def test_app_reports_ready_and_stops_petting_when_the_outbox_publisher_stalls(tmp_path, broker, notify_socket,
                                                                             monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")  # 2 s: a source is stalled after 1 s without progress
    settings = config.load(write_config(tmp_path, mqtt_port=broker.port, debug={"input_socket": ""}))
    app = KioskApp(settings)
    release, blocked = threading.Event(), threading.Event()
    pending = app.outbox.pending

    def hang_once_asked(*args, **kwargs):
        if not release.is_set():
            blocked.set()
            release.wait()
        return pending(*args, **kwargs)

    try:
        app.start()
        assert notify_socket.messages() == ["READY=1\nSTATUS=showing attract"]
        assert app.rt.ui.name == "attract"
        notify_socket.wait_for("WATCHDOG=1", step=app.run_once)
        wait_for(lambda: app.link.connected, 10, "the MQTT link")

        app.outbox.pending = hang_once_asked  # the publisher thread hangs inside its next turn
        wait_for(blocked.is_set, 10, "the publisher to hang")
        notify_socket.wait_for("STATUS=stalled: mqtt-outbox", step=app.run_once)
        end = time.monotonic() + 3  # more than one whole watchdog interval
        while time.monotonic() < end:
            app.run_once()
        assert "WATCHDOG=1" not in notify_socket.messages()

        release.set()
        seen = notify_socket.wait_for("WATCHDOG=1", step=app.run_once)
        assert "STATUS=running" in seen
    finally:
        release.set()
        app.stop()
    assert notify_socket.messages()[-1] == "STOPPING=1"


def test_kiosk_run_notifies_systemd_like_a_service(tmp_path, notify_socket, monkeypatch, kiosks):
    monkeypatch.setenv("WATCHDOG_USEC", "3000000")
    kiosk = KioskProcess(write_config(tmp_path), command="run")
    kiosks.append(kiosk)
    seen = notify_socket.wait_for("READY=1")
    assert seen[0].startswith("READY=1")  # nothing before it: the watchdog starts with the main loop
    assert kiosk.scene() == "attract"
    notify_socket.wait_for("WATCHDOG=1")
    assert kiosk.terminate() == 0
    assert "STOPPING=1" in notify_socket.messages()

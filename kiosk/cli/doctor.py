"""``kiosk doctor``: checks a kiosk's setup part by part and says what is wrong and what to do about it.

Every check gives one line: PASS, WARN (works, but not as a store kiosk should) or FAIL (the kiosk cannot do
its job); any FAIL makes the exit status non-zero. Checks use the real parts with short timeouts: nfcpy opens
the reader, paho connects to the broker, requests asks the backend. A check that crashes is a FAIL naming the
error, never a crash of the doctor::

    >>> print(Result("clock", WARN, "not synchronised").line())
    WARN  clock    not synchronised
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import ssl
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk import config, keys
from kiosk.clock import clock_synced
from kiosk.exc import KioskError
from kiosk.storage.damage import open_failure

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
INSTALLED_CONFIG = Path("/etc/kiosk/kiosk.toml")
"""Where deploy/install.sh puts the config; the doctor checks it when no other config is named."""
SERVICE = "kiosk.service"
SERVICE_VIDEO_DRIVER = "kmsdrm"  # what systemd/kiosk.service sets: the doctor opens the screen the same way
NFC_TIMEOUT_S = 5.0
BROKER_TIMEOUT_S = 5.0
BACKEND_TIMEOUT_S = 5.0
DISK_FAIL_BYTES = 100 * 1024**2
DISK_WARN_BYTES = 500 * 1024**2
PROBE_CREDENTIAL = ("uid", "kiosk-doctor-probe")
"""The credential the backend check looks up: any answer of the contract (member or 404) proves the backend."""


@dataclass(frozen=True)
class Result:
    check: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.status}  {self.check:<8} {self.detail}"


def config_path(named: str | None) -> str | None:
    """The config the doctor checks: ``--config``, else ``$KIOSK_CONFIG``, else the installed one if present."""
    if named or os.environ.get(config.ENV_VAR):
        return named or os.environ[config.ENV_VAR]
    return str(INSTALLED_CONFIG) if INSTALLED_CONFIG.exists() else None


def run(named_config: str | None) -> list[Result]:
    """Every check, in the order a technician fixes things; without a valid config only that one runs."""
    path = config_path(named_config)
    try:
        settings = config.load(path)
    except KioskError as exc:
        return [Result("config", FAIL, f"{exc}; the other checks need a valid config")]
    if path is None:
        first = Result("config", WARN, f"no config file ({INSTALLED_CONFIG} is missing): built-in defaults, "
                                       "which are a demo's, not a store's")
    else:
        first = Result("config", PASS, f"{path} is valid (kiosk {settings.kiosk.id}, store {settings.kiosk.store})")
    checks: list[tuple[str, Callable[[config.Settings], Result]]] = [
        ("nfc", check_nfc), ("gpio", check_gpio), ("display", check_display), ("broker", check_broker),
        ("backend", check_backend), ("clock", check_clock), ("disk", check_disk), ("sd card", check_sd_card),
        ("content", check_content), ("service", check_service),
    ]
    return [first, *(_guarded(name, check, settings) for name, check in checks)]


def _guarded(name: str, check: Callable[[config.Settings], Result], settings: config.Settings) -> Result:
    try:
        return check(settings)
    except Exception as exc:  # the doctor reports a broken part; it never crashes on one
        return Result(name, FAIL, f"the check itself failed: {type(exc).__name__}: {exc}")


def report(results: list[Result]) -> tuple[str, int]:
    """The printed report and the exit status (1 if anything failed)."""
    failed = sum(r.status == FAIL for r in results)
    warned = sum(r.status == WARN for r in results)
    lines = [r.line() for r in results]
    if failed:
        lines.append(f"{failed} failed, {warned} warnings: the kiosk is not ready (fix the FAIL lines first)")
    else:
        lines.append(f"all {len(results)} checks passed" + (f", {warned} with warnings" if warned else ""))
    return "\n".join(lines), 1 if failed else 0


# The reader.


def check_nfc(settings: config.Settings) -> Result:
    device = settings.nfc.device
    if device == "keyboard":
        return Result("nfc", WARN, "[nfc] device = 'keyboard': demo keys only, no reader is used "
                                   "(set the reader's path, e.g. 'usb' or 'tty:AMA0:pn532')")
    if device == "off":
        return Result("nfc", WARN, "[nfc] device = 'off': the kiosk takes no taps")
    outcome: dict[str, object] = {}
    worker = threading.Thread(target=_open_reader, args=(device, outcome), daemon=True, name="doctor-nfc")
    worker.start()
    worker.join(NFC_TIMEOUT_S)
    if worker.is_alive():
        return Result("nfc", FAIL, f"{device}: no answer within {NFC_TIMEOUT_S:.0f} s (wrong port or driver, "
                                   "or the reader is wired wrong; see hardware/)")
    if "error" in outcome:
        return Result("nfc", FAIL if outcome.get("busy") is None else WARN, str(outcome["error"]))
    if device.startswith("udp"):
        return Result("nfc", WARN, f"{device}: {outcome['emulation']}; for demos and tests only, a store needs a "
                                   "real reader (e.g. 'usb' or 'tty:AMA0:pn532')")
    return Result("nfc", PASS, f"{device}: {outcome['reader']}; {outcome['emulation']}")


def _open_reader(path: str, outcome: dict[str, object]) -> None:
    """On a worker thread, because a serial reader that never answers can hold ``open`` for long."""
    from kiosk.tap.device import ReaderError, open_frontend

    logging.getLogger("nfc").setLevel(logging.CRITICAL)  # nfcpy logs every miss; the result line says it all
    try:
        clf = open_frontend(path)
    except ReaderError as exc:
        if exc.errno == errno.EBUSY:
            outcome["busy"] = True
            outcome["error"] = f"{path}: in use by another process (the running kiosk?): stop it to test the reader"
        elif exc.errno == errno.EACCES:
            outcome["error"] = (f"{path}: permission denied: the kiosk user needs the reader's udev rule "
                                "(deploy/install.sh) and the dialout group")
        else:
            outcome["error"] = (f"{exc.strerror}: plugged in? for a PN532 on the UART: enable_uart=1 and the "
                                "serial console off (see hardware/)")
        return
    try:
        outcome["reader"] = str(clf.device)
        outcome["emulation"] = _emulation(clf, path)
    finally:
        clf.close()


def _emulation(clf, path: str) -> str:
    """Whether the reader can emulate the kiosk's phone-join tag (an NFC Forum Type 4A tag)."""
    import nfc.clf

    if path.startswith("udp"):
        return "simulated reader: tag emulation works"
    target = nfc.clf.LocalTarget("106A")
    target.sens_res = bytearray.fromhex("4400")
    target.sdd_res = bytearray.fromhex("08010203")
    target.sel_res = bytearray.fromhex("20")  # Type 4A: what a phone reads an NDEF URL from
    try:
        clf.device.listen_tta(target, 0.001)
    except (nfc.clf.UnsupportedTargetError, NotImplementedError):
        return "cannot emulate a tag: phones join by the on-screen QR code only"
    except nfc.clf.CommunicationError:
        pass  # listened and heard nothing in 1 ms: emulation works
    return "can emulate a tag (phone join by tapping)"


# GPIO and the screen.


def check_gpio(settings: config.Settings) -> Result:
    from kiosk.devices.parts import make_pin_factory

    gpio = settings.gpio
    pins = (f"LED {'/'.join(map(str, gpio.status_led))}, buzzer {gpio.buzzer}, SPIN button {gpio.spin_button}, "
            f"PIR {gpio.motion_sensor}")
    try:
        factory = make_pin_factory(gpio.pin_factory)
    except KioskError as exc:
        return Result("gpio", FAIL, f"{exc} (on a Pi: apt install python3-lgpio; the kiosk user in group gpio)")
    factory.close()
    if gpio.pin_factory == "mock":
        return Result("gpio", WARN, "pin_factory = 'mock': simulated pins, the real LED, buzzer, button and PIR "
                                    "do nothing")
    return Result("gpio", PASS, f"{gpio.pin_factory} pin factory works; BCM pins {pins}")


def check_display(settings: config.Settings) -> Result:
    display = settings.display
    wanted = f"{display.width}x{display.height}"
    if display.mode == "headless":
        return Result("display", WARN, "[display] mode = 'headless': nothing is shown (a test setting)")
    driver = os.environ.get("SDL_VIDEODRIVER") or (SERVICE_VIDEO_DRIVER if display.mode == "fullscreen" else "")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    saved = os.environ.get("SDL_VIDEODRIVER")
    if driver:
        os.environ["SDL_VIDEODRIVER"] = driver
    try:
        pygame.display.init()
        name, sizes = pygame.display.get_driver(), pygame.display.get_desktop_sizes()
    except pygame.error as exc:
        hint = (" (no /dev/dri/card*: dtoverlay=vc4-kms-v3d in config.txt?)" if not list(Path("/dev/dri").glob("card*"))
                else " (the kiosk user needs the video and render groups; is another program on the screen?)")
        return Result("display", FAIL, f"SDL video driver {driver or 'auto'} cannot start: {exc}{hint}")
    finally:
        pygame.display.quit()
        if saved is None:
            os.environ.pop("SDL_VIDEODRIVER", None)
        else:
            os.environ["SDL_VIDEODRIVER"] = saved
    actual = "x".join(map(str, sizes[0])) if sizes else "unknown"
    if name == "dummy":
        return Result("display", WARN, "SDL dummy video driver: nothing is shown")
    if actual != wanted:
        return Result("display", WARN, f"{name}: the screen is {actual} but [display] asks for {wanted}; "
                                       "set width and height to the screen's size")
    return Result("display", PASS, f"{name} driver, {actual} as configured ({display.mode})")


# The network: broker and backend.


def check_broker(settings: config.Settings) -> Result:
    from kiosk.mqtt.client import new_client

    s = settings.mqtt
    if not s.enabled:
        return Result("broker", WARN, "[mqtt] enabled = false: events stay in the outbox, nobody sees the kiosk")
    where = f"{s.host}:{s.port}" + (" (TLS)" if s.tls else "")
    answered = threading.Event()
    answer: dict[str, object] = {}

    def on_connect(client, userdata, flags, reason_code, properties) -> None:
        answer["code"] = reason_code
        answered.set()

    try:  # its own client id: the kiosk's id would push a running kiosk off the broker
        client = new_client(s, f"kiosk-{settings.kiosk.id}-doctor")
        client.connect_timeout = BROKER_TIMEOUT_S
        client.on_connect = on_connect
        client.connect(s.host, s.port, keepalive=10)
    except ssl.SSLError as exc:
        return Result("broker", FAIL, f"{where}: TLS handshake failed ({exc.reason or exc}): check [mqtt] tls, "
                                      "ca_file and the broker's certificate")
    except (OSError, ValueError) as exc:
        return Result("broker", FAIL, f"{where}: unreachable ({exc}); events wait in the outbox until it is")
    client.loop_start()
    try:
        if not answered.wait(BROKER_TIMEOUT_S):
            return Result("broker", FAIL, f"{where}: no MQTT answer within {BROKER_TIMEOUT_S:.0f} s "
                                          "(a TLS port without tls = true, or not a broker?)")
        code = answer["code"]
        if code.is_failure:
            return Result("broker", FAIL, f"{where}: connection refused: {code} (check [mqtt] username, password "
                                          "and the broker's ACL for this kiosk)")
    finally:
        client.disconnect()
        client.loop_stop()
    who = f" as {s.username}" if s.username else " without credentials"
    return Result("broker", PASS if s.tls or s.username else WARN,
                  f"{where}: connected{who}" + ("" if s.tls else "; unencrypted (set tls = true in a store)"))


def check_backend(settings: config.Settings) -> Result:
    backend = settings.backend
    if backend.kind == "local":
        return _local_backend(Path(settings.kiosk.state_dir) / "state.db")
    from kiosk.backend.http import HttpBackend
    from kiosk.core.credential import Credential
    from kiosk.exc import BackendUnavailable

    probe = HttpBackend(backend.url, backend.token, min(backend.timeout_s, BACKEND_TIMEOUT_S))
    try:
        probe.lookup(Credential(*PROBE_CREDENTIAL))
    except BackendUnavailable as exc:
        return Result("backend", FAIL, f"{backend.url}: {exc} (check [backend] url and token)")
    return Result("backend", PASS, f"{backend.url} answers member lookups")


def _local_backend(db: Path) -> Result:
    if not db.exists():
        return Result("backend", WARN, f"embedded backend: {db} does not exist yet; the kiosk creates it on start")
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=2)
        try:
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
            members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Result("backend", FAIL, f"embedded backend: {open_failure(db, exc)}")
    if verdict != "ok":
        return Result("backend", FAIL, f"embedded backend: {db} is damaged ({verdict})")
    return Result("backend", PASS, f"embedded backend: {db} opens and checks fine ({members} members)")


# The machine: clock, disk, SD card.


def check_clock(settings: config.Settings) -> Result:
    if clock_synced():
        return Result("clock", PASS, "synchronised")
    return Result("clock", WARN, "not synchronised: events are marked clock_synced = false and TLS may fail "
                                 "(network time: timedatectl set-ntp true)")


def check_disk(settings: config.Settings) -> Result:
    place = Path(settings.kiosk.state_dir)  # the config made sure it is a folder, or not there yet
    while not place.exists():
        place = place.parent
    if place == Path(settings.kiosk.state_dir) and not os.access(place, os.W_OK):
        return Result("disk", FAIL, f"state_dir {place} is not writable for this user (run as the kiosk user)")
    usage = shutil.disk_usage(place)
    free = f"{usage.free / 1024**3:.1f} GiB free of {usage.total / 1024**3:.1f} GiB at {place}"
    if usage.free < DISK_FAIL_BYTES:
        return Result("disk", FAIL, f"{free}: SQLite needs room to write; free space (journalctl --vacuum-size)")
    if usage.free < DISK_WARN_BYTES or usage.free < usage.total * 0.1:
        return Result("disk", WARN, f"{free}: getting full")
    return Result("disk", PASS, free)


def check_sd_card(settings: config.Settings) -> Result:
    return sd_card_hint(Path("/proc/mounts"), Path("/sys/block"))


def sd_card_hint(mounts: Path, sys_block: Path) -> Result:
    """Where the root file system lives and what that means for the card's life."""
    root = next((line.split()[:3] for line in mounts.read_text().splitlines() if line.split()[1:2] == ["/"]),
                None)
    if root is None:
        return Result("sd card", WARN, "cannot tell where the root file system is")
    source, _, fstype = root
    if fstype == "overlay" or "overlayroot" in source:
        return Result("sd card", PASS, "read-only root (overlay): only the state partition takes writes")
    if not source.startswith("/dev/mmcblk"):
        return Result("sd card", PASS, f"root on {source}, not an SD card")
    disk = source.removeprefix("/dev/").split("p")[0]
    life = sys_block / disk / "device" / "life_time"
    if life.exists():  # eMMC (Compute Module): wear in steps of 10 %, 0x0b = worn out
        used = max(int(value, 16) for value in life.read_text().split())
        if used >= 0x0A:
            return Result("sd card", FAIL, f"{disk}: eMMC worn out (life_time {used:#04x}): replace it")
        if used >= 0x08:
            return Result("sd card", WARN, f"{disk}: eMMC {10 * (used - 1)}-{10 * used} % worn")
    return Result("sd card", WARN, f"root on {source}, writable: SD cards wear out; use a high-endurance card "
                                   "and the overlay root (hardware/read-only-root.md)")


# What the kiosk shows, and the service itself.


def check_content(settings: config.Settings) -> Result:
    from kiosk.content.bundle import DEFAULT_DIR, load_bundle

    configured = settings.content.dir
    note = ""
    installed = _installed(settings)
    if configured:
        try:
            return _bundle_result(load_bundle(Path(configured)), "", installed)
        except KioskError as exc:
            note = f"[content] dir unusable ({exc}), the kiosk shows the built-in content; "
    try:
        bundle = load_bundle(DEFAULT_DIR)
    except KioskError as exc:
        return Result("content", FAIL, f"{note}the built-in content at {DEFAULT_DIR} is broken: {exc}")
    return _bundle_result(bundle, note, installed)


def _bundle_result(bundle, note: str, installed: tuple[str, bool]) -> Result:
    from kiosk.content.library import builtin_version

    number = builtin_version(bundle.path)
    version = f"version {number}" if number is not None else "no manifest: an unversioned source bundle"
    status = WARN if note or installed[1] else PASS
    return Result("content", status, f"{note}{bundle.path} loads ({len(bundle.tiers)} tiers, "
                                     f"{len(bundle.strings)} languages); {version}; {installed[0]}")


def _installed(settings: config.Settings) -> tuple[str, bool]:
    """The remote bundles in ``{state_dir}/content`` (shown before the local one): current, previous and
    rejected versions; True with them when the kiosk cannot use its current one."""
    from kiosk.content.library import Library, open_installed

    library = Library(Path(settings.kiosk.state_dir) / "content")
    current, versions, rejected = library.current(), library.installed(), library.floor()
    if not versions and rejected is None:
        return "no installed bundles", False
    previous = ", ".join(str(v) for v in versions if v != current) or "none"
    text = (f"installed bundles: current {current if current is not None else 'none'}, previous {previous}, "
            f"rejected {f'up to {rejected}' if rejected is not None else 'none'}")
    trial = library.trial()
    if trial is not None:
        text += f", version {trial.version} on trial (a restart now rolls it back)"
    if versions and not settings.content.public_key:
        return f"{text}; not used: no [content] public_key to check them", True
    if current is None:
        return text, False
    try:
        open_installed(library.folder(current), current, keys.public_key(settings.content.public_key))
    except KioskError as exc:
        return f"{text}; the current one is unusable, the kiosk shows the last good ({exc})", True
    return text, False


def check_service(settings: config.Settings) -> Result:
    systemctl = shutil.which("systemctl")
    if systemctl is None or not Path("/run/systemd/system").is_dir():
        return Result("service", WARN, "systemd is not running here: the service state cannot be checked")

    def ask(*args: str) -> str:
        done = subprocess.run([systemctl, *args], capture_output=True, text=True, timeout=10, check=False)
        return done.stdout.strip()

    return service_state(ask("is-active", SERVICE), ask("is-enabled", SERVICE),
                         ask("show", "-p", "NRestarts", "--value", SERVICE))


def service_state(active: str, enabled: str, restarts: str) -> Result:
    """The verdict on systemctl's answers (is-active, is-enabled, NRestarts)."""
    if enabled in ("", "not-found"):
        return Result("service", WARN, f"{SERVICE} is not installed (sudo bash deploy/install.sh)")
    if active == "failed":
        return Result("service", FAIL, f"{SERVICE} failed and stopped restarting: journalctl -u kiosk -b, "
                                       "then sudo systemctl restart kiosk")
    if active != "active":
        return Result("service", WARN, f"{SERVICE} is {active or 'unknown'} ({enabled}): sudo systemctl start kiosk")
    restarted = f"; restarted {restarts} times (journalctl -u kiosk)" if restarts not in ("", "0") else ""
    autostart = "" if enabled == "enabled" else f"; {enabled}, so it will not start at boot"
    status = PASS if not restarted and not autostart else WARN
    return Result("service", status, f"{SERVICE} is running{restarted}{autostart}")

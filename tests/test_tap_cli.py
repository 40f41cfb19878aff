"""`kiosk tap` against `kiosk demo` in two processes, as the README shows it."""

import re
import subprocess
import sys

from tests.helpers import REPO, KioskProcess, free_port, write_config


def kiosk_tap(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "tap", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=60)


def test_kiosk_tap_reaches_the_demo_through_nfcpy(tmp_path, kiosks):
    device = f"udp:127.0.0.1:{free_port()}"
    demo = KioskProcess(write_config(tmp_path, nfc={"device": device}))
    kiosks.append(demo)
    result = kiosk_tap("--member", "M-1001", "--device", device)
    assert result.returncode == 0, result.stderr
    demo.wait_scene("welcome", timeout=15)
    result = kiosk_tap("--member", "M-1003", "--type", "t2", "--chip", "ntag213", "--device", device)
    assert result.returncode == 0, result.stderr
    result = kiosk_tap("--member", "M-1001", "--type", "t3", "--device", device)
    assert result.returncode == 0, result.stderr
    result = kiosk_tap("--phone", "--device", device)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"http://[0-9.]+:[0-9]+/join\?s=[A-Za-z0-9_-]+", result.stdout.strip())  # the demo's
    assert demo.terminate() == 0


def test_kiosk_tap_without_a_reader_says_so():
    result = kiosk_tap("--uid", "04A224B1C55E80", "--device", f"udp:127.0.0.1:{free_port()}", "--wait", "1")
    assert result.returncode == 1
    assert "no reader activated the card" in result.stderr


def test_kiosk_tap_refuses_a_bad_uid():
    result = kiosk_tap("--uid", "0102", "--wait", "1")
    assert result.returncode == 2 and "4, 7 or 10 bytes" in result.stderr


def test_kiosk_tap_refuses_a_uid_its_card_type_cannot_have():
    result = kiosk_tap("--uid", "04A224B1", "--type", "t2", "--wait", "1")
    assert result.returncode == 2 and "7 bytes" in result.stderr
    result = kiosk_tap("--uid", "04A224B1C55E80", "--type", "t3", "--wait", "1")
    assert result.returncode == 2 and "8 bytes" in result.stderr

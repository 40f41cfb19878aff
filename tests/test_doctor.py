"""`kiosk doctor` against real parts: a private mosquitto with passwords, an HTTP backend, nfcpy, SDL, sqlite."""

import getpass
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import config, keys
from kiosk.cli import doctor
from kiosk.content.library import Library, Trial
from kiosk.storage.store import Store
from tests.bundles import SHIPPED_VERSION, make_bundle
from tests.helpers import REPO, Broker, free_port, write_config

LINE = re.compile(r"^(PASS|WARN|FAIL)  (.{8}) (.*)$")


@pytest.fixture
def secure_broker(tmp_path):
    """A mosquitto that only lets kiosk-1 in, with its password."""
    passwords = tmp_path / "passwords"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(passwords), "kiosk-1", "s3cret"], check=True,
                   capture_output=True)
    broker = Broker(tmp_path)
    # mosquitto started by root reads the password file after dropping to its own user, which cannot enter
    # pytest's private tmp folder: stay the user the tests run as.
    broker.conf.write_text(f"user {getpass.getuser()}\nlistener {broker.port} 127.0.0.1\nallow_anonymous false\n"
                           f"password_file {passwords}\npersistence false\n")
    broker.start()
    yield broker
    broker.stop()


def run_doctor(config_path: Path, video_driver: str = "dummy") -> tuple[int, dict[str, tuple[str, str]]]:
    env = {**os.environ, "SDL_VIDEODRIVER": video_driver}
    done = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config_path), "doctor"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120)
    results = {}
    for line in done.stdout.splitlines():
        match = LINE.match(line)
        if match:
            results[match.group(2).strip()] = (match.group(1), match.group(3))
    return done.returncode, results


def doctor_config(tmp_path: Path, broker: Broker, backend_url: str, **sections: dict) -> Path:
    base = {
        "display": {"mode": "window", "width": 1024, "height": 768},
        "nfc": {"device": f"udp:127.0.0.1:{free_port()}"},
        "mqtt": {"username": "kiosk-1", "password": "s3cret"},
        "backend": {"kind": "http", "url": backend_url, "timeout_s": 2},
        "debug": {"input_socket": ""},
    }
    for name, values in sections.items():
        base.setdefault(name, {}).update(values)
    return write_config(tmp_path, mqtt_port=broker.port, **base)


def test_healthy_setup_passes(tmp_path, secure_broker, httpserver):
    httpserver.expect_request("/members/lookup").respond_with_data("unknown", status=404)
    status, results = run_doctor(doctor_config(tmp_path, secure_broker, httpserver.url_for("/")))
    assert status == 0, results
    assert not [name for name, (verdict, _) in results.items() if verdict == "FAIL"]
    assert set(results) == {"config", "nfc", "gpio", "display", "broker", "backend", "clock", "disk", "sd card",
                            "content", "service"}
    for name in ("config", "broker", "backend", "disk", "content"):
        assert results[name][0] == "PASS", (name, results[name])
    assert results["nfc"][0] == "WARN"  # the simulated reader works, and is no reader for a store
    assert "tag emulation works" in results["nfc"][1] and "demos and tests only" in results["nfc"][1]
    assert "connected as kiosk-1" in results["broker"][1]
    assert results["gpio"] == ("WARN", results["gpio"][1]) and "mock" in results["gpio"][1]
    assert results["display"][0] == "WARN" and "dummy" in results["display"][1]


def test_broken_setup_names_every_failure(tmp_path, secure_broker, httpserver):
    httpserver.expect_request("/members/lookup").respond_with_data("oops", status=500)
    broken_content = tmp_path / "content"
    broken_content.mkdir()
    path = doctor_config(tmp_path, secure_broker, httpserver.url_for("/"),
                         display={"mode": "fullscreen"},
                         nfc={"device": "tty:USB99:pn532"},
                         gpio={"pin_factory": "lgpio"},
                         mqtt={"password": "wrong"},
                         content={"dir": str(broken_content)})
    status, results = run_doctor(path, video_driver="no-such-driver")
    assert status == 1
    failed = {name for name, (verdict, _) in results.items() if verdict == "FAIL"}
    assert failed == {"nfc", "gpio", "display", "broker", "backend"}, results
    assert "no reader" in results["nfc"][1]
    assert "lgpio" in results["gpio"][1]
    assert "no-such-driver" in results["display"][1]
    assert "connection refused" in results["broker"][1]
    assert "HTTP 500" in results["backend"][1]
    assert results["content"][0] == "WARN" and "built-in content" in results["content"][1]


def test_a_state_dir_naming_a_file_is_a_config_failure(tmp_path):
    (tmp_path / "state-is-a-file").write_text("")
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\nstate_dir = "{tmp_path / "state-is-a-file"}"\n')
    status, results = run_doctor(path)
    assert status == 1 and list(results) == ["config"]
    assert "kiosk.state_dir" in results["config"][1] and "(names a file, not a folder)" in results["config"][1]


def test_invalid_config_fails_alone(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text("[display]\nfps = 0\n")
    status, results = run_doctor(path)
    assert status == 1
    assert list(results) == ["config"]
    assert results["config"][0] == "FAIL" and "display.fps" in results["config"][1]


def settings_for(tmp_path: Path, **sections: dict) -> config.Settings:
    return config.load(write_config(tmp_path, **sections))


def test_broker_unreachable_or_without_tls(tmp_path, broker):
    closed = settings_for(tmp_path, mqtt={"enabled": True, "port": free_port()})
    result = doctor.check_broker(closed)
    assert result.status == "FAIL" and "unreachable" in result.detail
    tls_on_plain_port = settings_for(tmp_path, mqtt={"enabled": True, "port": broker.port, "tls": True})
    result = doctor.check_broker(tls_on_plain_port)
    assert result.status == "FAIL" and "TLS" in result.detail


def test_anonymous_plain_broker_is_only_a_warning(tmp_path, broker):
    result = doctor.check_broker(settings_for(tmp_path, mqtt_port=broker.port))
    assert result.status == "WARN" and "unencrypted" in result.detail


def test_embedded_backend_state_database(tmp_path):
    settings = settings_for(tmp_path, backend={"kind": "local"})
    assert doctor.check_backend(settings).status == "WARN"  # not created yet: the kiosk creates it
    Store(Path(settings.kiosk.state_dir) / "state.db").close()
    result = doctor.check_backend(settings)
    assert result.status == "PASS" and "0 members" in result.detail
    (Path(settings.kiosk.state_dir) / "state.db").write_bytes(b"not a database" * 100)
    assert doctor.check_backend(settings).status == "FAIL"


def test_content_reports_the_installed_bundles(tmp_path):
    key = Ed25519PrivateKey.generate()
    public = keys.public_text(key)
    settings = settings_for(tmp_path, content={"public_key": public})
    result = doctor.check_content(settings)
    assert result.status == "PASS" and result.detail.endswith(f"version {SHIPPED_VERSION}; no installed bundles")
    library = Library(Path(settings.kiosk.state_dir) / "content")
    for version in (2, 3, 4):
        make_bundle(library.staging_folder(version), key, version)
        library.install(version)
    library.switch(3)
    library.reject(4)
    result = doctor.check_content(settings)
    assert result.status == "PASS"
    assert result.detail.endswith("installed bundles: current 3, previous 2, rejected up to 4")
    library.begin_trial(Trial(2, 3, "poll"))
    assert "version 2 on trial" in doctor.check_content(settings).detail
    (library.folder(2) / "theme.json").write_text("{}")
    result = doctor.check_content(settings)
    assert result.status == "WARN" and "the current one is unusable, the kiosk shows the last good" in result.detail
    result = doctor.check_content(settings_for(tmp_path, content={"public_key": ""}))
    assert result.status == "WARN" and "not used: no [content] public_key" in result.detail


def test_nfc_keyboard_and_off_are_warnings(tmp_path):
    assert doctor.check_nfc(settings_for(tmp_path, nfc={"device": "keyboard"})).status == "WARN"
    assert doctor.check_nfc(settings_for(tmp_path, nfc={"device": "off"})).status == "WARN"


@pytest.mark.parametrize(
    ("active", "enabled", "restarts", "status", "words"),
    [
        ("active", "enabled", "0", "PASS", "is running"),
        ("active", "enabled", "4", "WARN", "restarted 4 times"),
        ("active", "disabled", "0", "WARN", "will not start at boot"),
        ("failed", "enabled", "5", "FAIL", "journalctl -u kiosk"),
        ("inactive", "enabled", "0", "WARN", "systemctl start kiosk"),
        ("inactive", "not-found", "", "WARN", "not installed"),
    ],
)
def test_service_state(active, enabled, restarts, status, words):
    result = doctor.service_state(active, enabled, restarts)
    assert result.status == status and words in result.detail


@pytest.mark.parametrize(
    ("mount", "life_time", "status", "words"),
    [
        ("/dev/vda1 / ext4 rw 0 0", None, "PASS", "not an SD card"),
        ("overlayroot / overlay rw 0 0", None, "PASS", "read-only root"),
        ("/dev/mmcblk0p2 / ext4 rw,noatime 0 0", None, "WARN", "high-endurance"),
        ("/dev/mmcblk0p2 / ext4 rw 0 0", "0x0b 0x01", "FAIL", "worn out"),
        ("/dev/mmcblk0p2 / ext4 rw 0 0", "0x02 0x01", "WARN", "overlay root"),
    ],
)
def test_sd_card_hints(tmp_path, mount, life_time, status, words):
    mounts = tmp_path / "mounts"
    mounts.write_text(f"proc /proc proc rw 0 0\n{mount}\n")
    if life_time:
        device = tmp_path / "block" / "mmcblk0" / "device"
        device.mkdir(parents=True)
        (device / "life_time").write_text(life_time + "\n")
    result = doctor.sd_card_hint(mounts, tmp_path / "block")
    assert result.status == status and words in result.detail

"""deploy/install.sh: shellcheck, a dry run that changes nothing, and real runs into a throw-away root folder
(install, install again, uninstall, purge) with the real useradd, python venv, pip, systemctl and systemd-analyze."""

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from kiosk import config
from tests.helpers import REPO

SCRIPT = REPO / "deploy" / "install.sh"
APP_ITEMS = ("kiosk", "content", "deploy", "systemd", "hardware", "pyproject.toml", "README.md")


def tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is missing: run `bash deploy/dev.sh test` or `apt-get install {package}`")
    return found


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A copy of the repository to install from (other files of the working tree may change meanwhile), with one
    udev rule and one module blacklist of a reader vendor in hardware/."""
    folder = tmp_path / "checkout"
    folder.mkdir()
    for item in APP_ITEMS:
        source = REPO / item
        if source.is_dir():
            shutil.copytree(source, folder / item, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, folder / item)
    (folder / "hardware" / "udev").mkdir(parents=True, exist_ok=True)
    (folder / "hardware" / "udev" / "99-test-reader.rules").write_text('SUBSYSTEM=="usb", GROUP="dialout"\n')
    (folder / "hardware" / "modprobe.d").mkdir(parents=True, exist_ok=True)
    (folder / "hardware" / "modprobe.d" / "test-blacklist.conf").write_text("blacklist pn533_usb\n")
    return folder


@pytest.fixture
def target(tmp_path) -> Path:
    """A scratch system root: this machine's user database, a Pi's kernel command line, systemd's own units."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    for name in ("passwd", "group", "shadow", "gshadow", "login.defs"):
        if Path("/etc", name).exists():
            shutil.copy2(Path("/etc", name), root / "etc" / name)
    (root / "boot" / "firmware").mkdir(parents=True)
    (root / "boot" / "firmware" / "cmdline.txt").write_text("console=tty1 root=PARTUUID=0-02 rootwait\n")
    shutil.copytree("/usr/lib/systemd/system", root / "usr" / "lib" / "systemd" / "system", symlinks=True)
    return root


def install(checkout: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(["bash", str(checkout / "deploy" / "install.sh"), *args], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes | str]]:
    result = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        content = os.readlink(path) if path.is_symlink() else path.read_bytes() if path.is_file() else b""
        result[str(path.relative_to(root))] = (info.st_mode, info.st_uid, content)
    return result


def ids(root: Path, database: str, name: str) -> str | None:
    for line in (root / "etc" / database).read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return fields[2] if database == "passwd" else fields[2] + ":" + fields[3]
    return None


def test_install_script_is_shellcheck_clean():
    done = subprocess.run([tool("shellcheck", "shellcheck"), str(SCRIPT), str(REPO / "deploy" / "dev.sh")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_example_config_validates():
    settings = config.load(REPO / "deploy" / "kiosk.example.toml")
    assert settings.display.mode == "fullscreen"
    assert settings.kiosk.state_dir == Path("/var/lib/kiosk")


def test_dry_run_prints_every_action_and_changes_nothing(checkout, target):
    before = snapshot(target)
    out = install(checkout, "--dry-run", "--root", str(target)).stdout
    assert snapshot(target) == before
    for action in ("useradd --root=", "python3 -m venv", "pip install", "kiosk.example.toml",
                   "/etc/udev/rules.d/99-test-reader.rules", "/etc/modprobe.d/test-blacklist.conf",
                   "/etc/systemd/system/kiosk.service", "enable kiosk.service", "consoleblank=0"):
        assert action in out, action
    assert "nothing changed" in out
    assert "+ " not in out  # nothing was run


def test_real_install_update_and_uninstall_in_a_scratch_root(checkout, target):
    first = install(checkout, "--root", str(target)).stdout
    assert "done:" in first

    # The user, in the groups the hardware needs.
    uid = ids(target, "passwd", "kiosk")
    assert uid is not None
    members = {line.split(":")[0] for line in (target / "etc" / "group").read_text().splitlines()
               if "kiosk" in line.split(":")[3].split(",")}
    assert {"gpio", "spi", "i2c", "dialout", "video", "input", "render"} <= members

    # The program: an editable install of the copied checkout, so the content beside the package is found.
    kiosk = target / "opt" / "kiosk" / "venv" / "bin" / "kiosk"
    version = subprocess.run([str(kiosk), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("kiosk ")
    found = subprocess.run([str(target / "opt/kiosk/venv/bin/python"), "-c",
                            "import kiosk.content.bundle as b; print(b.load_bundle(b.DEFAULT_DIR).path)"],
                           cwd=target, capture_output=True, text=True, check=True).stdout.strip()
    assert found == str(target / "opt" / "kiosk" / "src" / "content")
    assert os.readlink(target / "usr/local/bin/kiosk") == "/opt/kiosk/venv/bin/kiosk"

    # Config (valid, readable by the kiosk group only), state folder, hardware files, unit, screen blanking.
    conf = target / "etc" / "kiosk" / "kiosk.toml"
    assert conf.read_text() == (REPO / "deploy" / "kiosk.example.toml").read_text()
    assert stat.S_IMODE(conf.stat().st_mode) == 0o640
    config.load(conf)
    state = target / "var" / "lib" / "kiosk"
    assert state.is_dir() and str(state.stat().st_uid) == uid
    assert (target / "etc/udev/rules.d/99-test-reader.rules").is_file()
    assert (target / "etc/udev/rules.d/70-kiosk-backlight.rules").is_file()
    assert (target / "etc/modprobe.d/test-blacklist.conf").read_text() == "blacklist pn533_usb\n"
    unit = target / "etc/systemd/system/kiosk.service"
    assert unit.read_text() == (REPO / "systemd" / "kiosk.service").read_text()
    assert (target / "etc/systemd/system/multi-user.target.wants/kiosk.service").is_symlink()
    assert "consoleblank=0" in (target / "boot/firmware/cmdline.txt").read_text()
    verify = subprocess.run([tool("systemd-analyze", "systemd"), "verify", f"--root={target}",
                             "/etc/systemd/system/kiosk.service"], capture_output=True, text=True)
    assert verify.returncode == 0 and verify.stdout + verify.stderr == "", verify.stderr

    # Again: nothing to do, and the technician's config is kept.
    conf.write_text(conf.read_text().replace('id = "kiosk-1"', 'id = "riga-07"'))
    second = install(checkout, "--root", str(target)).stdout
    assert "done: 0 change(s)" in second
    assert 'id = "riga-07"' in conf.read_text()
    assert (target / "boot/firmware/cmdline.txt").read_text().count("consoleblank=0") == 1

    # A reader's rule dropped from hardware/ is removed on the next install; a code change is installed.
    (checkout / "hardware" / "udev" / "99-test-reader.rules").unlink()
    (checkout / "kiosk" / "marker.py").write_text('"""A change to install."""\n')
    third = install(checkout, "--root", str(target)).stdout
    assert not (target / "etc/udev/rules.d/99-test-reader.rules").exists()
    assert (target / "opt/kiosk/src/kiosk/marker.py").is_file()
    assert "pip install" in third

    # Uninstall keeps config, state and user; purge removes them.
    (state / "state.db").write_text("the kiosk's data")
    out = install(checkout, "--uninstall", "--root", str(target)).stdout
    for gone in ("opt/kiosk", "etc/systemd/system/kiosk.service", "usr/local/bin/kiosk",
                 "etc/systemd/system/multi-user.target.wants/kiosk.service", "etc/modprobe.d/test-blacklist.conf",
                 "etc/udev/rules.d/70-kiosk-backlight.rules"):
        assert not (target / gone).exists() and not (target / gone).is_symlink(), gone
    assert "consoleblank" not in (target / "boot/firmware/cmdline.txt").read_text()
    assert conf.exists() and (state / "state.db").read_text() == "the kiosk's data"
    assert ids(target, "passwd", "kiosk") == uid
    assert "--purge removes them" in out

    install(checkout, "--uninstall", "--purge", "--root", str(target))
    assert not (target / "etc/kiosk").exists() and not state.exists()
    assert ids(target, "passwd", "kiosk") is None

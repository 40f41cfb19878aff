"""deploy/install.sh for real, as a technician runs it, in a throw-away Debian bookworm made by debootstrap: its
own apt-get, useradd, venv and pip install from PyPI, systemctl enable; then the installed kiosk run inside that
root as the kiosk user, a second run, a run that finishes a failed one, one that rebuilds an environment whose
Python cannot run there, and --uninstall; a dry run on the fresh system before all that.

Every command in the throw-away root runs in a private mount namespace (unshare), where /proc is mounted for apt,
pip and systemctl: those mounts vanish with the command, so the host's mount table never changes and nothing is
left mounted when a test is interrupted. Nothing of the host is bind-mounted; debootstrap's own device nodes serve
/dev and its copy of /etc/resolv.conf resolves names. The only network use is the Debian mirror and PyPI."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk import config
from tests.helpers import REPO
from tests.test_install import tool

MIRROR = "http://deb.debian.org/debian"
# What a Raspberry Pi OS Lite image has before install.sh runs; install.sh's own apt-get step installs the rest
# (python3-venv, python3-pip, the USB and graphics libraries, ca-certificates), so that step is tested for real.
BASE_PACKAGES = "python3,systemd"
CHECKOUT = "/root/kiosk"  # where the technician's `git clone` lies in the throw-away root
CMDLINE = "console=tty1 root=PARTUUID=0-02 rootwait\n"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
HEADLESS = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}  # no screen in a chroot
GROUPS = {"gpio", "spi", "i2c", "dialout", "video", "input", "render"}
HARDWARE_FILES = {f"etc/udev/rules.d/{f.name}": f for f in sorted((REPO / "hardware" / "udev").glob("*.rules"))} | {
    f"etc/modprobe.d/{f.name}": f for f in sorted((REPO / "hardware" / "modprobe.d").glob("*.conf"))}


@dataclass
class Debian:
    """A throw-away Debian root folder, and commands run inside it."""

    root: Path

    def run(self, *command: str, user: str = "root", extra_env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess:
        """Run ``command`` chrooted as ``user`` with a clean environment, as sudo gives one: the host's settings
        (its pip configuration, say) must not leak in."""
        env = {"PATH": PATH, "LANG": "C.UTF-8", "HOME": "/root" if user == "root" else "/var/lib/kiosk"}
        env |= extra_env or {}
        script = 'mount -t proc proc "$0/proc" && exec chroot --userspec="$1" "$0" "${@:2}"'
        done = subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "bash", "-c", script,
                               str(self.root), f"{user}:{user}", *command],
                              env=env, capture_output=True, text=True, timeout=900)
        if check:
            assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        return done

    def install(self, *args: str) -> str:
        """Run the checkout's install.sh in the root as root; its output."""
        return self.run("bash", f"{CHECKOUT}/deploy/install.sh", *args).stdout

    def path(self, inside: str) -> Path:
        """The host's path of ``inside``, a path in the root."""
        return self.root / inside.lstrip("/")


def mounts_under(folder: Path) -> list[str]:
    """Mount points at or below ``folder`` in this (the host's) mount namespace."""
    prefix = str(folder)
    points = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    return [p for p in points if p == prefix or p.startswith(prefix + "/")]


def copy_checkout(destination: Path) -> None:
    """The files git knows of (tracked, and new ones not ignored), as in the working tree: no .venv, no caches."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is not part of the checkout
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)


@pytest.fixture(scope="module")
def debian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Debian]:
    """A fresh Debian bookworm (minbase, with python3 and systemd) holding a copy of the checkout and a Pi's kernel
    command line, shared by the tests below in file order; deleted afterwards (it is some 400 MB)."""
    if os.geteuid() != 0:
        raise RuntimeError("debootstrap and chroot need root: run this test as root")
    root = tmp_path_factory.mktemp("debian") / "root"
    try:
        # In a private mount namespace too: debootstrap mounts /proc and /sys into the root while it works.
        done = subprocess.run(["unshare", "--mount", "--propagation", "private", "--",
                               tool("debootstrap", "debootstrap"), "--variant=minbase", f"--include={BASE_PACKAGES}",
                               "bookworm", str(root), MIRROR], capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        copy_checkout(root / CHECKOUT.lstrip("/"))
        # This machine's own certificate authorities (a TLS-inspecting proxy's, say; none on a plain machine), so
        # pip in the root reaches PyPI as this machine does; the ca-certificates package that install.sh's apt-get
        # step installs takes them in.
        local_cas = Path("/usr/local/share/ca-certificates")
        if local_cas.is_dir():
            shutil.copytree(local_cas, root / "usr/local/share/ca-certificates", dirs_exist_ok=True)
        (root / "boot" / "firmware").mkdir(parents=True)
        (root / "boot" / "firmware" / "cmdline.txt").write_text(CMDLINE)
        yield Debian(root)
    finally:
        # rmtree would go down into anything still mounted and delete the host's files: unmount first, or keep it.
        for point in reversed(mounts_under(root)):
            subprocess.run(["umount", "-l", point], check=False)
        assert not mounts_under(root), f"still mounted under {root}: not deleted"
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def first_run(debian: Debian) -> str:
    """The output of the first install.sh run in the fresh root."""
    return debian.install()


def packages(script: Path) -> list[str]:
    """install.sh's PACKAGES list: what its apt-get step must have installed."""
    found = re.search(r"^PACKAGES=\((.*)\)$", script.read_text(), re.MULTILINE)
    assert found is not None, "no PACKAGES=(...) line in install.sh"
    return found.group(1).split()


def kiosk_gid(debian: Debian) -> int:
    """The numeric group id of the kiosk group in the root."""
    return int(debian.run("getent", "group", "kiosk").stdout.split(":")[2])


INSTALLED = ("/opt/kiosk", "/usr/local/bin/kiosk", "/etc/kiosk", "/var/lib/kiosk", "/etc/systemd/system/kiosk.service")


def test_dry_run_prints_every_action_and_changes_nothing(debian: Debian) -> None:
    # First in file order: the fresh system, before first_run installs anything.
    out = debian.install("--dry-run")
    for action in ("apt-get install", "useradd --system", "python3 -m venv", "pip install", "kiosk.example.toml",
                   "/etc/systemd/system/kiosk.service", "enable kiosk.service", "consoleblank=0"):
        assert action in out, action
    assert "nothing changed" in out and "+ " not in out  # nothing was run
    for path in INSTALLED:
        assert not debian.path(path).exists() and not debian.path(path).is_symlink(), path
    assert debian.run("getent", "passwd", "kiosk", check=False).returncode != 0
    assert debian.path("/boot/firmware/cmdline.txt").read_text() == CMDLINE


def test_first_run_installs_a_working_kiosk(debian: Debian, first_run: str) -> None:
    # install.sh's own apt-get step ran and left its packages installed.
    assert "apt-get install" in first_run, first_run
    status = debian.run("dpkg-query", "-W", "-f", "${Package} ${Status}\n", *packages(REPO / "deploy/install.sh"))
    assert all(line.endswith("ok installed") for line in status.stdout.splitlines()), status.stdout

    # The kiosk user: a system user without a login shell, in the groups the hardware needs.
    user = debian.run("getent", "passwd", "kiosk").stdout.strip().split(":")
    assert int(user[2]) < 1000 and user[5] == "/var/lib/kiosk" and user[6] == "/usr/sbin/nologin", user
    assert set(debian.run("id", "-nG", "kiosk").stdout.split()) >= GROUPS | {"kiosk"}

    # The program runs as the kiosk user and finds the shipped content and the config it may read.
    assert debian.run("kiosk", "--version", user="kiosk").stdout.startswith("kiosk ")
    validated = debian.run("kiosk", "--config", "/etc/kiosk/kiosk.toml", "content", "validate",
                           "/opt/kiosk/src/content", user="kiosk").stdout
    assert "/opt/kiosk/src/content: valid;" in validated, validated
    # The attract screen drawn with the wheel's pygame, the shipped theme and fonts, into the state folder.
    debian.run("kiosk", "--config", "/etc/kiosk/kiosk.toml", "screenshot", "attract", "--out",
               "/var/lib/kiosk/attract.png", user="kiosk", extra_env=HEADLESS)
    assert debian.path("/var/lib/kiosk/attract.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    # The config: the shipped example, root's, readable by the kiosk group only; valid.
    conf = debian.path("/etc/kiosk/kiosk.toml")
    assert conf.read_text() == (REPO / "deploy" / "kiosk.example.toml").read_text()
    info = conf.stat()
    assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o640, 0, kiosk_gid(debian))
    config.load(conf)
    assert debian.path("/var/lib/kiosk").stat().st_uid == int(user[2])

    # The service: installed and enabled (started only at the next boot: no systemd runs in a chroot).
    unit = debian.path("/etc/systemd/system/kiosk.service")
    assert unit.read_text() == (REPO / "systemd" / "kiosk.service").read_text()
    wants = debian.path("/etc/systemd/system/multi-user.target.wants/kiosk.service")
    assert os.readlink(wants) == "/etc/systemd/system/kiosk.service"
    assert debian.run("systemctl", "is-enabled", "kiosk.service").stdout.strip() == "enabled"
    assert "service: not started" in first_run

    # The readers' udev rules and module blacklists, and screen blanking off in the Pi's kernel command line.
    assert HARDWARE_FILES, "hardware/ ships no udev rules or module blacklists"
    for inside, shipped in HARDWARE_FILES.items():
        assert debian.path(inside).read_bytes() == shipped.read_bytes(), inside
    assert debian.path("/boot/firmware/cmdline.txt").read_text() == CMDLINE.rstrip("\n") + " consoleblank=0\n"


def test_second_run_changes_nothing_and_keeps_the_edited_config(debian: Debian, first_run: str) -> None:
    conf = debian.path("/etc/kiosk/kiosk.toml")
    conf.write_text(conf.read_text().replace('id = "kiosk-1"', 'id = "riga-07"'))
    second = debian.install()
    assert "system packages: all there" in second
    assert "done: 0 change(s)" in second, second
    assert 'id = "riga-07"' in conf.read_text()
    assert config.load(conf).kiosk.id == "riga-07"


def test_a_run_after_a_failed_pip_install_finishes_it(debian: Debian, first_run: str) -> None:
    # What a pip install that failed half-way (PyPI unreachable, say) leaves: the environment without the kiosk.
    debian.run("/opt/kiosk/venv/bin/python", "-m", "pip", "uninstall", "--yes", "--quiet", "kiosk")
    assert debian.run("kiosk", "--version", check=False).returncode != 0
    assert "pip install" in debian.install()
    assert debian.run("kiosk", "--version").stdout.startswith("kiosk ")


def test_an_environment_that_points_elsewhere_is_installed_again(debian: Debian, first_run: str) -> None:
    # What the old `--root /mnt/image` left: the kiosk script's first line and the editable install's finder point
    # at the host's path of the image. The kiosk cannot run, though the file is there.
    venv = debian.path("/opt/kiosk/venv")
    for file in [venv / "bin" / "kiosk", *venv.glob("lib/python3*/site-packages/__editable__*")]:
        file.write_text(file.read_text().replace("/opt/kiosk/", "/mnt/image/opt/kiosk/"))
    assert debian.run("kiosk", "--version", check=False).returncode != 0
    out = debian.install()
    assert "pip install" in out, out
    assert debian.run("kiosk", "--version", user="kiosk").stdout.startswith("kiosk ")

    # An interpreter that does not run here (another machine's, or a Python upgrade): the environment is rebuilt.
    python = venv / "bin" / "python"
    python.unlink()
    python.symlink_to("/mnt/image/usr/bin/python3")
    out = debian.install()
    assert "rm -rf /opt/kiosk/venv" in out and "python3 -m venv" in out and "pip install" in out, out
    assert debian.run("kiosk", "--version", user="kiosk").stdout.startswith("kiosk ")
    debian.run("/opt/kiosk/venv/bin/python", "-c", "import pygame", user="kiosk", extra_env=HEADLESS)


def test_uninstall_removes_the_program_and_keeps_config_state_and_user(debian: Debian, first_run: str) -> None:
    debian.path("/var/lib/kiosk/state.db").write_text("the kiosk's data")
    out = debian.install("--uninstall")
    for gone in ("/opt/kiosk", "/usr/local/bin/kiosk", "/etc/systemd/system/kiosk.service",
                 "/etc/systemd/system/multi-user.target.wants/kiosk.service", *HARDWARE_FILES):
        path = debian.path(gone)
        assert not path.exists() and not path.is_symlink(), gone
    assert "consoleblank" not in debian.path("/boot/firmware/cmdline.txt").read_text()
    assert debian.path("/etc/kiosk/kiosk.toml").is_file()
    assert debian.path("/var/lib/kiosk/state.db").read_text() == "the kiosk's data"
    assert debian.run("getent", "passwd", "kiosk").stdout.startswith("kiosk:")
    assert "--purge removes them" in out

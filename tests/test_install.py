"""deploy/install.sh: shellcheck, the example config, its options. Real runs (a dry run, install, again,
uninstall) are in test_install_chroot.py, inside a throw-away Debian where the installed kiosk runs."""

import shutil
import subprocess
from pathlib import Path

from kiosk import config
from tests.helpers import REPO

SCRIPT = REPO / "deploy" / "install.sh"


def tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is missing: run `bash deploy/dev.sh test` or `apt-get install {package}`")
    return found


def test_install_script_is_shellcheck_clean():
    done = subprocess.run([tool("shellcheck", "shellcheck"), str(SCRIPT), str(REPO / "deploy" / "dev.sh")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_example_config_validates():
    settings = config.load(REPO / "deploy" / "kiosk.example.toml")
    assert settings.display.mode == "fullscreen"
    assert settings.kiosk.state_dir == Path("/var/lib/kiosk")


def test_root_option_is_gone():
    """The script installs into the system it runs in: a --root tree got a virtual environment made by this
    machine's Python (host paths in its scripts, this machine's wheels), which cannot run in the target."""
    done = subprocess.run(["bash", str(SCRIPT), "--dry-run", "--root", "/mnt"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("install.sh: unknown option --root")
    assert "--root" not in done.stdout


def test_pygame_is_built_with_pep517_on_the_pi():
    """Only an arm machine builds pygame (against Raspberry Pi OS's SDL); the chroot tests run on amd64, so
    this reads the script: Bookworm's pip 23.0.1 falls back to the deprecated `setup.py install` without it."""
    lines = SCRIPT.read_text().splitlines()
    arm = next(line for line in lines if line.strip().startswith("aarch64|armv7l|armv6l) pip"))
    assert "--no-binary pygame --use-pep517" in arm

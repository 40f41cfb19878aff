import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import contract
from tests.helpers import Broker, KioskProcess

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """A private, running mosquitto; tests may stop() and start() it."""
    instance = Broker(tmp_path)
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def kiosks() -> Iterator[list[KioskProcess]]:
    """Kiosk subprocesses a test starts; any still running at the end are killed (under coverage they are stopped
    with SIGTERM first: a process writes its coverage data when it exits, never when it is killed)."""
    started: list[KioskProcess] = []
    yield started
    for kiosk in started:
        if os.environ.get("COVERAGE_RUN") and kiosk.process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired, OSError):
                kiosk.terminate()
        kiosk.kill()


@pytest.fixture(autouse=True)
def mqtt_contract() -> Iterator[None]:
    """Every message a kiosk published during the test must match docs/asyncapi.yaml."""
    contract.violations.clear()
    yield
    assert not contract.violations, "messages off the MQTT contract:\n" + "\n".join(contract.violations[:20])

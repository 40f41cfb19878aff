"""Headless Chromium from Debian's `chromium` package, driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: JSON messages ending in NUL on file descriptors 3 and 4), so a test needs no
WebDriver and no extra Python package: open a page, evaluate JavaScript in it, wait for a condition."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    """The Chromium binary; a clear failure where the package is missing (`bash deploy/dev.sh test` installs it)."""
    path = shutil.which("chromium")
    if path is None:
        raise RuntimeError("Debian's chromium package is not installed: run `bash deploy/dev.sh test` "
                           "or `apt-get install chromium`")
    return path


class Chromium:
    def __init__(self, profile: Path, accept_language: str = "en") -> None:
        to_browser = [_high(fd) for fd in os.pipe()]
        from_browser = [_high(fd) for fd in os.pipe()]

        def on_fds_3_and_4() -> None:  # in the child: where --remote-debugging-pipe expects the pipe
            os.dup2(to_browser[0], 3)
            os.dup2(from_browser[1], 4)

        self._process = subprocess.Popen(
            [chromium_path(), *FLAGS, f"--user-data-dir={profile}", f"--accept-lang={accept_language}",
             "--remote-debugging-pipe", "about:blank"],
            preexec_fn=on_fds_3_and_4, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser[0])
        os.close(from_browser[1])
        self._out = os.fdopen(to_browser[1], "wb", buffering=0)
        self._in = os.fdopen(from_browser[0], "rb", buffering=0)
        self._answers: dict[int, dict] = {}
        self._arrived = threading.Condition()
        self._next_id = 0
        threading.Thread(target=self._read, name="chromium-pipe", daemon=True).start()

    def open(self, url: str) -> str:
        """A new tab on ``url``; returns its session for :meth:`evaluate`."""
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        return self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

    def evaluate(self, session: str, expression: str) -> Any:
        answer = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        return answer["result"].get("value")

    def wait_until(self, session: str, expression: str, timeout: float = 15.0) -> Any:
        """The value of ``expression`` once it is truthy (the page may be loading or navigating meanwhile)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(session, expression)
            except RuntimeError:  # the page navigated between two evaluations
                value = None
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"the page never satisfied: {expression}")

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 20.0) -> dict:
        with self._arrived:
            self._next_id += 1
            ident = self._next_id
        message = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._out.write(json.dumps(message).encode() + b"\0")
        with self._arrived:
            if not self._arrived.wait_for(lambda: ident in self._answers, timeout):
                raise AssertionError(f"chromium did not answer {method}")
            answer = self._answers.pop(ident)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    def close(self) -> None:
        with contextlib.suppress(AssertionError, OSError, RuntimeError):  # it may be gone already
            self.send("Browser.close", timeout=5)
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._out.close()

    def _read(self) -> None:
        pending = b""
        while chunk := self._in.read(65536):
            pending += chunk
            *messages, pending = pending.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:  # an answer; events are not needed here
                    with self._arrived:
                        self._answers[message["id"]] = message
                        self._arrived.notify_all()


def _high(fd: int) -> int:
    """``fd`` moved above 4, so putting the pipe on 3 and 4 in the child cannot overwrite its other end."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved

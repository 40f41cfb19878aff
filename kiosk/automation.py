"""The automation socket (``[debug] input_socket``): end-to-end tests and demos drive the kiosk through it.

A Unix socket taking JSON lines; each gets one JSON line back::

    {"touch": [x, y]}                       -> {"ok": true}
    {"key": "1"}                            -> {"ok": true}     (a key, as pygame names it)
    {"button": "spin"}                      -> {"ok": true}     (press of a GPIO button)
    {"tap": {"kind": "ndef", "value": "M-1001"}} -> {"ok": true}
    {"query": "scene"}                      -> {"scene": "attract"}
    anything else                           -> {"ok": false, "error": "..."}

Messages go to the main loop in order, so a query answers after every input sent before it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from kiosk.core.credential import Credential
from kiosk.core.messages import InjectButton, InjectKey, InjectTouch, SceneQuery, TapDetected

log = logging.getLogger(__name__)
MAX_LINE = 4096


def parse_command(line: bytes) -> object:
    """The message for one JSON line; ValueError with a reason when it is not a command."""
    try:
        command = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(command, dict) or len(command) != 1:
        raise ValueError("expected an object with exactly one of touch, key, button, tap, query")
    (verb, arg), = command.items()
    if verb == "touch":
        if not (isinstance(arg, list) and len(arg) == 2 and all(isinstance(v, int) for v in arg)):
            raise ValueError("touch takes [x, y] in pixels")
        return InjectTouch(arg[0], arg[1])
    if verb == "key" and isinstance(arg, str) and arg:
        return InjectKey(arg)
    if verb == "button" and isinstance(arg, str) and arg:
        return InjectButton(arg)
    if verb == "tap" and isinstance(arg, dict):
        return TapDetected(Credential(str(arg.get("kind")), str(arg.get("value"))), "automation",
                           time.monotonic())
    if verb == "query" and arg == "scene":
        return SceneQuery(Future())
    raise ValueError(f"unknown command {verb!r} or bad argument")


class AutomationServer:
    def __init__(self, path: Path, post: Callable[[object], None]) -> None:
        self.path = path
        self._post = post
        if path.exists():
            path.unlink()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(str(path))
        os.chmod(path, 0o600)
        self._sock.listen(4)
        self._thread = threading.Thread(target=self._accept_loop, name="automation", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._sock.close()
        self.path.unlink(missing_ok=True)

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(conn,), name="automation-client", daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader:
            for line in reader:
                if not line.strip():
                    continue
                reply = self._answer(line[:MAX_LINE])
                try:
                    conn.sendall(json.dumps(reply).encode() + b"\n")
                except OSError:
                    return

    def _answer(self, line: bytes) -> dict:
        try:
            message = parse_command(line)
            self._post(message)
        except ValueError as exc:
            log.info("automation: refused a command: %s", exc)
            return {"ok": False, "error": str(exc)}
        if isinstance(message, SceneQuery):
            try:
                return {"scene": message.reply.result(timeout=5.0)}
            except FutureTimeout:
                return {"ok": False, "error": "the main loop did not answer within 5 s"}
        return {"ok": True}

"""The automation socket (``[debug] input_socket``): end-to-end tests and demos drive the kiosk through it.

A Unix socket taking JSON lines; each gets one JSON line back::

    {"touch": [x, y]}                       -> {"ok": true}
    {"key": "1"}                            -> {"ok": true}     (a key, as pygame names it)
    {"text": "Anna"}                        -> {"ok": true}     (text typed, as a USB keyboard sends it)
    {"button": "spin"}                      -> {"ok": true}     (press of a GPIO button)
    {"tap": {"kind": "ndef", "value": "M-1001"}} -> {"ok": true}
    {"query": "scene"}                      -> {"scene": "attract"}
    {"command": {"name": "ping", "args": {}}} -> the command's result: {"ok": true, "data": {...}}
    anything else                           -> {"ok": false, "error": "..."}

Touches, keys and text become the very SDL events a screen and keyboard make, so automation goes through the real
input path; everything goes to the main loop in order, so a query answers after every input sent before it. Commands go
through the same registry and handlers as MQTT commands (kiosk/core/commands.py).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import pygame

from kiosk.core.credential import Credential
from kiosk.core.messages import CommandReceived, InjectButton, SceneQuery, TapDetected
from kiosk.exc import DeviceError

log = logging.getLogger(__name__)
MAX_LINE = 4096
ANSWER_TIMEOUT_S = 5.0


def parse_command(line: bytes, screen_size: tuple[int, int]) -> object:
    """The message for one JSON line, or the SDL events of a touch or key; ValueError with a reason when it is
    not a command."""
    try:
        command = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(command, dict) or len(command) != 1:
        raise ValueError("expected an object with exactly one of touch, key, text, button, tap, query, command")
    (verb, arg), = command.items()
    if verb == "touch":
        if not (isinstance(arg, list) and len(arg) == 2 and all(isinstance(v, int) for v in arg)):
            raise ValueError("touch takes [x, y] in pixels")
        x, y = arg[0] / screen_size[0], arg[1] / screen_size[1]
        return [pygame.event.Event(kind, x=x, y=y, finger_id=0, touch_id=0, dx=0.0, dy=0.0, pressure=1.0)
                for kind in (pygame.FINGERDOWN, pygame.FINGERUP)]
    if verb == "key" and isinstance(arg, str) and arg:
        key = pygame.key.key_code(arg)  # ValueError for an unknown name: the client is told
        return [pygame.event.Event(pygame.KEYDOWN, key=key, mod=0)]
    if verb == "text" and isinstance(arg, str) and arg:
        return [pygame.event.Event(pygame.TEXTINPUT, text=arg)]  # any characters: the field decides what it takes
    if verb == "button" and isinstance(arg, str) and arg:
        return InjectButton(arg)
    if verb == "tap" and isinstance(arg, dict):
        return TapDetected(Credential(str(arg.get("kind")), str(arg.get("value"))), "automation",
                           time.monotonic())
    if verb == "query" and arg == "scene":
        return SceneQuery(Future())
    if verb == "command" and isinstance(arg, dict) and isinstance(arg.get("name"), str):
        return CommandReceived(arg["name"], arg.get("args", {}), CommandAnswer())
    raise ValueError(f"unknown command {verb!r} or bad argument")


class CommandAnswer:
    """A command's ``respond`` whose answer the socket thread waits for."""

    def __init__(self) -> None:
        self.future: Future = Future()

    def __call__(self, ok: bool, error: str | None = None, data: dict | None = None) -> None:
        answer: dict = {"ok": ok}
        if error is not None:
            answer["error"] = error
        if data is not None:
            answer["data"] = data
        self.future.set_result(answer)


def remove_stale_socket(path: Path) -> None:
    """Clear the way to bind ``path``: only a socket nobody listens on (left by a kiosk that died) is removed.
    A file, a folder or a live socket is someone else's: DeviceError, and nothing is deleted."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise DeviceError(f"debug.input_socket: {path} exists and is not a socket; not replacing it")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
    except ConnectionRefusedError:
        path.unlink()  # stale: its kiosk is gone
        return
    except OSError:
        pass  # cannot tell (no permission, say): leave it, and let bind say why
    else:
        raise DeviceError(f"debug.input_socket: {path} is in use by a running process; not replacing it")
    finally:
        probe.close()


class AutomationServer:
    """``post`` hands a message to the main loop, ``post_input`` an SDL event; ``screen_size`` is fixed at start."""

    def __init__(self, path: Path, post: Callable[[object], None], post_input: Callable[[pygame.event.Event], None],
                 screen_size: tuple[int, int]) -> None:
        self.path = path
        self._post = post
        self._post_input = post_input
        self._screen_size = screen_size
        remove_stale_socket(path)
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
            message = parse_command(line, self._screen_size)
            if isinstance(message, list):
                for event in message:
                    self._post_input(event)
            else:
                self._post(message)
        except ValueError as exc:
            log.info("automation: refused a command: %s", exc)
            return {"ok": False, "error": str(exc)}
        try:
            if isinstance(message, SceneQuery):
                return {"scene": message.reply.result(timeout=ANSWER_TIMEOUT_S)}
            if isinstance(message, CommandReceived):
                return message.respond.future.result(timeout=ANSWER_TIMEOUT_S)
        except FutureTimeout:
            return {"ok": False, "error": f"the main loop did not answer within {ANSWER_TIMEOUT_S:g} s"}
        return {"ok": True}

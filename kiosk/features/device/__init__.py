"""The kiosk as a device: `ping`, `screenshot` and `restart` for store operations, and the NFC reader's health
(a `reader_status` event on every change; the attract screen offers the QR code while the reader is down)."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from kiosk import __version__
from kiosk.core import messages as msg
from kiosk.core.commands import NO_ARGS, CommandSpec, Respond, optional_url
from kiosk.core.events import EventType, Priority
from kiosk.core.flow import Event
from kiosk.core.session import ATTRACT
from kiosk.features.base import Context, Feature

log = logging.getLogger(__name__)

READER_STATUS = EventType("reader_status", {
    "type": "object", "additionalProperties": False, "required": ["ok", "error", "can_emulate"],
    "properties": {"ok": {"type": "boolean"}, "error": {"type": ["string", "null"]},
                   "can_emulate": {"type": ["boolean", "null"]}}}, Priority.LOW)


class Device(Feature):
    name = "device"

    def events(self) -> list[EventType]:
        return [READER_STATUS]

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec("ping", "Answer with the scene, version and uptime.", NO_ARGS, self._ping),
            CommandSpec("screenshot", "The screen as a PNG, inline or uploaded with PUT; refused while a shopper "
                        "uses the kiosk.", optional_url("upload_url"), self._screenshot),
            CommandSpec("restart", "Stop in order and start afresh.", NO_ARGS, self._restart),
        ]

    def messages(self) -> Mapping[type, Callable[[Any], None]]:
        return {msg.ReaderStatus: self._on_reader_status}

    def vitals(self) -> dict:
        return {"reader_ok": self.ctx.reader_ok}

    def start(self, ctx: Context) -> None:
        super().start(ctx)
        self.started_mono = time.monotonic()

    def _on_reader_status(self, status: msg.ReaderStatus) -> None:
        """The reader posts only changes: each is an event, and the attract screen follows it."""
        ctx = self.ctx
        ctx.reader_ok = status.ok
        if status.ok:
            log.info("nfc reader ok")
        else:
            log.warning("nfc reader not ok: %s", status.error)
        ctx.record([Event("reader_status", {"ok": status.ok, "error": status.error,
                                            "can_emulate": status.can_emulate})])
        if ctx.machine.scene == ATTRACT:
            ctx.refresh(time.monotonic())  # "tap here" or, without a reader, the QR code

    def _ping(self, args: dict, respond: Respond) -> None:
        respond(True, data={"scene": self.ctx.shown_scene(), "version": __version__,
                            "uptime_s": round(time.monotonic() - self.started_mono, 1)})

    def _restart(self, args: dict, respond: Respond) -> None:
        respond(True)
        self.ctx.restart()

    def _screenshot(self, args: dict, respond: Respond) -> None:
        ctx = self.ctx
        if ctx.machine.session_id is not None:
            # The screen may show a shopper's name and points: that never leaves the kiosk.
            respond(False, error="a shopper is using the kiosk; try again when it shows the attract screen")
            return
        png, (width, height) = ctx.screen_png()
        size = {"width": width, "height": height}
        url = args.get("upload_url")
        if url is None:
            respond(True, data={"scene": ctx.shown_scene(), **size, "png_base64": base64.b64encode(png).decode()})
            return
        ctx.submit(_upload, url, png, size, ctx.settings.backend.timeout_s, respond)


def _upload(url: str, png: bytes, size: dict, timeout_s: float, respond: Respond) -> None:
    """On a worker: PUT the screenshot, then answer the command."""
    try:
        response = requests.put(url, data=png, headers={"Content-Type": "image/png"}, timeout=timeout_s)
        response.raise_for_status()
    except requests.RequestException as exc:
        respond(False, error=f"upload failed: {type(exc).__name__}")
        return
    respond(True, data={**size, "uploaded_bytes": len(png)})

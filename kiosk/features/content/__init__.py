"""Remote content: `reload_content` and `update_content`, the periodic poll, and the switch with its trial and
rollback (switch.py). Every stage is reported as a `content_update` event."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kiosk.core import messages as msg
from kiosk.core.commands import NO_ARGS, CommandSpec, HaButton, optional_url
from kiosk.core.events import EventType, Priority
from kiosk.features.base import Context, Feature
from kiosk.features.content.switch import ContentSwitch

STAGES = ["accepted", "downloading", "ready", "switched", "rolled_back", "refused", "failed"]
REASONS = ["bad_signature", "bad_manifest", "not_newer", "expired", "file_mismatch", "bad_path", "too_large",
           "invalid_content", "download_failed", "stalled", "load_failed", "attract_timeout", "crashed"]

CONTENT_UPDATE = EventType("content_update", {
    "type": "object", "additionalProperties": False, "required": ["stage", "version", "trigger", "reason", "detail"],
    "properties": {
        "stage": {"enum": STAGES},
        "version": {"type": ["integer", "null"], "minimum": 1},
        "trigger": {"enum": ["command", "poll"]},
        "reason": {"oneOf": [{"type": "null"}, {"enum": REASONS}]},
        "detail": {"type": ["string", "null"], "maxLength": 300}}}, Priority.LOW)


class Content(Feature):
    name = "content"

    def events(self) -> list[EventType]:
        return [CONTENT_UPDATE]

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec("reload_content", "Load the content again from disk (current, last good or built-in).",
                        NO_ARGS, lambda args, respond: self.switch.reload(respond),
                        buttons=(HaButton("reload_content", "Reload content", {}),)),
            CommandSpec("update_content", "Download, verify and install a signed bundle; it shows on the next "
                        "idle attract screen.", optional_url("url"),
                        lambda args, respond: self.switch.update(args.get("url"), respond)),
        ]

    def messages(self) -> Mapping[type, Callable[[Any], None]]:
        return {msg.ContentProgress: lambda progress: self.switch.progress(progress)}

    def start(self, ctx: Context) -> None:
        super().start(ctx)
        self.switch = ContentSwitch(ctx)

    def tick(self, now: float) -> None:
        self.switch.tick(now)

    def vitals(self) -> dict:
        return {"content_version": self.ctx.bundle.version, "content_update": self.switch.state}

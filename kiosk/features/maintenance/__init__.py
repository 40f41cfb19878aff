"""Maintenance: store operations take the kiosk out of service ("back soon"); taps are refused politely.

The state survives a restart (the ``maintenance`` meta row, written in the event's transaction).
"""

from __future__ import annotations

import time
from typing import Any

from kiosk.core.commands import CommandSpec, HaButton, Respond
from kiosk.core.events import EventType
from kiosk.core.flow import Event, Step
from kiosk.features.base import Context, Feature, SceneSpec
from kiosk.ui.message import MessageScene

SCENE = "maintenance"
ARGS = {"type": "object", "additionalProperties": False, "required": ["on"],
        "properties": {"on": {"type": "boolean"}}}


class MaintenanceScene(MessageScene):
    name = SCENE
    title_key = "maintenance.title"
    body_keys = ("maintenance.body",)  # points to the staff itself
    icon = "clock"
    with_buttons = False


def _remember(tx: Any, data: dict) -> None:
    tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('maintenance', ?)", ("on" if data["on"] else "off",))


class Maintenance(Feature):
    name = "maintenance"

    def scenes(self) -> list[SceneSpec]:
        return [SceneSpec(SCENE, MaintenanceScene)]

    def events(self) -> list[EventType]:
        return [EventType("maintenance", {"type": "object", "additionalProperties": False, "required": ["on"],
                                          "properties": {"on": {"type": "boolean"}}}, persist=_remember)]

    def commands(self) -> list[CommandSpec]:
        return [CommandSpec("maintenance", "Take the kiosk out of service, or back.", ARGS, self._command,
                            buttons=(HaButton("maintenance_on", "Maintenance on", {"on": True}),
                                     HaButton("maintenance_off", "Maintenance off", {"on": False})))]

    def vitals(self) -> dict:
        return {"maintenance": self.ctx.machine.suspended == "maintenance"}

    def start(self, ctx: Context) -> None:
        super().start(ctx)
        if ctx.store.meta("maintenance") == "on":
            now = time.monotonic()
            ctx.apply(ctx.machine.suspend(SCENE, "maintenance", now), now)  # recorded when it was switched on

    def _command(self, args: dict, respond: Respond) -> None:
        on = args["on"]
        machine, now = self.ctx.machine, time.monotonic()
        if on == (machine.suspended == "maintenance"):
            respond(True, data={"maintenance": on})
            return
        step = machine.suspend(SCENE, "maintenance", now) if on else machine.resume(now)
        self.ctx.apply(Step(step.scene, [*step.events, Event("maintenance", {"on": on})]), now)
        respond(True, data={"maintenance": on})

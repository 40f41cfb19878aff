"""The one registry of remote commands: what each takes, who carries it out, which Home Assistant buttons send it.

Features declare their commands (kiosk/features/); MQTT, Home Assistant buttons, the automation socket and
`kiosk ops send` all check arguments here, and docs/asyncapi.yaml states the same argument schemas (a test
holds the two together). Handlers run on the main thread with the app's feature context.

    >>> ping = CommandSpec("ping", "Answer with the scene and version.", NO_ARGS, run=lambda ctx, args, respond: None)
    >>> registry = CommandRegistry([ping])
    >>> registry.check("ping", {})
    {}
    >>> registry.check("ping", {"x": 1})
    Traceback (most recent call last):
    ...
    kiosk.exc.CommandRefused: unknown x; takes nothing
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kiosk.core import schema
from kiosk.exc import CommandRefused, SchemaError

log = logging.getLogger(__name__)

Respond = Callable[..., None]
"""``respond(ok, error=None, data=None)``: answer a command once."""

NO_ARGS: dict = {"type": "object", "additionalProperties": False, "properties": {}}

REF_PATTERN = "[A-Za-z0-9._:-]{1,128}"
"""A member, session or token reference: what may travel in events and commands."""


def optional_url(key: str) -> dict:
    """The schema of arguments that are nothing or one http(s) URL under ``key``."""
    return {"type": "object", "additionalProperties": False,
            "properties": {key: {"type": "string", "format": "uri", "maxLength": 2048}}}


@dataclass(frozen=True)
class HaButton:
    """A Home Assistant button that sends ``command`` with ``args`` when pressed."""

    id: str
    label: str
    args: dict


@dataclass(frozen=True)
class CommandSpec:
    name: str
    summary: str
    args: dict
    """JSON Schema of the arguments (the subset kiosk/core/schema.py checks)."""
    run: Callable[[Any, dict, Respond], None]
    """``run(context, args, respond)`` on the main thread; it must call ``respond`` once, now or later."""
    buttons: tuple[HaButton, ...] = ()


class CommandRegistry:
    def __init__(self, specs: Iterable[CommandSpec]) -> None:
        self._specs: dict[str, CommandSpec] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise ValueError(f"command {spec.name!r} registered twice")
            self._specs[spec.name] = spec
        ids = [button.id for spec in self._specs.values() for button in spec.buttons]
        if len(ids) != len(set(ids)):
            raise ValueError(f"Home Assistant button ids repeat: {sorted(ids)}")

    def names(self) -> list[str]:
        return list(self._specs)

    def spec(self, name: str) -> CommandSpec:
        if name not in self._specs:
            raise CommandRefused(f"unknown command {name!r}; known: {', '.join(self._specs)}")
        return self._specs[name]

    def check(self, name: str, args: Any) -> dict:
        """``args`` if command ``name`` takes them; CommandRefused with the reason otherwise."""
        spec = self.spec(name)
        try:
            return schema.check(args, spec.args)
        except SchemaError as exc:
            raise CommandRefused(str(exc)) from None

    def run(self, name: str, args: Any, respond: Callable[..., None]) -> None:
        """Check ``args`` and run command ``name`` (its handler answers through ``respond``), or answer the
        refusal: every command, from MQTT, Home Assistant or the automation socket, goes this one way."""
        try:
            checked = self.check(name, args)
        except CommandRefused as exc:
            respond(False, error=str(exc))
            return
        log.info("command %s", name)
        self.spec(name).run(checked, respond)

    def buttons(self) -> dict[str, tuple[str, str, dict]]:
        """Home Assistant buttons: id -> (label, command, args)."""
        return {button.id: (button.label, spec.name, button.args)
                for spec in self._specs.values() for button in spec.buttons}

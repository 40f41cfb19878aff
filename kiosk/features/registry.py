"""The features the kiosk runs, gathered into one registry: scenes, commands, event types, content files,
message and action handlers. Two features claiming the same name of anything is refused at start.

    >>> from kiosk.features import default_features
    >>> features = FeatureSet(default_features())
    >>> "maintenance" in features.commands.names(), "tap" in features.events
    (True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kiosk.content import schemas
from kiosk.core.commands import CommandRegistry
from kiosk.core.events import EventType
from kiosk.features.base import Context, Feature, SceneSpec


class FeatureSet:
    def __init__(self, features: Iterable[Feature]) -> None:
        self.features = list(features)
        _unique("feature", [feature.name for feature in self.features])
        self.scenes: dict[str, SceneSpec] = _by_name("scene", (s for f in self.features for s in f.scenes()))
        self.events: dict[str, EventType] = _by_name("event type", (e for f in self.features for e in f.events()))
        self.commands = CommandRegistry(spec for feature in self.features for spec in feature.commands())
        self._messages: dict[type, Callable[[Any], None]] = _merged("message", (f.messages() for f in self.features))
        self._actions: dict[str, Callable[[str, float], None]] = _merged("action",
                                                                        (f.actions() for f in self.features))
        for feature in self.features:  # the default features' files are registered already (schemas.registered)
            for schema in feature.content():
                schemas.register(schema)

    def __getitem__(self, name: str) -> Feature:
        """The feature called ``name``."""
        return next(feature for feature in self.features if feature.name == name)

    def start(self, ctx: Context) -> None:
        for feature in self.features:
            feature.start(ctx)

    def tick(self, now: float) -> None:
        for feature in self.features:
            feature.tick(now)

    def stop(self, now: float) -> None:
        for feature in self.features:
            feature.stop(now)

    def handle_message(self, message: object) -> bool:
        """Give ``message`` to the feature that handles its class; False when none does."""
        handler = self._messages.get(type(message))
        if handler is None:
            return False
        handler(message)
        return True

    @property
    def actions(self) -> frozenset[str]:
        """The scene actions some feature answers (``done``, ``lang``, ``wheel``): a scene offers a way into
        another feature only when it is installed."""
        return frozenset(self._actions)

    def offered(self, content: Mapping[str, Any]) -> frozenset[str]:
        """The actions of :attr:`actions` whose feature is offered with the bundle's files ``content``."""
        return frozenset(name for feature in self.features if feature.offered(content) for name in feature.actions())

    def offered_scenes(self, content: Mapping[str, Any]) -> list[str]:
        """The scenes of the features offered with the bundle's files ``content`` (a bundle without a catalogue
        has no stylist screens to show)."""
        return [spec.name for feature in self.features if feature.offered(content) for spec in feature.scenes()]

    def handle_action(self, action: str, now: float) -> bool:
        """Give a scene's action (``done``, ``lang:nb``) to the feature that answers it; False when none does."""
        handler = self._actions.get(action.split(":", 1)[0])
        if handler is None:
            return False
        handler(action, now)
        return True


def _unique(what: str, names: list[str]) -> None:
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"{what} names claimed twice: {repeated}")


def _by_name(what: str, items: Iterable[Any]) -> dict[str, Any]:
    items = list(items)
    _unique(what, [item.name for item in items])
    return {item.name: item for item in items}


def _merged(what: str, mappings: Iterable[Mapping]) -> dict:
    merged: dict = {}
    for mapping in mappings:
        for key, value in mapping.items():
            if key in merged:
                raise ValueError(f"{what} {getattr(key, '__name__', key)!r} handled by two features")
            merged[key] = value
    return merged

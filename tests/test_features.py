"""Features as packages: the registry, its agreement with docs/asyncapi.yaml, and a fixture feature driven end to
end through a real app (SDL dummy driver, MockFactory GPIO, the real SQLite outbox)."""

import json
import shutil
import time
from dataclasses import dataclass

import pygame
import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.bus import post
from kiosk.content import schemas
from kiosk.content.authoring import BundleProblems, validate
from kiosk.content.bundle import load_bundle
from kiosk.content.schemas import FileSchema
from kiosk.core.commands import CommandSpec
from kiosk.core.events import EventType
from kiosk.core.flow import Event, Step
from kiosk.core.messages import CommandReceived
from kiosk.exc import ContentError
from kiosk.features import default_features
from kiosk.features.base import Feature, SceneSpec
from kiosk.features.registry import FeatureSet
from kiosk.ui.kit import Button
from kiosk.ui.scene import Scene, View
from tests.contract import document
from tests.helpers import wait_for, write_config


def _without_descriptions(value):
    if isinstance(value, dict):
        return {k: _without_descriptions(v) for k, v in value.items() if k != "description"}
    if isinstance(value, list):
        return [_without_descriptions(v) for v in value]
    return value


def test_every_event_type_is_in_the_asyncapi_document_with_the_same_schema():
    features = FeatureSet(default_features())
    event = document()["components"]["schemas"]["Event"]
    documented = {c["if"]["properties"]["type"]["const"]: c["then"]["properties"]["data"] for c in event["allOf"]}
    assert set(event["properties"]["type"]["enum"]) == set(features.events) == set(documented)
    for name, event_type in features.events.items():
        assert _without_descriptions(documented[name]) == _without_descriptions(event_type.schema), name


def test_every_command_is_in_the_asyncapi_document_with_the_same_arguments():
    registry = FeatureSet(default_features()).commands
    documented = document()["components"]["schemas"]["CommandArgs"]["properties"]
    assert set(documented) == set(registry.names())
    for name in registry.names():
        spec = registry.spec(name)
        assert documented[name]["description"] == spec.summary, name
        assert _without_descriptions(documented[name]) == spec.args, name


class Probe(Feature):
    """A feature with one of everything, so the tests can claim names twice."""

    def __init__(self, name: str, scene: str = "", command: str = "", event: str = "", action: str = "") -> None:
        self.name, self._scene, self._command, self._event, self._action = name, scene, command, event, action

    def scenes(self):
        return [SceneSpec(self._scene, FixtureScene)] if self._scene else []

    def commands(self):
        return [CommandSpec(self._command, "", {"type": "object"}, lambda a, r: None)] if self._command else []

    def events(self):
        return [EventType(self._event, {"type": "object"})] if self._event else []

    def actions(self):
        return {self._action: lambda action, now: None} if self._action else {}


@pytest.mark.parametrize("claim", ["scene", "command", "event", "action"])
def test_two_features_cannot_claim_the_same_name(claim):
    with pytest.raises(ValueError, match=r"twice|two features"):
        FeatureSet([Probe("a", **{claim: "x"}), Probe("b", **{claim: "x"})])


def test_two_features_cannot_share_a_name():
    with pytest.raises(ValueError, match="twice"):
        FeatureSet([Probe("a"), Probe("a")])


# A small fixture feature: a scene with a button, a command that shows it, an event that reports it.

@dataclass(frozen=True)
class FixtureView(View):
    greeting: str = ""


class FixtureScene(Scene):
    name = "fixture"
    view_model = FixtureView
    view: FixtureView

    def compose(self, screen: pygame.Surface, now: float) -> None:
        self.blit_centered(screen, self.look.render(self.view.greeting, "headline"), self.look.px(300))
        self.buttons = [Button(self.look, pygame.Rect(10, 10, 200, 100), "OK", "fixture_ok")]


class Fixture(Feature):
    name = "fixture"
    greeting = ""
    acknowledged = 0

    def scenes(self):
        return [SceneSpec("fixture", FixtureScene, lambda source: FixtureView(source.language, self.greeting))]

    def events(self):
        return [EventType("fixture_shown", {"type": "object"})]

    def commands(self):
        args = {"type": "object", "additionalProperties": False, "required": ["greeting"],
                "properties": {"greeting": {"type": "string", "pattern": "[A-Za-z ]{1,40}"}}}
        return [CommandSpec("fixture_show", "Show the fixture scene.", args, self._show)]

    def actions(self):
        return {"fixture_ok": self._ok}

    def _show(self, args, respond):
        now = time.monotonic()
        self.greeting = args["greeting"]
        step = self.ctx.machine.go("fixture", now)
        self.ctx.apply(Step(step.scene, [Event("fixture_shown", {"greeting": self.greeting})]), now)
        respond(True, data={"shown": self.ctx.shown_scene()})

    def _ok(self, action, now):
        self.acknowledged += 1
        self.ctx.apply(self.ctx.machine.go("attract", now), now)


@pytest.fixture
def app(tmp_path):
    settings = config.load(write_config(tmp_path, debug={"input_socket": ""}))
    kiosk = KioskApp(settings, demo=True, features=[*default_features(), Fixture()])
    kiosk.start()
    yield kiosk
    kiosk.stop()


def test_a_fixture_feature_is_driven_end_to_end(app):
    answers = []

    def command(name, args):
        post(CommandReceived(name, args, lambda ok, error=None, data=None: answers.append((ok, error, data))))
        wait_for(lambda: app.run_once() or len(answers) == expected, 10, f"an answer to {name}")

    expected = 1
    command("fixture_show", {"greeting": "Hello\n"})  # checked against the feature's own schema first
    assert answers[0][0] is False and "greeting: expected" in answers[0][1]
    assert app.rt.ui.name == "attract"

    expected = 2
    command("fixture_show", {"greeting": "Hello there"})
    assert answers[1] == (True, None, {"shown": "fixture"})
    assert app.rt.ui.current.view.greeting == "Hello there"
    rows = app.store.query("SELECT payload FROM outbox WHERE type = 'fixture_shown'")
    assert json.loads(rows[0]["payload"])["data"] == {"greeting": "Hello there"}

    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(50, 50), button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(50, 50), button=1))
    wait_for(lambda: app.run_once() or app.rt.ui.name == "attract", 10, "the fixture's button to lead back")
    assert app.features["fixture"].acknowledged == 1


# A feature's content files: declared in Feature.content(), checked wherever a bundle is read.

def _prizes(data, file, parsed):
    """The probe's file: prize names, each with a text in strings.json (a reference into another file)."""
    missing = [p for p in data if f"tier.{p}" not in parsed["strings.json"]["en"]]
    if missing:
        raise ContentError(f"{file}: prizes: expected a text for {missing}")
    return tuple(data)


class Prizes(Feature):
    name = "prizes"

    def content(self):
        return [FileSchema("prizes.json", _prizes, max_bytes=200, requires=("strings.json",))]


@pytest.fixture
def own_registry(monkeypatch):
    """The content registry as the kiosk's own files leave it; this test's registrations end with it."""
    monkeypatch.setattr(schemas, "REGISTRY", dict(schemas.REGISTRY))
    schemas._register_default_features.cache_clear()
    yield
    schemas._register_default_features.cache_clear()


@pytest.fixture
def prize_bundle(tmp_path):
    folder = tmp_path / "bundle"
    shutil.copytree(schemas.DEFAULT_DIR, folder)
    (folder / "prizes.json").write_text('["gold"]')
    return folder


def test_a_default_feature_declares_a_content_file_that_every_bundle_reader_checks(own_registry, prize_bundle,
                                                                                   monkeypatch):
    monkeypatch.setattr("kiosk.features.default_features", lambda: [*default_features(), Prizes()])
    bundle = load_bundle(prize_bundle)  # no FeatureSet exists: the CLI, the doctor and the server read bundles so
    assert bundle.files["prizes.json"] == ("gold",)
    assert schemas.size_cap("prizes.json", 10**6) == 200
    (prize_bundle / "prizes.json").write_text('["car"]')
    with pytest.raises(BundleProblems, match=r"prizes.json: prizes: expected a text for \['car'\]"):
        validate(prize_bundle, None)
    (prize_bundle / "prizes.json").unlink()
    with pytest.raises(ContentError, match=r"prizes\.json: missing"):
        load_bundle(prize_bundle)


def test_a_feature_set_registers_the_content_of_the_features_it_runs(own_registry, prize_bundle):
    with pytest.raises(KeyError):
        load_bundle(prize_bundle).files["prizes.json"]
    FeatureSet([*default_features(), Prizes()])
    FeatureSet([*default_features(), Prizes()])  # fresh instances declare equal schemas: no second registration
    assert load_bundle(prize_bundle).files["prizes.json"] == ("gold",)

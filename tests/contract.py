"""The MQTT contract of docs/asyncapi.yaml as a validator: every message a kiosk publishes in the test suite
goes through :func:`check` (the tests' Listener calls it), and a test fails if one does not match."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

ASYNCAPI = Path(__file__).resolve().parents[1] / "docs" / "asyncapi.yaml"

# Topics a kiosk publishes, and the schema of each; commands and button presses flow the other way.
_KIOSK_TOPICS = [
    (re.compile(r"^[^#+]+/[^/]+/status$"), "Status"),
    (re.compile(r"^[^#+]+/[^/]+/birth$"), "Birth"),
    (re.compile(r"^[^#+]+/[^/]+/telemetry$"), "Telemetry"),
    (re.compile(r"^[^#+]+/[^/]+/events/[^/]+$"), "Event"),
    (re.compile(r"^[^#+]+/[^/]+/cmd/[^/]+/result$"), "CommandResult"),
    (re.compile(r"^homeassistant/[^/]+/[^/]+/[^/]+/config$"), "HaDiscovery"),
    (re.compile(r"^[^#+]+/stores/[^/]+/stylist/[^/]+$"), "StylistQueueItem"),
]

violations: list[str] = []
checked = {"messages": 0}


@cache
def document() -> dict:
    return yaml.safe_load(ASYNCAPI.read_text())


@cache
def validator(schema: str) -> Draft202012Validator:
    return Draft202012Validator({**document(), "$ref": f"#/components/schemas/{schema}"})


def schema_for(topic: str) -> str | None:
    for pattern, schema in _KIOSK_TOPICS:
        if pattern.match(topic):
            return schema
    return None


def errors(topic: str, payload: bytes) -> list[str]:
    """What is wrong with ``payload`` on ``topic`` per the contract (empty if fine or not a kiosk topic)."""
    schema = schema_for(topic)
    if schema is None or (schema == "StylistQueueItem" and payload == b""):  # empty: a closed request, cleared
        return []
    try:
        value = payload.decode() if schema == "Status" else json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"{topic}: not {schema} ({exc})"]
    found = [f"{topic}: {e.json_path}: {e.message}" for e in validator(schema).iter_errors(value)]
    if schema == "Event" and isinstance(value, dict) and topic.rsplit("/", 1)[1] != value.get("type"):
        found.append(f"{topic}: event type {value.get('type')!r} differs from the topic")
    return found


def check(topic: str, payload: bytes) -> None:
    if schema_for(topic) is not None:
        checked["messages"] += 1
        violations.extend(errors(topic, payload))

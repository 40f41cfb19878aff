"""Load and validate a content bundle folder; every error names the file and the key.

    >>> bundle = load_bundle(DEFAULT_DIR)
    >>> bundle.text("en", "button.done")
    'Done'
"""

from __future__ import annotations

import json
import logging
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config import LANGUAGES
from kiosk.core.credential import Credential
from kiosk.core.member import Tier
from kiosk.exc import ContentError

log = logging.getLogger(__name__)

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "content"
"""The content that ships with the kiosk (the repository's ``content/`` folder)."""

THEME_KEYS = ("background_top", "background_bottom", "text", "muted", "accent", "highlight", "panel",
              "led_idle", "led_celebrate")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_MAX_FILE = 1024 * 1024


@dataclass(frozen=True)
class DemoMember:
    ref: str
    name: str
    points: int
    credential: Credential
    key: str


@dataclass(frozen=True)
class DemoCard:
    """A card without member data, only known by its (simulated) UID."""

    uid: bytes
    key: str


@dataclass(frozen=True)
class Bundle:
    path: Path
    strings: dict[str, dict[str, str]]
    theme: dict[str, tuple[int, int, int]]
    tiers: list[Tier]
    demo_members: list[DemoMember]
    unknown_cards: list[DemoCard]

    def text(self, language: str, key: str, **values: Any) -> str:
        template = self.strings[language][key]
        return template.format(**values) if values else template


def load_bundle(path: Path) -> Bundle:
    """Read and check every file of the bundle at ``path``; raise :class:`ContentError` on the first fault."""
    if not path.is_dir():
        raise ContentError(f"{path}: not a content folder")
    strings = _strings(path / "strings.json")
    tiers = _tiers(path / "tiers.json", strings)
    members, cards = _demo(path / "demo_members.json")
    return Bundle(path, strings, _theme(path / "theme.json"), tiers, members, cards)


def load_configured(configured: str) -> Bundle:
    """The bundle in ``[content] dir``, or the built-in one (with a warning) if that one is unusable."""
    if configured:
        try:
            return load_bundle(Path(configured))
        except ContentError as exc:
            log.warning("content: %s; using the built-in content", exc)
    return load_bundle(DEFAULT_DIR)


def _read_json(file: Path) -> Any:
    try:
        if file.stat().st_size > _MAX_FILE:
            raise ContentError(f"{file}: larger than {_MAX_FILE} bytes")
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(f"{file}: missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContentError(f"{file}: not readable JSON ({exc})") from None


def _fail(file: Path, key: str, expected: str) -> ContentError:
    return ContentError(f"{file}: {key}: expected {expected}")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _strings(file: Path) -> dict[str, dict[str, str]]:
    data = _read_json(file)
    if not isinstance(data, dict):
        raise _fail(file, "(top)", "an object of languages")
    for language in LANGUAGES:
        table = data.get(language)
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise _fail(file, language, "an object of texts")
    reference = data["en"]
    for language in LANGUAGES:
        table = data[language]
        for key, template in reference.items():
            if key not in table:
                raise _fail(file, f"{language}.{key}", "a translation (missing)")
            if _fields(table[key]) != _fields(template):
                raise _fail(file, f"{language}.{key}", f"the placeholders {sorted(_fields(template))}")
        extra = set(table) - set(reference)
        if extra:
            raise _fail(file, f"{language}.{sorted(extra)[0]}", "only keys that English has too")
    return {language: dict(data[language]) for language in LANGUAGES}


def _theme(file: Path) -> dict[str, tuple[int, int, int]]:
    data = _read_json(file)
    if not isinstance(data, dict):
        raise _fail(file, "(top)", "an object of colours")
    theme = {}
    for key in THEME_KEYS:
        value = data.get(key)
        if not isinstance(value, str) or not _HEX.match(value):
            raise _fail(file, key, "a colour like '#ff4f8b'")
        theme[key] = tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))
    return theme


def _tiers(file: Path, strings: dict[str, dict[str, str]]) -> list[Tier]:
    data = _read_json(file)
    if not isinstance(data, list) or not data:
        raise _fail(file, "(top)", "a non-empty list of tiers")
    tiers = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise _fail(file, f"[{i}].key", "a tier name")
        threshold = item.get("threshold")
        if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
            raise _fail(file, f"[{i}].threshold", "a whole number of points >= 0")
        if f"tier.{item['key']}" not in strings["en"]:
            raise _fail(file, f"[{i}].key", f"a tier named in strings.json (no 'tier.{item['key']}')")
        tiers.append(Tier(item["key"], threshold))
    if min(t.threshold for t in tiers) != 0 or len({t.threshold for t in tiers}) != len(tiers):
        raise _fail(file, "threshold", "distinct thresholds, the lowest 0")
    return sorted(tiers, key=lambda t: t.threshold)


def _demo(file: Path) -> tuple[list[DemoMember], list[DemoCard]]:
    data = _read_json(file)
    if not isinstance(data, dict):
        raise _fail(file, "(top)", "an object with members and unknown_cards")
    members, cards, keys = [], [], set()
    for i, item in enumerate(data.get("members", [])):
        try:
            credential = Credential(item["credential"]["kind"], item["credential"]["value"])
            member = DemoMember(str(item["ref"]), str(item["name"]), int(item["points"]), credential,
                                str(item["key"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise _fail(file, f"members[{i}]", f"ref, name, points, credential and key ({exc})") from None
        members.append(member)
        keys.add(member.key)
    for i, item in enumerate(data.get("unknown_cards", [])):
        try:
            card = DemoCard(bytes.fromhex(item["uid"]), str(item["key"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise _fail(file, f"unknown_cards[{i}]", f"uid (hex) and key ({exc})") from None
        cards.append(card)
        keys.add(card.key)
    if len(keys) != len(members) + len(cards):
        raise _fail(file, "key", "a different key for every demo card")
    return members, cards

"""The registry of content files: each file of a bundle has one schema, which reads, checks and converts it.

The kiosk's own files (strings, theme, tiers, demo members) are registered below. A feature that brings a
content file (the prize wheel, offers, the catalogue) declares its schema in ``Feature.content()``, naming the
files its references point into (``requires``); :func:`registered` adds the default features' files on first
use, so the app, the CLI and the server check the same files, and a :class:`~kiosk.features.registry.FeatureSet`
adds those of any other feature it runs. :func:`parse_all` checks every registered file in registration order,
so a file's references are resolved against files already checked. Every error names the file and the key.

    >>> [schema.name for schema in registered().values()][:4]
    ['strings.json', 'theme.json', 'tiers.json', 'demo_members.json']
"""

from __future__ import annotations

import json
import os
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kiosk.config import LANGUAGES
from kiosk.content.images import IMAGE_CAP, check_image, is_image
from kiosk.content.messages import PLURAL_KEY, Text, plural_categories
from kiosk.content.theme import check_colour, check_theme
from kiosk.core.credential import Credential
from kiosk.core.member import Tier
from kiosk.exc import ContentError

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "content"
"""The content that ships with the kiosk (the repository's ``content/`` folder)."""

JSON_CAP = 1024 * 1024
"""The largest JSON content file: they are small tables, anything bigger is a mistake or an attack."""

Parsed = Mapping[str, Any]
"""The files checked so far, by name: what a file's references resolve against."""


@dataclass(frozen=True)
class FileSchema:
    """One content file: its name in the bundle, its size cap, the files it refers to, and its check.

    ``check(data, file, parsed)`` gets the file's JSON, its path (for messages) and the already checked files
    it ``requires``; it returns the converted value or raises :class:`ContentError`.
    """

    name: str
    check: Callable[[Any, Path, Parsed], Any]
    max_bytes: int = JSON_CAP
    requires: tuple[str, ...] = ()
    optional: bool = False
    """An optional file may be left out of a bundle: it is then None (the feature that reads it is not offered)."""

    def parse(self, folder: Path, parsed: Parsed) -> Any:
        """This file of the bundle in ``folder``, checked and converted (None if optional and absent)."""
        file = folder / self.name
        if self.optional and not file.exists() and not file.is_symlink():
            return None
        return self.check(read_json(file, self.max_bytes), file, {name: parsed[name] for name in self.requires})


REGISTRY: dict[str, FileSchema] = {}


def register(schema: FileSchema) -> None:
    """Add a content file; the files it requires must be registered before it (that is the check order).
    Registering an equal schema again (the same feature declared by a second FeatureSet) changes nothing."""
    if REGISTRY.get(schema.name) == schema:
        return
    missing = [name for name in schema.requires if name not in REGISTRY]
    if missing or schema.name in REGISTRY:
        raise ValueError(f"{schema.name}: registered twice or before {missing}")
    REGISTRY[schema.name] = schema


def registered() -> Mapping[str, FileSchema]:
    """Every content file in check order: the kiosk's own and those of the default features."""
    _register_default_features()
    return REGISTRY


@cache
def _register_default_features() -> None:
    from kiosk.features import default_features  # imported here: the features import this module

    for feature in default_features():
        for schema in feature.content():
            register(schema)


def size_cap(name: str, default: int) -> int:
    """The largest size allowed for the bundle file ``name``: its schema's cap, the image cap, else ``default``."""
    schema = registered().get(name)
    if schema:
        return schema.max_bytes
    return IMAGE_CAP if is_image(name) else default


def parse_all(folder: Path, *, media: bool = True) -> dict[str, Any]:
    """Every registered file of the bundle in ``folder``, checked and converted, by name; with ``media``, also
    the generic checks of the files no schema names (:func:`check_media`)."""
    parsed: dict[str, Any] = {}
    for schema in registered().values():
        parsed[schema.name] = schema.parse(folder, parsed)
    if media:
        check_media(folder)
    return parsed


def check_media(folder: Path) -> None:
    """Every image anywhere in the bundle decodes within the caps of :mod:`kiosk.content.images`."""
    for root, _, files in os.walk(folder):  # not into linked folders
        for name in sorted(files):
            file = Path(root, name)
            if not is_image(name):
                continue
            if file.is_symlink():
                raise ContentError(f"{file}: a symbolic link (content files must be plain files)")
            check_image(file)


def read_json(file: Path, cap: int) -> Any:
    try:
        if file.is_symlink():
            raise ContentError(f"{file}: a symbolic link (content files must be plain files)")
        if file.stat().st_size > cap:
            raise ContentError(f"{file}: larger than {cap} bytes")
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(f"{file}: missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContentError(f"{file}: not readable JSON ({exc})") from None


def fail(file: Path, key: str, expected: str) -> ContentError:
    return ContentError(f"{file}: {key}: expected {expected}")


class FileFaults(ContentError):
    """Every fault found in one content file, so an author fixes them in one round: ``faults`` holds one line
    each, the message all of them."""

    def __init__(self, faults: list[str]) -> None:
        super().__init__("; ".join(faults))
        self.faults = faults


class Faults:
    """Collects the faults of one file while its check goes on past the first."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.found: list[str] = []

    def add(self, key: str, expected: str) -> None:
        self.found.append(str(fail(self.file, key, expected)))

    def add_error(self, error: ContentError) -> None:
        """A fault a shared check raised (it names its file and key itself)."""
        self.found.append(str(error))

    def raise_any(self) -> None:
        """FileFaults if anything was found: at the end of a check, or before a step that needs a clean part."""
        if self.found:
            raise FileFaults(self.found)


# The files that exist today.


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


CLDR_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})


def _fields(text: Text) -> set[str]:
    """The placeholders of a text; of plural forms, those of all forms."""
    forms = [v for k, v in text.items() if k != PLURAL_KEY] if isinstance(text, dict) else [text]
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


def _check_text(text: Any, language: str, file: Path, key: str) -> None:
    """A template, or plural forms with every CLDR category ``language`` needs (see kiosk.content.messages)."""
    if isinstance(text, str):
        return
    if not isinstance(text, dict) or not all(isinstance(v, str) for v in text.values()):
        raise fail(file, key, "a text, or an object of plural forms")
    forms = set(text) - {PLURAL_KEY}
    if text.get(PLURAL_KEY) not in _fields(text):
        raise fail(file, f"{key}.{PLURAL_KEY}", "the placeholder whose number picks the plural form")
    if not forms <= CLDR_CATEGORIES:
        raise fail(file, f"{key}.{sorted(forms - CLDR_CATEGORIES)[0]}",
                   f"a CLDR plural category {sorted(CLDR_CATEGORIES)}")
    needed = plural_categories(language)
    if not needed <= forms:
        raise fail(file, key, f"the plural forms {language} needs, {sorted(needed)} (missing "
                              f"{sorted(needed - forms)})")


@cache
def required_texts() -> Mapping[str, frozenset[str]]:
    """The texts the scenes show, with the placeholders they fill in: every English text of the shipped
    strings.json but the tier names (a bundle names its own tiers, and tiers.json checks each has its text)."""
    shipped = json.loads((DEFAULT_DIR / "strings.json").read_text(encoding="utf-8"))["en"]
    return {key: frozenset(_fields(text)) for key, text in sorted(shipped.items()) if not key.startswith("tier.")}


def _strings(data: Any, file: Path, _: Parsed) -> dict[str, dict[str, Text]]:
    """Texts by language: English has every text the scenes show, and every language has every English key,
    with the same placeholders, and the plural forms its CLDR rules need."""
    if not isinstance(data, dict):
        raise fail(file, "(top)", "an object of languages")
    faults = Faults(file)
    for language in LANGUAGES:
        table = data.get(language)
        if not isinstance(table, dict):
            faults.add(language, "an object of texts")
            continue
        for key, text in table.items():
            try:
                _check_text(text, language, file, f"{language}.{key}")
            except ContentError as exc:
                faults.add_error(exc)
    faults.raise_any()  # the checks below read every language's texts
    reference = data["en"]
    for key, filled in required_texts().items():
        if key not in reference:
            faults.add(f"en.{key}", "a text the scenes show (missing)")
        elif not _fields(reference[key]) <= filled:  # the scene would fail to draw it
            faults.add(f"en.{key}", f"only the placeholders the scene fills in, {sorted(filled)}")
    for language in LANGUAGES:
        table = data[language]
        for key, template in reference.items():
            if key not in table:
                faults.add(f"{language}.{key}", "a translation (missing)")
            elif _fields(table[key]) != _fields(template):
                faults.add(f"{language}.{key}", f"the placeholders {sorted(_fields(template))}")
        for key in sorted(set(table) - set(reference)):
            faults.add(f"{language}.{key}", "only keys that English has too")
    faults.raise_any()
    return {language: dict(data[language]) for language in LANGUAGES}


def _tiers(data: Any, file: Path, parsed: Parsed) -> list[Tier]:
    """Tiers by threshold; every tier's name resolves to a text in strings.json; ``colour`` (``#rrggbb``) is
    optional."""
    strings = parsed["strings.json"]
    if not isinstance(data, list) or not data:
        raise fail(file, "(top)", "a non-empty list of tiers")
    faults, tiers = Faults(file), []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            faults.add(f"[{i}].key", "a tier name")
            continue
        threshold = item.get("threshold")
        if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
            faults.add(f"[{i}].threshold", "a whole number of points >= 0")
        elif f"tier.{item['key']}" not in strings["en"]:
            faults.add(f"[{i}].key", f"a tier named in strings.json (no 'tier.{item['key']}')")
        else:
            try:
                colour = None if "colour" not in item else check_colour(item["colour"], file, f"[{i}].colour")
            except ContentError as exc:
                faults.add_error(exc)
                continue
            tiers.append(Tier(item["key"], threshold, colour))
    faults.raise_any()  # the rule below is about the whole, well-formed list
    if min(t.threshold for t in tiers) != 0 or len({t.threshold for t in tiers}) != len(tiers):
        raise fail(file, "threshold", "distinct thresholds, the lowest 0")
    return sorted(tiers, key=lambda t: t.threshold)


def _demo(data: Any, file: Path, _: Parsed) -> tuple[list[DemoMember], list[DemoCard]]:
    if not isinstance(data, dict):
        raise fail(file, "(top)", "an object with members and unknown_cards")
    faults, members, cards, keys = Faults(file), [], [], set()
    for i, item in enumerate(data.get("members", [])):
        try:
            credential = Credential(item["credential"]["kind"], item["credential"]["value"])
            member = DemoMember(str(item["ref"]), str(item["name"]), int(item["points"]), credential,
                                str(item["key"]))
        except (KeyError, TypeError, ValueError) as exc:
            faults.add(f"members[{i}]", f"ref, name, points, credential and key ({exc})")
            continue
        members.append(member)
        keys.add(member.key)
    for i, item in enumerate(data.get("unknown_cards", [])):
        try:
            card = DemoCard(bytes.fromhex(item["uid"]), str(item["key"]))
        except (KeyError, TypeError, ValueError) as exc:
            faults.add(f"unknown_cards[{i}]", f"uid (hex) and key ({exc})")
            continue
        cards.append(card)
        keys.add(card.key)
    if len(keys) != len(members) + len(cards):
        faults.add("key", "a different key for every demo card")
    faults.raise_any()
    return members, cards


register(FileSchema("strings.json", _strings))
register(FileSchema("theme.json", check_theme, requires=("strings.json",)))
register(FileSchema("tiers.json", _tiers, requires=("strings.json",)))
register(FileSchema("demo_members.json", _demo))

"""The consents a shopper gives to join, from content (``consents.json``): per purpose its text version, whether
joining needs it, and its short label and full text in every language. A retailer's lawyer changes a text and
its version together; each sign-up records the versions the shopper was shown.

    >>> from kiosk.content.schemas import DEFAULT_DIR, JSON_CAP, read_json
    >>> shipped = check(read_json(DEFAULT_DIR / FILE, JSON_CAP), DEFAULT_DIR / FILE, {})
    >>> [(c.purpose, c.required) for c in shipped]
    [('personal_data', True), ('marketing', False)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config import LANGUAGES
from kiosk.content.schemas import Faults, FileSchema, Parsed, fail

FILE = "consents.json"
REQUIRED_PURPOSE = "personal_data"
VERSION = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
PURPOSE = re.compile(r"^[a-z][a-z_]{0,31}$")
LABEL_MAX, TEXT_MAX = 200, 20_000


@dataclass(frozen=True)
class ConsentText:
    purpose: str
    version: str
    required: bool
    label: dict[str, str]
    text: dict[str, str]


def check(data: Any, file: Path, _: Parsed) -> tuple[ConsentText, ...]:
    """Purposes in the file's order; ``personal_data`` is there and required; every text in every language."""
    if not isinstance(data, dict) or not data:
        raise fail(file, "(top)", "an object of consent purposes")
    faults, consents = Faults(file), []
    for purpose, item in data.items():
        if not PURPOSE.fullmatch(purpose):
            faults.add(purpose, "a purpose name of lower-case letters and _")
            continue
        if not isinstance(item, dict):
            faults.add(purpose, "an object with version, required, label and text")
            continue
        if not isinstance(item.get("version"), str) or not VERSION.fullmatch(item["version"]):
            faults.add(f"{purpose}.version", "a version of 1-32 letters, digits, '.', '_' or '-'")
        if not isinstance(item.get("required"), bool):
            faults.add(f"{purpose}.required", "true or false")
        for key, longest in (("label", LABEL_MAX), ("text", TEXT_MAX)):
            texts = item.get(key)
            for language in LANGUAGES:
                text = texts.get(language) if isinstance(texts, dict) else None
                if not isinstance(text, str) or not 1 <= len(text.strip()) <= longest:
                    faults.add(f"{purpose}.{key}.{language}", f"a text of 1-{longest} characters")
        if not faults.found:
            consents.append(ConsentText(purpose, item["version"], item["required"], dict(item["label"]),
                                        dict(item["text"])))
    faults.raise_any()
    required = [c for c in consents if c.purpose == REQUIRED_PURPOSE]
    if not required or not required[0].required:
        raise fail(file, REQUIRED_PURPOSE, "the consent to process personal data, required")
    return tuple(consents)


SCHEMA = FileSchema(FILE, check)

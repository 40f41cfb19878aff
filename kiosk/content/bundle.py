"""Load and validate a content bundle folder; every error names the file and the key.

    >>> bundle = load_bundle(DEFAULT_DIR)
    >>> bundle.text("en", "button.done")
    'Done'
    >>> bundle.text("ru", "welcome.points", points=1241), bundle.text("ru", "welcome.points", points=3759)
    ('1\xa0241 балл', '3\xa0759 баллов')
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.content.messages import Text, format_text
from kiosk.content.schemas import DEFAULT_DIR, DemoCard, DemoMember, parse_all
from kiosk.content.theme import Theme
from kiosk.core.member import Tier
from kiosk.exc import ContentError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bundle:
    """A checked bundle; ``files`` holds every registered file checked and converted, by name (a feature reads
    its own there: ``bundle.files["wheel.json"]``); ``version`` is its manifest's version where one was
    verified, else None."""

    path: Path
    strings: dict[str, dict[str, Text]]
    theme: Theme
    tiers: list[Tier]
    demo_members: list[DemoMember]
    unknown_cards: list[DemoCard]
    files: Mapping[str, Any]
    version: int | None = None

    def text(self, language: str, key: str, **values: Any) -> str:
        """The text ``key`` in ``language``, its plural form picked and its numbers written the language's way
        (see :mod:`kiosk.content.messages`)."""
        return format_text(language, self.strings[language][key], **values)


def load_bundle(path: Path, version: int | None = None, *, media: bool = True) -> Bundle:
    """Read and check every registered file of the bundle at ``path``, and with ``media`` its images; raise
    :class:`ContentError` on the first fault. The files' schemas live in :mod:`kiosk.content.schemas`."""
    if not path.is_dir():
        raise ContentError(f"{path}: not a content folder")
    files = parse_all(path, media=media)
    members, cards = files["demo_members.json"]
    return Bundle(path, files["strings.json"], files["theme.json"], files["tiers.json"], members, cards, files,
                  version)


def load_configured(configured: str) -> Bundle:
    """The bundle in ``[content] dir``, or the built-in one (with a warning) if that one is unusable."""
    if configured:
        try:
            return load_bundle(Path(configured))
        except ContentError as exc:
            log.warning("content: %s; using the built-in content", exc)
    return load_bundle(DEFAULT_DIR)

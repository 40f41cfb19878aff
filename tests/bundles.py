"""Signed test bundles made from the shipped content, for the content tests and the content benchmark."""

import json
import shutil
from datetime import UTC, datetime, timedelta

from kiosk.content import authoring
from kiosk.content.bundle import DEFAULT_DIR

SHIPPED_VERSION = json.loads((DEFAULT_DIR / "manifest.json").read_text())["version"]
"""The version of the built-in bundle: it rises with every change to content/, so tests count from it."""

def make_bundle(folder, key, version, *, expires=None, greeting=None, drop_text=None, texts=None, extra=None):
    """A copy of the default bundle as ``version``, signed with ``key``: ``greeting`` replaces the English
    "Done", ``drop_text`` removes a text from every language, ``texts`` sets texts in every language, ``extra``
    adds files by name."""
    shutil.copytree(DEFAULT_DIR, folder)
    for name in ("manifest.json", "manifest.sig"):
        (folder / name).unlink()
    strings = json.loads((folder / "strings.json").read_text())
    if greeting:
        strings["en"]["button.done"] = greeting
    for table in strings.values():
        table.pop(drop_text, None)
        table.update(texts or {})
    (folder / "strings.json").write_text(json.dumps(strings))
    for name, data in (extra or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    authoring.pack(folder, version, expires or datetime.now(UTC) + timedelta(days=7))
    authoring.sign(folder, key)
    return folder


def without_catalogue(folder):
    """A copy of the default bundle without the stylist's catalogue (so without the stylist), unsigned as a
    ``[content] dir`` may be."""
    shutil.copytree(DEFAULT_DIR, folder)
    (folder / "catalogue.json").unlink()
    shutil.rmtree(folder / "catalogue")
    for name in ("manifest.json", "manifest.sig"):
        (folder / name).unlink()
    return folder

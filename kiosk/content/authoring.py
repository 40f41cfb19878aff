"""Making bundles: a signing key, the manifest of a folder, its signature, and the checks a kiosk will run.

The private key file holds the 32-byte Ed25519 seed in base64 on one line; the public key that goes into
``[content] public_key`` is printed by `kiosk content keygen` (kiosk/keys.py).
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import keys
from kiosk.content import manifest as mf
from kiosk.content.bundle import Bundle, load_bundle
from kiosk.content.images import check_image, is_image
from kiosk.content.schemas import FileFaults, registered
from kiosk.exc import ContentError

DEFAULT_VALIDITY = timedelta(days=365)


def pack(folder: Path, version: int, expires: datetime) -> mf.Manifest:
    """Write ``folder/manifest.json`` listing every file in it (not links); an old signature is removed."""
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
        name = path.relative_to(folder).as_posix()
        if name in (mf.MANIFEST, mf.SIGNATURE):
            continue
        if path.is_symlink():
            raise ContentError(f"{name}: a symbolic link; a bundle holds plain files only")
        files[mf.check_path(name)] = {"sha256": mf.file_sha256(path), "length": path.stat().st_size}
    stamp = expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    raw = (json.dumps({"version": version, "expires": stamp, "files": files}, indent=2) + "\n").encode()
    manifest = mf.parse(raw)  # the same checks a kiosk runs: caps, paths
    (folder / mf.SIGNATURE).unlink(missing_ok=True)
    (folder / mf.MANIFEST).write_bytes(raw)
    return manifest


def sign(folder: Path, key: Ed25519PrivateKey) -> None:
    """Write ``folder/manifest.sig``: the base64 signature of the exact bytes of manifest.json."""
    raw = mf.read_capped(folder / mf.MANIFEST, mf.MANIFEST_CAP)
    mf.parse(raw)
    (folder / mf.SIGNATURE).write_text(base64.b64encode(key.sign(raw)).decode() + "\n")


class BundleProblems(ContentError):
    """Everything wrong with a bundle, so an author fixes it in one round: ``problems`` holds one line each."""

    def __init__(self, folder: Path, problems: list[str]) -> None:
        super().__init__(f"{folder}: {len(problems)} problem{'s' * (len(problems) != 1)}:\n"
                         + "\n".join(f"  {problem}" for problem in problems))
        self.problems = problems


def validate(folder: Path, public_key: str | None) -> tuple[Bundle, mf.Manifest | None]:
    """Everything a kiosk checks before use, except version and expiry: the schemas, the images, and with a
    manifest its files, and with ``public_key`` its signature. Raises BundleProblems naming every fault."""
    if not folder.is_dir():
        raise ContentError(f"{folder}: not a content folder")
    problems = [*_schema_problems(folder), *_image_problems(folder)]
    manifest = None
    if (folder / mf.MANIFEST).exists():
        manifest, manifest_problems = _manifest_problems(folder, public_key)
        problems += manifest_problems
    if problems:
        raise BundleProblems(folder, list(dict.fromkeys(problems)))  # a linked file is two faults, one line
    return load_bundle(folder, media=False), manifest


def _schema_problems(folder: Path) -> list[str]:
    """Each registered file checked on its own; one that refers to a faulty file is reported as not checked."""
    problems, parsed, faulty = [], {}, set()
    for schema in registered().values():
        file = folder / schema.name
        broken = [name for name in schema.requires if name in faulty]
        if broken:
            problems.append(f"{file}: not checked: it refers to {', '.join(broken)}, which has problems")
            faulty.add(schema.name)
            continue
        try:
            parsed[schema.name] = schema.parse(folder, parsed)
        except FileFaults as found:
            problems += found.faults
            faulty.add(schema.name)
        except ContentError as exc:
            problems.append(str(exc))
            faulty.add(schema.name)
    return problems


def _image_problems(folder: Path) -> list[str]:
    problems = []
    for root, _, files in os.walk(folder):  # not into linked folders
        for name in sorted(files):
            file = Path(root, name)
            if not is_image(name):
                continue
            try:
                if file.is_symlink():
                    raise ContentError(f"{file}: a symbolic link (content files must be plain files)")
                check_image(file)
            except ContentError as exc:
                problems.append(str(exc))
    return problems


def _manifest_problems(folder: Path, public_key: str | None) -> tuple[mf.Manifest | None, list[str]]:
    try:
        raw = mf.read_capped(folder / mf.MANIFEST, mf.MANIFEST_CAP)
        manifest = mf.parse(raw)
    except ContentError as exc:
        return None, [str(exc)]
    problems = [str(fault) for fault in mf.folder_faults(folder, manifest)]
    if public_key:
        try:
            mf.verify_signature(raw, mf.read_capped(folder / mf.SIGNATURE, mf.SIGNATURE_CAP),
                                keys.public_key(public_key))
        except ContentError as exc:
            problems.append(str(exc))
    return manifest, problems

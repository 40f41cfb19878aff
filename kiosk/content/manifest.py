"""The signed manifest of a content bundle, and everything the kiosk checks before it trusts a bundle.

A bundle is a folder holding its files, ``manifest.json`` and ``manifest.sig``::

    manifest.json  {"version": 7, "expires": "2026-12-31T00:00:00Z",
                    "files": {"strings.json": {"sha256": "<64 hex>", "length": 4711}, ...}}
    manifest.sig   the Ed25519 signature of the exact bytes of manifest.json, in base64 (one line of text)

The threats are those of The Update Framework: a tampered file (hash and length), a forged manifest
(signature against the key pinned in ``[content] public_key``), a replayed old bundle (the version must be
above the current one), a frozen one (``expires``), files from elsewhere (a path that escapes the folder or a
symbolic link), endless data (the lengths are capped before anything is downloaded).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.content.schemas import size_cap
from kiosk.exc import ContentError

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MANIFEST_CAP = 256 * 1024
SIGNATURE_CAP = 1024
FILE_CAP = 64 * 1024 * 1024
"""The largest file without a schema of its own (images, later videos)."""
BUNDLE_CAP = 512 * 1024 * 1024
"""The largest bundle: what the state folder can hold twice over on the smallest SD card in use."""
MAX_FILES = 10_000
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_HASH_CHUNK = 1024 * 1024


class BundleRefused(ContentError):
    """A bundle the kiosk will not use; ``reason`` is a short code for events, the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    length: int


@dataclass(frozen=True)
class Manifest:
    version: int
    expires: datetime
    files: dict[str, FileEntry]
    raw: bytes

    @property
    def total_bytes(self) -> int:
        return sum(entry.length for entry in self.files.values())


def check_path(name: object) -> str:
    """``name`` if it is a plain relative path inside the bundle, else BundleRefused (``bad_path``)."""
    if not isinstance(name, str) or not name or len(name) > 255 or "\\" in name or "\0" in name:
        raise BundleRefused("bad_path", f"file name {name!r}: expected a relative path with '/'")
    if any(part in ("", ".", "..") for part in name.split("/")):  # also a leading '/' (absolute) or '//'
        raise BundleRefused("bad_path", f"file name {name!r}: escapes the bundle")
    if name in (MANIFEST, SIGNATURE):
        raise BundleRefused("bad_path", f"file name {name!r}: reserved for the manifest")
    return name


def parse(raw: bytes) -> Manifest:
    """The manifest in ``raw`` (not yet trusted: check its signature first), or BundleRefused."""
    if len(raw) > MANIFEST_CAP:
        raise BundleRefused("too_large", f"{MANIFEST}: larger than {MANIFEST_CAP} bytes")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleRefused("bad_manifest", f"{MANIFEST}: not JSON ({exc})") from None
    if not isinstance(data, dict) or set(data) != {"version", "expires", "files"}:
        raise BundleRefused("bad_manifest", f"{MANIFEST}: expected exactly version, expires and files")
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleRefused("bad_manifest", f"{MANIFEST}: version: expected a whole number >= 1")
    expires = _utc(data["expires"])
    files = data["files"]
    if not isinstance(files, dict) or len(files) > MAX_FILES:
        raise BundleRefused("bad_manifest", f"{MANIFEST}: files: expected an object of at most {MAX_FILES} files")
    entries = {check_path(name): _entry(name, entry) for name, entry in files.items()}
    manifest = Manifest(version, expires, entries, raw)
    if manifest.total_bytes > BUNDLE_CAP:
        raise BundleRefused("too_large", f"{MANIFEST}: the bundle is larger than {BUNDLE_CAP} bytes")
    return manifest


def _utc(value: object) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BundleRefused("bad_manifest", f"{MANIFEST}: expires: expected an ISO 8601 time with a zone (Z)")
    return moment


def _entry(name: str, entry: object) -> FileEntry:
    if not isinstance(entry, dict) or set(entry) != {"sha256", "length"}:
        raise BundleRefused("bad_manifest", f"{MANIFEST}: files.{name}: expected sha256 and length")
    digest, length = entry["sha256"], entry["length"]
    if not isinstance(digest, str) or not _SHA256.match(digest):
        raise BundleRefused("bad_manifest", f"{MANIFEST}: files.{name}.sha256: expected 64 lowercase hex digits")
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        raise BundleRefused("bad_manifest", f"{MANIFEST}: files.{name}.length: expected a whole number >= 0")
    cap = size_cap(name, FILE_CAP)
    if length > cap:
        raise BundleRefused("too_large", f"{MANIFEST}: files.{name}: {length} bytes, over its cap of {cap}")
    return FileEntry(digest, length)


def verify_signature(raw: bytes, signature: bytes, key: Ed25519PublicKey) -> None:
    """BundleRefused (``bad_signature``) unless ``signature`` (manifest.sig's text) signs ``raw`` with ``key``."""
    try:
        decoded = base64.b64decode(signature.strip(), validate=True)
        key.verify(decoded, raw)
    except (binascii.Error, ValueError, InvalidSignature):
        raise BundleRefused("bad_signature", f"{SIGNATURE}: not a valid signature of {MANIFEST} by the "
                                             "configured [content] public_key") from None


def check_update(manifest: Manifest, current: int | None, now: datetime) -> None:
    """An update must be newer than what runs (no rollback) and not expired (no freeze)."""
    if current is not None and manifest.version <= current:
        raise BundleRefused("not_newer", f"version {manifest.version} is not above the current {current}")
    if manifest.expires <= now:
        raise BundleRefused("expired", f"version {manifest.version} expired at {manifest.expires.isoformat()}")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(folder: Path, name: str, entry: FileEntry, *, hashes: bool = True) -> None:
    """The file ``name`` is a plain file inside ``folder`` (no link on the way) with the listed length and hash."""
    path = folder
    for part in PurePosixPath(name).parts:
        path = path / part
        if path.is_symlink():
            raise BundleRefused("bad_path", f"{name}: a symbolic link (content files must be plain files)")
    if not path.is_file():
        raise BundleRefused("file_mismatch", f"{name}: missing")
    if path.stat().st_size != entry.length:
        raise BundleRefused("file_mismatch", f"{name}: {path.stat().st_size} bytes, the manifest says {entry.length}")
    if hashes and file_sha256(path) != entry.sha256:
        raise BundleRefused("file_mismatch", f"{name}: its sha256 differs from the manifest's")


def verify_folder(folder: Path, manifest: Manifest, *, hashes: bool = True) -> None:
    """Every listed file is as listed, and nothing else is there: a bundle is exactly what was signed."""
    for fault in folder_faults(folder, manifest, hashes=hashes):
        raise fault


def folder_faults(folder: Path, manifest: Manifest, *, hashes: bool = True) -> Iterator[BundleRefused]:
    """Every way the files in ``folder`` differ from ``manifest``: a listed file that is not as listed, a file
    that is not listed, a symbolic link."""
    for name, entry in manifest.files.items():
        try:
            verify_file(folder, name, entry, hashes=hashes)
        except BundleRefused as fault:
            yield fault
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = Path(root, name)
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                yield BundleRefused("bad_path", f"{relative}: a symbolic link (content files must be plain files)")
            elif path.is_file() and relative not in manifest.files and relative not in (MANIFEST, SIGNATURE):
                yield BundleRefused("file_mismatch", f"{relative}: not listed in the manifest")


def read_capped(path: Path, cap: int) -> bytes:
    """The bytes of a manifest or signature file, refusing a link or anything over ``cap``."""
    try:
        if path.is_symlink() or path.stat().st_size > cap:
            raise BundleRefused("bad_manifest", f"{path.name}: a link or larger than {cap} bytes")
        return path.read_bytes()
    except FileNotFoundError:
        raise BundleRefused("bad_manifest", f"{path.name}: missing") from None


def load_verified(folder: Path, key: Ed25519PublicKey, *, hashes: bool = True) -> Manifest:
    """The manifest of the bundle in ``folder`` once its signature and files check out, else BundleRefused."""
    raw = read_capped(folder / MANIFEST, MANIFEST_CAP)
    verify_signature(raw, read_capped(folder / SIGNATURE, SIGNATURE_CAP), key)
    manifest = parse(raw)
    verify_folder(folder, manifest, hashes=hashes)
    return manifest

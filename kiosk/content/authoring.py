"""Making bundles: a signing key, the manifest of a folder, its signature, and the checks a kiosk will run.

The private key file holds the 32-byte Ed25519 seed in base64 on one line; the public key that goes into
``[content] public_key`` is printed by `kiosk content keygen` (kiosk/keys.py).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import keys
from kiosk.content import manifest as mf
from kiosk.content.bundle import Bundle, load_bundle
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


def validate(folder: Path, public_key: str | None) -> tuple[Bundle, mf.Manifest | None]:
    """Everything a kiosk checks before use, except version and expiry: the schemas, and with a manifest its
    files, and with ``public_key`` its signature. Raises ContentError naming the fault."""
    bundle = load_bundle(folder)
    if not (folder / mf.MANIFEST).exists():
        return bundle, None
    if public_key:
        manifest = mf.load_verified(folder, keys.public_key(public_key))
    else:
        manifest = mf.parse(mf.read_capped(folder / mf.MANIFEST, mf.MANIFEST_CAP))
        mf.verify_folder(folder, manifest)
    return bundle, manifest

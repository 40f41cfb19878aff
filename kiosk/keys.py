"""Ed25519 keys as the kiosk keeps them: a private key is a file holding its 32-byte seed in base64 (mode 0600,
never overwritten); a public key is 32 bytes in base64, as config and the command line take it.

Content bundles (`kiosk content keygen`) and signed commands (`kiosk ops keygen`) use the same format.

    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "signing.key"
    >>> public = generate(out)
    >>> public_text(load_private(out)) == public, is_public_key(public), is_public_key("c2hvcnQ=")
    (True, True, False)
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.exc import KioskError

KEY_BYTES = 32


def generate(out: Path) -> str:
    """Write a new private key to ``out`` (mode 0600; an existing file is never overwritten) and return its
    public key in base64. KioskError when the file exists or cannot be made."""
    key = Ed25519PrivateKey.generate()
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KioskError(f"{out} exists; not overwriting a key") from None
    except OSError as exc:
        raise KioskError(f"cannot create {out} ({exc.strerror})") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(key.private_bytes_raw()).decode() + "\n")
    return public_text(key)


def load_private(path: Path) -> Ed25519PrivateKey:
    """The private key written by :func:`generate`; KioskError naming the file when it is not one."""
    try:
        seed = _decode(path.read_text().strip())
    except OSError as exc:
        raise KioskError(f"cannot read the signing key {path} ({exc.strerror})") from None
    if seed is None:
        raise KioskError(f"{path} is not a signing key (expected {KEY_BYTES} bytes in base64, as keygen writes)")
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_text(key: Ed25519PrivateKey) -> str:
    """The public key of ``key`` in base64."""
    return base64.b64encode(key.public_key().public_bytes_raw()).decode()


def is_public_key(text: str) -> bool:
    """Whether ``text`` is 32 bytes in base64 (what config validation asks of a public key)."""
    return _decode(text) is not None


def public_key(text: str) -> Ed25519PublicKey:
    """The public key in ``text``; ValueError when it is not one (config has checked it with
    :func:`is_public_key`)."""
    raw = _decode(text)
    if raw is None:
        raise ValueError(f"not an Ed25519 public key: expected {KEY_BYTES} bytes in base64")
    return Ed25519PublicKey.from_public_bytes(raw)


def _decode(text: str) -> bytes | None:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == KEY_BYTES else None

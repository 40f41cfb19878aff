"""The Ed25519 key pair of signed commands: the private key stays with store operations (a file holding its
32-byte seed in base64), the public key goes into the kiosks' ``[mqtt] command_keys``.

    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "ops.key"
    >>> public = generate(out)
    >>> load_private(out).public_key().public_bytes_raw() == base64.b64decode(public)
    True
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.exc import KioskError


def generate(out: Path) -> str:
    """Write a new private key to ``out`` (mode 0600; an existing file is never overwritten) and return the
    public key in base64, as ``[mqtt] command_keys`` takes it."""
    key = Ed25519PrivateKey.generate()
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KioskError(f"ops keygen: {out} exists; not overwriting a key") from None
    except OSError as exc:
        raise KioskError(f"ops keygen: cannot create {out} ({exc.strerror})") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(key.private_bytes_raw()).decode() + "\n")
    return base64.b64encode(key.public_key().public_bytes_raw()).decode()


def load_private(path: Path) -> Ed25519PrivateKey:
    """The private key written by :func:`generate`; KioskError naming the file when it is not one."""
    try:
        seed = base64.b64decode(path.read_text().strip(), validate=True)
    except OSError as exc:
        raise KioskError(f"ops: cannot read the signing key {path} ({exc.strerror})") from None
    except (binascii.Error, ValueError):
        seed = b""
    if len(seed) != 32:
        raise KioskError(f"ops: {path} is not a signing key (expected 32 bytes in base64, as `kiosk ops keygen` "
                         "writes)")
    return Ed25519PrivateKey.from_private_bytes(seed)

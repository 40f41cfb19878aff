"""The per-device secret that turns tag UIDs into HMACs, so a raw UID never leaves the reader layer."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from kiosk.files import write_atomic

SECRET_FILE = "uid_hmac.key"


class UidHasher:
    """HMAC-SHA256 of UIDs with a 32-byte secret kept in the state directory (mode 0600).

        >>> import tempfile
        >>> hasher = UidHasher(Path(tempfile.mkdtemp()))
        >>> len(hasher.credential_value(bytes.fromhex("04A224B1C55E80")))
        64
    """

    def __init__(self, state_dir: Path) -> None:
        self._key = self._load_or_create(state_dir / SECRET_FILE)

    @staticmethod
    def _load_or_create(path: Path) -> bytes:
        try:
            key = path.read_bytes()
            if len(key) == 32:
                return key
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        write_atomic(path, key, 0o600)  # a power cut never leaves a short key that would re-key every card
        return key

    def credential_value(self, uid: bytes) -> str:
        return hmac.new(self._key, uid, hashlib.sha256).hexdigest()

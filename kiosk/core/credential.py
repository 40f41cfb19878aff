"""What a tap yields: one credential, never a raw card UID (docs/architecture.md, "Identity and privacy")."""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("app", "ndef", "uid", "phone_join")
_VALUE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@dataclass(frozen=True)
class Credential:
    """A shopper's identity as read at the reader.

    ``value`` is a member token (``app``, ``ndef``), a session token (``phone_join``) or the hex HMAC of a
    tag's UID (``uid``): never the raw UID.

        >>> Credential("ndef", "M-1001").kind
        'ndef'
    """

    kind: str
    value: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"credential kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if not isinstance(self.value, str) or not _VALUE.fullmatch(self.value):  # match() would allow "x\n"
            raise ValueError("credential value must be 1-128 letters, digits or . _ : -")


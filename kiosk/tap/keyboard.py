"""Demo taps from the keyboard: each demo card of the content bundle has a key."""

from __future__ import annotations

from kiosk.content.bundle import Bundle
from kiosk.core.credential import Credential
from kiosk.tap.uid_secret import UidHasher


class KeyboardCards:
    """Maps a key name (as pygame names it, e.g. ``"1"``) to the credential of a demo card."""

    def __init__(self, bundle: Bundle, hasher: UidHasher) -> None:
        self._cards = {m.key: m.credential for m in bundle.demo_members}
        self._cards.update(
            {c.key: Credential("uid", hasher.credential_value(c.uid)) for c in bundle.unknown_cards}
        )

    def credential_for(self, key: str) -> Credential | None:
        return self._cards.get(key)

    @property
    def keys(self) -> list[str]:
        return sorted(self._cards)

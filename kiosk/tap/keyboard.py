"""Demo taps from the keyboard: each demo card of the content bundle has a key."""

from __future__ import annotations

from kiosk.content.bundle import Bundle
from kiosk.core.credential import Credential
from kiosk.tap.uid_secret import UidHasher


class KeyboardCards:
    """Maps a key name (as pygame names it, e.g. ``"1"``) to the credential of a demo card of a bundle."""

    def __init__(self, hasher: UidHasher) -> None:
        self._hasher = hasher

    def credential_for(self, bundle: Bundle, key: str) -> Credential | None:
        """The card of ``key`` in ``bundle`` (the one on screen: a content switch brings its own cards)."""
        for member in bundle.demo_members:
            if member.key == key:
                return member.credential
        for card in bundle.unknown_cards:
            if card.key == key:
                return Credential("uid", self._hasher.credential_value(card.uid))
        return None

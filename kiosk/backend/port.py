"""The loyalty backend as the kiosk sees it. Adapters: LocalBackend (SQLite) and HttpBackend."""

from __future__ import annotations

from typing import Protocol

from kiosk.core.credential import Credential
from kiosk.core.member import Member


class LoyaltyBackend(Protocol):
    def lookup(self, credential: Credential) -> Member | None:
        """The member holding ``credential``, None for an unknown one.

        Raises :class:`kiosk.exc.BackendUnavailable` when the backend cannot answer.
        """
        ...

    def profile(self, member_ref: str) -> Member | None:
        """The member ``member_ref``, None if the backend does not know it; BackendUnavailable as above."""
        ...

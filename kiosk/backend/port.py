"""The loyalty backend as the kiosk sees it (docs/backend-openapi.yaml). Adapters: LocalBackend, HttpBackend.

Every method runs on a worker (a feature's ``Call``), never on the main thread. A method raises
:class:`kiosk.exc.BackendUnavailable` when the backend cannot answer (down, too slow, nonsense) and
:class:`kiosk.backend.errors.BackendRefused` when it answers no. Methods that change state take an
``idempotency_key``: the caller keeps it for the logical request, so a retry never does the thing twice.
"""

from __future__ import annotations

from typing import Protocol

from kiosk.backend.models import CustomEvent, Draw, DrawResult, JoinSession, Profile, Registration
from kiosk.core.credential import Credential
from kiosk.core.member import Member


class LoyaltyBackend(Protocol):
    phone_pages: bool
    """Whether the backend serves the phone pages (sign-up and membership on the shopper's phone): without
    them the kiosk shows no QR code, writes no join URL to its tag and offers no join token
    (:meth:`offer_join` is never called); joining on the kiosk works either way."""

    def lookup(self, credential: Credential) -> Member | None:
        """The member holding ``credential``, None for an unknown one."""
        ...

    def profile(self, member_ref: str) -> Profile | None:
        """The member ``member_ref`` with tier progress and offers, None if the backend does not know it."""
        ...

    def register(self, registration: Registration, idempotency_key: str) -> Profile:
        """A new member; refused when the contact or credential already belongs to one, or a join token is used."""
        ...

    def offer_join(self, join_token: str, kiosk_id: str, session_id: str, ttl_s: int) -> JoinSession:
        """Announce the one-time join token the kiosk shows for ``session_id`` (QR code, join tag)."""
        ...

    def issue_draw(self, member_ref: str, kiosk_id: str, idempotency_key: str) -> Draw:
        """A single-use fortune-wheel draw for the member."""
        ...

    def play_draw(self, draw_id: str, idempotency_key: str) -> DrawResult:
        """Play the draw once: the same key gets the same result, another key a refusal."""
        ...

    def style_history(self, member_ref: str) -> list[str] | None:
        """The SKUs the member asked the stylist for or bought before, newest first (empty: no history kept);
        None if the backend does not know the member."""
        ...

    def send_event(self, event: CustomEvent) -> bool:
        """Record a custom event once per ``event_id`` (its idempotency key too); True if the backend had it
        already from another request."""
        ...

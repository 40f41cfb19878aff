"""What the loyalty backend answers and is asked, beyond a member (docs/backend-openapi.yaml has the contract).

Immutable values, checked where they come in (HttpBackend) or made (the reference server):

    >>> from kiosk.core.credential import Credential
    >>> r = Registration(language="nb", consents=(Consent("personal_data", "2026-1", True),), phone="+4791234567",
    ...                  credential=Credential("ndef", "M-77"))
    >>> r.to_json()["consents"]
    {'personal_data': {'text_version': '2026-1', 'granted': True}}
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.credential import Credential
from kiosk.core.member import Member


@dataclass(frozen=True)
class Offer:
    """An in-store offer, its title in the member's language; validity as ISO 8601 UTC text."""

    offer_id: str
    title: str
    valid_from: str
    valid_until: str
    description: str = ""


@dataclass(frozen=True)
class Profile(Member):
    """A member with what the profile screen shows: language, the next tier and the way there, offers."""

    language: str = "en"
    next_tier: str | None = None
    points_to_next: int = 0
    progress: float = 1.0
    offers: tuple[Offer, ...] = ()
    pending: bool = False  # what the kiosk knows of a sign-up the backend has not confirmed yet


@dataclass(frozen=True)
class Consent:
    """One consent as the shopper answered it, with the version of the text they were shown."""

    purpose: str
    text_version: str
    granted: bool


@dataclass(frozen=True)
class Registration:
    """A sign-up: a phone number (E.164) and/or an e-mail address, the language, the consents, and the
    credential or join token the shopper came with."""

    language: str
    consents: tuple[Consent, ...]
    phone: str | None = None
    email: str | None = None
    name: str | None = None
    birthday: str | None = None
    credential: Credential | None = None
    join_token: str | None = None
    kiosk_id: str | None = None
    consented_at: str | None = None  # ISO 8601 UTC: when the shopper gave the consents

    def to_json(self) -> dict:
        body: dict = {"language": self.language,
                      "consents": {c.purpose: {"text_version": c.text_version, "granted": c.granted}
                                   for c in self.consents}}
        for key in _OPTIONAL:
            if getattr(self, key) is not None:
                body[key] = getattr(self, key)
        if self.credential is not None:
            body["credential"] = {"kind": self.credential.kind, "value": self.credential.value}
        return body

    @classmethod
    def from_json(cls, body: dict) -> Registration:
        """The registration :meth:`to_json` made (a sign-up the kiosk kept to send again).

            >>> r = Registration("en", (Consent("personal_data", "1", True),), email="a@b.no", kiosk_id="k-1")
            >>> Registration.from_json(r.to_json()) == r
            True
        """
        credential = body.get("credential")
        return cls(body["language"], tuple(Consent(purpose, answer["text_version"], answer["granted"])
                                           for purpose, answer in body["consents"].items()),
                   credential=Credential(credential["kind"], credential["value"]) if credential else None,
                   **{key: body[key] for key in _OPTIONAL if key in body})


_OPTIONAL = ("phone", "email", "name", "birthday", "join_token", "kiosk_id", "consented_at")


@dataclass(frozen=True)
class JoinSession:
    """A kiosk session a phone may join with ``join_token`` until ``expires_at``; ``member_ref`` once joined."""

    join_token: str
    kiosk_id: str
    session_id: str
    expires_at: str
    state: str
    member_ref: str | None = None


@dataclass(frozen=True)
class Draw:
    """A single-use reward draw issued to a member, to be played once before ``expires_at``."""

    draw_id: str
    member_ref: str
    game: str
    expires_at: str


@dataclass(frozen=True)
class Prize:
    key: str
    label: str


@dataclass(frozen=True)
class DrawResult:
    """The played draw: the prize (None for no win), its reward code and until when the code is good."""

    draw_id: str
    won: bool
    drawn_at: str
    prize: Prize | None = None
    code: str | None = None
    code_expires_at: str | None = None


@dataclass(frozen=True)
class CustomEvent:
    """Something that happened at the kiosk for the backend to act on; ``event_id`` is a ULID."""

    event_id: str
    type: str
    kiosk_id: str
    occurred_at: str
    data: dict = field(default_factory=dict)
    member_ref: str | None = None

    def to_json(self) -> dict:
        body = {"event_id": self.event_id, "type": self.type, "kiosk_id": self.kiosk_id,
                "occurred_at": self.occurred_at, "data": self.data}
        if self.member_ref is not None:
            body["member_ref"] = self.member_ref
        return body

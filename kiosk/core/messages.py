"""Messages that worker threads post to the main loop. Workers never touch state; they send these.

The messages of the adapters (reader, GPIO, MQTT, content updater, automation) live here; a feature's own
messages (the answers to its backend calls) live in its package."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.core.credential import Credential

if TYPE_CHECKING:
    from kiosk.content.bundle import Bundle


@dataclass(frozen=True)
class TapDetected:
    credential: Credential
    source: str
    detected_mono: float


@dataclass(frozen=True)
class TapRejected:
    """A tag was read but yields no credential (bad NDEF, an app's error answer, a tag gone mid-read)."""

    reason: str
    source: str
    detected_mono: float


@dataclass(frozen=True)
class ReaderStatus:
    """The NFC reader's health, posted when it changes; ``error`` says why it is not ok (no personal data)."""

    ok: bool
    error: str | None = None
    can_emulate: bool = False


@dataclass(frozen=True)
class ButtonPressed:
    name: str


@dataclass(frozen=True)
class MotionChanged:
    active: bool


@dataclass(frozen=True)
class InjectButton:
    name: str


@dataclass(frozen=True)
class SceneQuery:
    """Answered by the main loop with the current scene's name, after every message posted before it."""

    reply: Future


@dataclass(frozen=True)
class CommandReceived:
    """A remote command that passed every check; ``respond(ok, error=None, data=None)`` answers it."""

    name: str
    args: dict[str, Any]
    respond: Callable[..., None]


@dataclass(frozen=True)
class ContentProgress:
    """The content updater's news: ``stage`` is downloading, ready (installed, waiting for an idle screen) or
    refused/failed with a ``reason`` code and a ``detail`` line; ``version`` once the manifest told it. A ready
    one brings the installed ``bundle``, opened and checked on the updater's thread, so the switch on the main
    thread does not read and check it again."""

    stage: str
    version: int | None = None
    reason: str | None = None
    detail: str | None = None
    bundle: Bundle | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PhoneSignedUp:
    """The backend's word (``session_joined``) that the phone of ``session_id`` signed up as ``member_ref``,
    shown the consent texts of ``consents`` (versions by purpose)."""

    session_id: str
    member_ref: str
    consents: dict[str, str]


@dataclass(frozen=True)
class JoinOffered:
    """The backend's answer to the kiosk's offer of the join token ``token`` for ``session_id``."""

    token: str
    session_id: str
    ok: bool


@dataclass(frozen=True)
class Stop:
    reason: str

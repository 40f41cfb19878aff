"""The shopper session as a state machine: which scene shows, when it ends, which events it reports.

Pure: the caller passes the time and applies the outcome (switch scene, write events, start a lookup).

    >>> from kiosk.core.credential import Credential
    >>> machine = SessionMachine(idle_timeout_s=45)
    >>> step = machine.tap(Credential("ndef", "M-1"), now=0.0, session_id="S1")
    >>> step.scene, step.lookup, [e.type for e in step.events]
    ('celebrate', Credential(kind='ndef', value='M-1'), ['tap'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kiosk.core.credential import Credential
from kiosk.core.member import Member


class Scene(StrEnum):
    ATTRACT = "attract"
    CELEBRATE = "celebrate"
    WELCOME = "welcome"
    JOIN = "join"
    UNAVAILABLE = "unavailable"
    GOODBYE = "goodbye"
    MAINTENANCE = "maintenance"


class LookupFailed:
    """The lookup outcome when the backend could not answer."""


LOOKUP_FAILED = LookupFailed()
LookupOutcome = Member | None | LookupFailed


@dataclass(frozen=True)
class Event:
    type: str
    data: dict


@dataclass(frozen=True)
class Step:
    """What the caller must do: show ``scene`` (if not None), record ``events``, look up ``lookup``."""

    scene: Scene | None = None
    events: list[Event] = field(default_factory=list)
    lookup: Credential | None = None


@dataclass
class _Shopper:
    """Everything known of the shopper in front of the kiosk; dropped whole when the session ends."""

    session_id: str
    credential: Credential
    started_at: float
    member: Member | None = None
    outcome_ready: bool = False
    outcome_scene: Scene | None = None


class SessionMachine:
    def __init__(self, idle_timeout_s: float, celebrate_s: float = 1.6, goodbye_s: float = 3.0) -> None:
        self.idle_timeout_s = idle_timeout_s
        self.celebrate_s = celebrate_s
        self.goodbye_s = goodbye_s
        self.scene = Scene.ATTRACT
        self.maintenance = False
        self._scene_since = 0.0
        self._last_activity = 0.0
        self._shopper: _Shopper | None = None

    @property
    def member(self) -> Member | None:
        return self._shopper.member if self._shopper else None

    @property
    def session_id(self) -> str | None:
        return self._shopper.session_id if self._shopper else None

    def tap(self, credential: Credential, now: float, session_id: str) -> Step:
        """A new tap always starts a new session; a running one ends first. In maintenance taps are refused."""
        if self.maintenance:
            return Step(events=[Event("tap_refused", {"reason": "maintenance", "credential_kind": credential.kind})])
        events = self._end("new_tap", now) if self._shopper else []
        self._shopper = _Shopper(session_id, credential, now)
        events.append(Event("tap", {"session_id": session_id, "credential": {"kind": credential.kind,
                                                                            "ref": credential.value}}))
        self._enter(Scene.CELEBRATE, now)
        return Step(Scene.CELEBRATE, events, lookup=credential)

    def lookup_done(self, session_id: str, outcome: LookupOutcome, now: float) -> Step:
        """The backend answered for ``session_id``; answers for a session already gone are dropped."""
        shopper = self._shopper
        if shopper is None or shopper.session_id != session_id or shopper.outcome_ready:
            return Step()
        shopper.outcome_ready = True
        if isinstance(outcome, Member):
            shopper.member = outcome
            shopper.outcome_scene = Scene.WELCOME
            event = Event("member_identified", {"session_id": session_id, "member_ref": outcome.ref,
                                                "tier": outcome.tier})
        elif outcome is None:
            shopper.outcome_scene = Scene.JOIN
            event = Event("unknown_credential", {"session_id": session_id,
                                                 "credential_kind": shopper.credential.kind})
        else:
            shopper.outcome_scene = Scene.UNAVAILABLE
            event = Event("lookup_failed", {"session_id": session_id})
        step = self.tick(now)
        return Step(step.scene, [event, *step.events])

    def joined(self, session_id: str, member: Member, now: float) -> Step:
        """The backend says the shopper of ``session_id`` joined or logged in on their phone: welcome them."""
        shopper = self._shopper
        if shopper is None or shopper.session_id != session_id:
            return Step()
        shopper.member = member
        shopper.outcome_ready = True
        shopper.outcome_scene = Scene.WELCOME
        event = Event("member_joined", {"session_id": session_id, "member_ref": member.ref, "tier": member.tier})
        if self.scene == Scene.CELEBRATE:
            step = self.tick(now)
            return Step(step.scene, [event, *step.events])
        self._enter(Scene.WELCOME, now)
        return Step(Scene.WELCOME, [event])

    def set_maintenance(self, on: bool, now: float) -> Step:
        """Maintenance ends any session and shows "back soon" until it is switched off."""
        if on == self.maintenance:
            return Step()
        self.maintenance = on
        events = self._end("maintenance", now) if on and self._shopper else []
        events.append(Event("maintenance", {"on": on}))
        self._enter(Scene.MAINTENANCE if on else Scene.ATTRACT, now)
        return Step(self.scene, events)

    def touch(self, now: float) -> None:
        """Any touch keeps the session alive."""
        self._last_activity = now

    def done(self, now: float) -> Step:
        """The shopper pressed "done": say goodbye, then forget them."""
        if self._shopper is None:
            return Step()
        events = self._end("done", now)
        self._enter(Scene.GOODBYE, now)
        return Step(Scene.GOODBYE, events)

    def tick(self, now: float) -> Step:
        """Advance on time alone: end of celebration, idle timeout, end of goodbye."""
        if self.scene == Scene.GOODBYE and now - self._scene_since >= self.goodbye_s:
            self._enter(Scene.ATTRACT, now)
            return Step(Scene.ATTRACT)
        if self._shopper is None:
            return Step()
        if now - self._last_activity >= self.idle_timeout_s:
            events = self._end("idle_timeout", now)
            self._enter(Scene.ATTRACT, now)
            return Step(Scene.ATTRACT, events)
        shopper = self._shopper
        if (self.scene == Scene.CELEBRATE and shopper.outcome_ready
                and now - self._scene_since >= self.celebrate_s):
            self._enter(shopper.outcome_scene, now)
            return Step(shopper.outcome_scene)
        return Step()

    def next_deadline(self) -> float | None:
        """The next time at which :meth:`tick` may change something, or None if only input can."""
        if self.scene == Scene.GOODBYE:
            return self._scene_since + self.goodbye_s
        if self._shopper is None:
            return None
        idle_end = self._last_activity + self.idle_timeout_s
        if self.scene == Scene.CELEBRATE and self._shopper.outcome_ready:
            return min(idle_end, self._scene_since + self.celebrate_s)
        return idle_end

    def _enter(self, scene: Scene, now: float) -> None:
        self.scene = scene
        self._scene_since = now
        self._last_activity = now

    def _end(self, reason: str, now: float) -> list[Event]:
        shopper, self._shopper = self._shopper, None
        assert shopper is not None
        duration = round(now - shopper.started_at, 3)
        return [Event("session_ended", {"session_id": shopper.session_id, "reason": reason,
                                        "duration_s": duration})]

"""The shopper session: which scene shows, when the session ends, which events that reports.

The one owner of the current scene and of everything known of the shopper in front of the kiosk (their
credential, member profile and language). Pure: the caller passes the time and applies the returned
:class:`~kiosk.core.flow.Step`. Features drive it (kiosk/features/): the welcome feature starts sessions on
taps and resolves them to a scene once the backend answered; a shopper may also walk up and start one on the
attract screen without a tap (:meth:`SessionMachine.walk_up`, the way into the stylist); others move the
session between their scenes or suspend the kiosk (maintenance).

    >>> from kiosk.core.credential import Credential
    >>> machine = SessionMachine(idle_timeout_s=45, language="en")
    >>> step = machine.tap(Credential("ndef", "M-1"), now=0.0, session_id="S1")
    >>> step.scene, [e.type for e in step.events]
    ('celebrate', ['tap'])
    >>> machine.set_language("nb"); machine.language
    'nb'
    >>> step = machine.tap(Credential("ndef", "M-2"), now=5.0, session_id="S2")
    >>> [e.data.get("reason") for e in step.events], machine.language
    (['new_tap', None], 'en')

A session started without a tap becomes the member's when they tap during it: what they did is kept and the
lookup leads back to where they were.

    >>> _ = machine.done(now=6.0); _ = machine.tick(now=9.0)
    >>> [e.type for e in machine.walk_up(now=10.0, session_id="S3").events]
    ['walk_up']
    >>> _ = machine.go("stylist_look", now=11.0)
    >>> step = machine.tap(Credential("ndef", "M-1"), now=12.0, session_id="S4")
    >>> step.scene, [e.data["session_id"] for e in step.events], machine.interrupted
    ('celebrate', ['S3'], 'stylist_look')
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.credential import Credential
from kiosk.core.flow import Event, Step
from kiosk.core.member import Member

ATTRACT = "attract"
CELEBRATE = "celebrate"
GOODBYE = "goodbye"
FAILSAFE = "failsafe"

END_REASONS = ("done", "idle_timeout", "new_tap", "maintenance", "failsafe", "stop", "crash")
"""Why a session ended, as the ``session_ended`` event says it."""


@dataclass
class _Shopper:
    """Everything known of the shopper in front of the kiosk; dropped whole when the session ends."""

    session_id: str
    credential: Credential | None  # None: walked up without a tap (so far)
    started_at: float
    language: str
    member: Member | None = None
    outcome: str | None = None  # the scene the celebration gives way to, once known
    joined: bool = False  # came as a new face (or by the phone's join page) and is a member now
    interrupted: str | None = None  # the scene a tap interrupted in a session that had none


class SessionMachine:
    def __init__(self, idle_timeout_s: float, language: str, *, celebrate_s: float = 1.6, goodbye_s: float = 3.0,
                 failsafe_s: float = 8.0) -> None:
        self.idle_timeout_s = idle_timeout_s
        self.default_language = language
        self.celebrate_s = celebrate_s
        self.goodbye_s = goodbye_s
        self.failsafe_s = failsafe_s
        self.scene = ATTRACT
        self.suspended: str | None = None  # why taps are refused (e.g. "maintenance"), None when in service
        self._scene_since = 0.0
        self._last_activity = 0.0
        self._held_until = 0.0  # a scene that waits for something outside (a phone signing up) keeps the session
        self._attract_language = language  # chosen on the attract screen, for the session a tap starts there
        self._shopper: _Shopper | None = None

    @property
    def member(self) -> Member | None:
        return self._shopper.member if self._shopper else None

    @property
    def session_id(self) -> str | None:
        return self._shopper.session_id if self._shopper else None

    @property
    def credential(self) -> Credential | None:
        return self._shopper.credential if self._shopper else None

    @property
    def language(self) -> str:
        return self._shopper.language if self._shopper else self._attract_language

    def set_language(self, language: str) -> None:
        if self._shopper:
            self._shopper.language = language
        else:
            self._attract_language = language

    def tap(self, credential: Credential, now: float, session_id: str) -> Step:
        """A tap starts a new session ``session_id``, in the language chosen on the attract screen or else the
        default; a running session ends first. A tap in a session begun without one (:meth:`walk_up`) makes it
        the tapper's instead: the session, its language and what the shopper did stay, the celebration
        interrupts the scene on screen (:attr:`interrupted`). While suspended, taps are refused."""
        if self.suspended:
            return Step(events=[Event("tap_refused", {"reason": self.suspended, "credential_kind": credential.kind})])
        shopper = self._shopper
        if shopper is not None and shopper.credential is None:
            shopper.credential, shopper.interrupted = credential, self.scene
            events = []
        else:
            language = self._attract_language if shopper is None else self.default_language
            events = self._end("new_tap", now) if shopper else []
            shopper = self._shopper = _Shopper(session_id, credential, now, language)
        events.append(Event("tap", {"session_id": shopper.session_id, "credential": {"kind": credential.kind,
                                                                                    "ref": credential.value}}))
        self._enter(CELEBRATE, now)
        return Step(CELEBRATE, events)

    def walk_up(self, now: float, session_id: str) -> Step:
        """A shopper starts a session ``session_id`` on the attract screen without a tap (to use a feature that
        needs no membership): nobody is known, the scene stays until the feature moves on. Only from the
        attract screen, in service, with no session running; otherwise nothing happens."""
        if self._shopper is not None or self.suspended or self.scene != ATTRACT:
            return Step()
        self._shopper = _Shopper(session_id, None, now, self._attract_language)
        self._last_activity = now
        return Step(events=[Event("walk_up", {"session_id": session_id})])

    @property
    def interrupted(self) -> str | None:
        """The scene a tap interrupted in a session walked up to (see :meth:`walk_up`): a member goes back
        there once known. None in any other session."""
        return self._shopper.interrupted if self._shopper else None

    def resolve(self, session_id: str, scene: str, member: Member | None, events: list[Event], now: float) -> Step:
        """The session ``session_id`` goes on to ``scene`` (after the celebration, if it is still on) with
        ``member`` known; ``events`` report why. Answers for a session already gone are dropped."""
        shopper = self._shopper
        if shopper is None or shopper.session_id != session_id:
            return Step()
        if member is not None:
            new_face = (shopper.outcome is not None or shopper.credential is None) and shopper.member is None
            by_phone = shopper.credential is not None and shopper.credential.kind == "phone_join"
            shopper.joined = shopper.joined or new_face or by_phone
            shopper.member = member
        shopper.outcome = scene
        if self.scene == CELEBRATE:
            return Step(events=events).then(self.tick(now))
        self._enter(scene, now)
        return Step(scene, events)

    def know(self, session_id: str, member: Member) -> bool:
        """More is known of the member of ``session_id`` (their whole profile): kept, no scene changes. False
        when that session is gone."""
        if self._shopper is None or self._shopper.session_id != session_id or self._shopper.member is None:
            return False
        self._shopper.member = member
        return True

    @property
    def joined(self) -> bool:
        """Whether the member on screen joined during this session (a new face, or one who came by the phone's
        join page)."""
        return self._shopper is not None and self._shopper.joined

    def is_current(self, session_id: str) -> bool:
        return self.session_id == session_id

    @property
    def resolved(self) -> bool:
        """Whether the session knows where the celebration leads."""
        return self._shopper is not None and self._shopper.outcome is not None

    def go(self, scene: str, now: float) -> Step:
        """Move to another feature's ``scene``: within a session (from the welcome to the prize wheel), or a
        screen of the store's outside any (the idle timeout brings the attract screen back either way)."""
        self._enter(scene, now)
        return Step(scene)

    def suspend(self, scene: str, reason: str, now: float) -> Step:
        """Take the kiosk out of service: any session ends (``reason``), ``scene`` shows, taps are refused."""
        events = self._end(reason, now) if self._shopper else []
        self.suspended = reason
        self._enter(scene, now)
        return Step(scene, events)

    def resume(self, now: float) -> Step:
        """Back in service: the attract screen."""
        self.suspended = None
        self._enter(ATTRACT, now)
        return Step(ATTRACT)

    def touch(self, now: float) -> None:
        """Any touch keeps the session alive."""
        self._last_activity = now

    def hold(self, until: float) -> None:
        """Keep the session on the current scene until ``until`` even without a touch (the join screen waits
        for a phone signing up longer than the idle timeout); leaving the scene ends the hold."""
        self._held_until = until

    @property
    def held_until(self) -> float | None:
        """Until when the current scene waits (see :meth:`hold`), None when it does not."""
        return self._held_until or None

    def done(self, now: float) -> Step:
        """The shopper pressed "done": say goodbye, then forget them."""
        if self._shopper is None:
            return Step()
        events = self._end("done", now)
        self._enter(GOODBYE, now)
        return Step(GOODBYE, events)

    def leave(self, now: float) -> Step:
        """The shopper went back out of a session they walked up to, to the attract screen they started on: it
        ends as Done ends it, without the goodbye."""
        if self._shopper is None:
            return Step()
        events = self._end("done", now)
        self._enter(ATTRACT, now)
        return Step(ATTRACT, events)

    def scene_failed(self, now: float) -> Step:
        """The screen could not draw the current scene: the failsafe scene shows, the session ends with it, and
        the attract screen comes back after a while."""
        events = self._end("failsafe", now) if self._shopper else []
        self._enter(FAILSAFE, now)
        return Step(FAILSAFE, events)

    def recover(self, now: float) -> None:
        """What made a scene fail is gone (the content that could not draw was rolled back): leave the
        failsafe scene for the attract screen at once."""
        if self.scene == FAILSAFE:
            self._enter(ATTRACT, now)

    def stop(self, now: float) -> list[Event]:
        """The kiosk stops: the session on screen ends (``reason: stop``)."""
        return self._end("stop", now) if self._shopper else []

    def tick(self, now: float) -> Step:
        """Advance on time alone: end of celebration, idle timeout, end of goodbye or failsafe."""
        if self.scene in (GOODBYE, FAILSAFE) and now >= self._scene_end():
            self._enter(ATTRACT, now)
            return Step(ATTRACT)
        shopper = self._shopper
        if shopper is None:
            idle = now - self._last_activity >= self.idle_timeout_s
            if idle and self.scene != ATTRACT and not self.suspended:
                self._attract_language = self.default_language
                self._enter(ATTRACT, now)
                return Step(ATTRACT)
            if idle and self._attract_language != self.default_language:
                self._attract_language = self.default_language
                return Step(self.scene)  # redrawn in the default language
            return Step()
        if now >= self._idle_end():
            events = self._end("idle_timeout", now)
            self._enter(ATTRACT, now)
            return Step(ATTRACT, events)
        if self.scene == CELEBRATE and shopper.outcome is not None and now - self._scene_since >= self.celebrate_s:
            self._enter(shopper.outcome, now)
            return Step(shopper.outcome)
        return Step()

    def next_deadline(self) -> float | None:
        """The next time at which :meth:`tick` may change something, or None if only input can."""
        if self.scene in (GOODBYE, FAILSAFE):
            return self._scene_end()
        idle_end = self._idle_end()
        if self._shopper is None:
            if (self.scene != ATTRACT and not self.suspended) or self._attract_language != self.default_language:
                return idle_end
            return None
        if self.scene == CELEBRATE and self._shopper.outcome is not None:
            return min(idle_end, self._scene_since + self.celebrate_s)
        return idle_end

    def _idle_end(self) -> float:
        return max(self._last_activity + self.idle_timeout_s, self._held_until)

    def _scene_end(self) -> float:
        return self._scene_since + (self.goodbye_s if self.scene == GOODBYE else self.failsafe_s)

    def _enter(self, scene: str, now: float) -> None:
        self.scene = scene
        self._scene_since = now
        self._last_activity = now
        self._held_until = 0.0

    def _end(self, reason: str, now: float) -> list[Event]:
        shopper, self._shopper = self._shopper, None
        assert shopper is not None
        self._attract_language = self.default_language  # the next shopper starts afresh
        duration = round(now - shopper.started_at, 3)
        return [Event("session_ended", {"session_id": shopper.session_id, "reason": reason,
                                        "duration_s": duration})]

"""The welcome flow, pure: a tap asks the backend who it is; the answer picks the scene after the celebration.

    >>> from kiosk.core.credential import Credential
    >>> from kiosk.core.session import CELEBRATE, SessionMachine
    >>> machine = SessionMachine(idle_timeout_s=45, language="en")
    >>> step = tap(machine, Credential("ndef", "M-1"), now=0.0, session_id="S1")
    >>> step.scene, len(step.calls)
    ('celebrate', 1)
    >>> step = lookup_done(machine, "S1", None, now=2.0)
    >>> step.scene, [event.type for event in step.events]
    ('join', ['unknown_credential'])
    >>> _ = tap(machine, Credential("ndef", "M-1"), now=3.0, session_id="S2")
    >>> step = lookup_done(machine, "S2", Member("M-1", "Anna", 1240, "gold"), now=4.0)
    >>> [event.type for event in step.events], len(step.calls)  # the profile (offers, language) is fetched
    (['member_identified'], 1)

A member who taps while using a feature they walked up to goes back to it, as themselves:

    >>> _ = machine.done(now=5.0); _ = machine.tick(now=9.0)
    >>> _ = machine.walk_up(now=10.0, session_id="S3"); _ = machine.go("stylist_look", now=10.0)
    >>> _ = tap(machine, Credential("ndef", "M-1"), now=11.0, session_id="S4")
    >>> _ = lookup_done(machine, "S3", Member("M-1", "Anna", 1240, "gold"), now=11.5)
    >>> machine.tick(now=13.0).scene, machine.member.ref
    ('stylist_look', 'M-1')
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.credential import Credential
from kiosk.core.flow import Call, Event, Step
from kiosk.core.member import Member
from kiosk.core.session import CELEBRATE, SessionMachine

WELCOME, JOIN, UNAVAILABLE = "welcome", "join", "unavailable"


class LookupFailed:
    """The lookup outcome when the backend could not answer."""

    def __repr__(self) -> str:
        return "LOOKUP_FAILED"


LOOKUP_FAILED = LookupFailed()
LookupOutcome = Member | None | LookupFailed


@dataclass(frozen=True)
class LookupDone:
    """The backend's answer for the credential of ``session_id``."""

    session_id: str
    outcome: LookupOutcome


@dataclass(frozen=True)
class ProfileLoaded:
    """The whole profile (offers, language) of the member identified in ``session_id``; None if it failed."""

    session_id: str
    profile: Member | None


@dataclass(frozen=True)
class MemberJoined:
    """The backend's profile of a member who joined on their phone during ``session_id``; None if it failed."""

    session_id: str
    member: Member | None


def tap(machine: SessionMachine, credential: Credential, now: float, session_id: str) -> Step:
    """A tap celebrates at once and asks the backend who it is (refused while suspended): in a new session
    ``session_id``, or in the one the shopper walked up to."""
    step = machine.tap(credential, now, session_id)
    if step.scene is None:
        return step
    tapped = machine.session_id
    lookup = Call(run=lambda backend: backend.lookup(credential),
                  reply=lambda result, error: LookupDone(tapped, LOOKUP_FAILED if error else result))
    return Step(step.scene, step.events, [lookup])


def lookup_done(machine: SessionMachine, session_id: str, outcome: LookupOutcome, now: float) -> Step:
    """A member is welcomed (or, if they tapped while using a feature they walked up to, goes back to it as
    themselves), a new face invited to join; without an answer the shopper is told so. Answers for a session
    already gone, or already answered, are dropped."""
    if not machine.is_current(session_id) or machine.resolved:
        return Step()
    if isinstance(outcome, Member):
        event = Event("member_identified", {"session_id": session_id, "member_ref": outcome.ref,
                                            "tier": outcome.tier})
        step = machine.resolve(session_id, machine.interrupted or WELCOME, outcome, [event], now)
        ref = outcome.ref
        return step.then(Step(calls=[Call(run=lambda backend: backend.profile(ref),
                                          reply=lambda result, error: ProfileLoaded(session_id, result))]))
    if outcome is None:
        scene, member = JOIN, None
        event = Event("unknown_credential", {"session_id": session_id,
                                             "credential_kind": machine.credential.kind})
    else:
        scene, member = UNAVAILABLE, None
        event = Event("lookup_failed", {"session_id": session_id})
    return machine.resolve(session_id, scene, member, [event], now)


def fetch_profile(session_id: str, member_ref: str) -> Call:
    """After `session_joined`: the new member's profile, answered as :class:`MemberJoined`."""
    return Call(run=lambda backend: backend.profile(member_ref),
                reply=lambda result, error: MemberJoined(session_id, None if error else result))


def joined(machine: SessionMachine, session_id: str, member: Member, now: float) -> Step:
    """The shopper of ``session_id`` joined or logged in on their phone: celebrate them by name, then their
    profile."""
    if not machine.is_current(session_id):
        return Step()
    event = Event("member_joined", {"session_id": session_id, "member_ref": member.ref, "tier": member.tier})
    celebrate = machine.go(CELEBRATE, now) if machine.scene != CELEBRATE else Step()
    return celebrate.then(machine.resolve(session_id, WELCOME, member, [event], now))

"""Joining on the kiosk, pure: the form's values checked, the sign-up recorded with its consent record and sent
to the backend under an idempotency key (its ``signup_id``), and the backend's answer turned into the next
scene. A sign-up the backend could not take stays in the store and is sent again later with the same key, so
it registers exactly once; the shopper is welcomed meanwhile with what is known.

    >>> from kiosk.core.credential import Credential
    >>> from kiosk.core.session import CELEBRATE, SessionMachine
    >>> from kiosk.features.join.consents import ConsentText
    >>> machine = SessionMachine(idle_timeout_s=45, language="en")
    >>> _ = machine.tap(Credential("uid", "ab12"), now=0.0, session_id="S1")
    >>> terms = (ConsentText("personal_data", "v1", True, {}, {}), ConsentText("marketing", "v1", False, {}, {}))
    >>> form = JoinForm("S1", terms)
    >>> submit(machine, form, terms, SIGNUP, "0" * 26).events, form.errors
    ([], {'phone': 'phone_missing', 'personal_data': 'consent_required'})
    >>> form.values["phone"], form.consents["personal_data"] = "912 34 567", True
    >>> step = submit(machine, form, terms, SIGNUP, "0" * 26)
    >>> [event.type for event in step.events], len(step.calls), form.errors
    (['signup', 'consent_recorded'], 1, {})
    >>> submit(machine, form, terms, SIGNUP, "1" * 26).calls  # a second tap on Submit sends nothing
    []
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kiosk.backend.errors import BackendRefused
from kiosk.backend.models import Consent, Profile, Registration
from kiosk.core.flow import Call, Event, Step
from kiosk.core.member import Tier
from kiosk.core.session import CELEBRATE, SessionMachine
from kiosk.features.join import details
from kiosk.features.join.consents import ConsentText

FORM = "join_form"
WELCOME = "welcome"  # the welcome feature's profile scene, where a new member goes
FIELDS = ("phone", "name", "email", "birthday")
LINKABLE = ("app", "ndef", "uid")  # credentials a new member's account takes (a phone_join token is not one)
ALREADY_MEMBER = "urn:kiosk:problem:already-member"


@dataclass(frozen=True)
class SignupContext:
    """What a sign-up needs to know besides the form: the market, the kiosk, the time."""

    region: str
    kiosk_id: str
    today: date
    utc_now: str  # ISO 8601, when the consents are given
    now: float  # monotonic


SIGNUP = SignupContext("NO", "kiosk-1", date(2026, 11, 28), "2026-11-28T11:00:00.000Z", 0.0)  # for examples


@dataclass
class JoinForm:
    """What the shopper of ``session_id`` typed and ticked, the messages beside the fields, and the sign-up
    once sent. Main thread only; :meth:`clear` forgets it all when the session ends."""

    session_id: str
    terms: tuple[ConsentText, ...]
    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, ""))
    consents: dict[str, bool] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    focus: str = "phone"
    signup_id: str | None = None  # set once sent: the form waits for the backend and sends nothing more

    def __post_init__(self) -> None:
        self.consents = {term.purpose: False for term in self.terms}  # unticked until the shopper ticks

    def clear(self) -> None:
        self.values = dict.fromkeys(FIELDS, "")
        self.consents = dict.fromkeys(self.consents, False)
        self.errors, self.signup_id = {}, None


@dataclass(frozen=True)
class Registered:
    """The backend's answer to the sign-up ``signup_id``: ``outcome`` registered (with the new member's
    ``profile``), already_member, refused, or unavailable (kept and sent again later)."""

    signup_id: str
    session_id: str | None
    outcome: str
    profile: Profile | None = None


def open_form(machine: SessionMachine, now: float) -> Step:
    return machine.go(FORM, now)


def check(form: JoinForm, ctx: SignupContext) -> dict[str, str] | None:
    """The cleaned values, or None with ``form.errors`` saying what to fix, field by field."""
    form.errors = {}
    cleaned = {}
    checks = {"phone": lambda v: details.phone(v, ctx.region), "name": details.name, "email": details.email,
              "birthday": lambda v: details.birthday(v, ctx.today)}
    for name, check_one in checks.items():
        typed = form.values.get(name, "")
        if name != "phone" and not typed.strip():
            continue  # optional
        try:
            cleaned[name] = check_one(typed)
        except details.Invalid as invalid:
            form.errors[name] = invalid.code
    for term in form.terms:
        if term.required and not form.consents.get(term.purpose):
            form.errors[term.purpose] = "consent_required"
    return None if form.errors else cleaned


def submit(machine: SessionMachine, form: JoinForm, terms: tuple[ConsentText, ...], ctx: SignupContext,
           signup_id: str) -> Step:
    """Record the sign-up (kept in the store with its consent record) and send it; nothing when a field is
    wrong, a required consent unticked, the form already sent or the session gone."""
    if form.signup_id is not None or not machine.is_current(form.session_id):
        return Step()
    cleaned = check(form, ctx)
    if cleaned is None:
        return Step()
    credential = machine.credential if machine.credential and machine.credential.kind in LINKABLE else None
    consents = tuple(Consent(term.purpose, term.version, form.consents[term.purpose]) for term in terms)
    registration = Registration(machine.language, consents, credential=credential, kiosk_id=ctx.kiosk_id,
                                consented_at=ctx.utc_now, **cleaned)
    form.signup_id = signup_id
    versions = {c.purpose: c.text_version for c in consents}
    events = [Event("signup", {"session_id": form.session_id, "signup_id": signup_id, "channel": "kiosk",
                               "member_ref": None, "consents": versions},
                    private={"registration": registration.to_json()}),
              Event("consent_recorded", {"signup_id": signup_id, "channel": "kiosk", "consents": {
                  c.purpose: {"version": c.text_version, "granted": c.granted} for c in consents}})]
    return Step(events=events, calls=[send(signup_id, form.session_id, registration)])


def send(signup_id: str, session_id: str | None, registration: Registration) -> Call:
    """The registration, under its sign-up's idempotency key: a retry never registers twice."""
    def reply(profile: Profile | None, error: Exception | None) -> Registered:
        if error is None:
            return Registered(signup_id, session_id, "registered", profile)
        if isinstance(error, BackendRefused):
            return Registered(signup_id, session_id, "already_member" if error.problem_type == ALREADY_MEMBER
                              else "refused")
        return Registered(signup_id, session_id, "unavailable")

    return Call(run=lambda backend: backend.register(registration, signup_id), reply=reply)


def answered(machine: SessionMachine, answer: Registered, form: JoinForm | None, tiers: list[Tier],
             now: float) -> Step:
    """The backend's answer: a new member is welcomed; one already a member goes to the log-in path (the join
    screen, in its "you are a member" form); a refusal brings the form back with a message; without an answer
    the shopper is welcomed with what is known while the sign-up waits in the store."""
    present = (form is not None and form.signup_id == answer.signup_id and answer.session_id is not None
               and machine.is_current(answer.session_id))
    if answer.outcome == "unavailable":
        if not present or machine.scene != FORM:
            return Step()
        return machine.resolve(answer.session_id, WELCOME, _provisional(answer.signup_id, form, tiers), [], now)
    synced = [Event("signup_synced", {"signup_id": answer.signup_id, "outcome": answer.outcome,
                                      "member_ref": answer.profile.ref if answer.profile else None})]
    if not present:
        return Step(events=synced)
    if answer.outcome == "registered":  # a moment of celebration by name, then the new member's profile
        celebrate = machine.go(CELEBRATE, now) if machine.scene == FORM else Step()  # not over their profile
        return celebrate.then(machine.resolve(answer.session_id, WELCOME, answer.profile, synced, now))
    form.signup_id = None
    if answer.outcome == "already_member":
        return Step(events=synced).then(machine.go("join", now))
    form.errors = {"form": "refused"}
    return Step(events=synced).then(machine.go(FORM, now))


def _provisional(signup_id: str, form: JoinForm, tiers: list[Tier]) -> Profile:
    """The new member as far as the kiosk knows them: their name if they gave one, no points yet."""
    lowest = min(tiers, key=lambda tier: tier.threshold)
    name = details.name(form.values["name"]) if form.values["name"].strip() else ""
    return Profile(signup_id, name, 0, lowest.key, pending=True)

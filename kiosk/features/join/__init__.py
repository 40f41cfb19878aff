"""Joining the club, on the phone or on the kiosk.

On the phone: the join screen hands the sign-up to the shopper's phone (QR code, join tag) and waits for it;
every join token the kiosk shows is offered to the backend for the session on screen, single use, alive
``[nfc] join_wait_s``, and replaced before it expires while a screen shows it; the phone's sign-up comes
back as ``session_joined`` (the welcome feature).

On the kiosk: the form (kiosk/features/join/scenes/form.py) and its pure flow (flow.py). A sign-up is
recorded with its consent record and kept in the store the moment it is sent; the backend's answer removes
its contact details. One the backend could not take is sent again, with the same idempotency key, until it
answers: exactly one registration, however often the network fails.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from kiosk.backend.models import Registration
from kiosk.content.schemas import FileSchema
from kiosk.core import session
from kiosk.core.events import EventType, new_ulid, utc_ms
from kiosk.core.flow import Event
from kiosk.core.messages import JoinOffered, PhoneSignedUp
from kiosk.features.base import Context, Feature, SceneSpec, ViewSource, led_colour
from kiosk.features.join import consents, flow
from kiosk.features.join.events import EVENTS
from kiosk.features.join.scenes.form import FormScene, FormView
from kiosk.features.join.scenes.join import JoinScene, JoinView

log = logging.getLogger(__name__)

JOIN = "join"
UNAVAILABLE = "unavailable"  # the welcome feature's screen when the backend did not answer: joining still works
RENEW_BEFORE_S = 10.0
"""A token is replaced this long before it expires: a phone that scans it at the last moment still gets in."""
SHOWS_TOKEN = (session.ATTRACT, JOIN)
RETRY_FIRST_S, RETRY_MAX_S = 5.0, 300.0
"""A sign-up the backend did not answer is sent again after 5 s, then twice as long each time, at most 5 min."""
SYNC_BATCH = 20


def _on_join(ctx: Context) -> None:
    """The screen waits for the shopper's phone as long as the join token lives; a phone that read the join tag
    goes on with the token it has, anybody else gets a token of this session."""
    if ctx.machine.credential is None or ctx.machine.credential.kind != "phone_join":
        ctx.new_join_token()
    ctx.machine.hold(time.monotonic() + ctx.settings.nfc.join_wait_s)


class Join(Feature):
    name = "join"

    def __init__(self) -> None:
        self.form: flow.JoinForm | None = None  # the shopper's form, while their session lasts
        self._member_session: str | None = None  # a session whose shopper turned out to be a member already
        self._pending = 0  # sign-ups in the store the backend has not answered
        self._in_flight: set[str] = set()
        self._retry: dict[str, tuple[float, float]] = {}  # signup_id -> (next try, delay), monotonic
        self._scrub_due = False

    def scenes(self) -> list[SceneSpec]:
        return [SceneSpec(JOIN, JoinScene, self._join_view, on_enter=_on_join),
                SceneSpec(flow.FORM, FormScene, self._form_view)]

    def events(self) -> list[EventType]:
        return EVENTS

    def content(self) -> list[FileSchema]:
        return [consents.SCHEMA]

    def messages(self) -> Mapping[type, Callable[[Any], None]]:
        return {JoinOffered: self._on_offered, flow.Registered: self._on_registered,
                PhoneSignedUp: self._on_phone_signed_up}

    def actions(self) -> Mapping[str, Callable[[str, float], None]]:
        return {"join": self._action}

    def vitals(self) -> dict:
        return {"signups_pending": self._pending}

    def start(self, ctx: Context) -> None:
        super().start(ctx)
        if ctx.settings.nfc.join_url and not ctx.phone_join:
            log.info("join: the %s backend serves no phone pages: no QR code and no join tag, so shoppers cannot "
                     "join on their phone; joining on the kiosk works", ctx.settings.backend.kind)
        self._pending = len(ctx.store.query("SELECT signup_id FROM signups WHERE outcome IS NULL"))
        if self._pending:
            log.info("join: %d sign-up(s) kept while the backend was away will be sent", self._pending)

    # Views

    def _join_view(self, source: ViewSource) -> JoinView:
        return JoinView(source.language, join_url=source.join_url,
                        phone_tapped=source.credential_kind == "phone_join", waits_until=source.held_until,
                        already_member=self._member_session is not None, stylist="stylist" in source.actions)

    def _form_view(self, source: ViewSource) -> FormView:
        return FormView(source.language, form=self.form or flow.JoinForm("", source.content[consents.FILE]))

    # Input

    def _action(self, action: str, now: float) -> None:
        _, what, *rest = action.split(":")
        ctx, machine = self.ctx, self.ctx.machine
        if machine.session_id is None:
            return
        if what == "form" and machine.scene in (JOIN, UNAVAILABLE):
            if self.form is None or self.form.session_id != machine.session_id:
                self.form = flow.JoinForm(machine.session_id, ctx.bundle.files[consents.FILE])
            ctx.apply(flow.open_form(machine, now), now)
        elif what == "back" and machine.scene == flow.FORM:
            ctx.apply(machine.go(JOIN, now), now)
        elif self.form is None or machine.scene != flow.FORM:
            return
        elif what == "typed":  # a field refused text, or took text again: its message shows, or goes
            ctx.refresh(now)
        elif what == "focus" and rest and rest[0] in flow.FIELDS:
            self.form.focus = rest[0]
            ctx.refresh(now)
        elif what == "consent" and len(rest) == 2 and rest[0] in self.form.consents:
            self.form.consents[rest[0]] = rest[1] == "on"
            self.form.errors.pop(rest[0], None)
        elif what == "submit":
            self._submit(now)

    def _submit(self, now: float) -> None:
        ctx, form = self.ctx, self.form
        assert form is not None
        settings = ctx.settings
        signup = flow.SignupContext(settings.kiosk.region, settings.kiosk.id, date.today(), utc_ms(time.time()), now)
        step = flow.submit(ctx.machine, form, ctx.bundle.files[consents.FILE], signup, new_ulid())
        if step.events:
            log.info("join: a sign-up sent from the kiosk")
            self._pending += 1
            self._in_flight.add(form.signup_id or "")
        ctx.apply(step, now)
        ctx.refresh(now)  # the messages beside the fields, or "one moment"

    # The backend's answers

    def _on_offered(self, offered: JoinOffered) -> None:
        ctx = self.ctx
        if offered.ok or offered.token != ctx.join_token:
            return
        log.warning("join: the backend did not take the join token; the QR code is hidden until the next one")
        ctx.join_failed = True
        if ctx.machine.scene in SHOWS_TOKEN:
            ctx.refresh(time.monotonic())

    def _on_phone_signed_up(self, signed_up: PhoneSignedUp) -> None:
        """A sign-up on the phone's page (the backend keeps the details and the consent record itself)."""
        self.ctx.record([Event("signup", {"session_id": signed_up.session_id, "signup_id": new_ulid(),
                                          "channel": "phone", "member_ref": signed_up.member_ref,
                                          "consents": signed_up.consents})])

    def _on_registered(self, answer: flow.Registered) -> None:
        now = time.monotonic()
        self._in_flight.discard(answer.signup_id)
        if answer.outcome == "unavailable":
            delay = min(RETRY_MAX_S, self._retry.get(answer.signup_id, (0.0, RETRY_FIRST_S / 2))[1] * 2)
            self._retry[answer.signup_id] = (now + delay, delay)
            log.info("join: the backend did not answer a sign-up; kept, sent again in %.0f s", delay)
        else:
            log.info("join: the backend answered a sign-up: %s", answer.outcome)
            self._retry.pop(answer.signup_id, None)
            self._pending = max(0, self._pending - 1)
            self._scrub_due = True
            if answer.outcome == "already_member" and answer.session_id is not None:
                self._member_session = answer.session_id
        step = flow.answered(self.ctx.machine, answer, self.form, self.ctx.bundle.tiers, now)
        if step.scene == session.CELEBRATE:  # as a sign-up on the phone does (the welcome feature)
            self.ctx.parts.celebrate(led_colour(self.ctx, "led_celebrate"))
        self.ctx.apply(step, now)

    # Time

    def tick(self, now: float) -> None:
        ctx = self.ctx
        current = ctx.machine.session_id
        if self.form is not None and self.form.session_id != current:
            self.form.clear()  # the session ended: nothing the shopper typed stays
            self.form = None
        if self._member_session is not None and self._member_session != current:
            self._member_session = None
        if self._pending > len(self._in_flight):
            self._sync(now)
        if self._scrub_due and ctx.store.scrub():
            self._scrub_due = False  # the removed contact details have left the WAL too
        self._renew_token(now)

    def _sync(self, now: float) -> None:
        """Send again the kept sign-ups whose turn has come, each under its own idempotency key."""
        if min((due for due, _ in self._retry.values()), default=0.0) > now:
            return
        rows = self.ctx.store.query("SELECT signup_id, session_id, registration FROM signups WHERE outcome IS NULL "
                                    "ORDER BY created_at LIMIT ?", (SYNC_BATCH,))
        for row in rows:
            signup_id = row["signup_id"]
            if signup_id in self._in_flight or self._retry.get(signup_id, (0.0, 0.0))[0] > now:
                continue
            self._in_flight.add(signup_id)
            registration = Registration.from_json(json.loads(row["registration"]))
            self.ctx.call(flow.send(signup_id, row["session_id"], registration))

    def _renew_token(self, now: float) -> None:
        ctx = self.ctx
        renew = ctx.phone_join and now >= ctx.join_expires_at - RENEW_BEFORE_S
        if not renew or ctx.machine.scene not in SHOWS_TOKEN:
            return
        if ctx.machine.scene == JOIN:
            _on_join(ctx)  # a shopper still busy on the join screen gets a fresh token and wait
        else:
            ctx.new_join_token()
        ctx.refresh(now)

"""The shopper's session: a tap celebrates at once, the backend says who it is, a member is welcomed and a new
face invited to join; "Done", the idle timeout or the next tap end it. Also the phone hand-off (`session_joined`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from kiosk.backend.models import Profile
from kiosk.content.schemas import FileSchema
from kiosk.core import messages as msg
from kiosk.core import session
from kiosk.core.commands import REF_PATTERN, CommandSpec, Respond
from kiosk.core.credential import Credential
from kiosk.core.debounce import Debouncer
from kiosk.core.events import EventType, new_ulid, utc_ms
from kiosk.core.flow import Event
from kiosk.core.member import progress
from kiosk.features.base import Context, Feature, SceneSpec, ViewSource, led_colour
from kiosk.features.welcome import flow, offers
from kiosk.features.welcome.events import EVENTS
from kiosk.features.welcome.scenes.attract import AttractScene, AttractView
from kiosk.features.welcome.scenes.celebrate import CelebrateScene, CelebrateView
from kiosk.features.welcome.scenes.messages import GoodbyeScene, UnavailableScene, UnavailableView
from kiosk.features.welcome.scenes.welcome import ENTRIES, WelcomeScene, WelcomeView
from kiosk.ui.message import FailsafeScene

log = logging.getLogger(__name__)

CONSENT_VERSION = {"type": "string", "pattern": "[A-Za-z0-9._-]{1,32}"}
SESSION_JOINED_ARGS = {"type": "object", "additionalProperties": False, "required": ["session_id", "member_ref"],
                       "properties": {"session_id": {"type": "string", "pattern": REF_PATTERN},
                                      "member_ref": {"type": "string", "pattern": REF_PATTERN},
                                      # when the phone signed up (not logged in): each consent text's version
                                      "signup_consents": {
                                          "type": "object", "additionalProperties": False,
                                          "required": ["personal_data"],
                                          "properties": {"personal_data": CONSENT_VERSION,
                                                         "marketing": CONSENT_VERSION}}}}


def _attract_view(source: ViewSource) -> AttractView:
    return AttractView(source.language, join_url=source.join_url, reader_ok=source.reader_ok,
                       stylist="stylist" in source.actions)


def _celebrate_view(source: ViewSource) -> CelebrateView:
    member = source.member
    tier = next((tier for tier in source.tiers if member and tier.key == member.tier), None)
    return CelebrateView(source.language, member, tier)


def _welcome_view(source: ViewSource) -> WelcomeView:
    member = source.member
    return WelcomeView(source.language, member, progress(member.points, source.tiers) if member else None,
                       offers=member.offers if isinstance(member, Profile) else (),
                       entries=tuple(name for name in ENTRIES if name in source.actions), joined=source.joined,
                       pending=isinstance(member, Profile) and member.pending)


def _unavailable_view(source: ViewSource) -> UnavailableView:
    return UnavailableView(source.language, can_join="join" in source.actions)


def _on_attract(ctx: Context) -> None:
    ctx.parts.glow(led_colour(ctx, "led_idle"))
    ctx.new_join_token()  # the last shopper's URL is retired with them


class Welcome(Feature):
    name = "welcome"

    def scenes(self) -> list[SceneSpec]:
        return [
            SceneSpec(session.ATTRACT, AttractScene, _attract_view, on_enter=_on_attract),
            SceneSpec(session.CELEBRATE, CelebrateScene, _celebrate_view),
            SceneSpec(flow.WELCOME, WelcomeScene, _welcome_view),
            SceneSpec(flow.UNAVAILABLE, UnavailableScene, _unavailable_view),
            SceneSpec(session.GOODBYE, GoodbyeScene),
            SceneSpec(session.FAILSAFE, FailsafeScene),
        ]

    def content(self) -> list[FileSchema]:
        return [offers.SCHEMA]

    def events(self) -> list[EventType]:
        return EVENTS

    def commands(self) -> list[CommandSpec]:
        return [CommandSpec("session_joined", "The shopper of a session signed up or logged in on their phone.",
                            SESSION_JOINED_ARGS, self._session_joined)]

    def messages(self) -> Mapping[type, Callable[[Any], None]]:
        return {msg.TapDetected: self._on_tap, msg.TapRejected: self._on_tap_rejected,
                flow.LookupDone: self._on_lookup_done, flow.MemberJoined: self._on_member_joined,
                flow.ProfileLoaded: self._on_profile_loaded}

    def actions(self) -> Mapping[str, Callable[[str, float], None]]:
        return {"done": self._done, "lang": self._language}

    def vitals(self) -> dict:
        return {"last_tap_at": utc_ms(self.ctx.last_tap_at) if self.ctx.last_tap_at else None}

    def start(self, ctx: Context) -> None:
        super().start(ctx)
        self._chosen_in: str | None = None  # the session in which the shopper picked a language themselves
        self.debouncer = Debouncer(ctx.settings.nfc.same_tap_delay_s)
        self._end_crashed_sessions()

    def stop(self, now: float) -> None:
        self.ctx.record(self.ctx.machine.stop(now))

    def _end_crashed_sessions(self) -> None:
        """Sessions that a crash or power cut left open end now, as ``crash``."""
        rows = self.ctx.store.query("SELECT session_id FROM sessions WHERE ended_at IS NULL")
        if rows:
            log.info("session: %d session(s) left open by a crash ended", len(rows))
        self.ctx.record([Event("session_ended", {"session_id": row["session_id"], "reason": "crash",
                                                 "duration_s": None}) for row in rows])

    def _on_tap(self, tap: msg.TapDetected) -> None:
        ctx = self.ctx
        ctx.tracer.mark("tap.detected", mono=tap.detected_mono, source=tap.source, kind=tap.credential.kind)
        ctx.last_tap_at = time.time()
        now = time.monotonic()
        if not self.debouncer.accept(tap.credential, now):
            ctx.tracer.mark("tap.ignored")
            return
        log.info("tap: a %s credential from %s", tap.credential.kind, tap.source)
        ctx.screen_power.activity(now)  # a tap wakes the screen and goes on: the shopper meant it
        if ctx.machine.suspended:
            ctx.apply(flow.tap(ctx.machine, tap.credential, now, new_ulid()), now)  # refused politely
            return
        # Feedback first: LED, sound and the first celebration frame never wait for the store or network.
        ctx.parts.celebrate(led_colour(ctx, "led_celebrate"))
        ctx.tracer.mark("feedback.led")
        # The session takes the id the attract screen's join token was offered for: a phone holding that token
        # joins this session.
        session_id, ctx.next_session_id = ctx.next_session_id, new_ulid()
        ctx.apply(flow.tap(ctx.machine, tap.credential, now, session_id), now)
        ctx.tracer.mark("feedback.frame")
        if tap.credential.kind == "phone_join":
            # The phone read the join tag: its one-time URL is used up, the next shopper gets a fresh one.
            ctx.record([Event("phone_join_offered", {"session_id": ctx.machine.session_id,
                                                     "join_token": tap.credential.value, "via": "nfc"})])
            ctx.new_join_token()

    def _on_tap_rejected(self, rejected: msg.TapRejected) -> None:
        """A tag without a usable credential: reported, nothing else changes."""
        self.ctx.tracer.mark("tap.rejected", mono=rejected.detected_mono, reason=rejected.reason)
        log.info("tap rejected: %s", rejected.reason)
        self.ctx.record([Event("tap_rejected", {"reason": rejected.reason, "source": rejected.source})])

    def _on_lookup_done(self, done: flow.LookupDone) -> None:
        now = time.monotonic()
        step = flow.lookup_done(self.ctx.machine, done.session_id, done.outcome, now)
        if step.events:
            log.info("lookup: %s", step.events[-1].type)
        self.ctx.apply(step, now)
        self._remembered_language(done.session_id)
        self._personal_celebration(now)

    def _remembered_language(self, session_id: str, backend_says: str | None = None) -> None:
        """A member sees the kiosk in the language they last chose here, or else in their profile's language;
        never over a choice they made in this very session."""
        machine = self.ctx.machine
        member = machine.member
        if member is None or not machine.is_current(session_id) or self._chosen_in == session_id:
            return
        rows = self.ctx.store.query("SELECT language FROM member_languages WHERE member_ref = ?", (member.ref,))
        language = rows[0]["language"] if rows else backend_says
        if language is not None and language != machine.language:
            machine.set_language(language)
            self.ctx.refresh(time.monotonic())

    def _on_profile_loaded(self, loaded: flow.ProfileLoaded) -> None:
        """The whole profile (offers, language) arrived after the lookup: the profile screen shows it."""
        machine = self.ctx.machine
        if loaded.profile is None or not machine.know(loaded.session_id, loaded.profile):
            return
        self._remembered_language(loaded.session_id, getattr(loaded.profile, "language", None))
        if machine.scene == flow.WELCOME:
            self.ctx.refresh(time.monotonic())

    def _personal_celebration(self, now: float) -> None:
        """The member is known while the celebration is still on: it greets them by name."""
        machine = self.ctx.machine
        if machine.scene == session.CELEBRATE and machine.member is not None:
            self.ctx.refresh(now)

    def _on_member_joined(self, joined: flow.MemberJoined) -> None:
        if joined.member is None:
            log.warning("backend: the profile of a member who joined could not be fetched")
            return
        now = time.monotonic()
        step = flow.joined(self.ctx.machine, joined.session_id, joined.member, now)
        if step.scene == session.CELEBRATE:
            self.ctx.parts.celebrate(led_colour(self.ctx, "led_celebrate"))
        self.ctx.apply(step, now)
        self._personal_celebration(now)

    def _done(self, action: str, now: float) -> None:
        self.ctx.apply(self.ctx.machine.done(now), now)

    def _language(self, action: str, now: float) -> None:
        machine, language = self.ctx.machine, action.removeprefix("lang:")
        machine.set_language(language)
        self._chosen_in = machine.session_id
        member = machine.member
        if member is not None and not getattr(member, "pending", False):
            self.ctx.record([Event("language_chosen", {"member_ref": member.ref, "language": language})])
        self.ctx.refresh(now)

    def _session_joined(self, args: dict, respond: Respond) -> None:
        ctx, session_id = self.ctx, args["session_id"]
        if self._from_attract_qr(session_id):
            # A phone scanned the attract screen's code and joined: its session starts now, as a tap would.
            now = time.monotonic()
            credential = Credential("phone_join", ctx.join_token)
            ctx.next_session_id = new_ulid()
            ctx.parts.celebrate(led_colour(ctx, "led_celebrate"))
            ctx.apply(ctx.machine.tap(credential, now, session_id), now)
            ctx.record([Event("phone_join_offered", {"session_id": session_id, "join_token": credential.value,
                                                     "via": "qr"})])
            ctx.new_join_token()
        elif not ctx.machine.is_current(session_id):
            respond(False, error="that session is not on the screen (it ended or never was here)")
            return
        respond(True)
        if "signup_consents" in args:  # the joining feature records the sign-up (channel phone)
            ctx.post(msg.PhoneSignedUp(session_id, args["member_ref"], args["signup_consents"]))
        ctx.call(flow.fetch_profile(session_id, args["member_ref"]))

    def _from_attract_qr(self, session_id: str) -> bool:
        machine = self.ctx.machine
        return (session_id == self.ctx.next_session_id and machine.session_id is None and not machine.suspended
                and machine.scene == session.ATTRACT)

"""The prize wheel: a member spins for an instant reward, drawn first and animated second.

Entry: the action ``wheel:open`` (a button on the member's profile), or the physical SPIN button while a member
is on the screen. On the wheel: ``wheel:spin`` (the SPIN button, a swipe, or the physical SPIN button),
``wheel:rules``, ``wheel:back`` (to where it was opened); the result and the rules lead back with ``wheel:open``.

A spin, in order: the member's limits are checked against the ledger (no draw when refused); the ledger row is
written as ``requested``; the draw is asked of the backend on a worker (issue + play, idempotency keys from the
spin); its answer commits the ``spin`` and ``prize_awarded`` events with the ledger row and the stock counter in
one transaction; only then does the wheel turn, to land inside the drawn segment. A restart finds the spins a
crash interrupted: a ``requested`` one is asked again with the same keys (the same draw, the same result), a
drawn one not yet shown is shown once.

The ledger keeps a member's spins only as long as the wheel's limit counts them (:func:`flow.kept_since`: the
day, the rolling week or the cooldown, whichever reaches back further): older finished rows go at start and
once a day (every PURGE_EVERY_S). A campaign limit counts every spin until the campaign's last day
(``limits.until``), after which the wheel refuses spins (``campaign_over``) and its rows go.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from kiosk.core import messages as msg
from kiosk.core.events import EventType, new_ulid
from kiosk.core.flow import Event
from kiosk.core.prizes import Wheel
from kiosk.features.base import Feature, SceneSpec, ViewSource
from kiosk.features.wheel import events as ledger
from kiosk.features.wheel.content import SCHEMA
from kiosk.features.wheel.flow import DrawDone, Refusal, draw, kept_since, landing, refusal, refused_by_backend
from kiosk.features.wheel.result_scenes import ResultScene, ResultView, RulesScene, RulesView
from kiosk.features.wheel.spin import OFFSET_MARGIN, SpinPlan, plan_spin, segment_at
from kiosk.features.wheel.wheel_scene import WheelScene, WheelView
from kiosk.storage.prizes import awarded, today

log = logging.getLogger(__name__)

WHEEL, RESULT, RULES = WheelScene.name, ResultScene.name, RulesScene.name
LANDED_HOLD_S = 0.9  # the wheel rests on the result this long before the result screen
RETRY_S = (2.0, 5.0, 15.0, 30.0)  # pauses before asking an unreachable backend again for the same spin
CLICK_S = 0.01  # a buzzer click per peg (it lasts until the next turn of the loop after this)
TURNS = (5, 7)  # full turns before the landing, at least and at most
CLAIM_AFTER_RESTART_S = 300  # a result a restart interrupted shows on the screen this long after its spin
PURGE_EVERY_S = 86400.0  # how often the ledger forgets the spins no limit counts any more (and at start)
_RANDOM = secrets.SystemRandom()  # where in the segment it lands: nobody may learn the result from the motion
DEMO_RESULT = ResultView("en", won=True, segment="ten-off", label="10 % off", code="WIN-DEMO2345",
                         expires=date(2027, 1, 15))


@dataclass
class _Spin:
    """The spin in progress on this kiosk (at most one)."""

    spin_id: str
    session_id: str | None
    member_ref: str
    recovered: bool = False
    plan: SpinPlan | None = None
    result: ResultView | None = None
    tries: int = 0
    retry_at: float | None = None  # when to ask the backend again (None: a call is out)
    last_segment: int | None = None
    requested_at: float = 0.0  # Unix time
    click_until: float | None = None  # the buzzer's click ends then


class PrizeWheel(Feature):
    name = "wheel"

    def __init__(self) -> None:
        self._spin: _Spin | None = None
        self._angle: float | None = None  # the wheel's resting angle: the next spin starts where the last stopped
        self._notice: tuple[str, dict] | None = None  # the refusal text on the wheel scene
        self._result: ResultView | None = None
        self._came_from: tuple[str | None, str] | None = None  # (session, scene) the wheel was opened from
        self._purge_at = 0.0  # monotonic: when the ledger is next rid of the spins no limit counts

    # Declarations.

    def scenes(self) -> list[SceneSpec]:
        return [SceneSpec(WHEEL, WheelScene, self._wheel_view), SceneSpec(RESULT, ResultScene, self._result_view),
                SceneSpec(RULES, RulesScene, self._rules_view)]

    def events(self) -> list[EventType]:
        return ledger.EVENTS

    def content(self) -> list:
        return [SCHEMA]

    def offered(self, content: Mapping[str, Any]) -> bool:
        return content.get(SCHEMA.name) is not None

    def messages(self) -> Mapping[type, Callable[[Any], None]]:
        return {DrawDone: self._on_draw, msg.ButtonPressed: self._on_button}

    def actions(self) -> Mapping[str, Callable[[str, float], None]]:
        return {"wheel": self._on_action}

    def vitals(self) -> dict:
        return {"wheel_spinning": self._spin is not None}

    # Views: without a started app (``kiosk screenshot``, ``kiosk content preview``), demo data.

    def _started(self) -> bool:
        return hasattr(self, "ctx")

    def _wheel_view(self, source: ViewSource) -> WheelView:
        if not self._started():
            return WheelView(source.language, can_spin=True)
        spin = self._spin
        mine = spin is not None and self._on_screen(spin)
        refused = None if spin else self._refusal(time.time())
        notice = self._notice or (self._notice_of(refused) if refused else None)
        if spin is not None and not mine:  # an earlier shopper's spin still waits on the backend
            notice = ("wheel.no_spin.backend", {})
        text = self.ctx.bundle.text(source.language, notice[0], **notice[1]) if notice else ""
        came_from = self._came_from
        return WheelView(source.language, self._angle, spin.plan if mine else None, text,
                         can_spin=spin is None and refused is None, drawing=mine,
                         can_leave=not mine and came_from is not None and came_from[0] == self.ctx.machine.session_id)

    def _result_view(self, source: ViewSource) -> ResultView:
        result = self._result if self._started() and self._result else DEMO_RESULT
        view = replace(result, language=source.language)
        if self._started() and self.ctx.machine.member is not None:
            refused = self._refusal(time.time())
            if refused:
                key, values = self._notice_of(refused)
                view = replace(view, next_chance=self.ctx.bundle.text(source.language, key, **values))
        return view

    def _rules_view(self, source: ViewSource) -> RulesView:
        if not self._started():
            return RulesView(source.language)
        return RulesView(source.language, awarded(self.ctx.store, today(time.time())))

    # Recovery.

    def start(self, ctx) -> None:
        super().start(ctx)
        self._purge(time.monotonic())
        pending = ctx.store.query("SELECT spin_id, session_id, member_ref, requested_at FROM spins "
                                  "WHERE state = 'requested' ORDER BY requested_at")
        if len(pending) > 1:  # one spin at a time runs; more means older crashes: the others wait their turn
            log.warning("wheel: %d unfinished spins found; finishing the oldest first", len(pending))
        if pending:
            row = pending[0]
            log.info("wheel: a spin interrupted by a restart is asked for again (same draw, same result)")
            self._spin = _Spin(row["spin_id"], row["session_id"], row["member_ref"], recovered=True,
                               requested_at=row["requested_at"])
            self._ask(time.monotonic())
            return
        unshown = ctx.store.query("SELECT * FROM spins WHERE state = 'drawn' AND shown_at IS NULL "
                                  "ORDER BY requested_at DESC")
        for row in unshown[1:]:  # an older crash's: long gone, its code on the member's phone
            ledger.shown(ctx.store, row["spin_id"], time.time())
        if unshown and self._claimable(unshown[0]["requested_at"]):
            log.info("wheel: showing the result of a spin a restart interrupted")
            self._show_result(self._result_from_row(unshown[0], recovered=True), unshown[0]["spin_id"],
                              time.monotonic())
        elif unshown:
            ledger.shown(ctx.store, unshown[0]["spin_id"], time.time())

    # Input.

    def _on_action(self, action: str, now: float) -> None:
        verb = action.partition(":")[2]
        if verb == "open":
            self._open(now)
        elif verb == "spin":
            self._try_spin(now)
        elif verb == "rules":
            self.ctx.apply(self.ctx.machine.go(RULES, now), now)
        elif verb == "back":
            self._back(now)
        else:
            log.warning("wheel: unknown action %r", action)

    def _on_button(self, pressed: msg.ButtonPressed) -> None:
        """The big SPIN button: on the wheel it spins; anywhere else a member is on the screen it opens the wheel."""
        if pressed.name != "spin":
            return
        if self.ctx.machine.scene == WHEEL:
            self._try_spin(time.monotonic())
        elif self.ctx.machine.scene not in (RESULT, RULES) and self.ctx.machine.member is not None:
            self._open(time.monotonic())

    def _open(self, now: float) -> None:
        if self.ctx.machine.member is None or self._wheel() is None:
            log.info("wheel: opened without a member on the screen or a wheel in the content; ignored")
            return
        self._notice = None
        machine = self.ctx.machine
        if machine.scene not in (WHEEL, RESULT, RULES):
            self._came_from = (machine.session_id, machine.scene)
        self.ctx.apply(machine.go(WHEEL, now), now)

    def _back(self, now: float) -> None:
        """Back where the shopper opened the wheel (their profile), while a spin does not run."""
        machine = self.ctx.machine
        if self._spin is not None and self._on_screen(self._spin):
            return
        came_from = self._came_from
        if came_from is None or came_from[0] != machine.session_id:
            return
        self.ctx.apply(machine.go(came_from[1], now), now)

    def _refusal(self, at: float) -> Refusal | None:
        """Why the shopper on the screen may not spin now (members only; no cloneable cards; the limits)."""
        machine, wheel = self.ctx.machine, self._wheel()
        if machine.member is None or wheel is None:
            return Refusal("member")
        cloneable = machine.credential is not None and machine.credential.kind == "uid"
        if cloneable and not self.ctx.settings.wheel.allow_uid:
            return Refusal("credential")
        rows = self.ctx.store.query("SELECT requested_at FROM spins WHERE member_ref = ? AND state != 'refused'",
                                    (machine.member.ref,))
        return refusal(wheel.limits, [row["requested_at"] for row in rows], at)

    def _notice_of(self, refused: Refusal) -> tuple[str, dict]:
        """The text key and values that tell the shopper why not, and when next."""
        values: dict = {}
        if refused.reason == "cooldown" and refused.next_at:
            values["minutes"] = max(1, math.ceil((refused.next_at - time.time()) / 60))
        elif refused.reason == "limit_week" and refused.next_at:
            values["day"] = date.fromtimestamp(refused.next_at)
        return f"wheel.no_spin.{refused.reason}", values

    def _try_spin(self, now: float) -> None:
        ctx, machine = self.ctx, self.ctx.machine
        if machine.scene != WHEEL:
            return
        if self._spin is not None:  # a press while a spin runs changes nothing
            if not self._on_screen(self._spin) and not self._notice:  # an earlier shopper's, waiting on the backend
                self._notice = ("wheel.no_spin.backend", {})
                ctx.refresh(now)
            return
        refused = self._refusal(time.time())
        if refused is not None:
            log.info("wheel: spin refused (%s)", refused.reason)
            self._notice = self._notice_of(refused)
            ctx.record([Event("spin_refused", {"session_id": machine.session_id, "reason": refused.reason})])
            ctx.refresh(now)
            return
        member = machine.member
        assert member is not None
        spin_id, at = new_ulid(), time.time()
        ledger.request(ctx.store, spin_id, machine.session_id, member.ref, at)
        self._spin = _Spin(spin_id, machine.session_id, member.ref, requested_at=at)
        self._notice = None
        ctx.tracer.mark("wheel.requested")
        self._ask(now)

    def _ask(self, now: float) -> None:
        spin = self._spin
        assert spin is not None
        spin.retry_at = None
        spin.tries += 1
        self.ctx.call(draw(spin.spin_id, spin.member_ref, self.ctx.settings.kiosk.id))

    # The draw's answer.

    def _on_draw(self, done: DrawDone) -> None:
        spin, now = self._spin, time.monotonic()
        if spin is None or spin.spin_id != done.spin_id:
            return  # an answer for a spin already settled
        if done.error is not None:
            if refused_by_backend(done.error):
                log.info("wheel: the backend refused the draw: %s", done.error)
                ledger.refuse(self.ctx.store, spin.spin_id)
                self._spin = None
                limit = getattr(done.error, "problem_type", "").endswith("limit-reached")  # its spins per day
                self._notice = ("wheel.no_spin.limit_day" if limit else "wheel.no_spin.backend", {})
                self.ctx.record([Event("spin_refused", {"session_id": spin.session_id, "reason": "backend"})])
                self._refresh_wheel(spin, now)
                return
            spin.retry_at = now + RETRY_S[min(spin.tries, len(RETRY_S)) - 1]
            if self._on_screen(spin) and self.ctx.machine.scene == WHEEL and not self._notice:
                self._notice = ("wheel.no_spin.backend", {})
                self.ctx.refresh(now)
            return
        self._commit(spin, done, now)

    def _commit(self, spin: _Spin, done: DrawDone, now: float) -> None:
        """Record the result with its ledger row and stock counter, then turn the wheel to it."""
        result, wheel = done.result, self._wheel()
        assert result is not None
        segment = landing(wheel, result, _RANDOM) if wheel else None
        offset = _RANDOM.uniform(OFFSET_MARGIN, 1 - OFFSET_MARGIN)  # where the pointer rests: clear of the edges
        key = segment.key if segment else (result.prize.key if result.prize else "none")
        events = [Event("spin", {"spin_id": spin.spin_id, "session_id": spin.session_id,
                                 "member_ref": spin.member_ref, "draw_id": result.draw_id, "segment": key,
                                 "won": result.won, "landing": round(offset, 4), "recovered": spin.recovered})]
        expires = None
        if result.won and result.code:
            prize = segment.prize if segment else None
            events.append(Event("prize_awarded", {
                "spin_id": spin.spin_id, "member_ref": spin.member_ref, "segment": key,
                "prize": {"type": prize.type, "value": prize.value} if prize else None,
                "label": segment.labels.get("en", key) if segment else result.prize.label,
                "code": result.code, "code_expires_at": result.code_expires_at, "awarded_at": time.time()}))
            expires = _date(result.code_expires_at)
        self.ctx.record(events)
        log.info("wheel: spin drawn (%s)", "won" if result.won else "no prize")
        self.ctx.tracer.mark("wheel.drawn", won=result.won)
        spin.result = ResultView(self.ctx.machine.language, won=result.won, segment=key,
                                 label=result.prize.label if result.prize else "", code=result.code or "",
                                 expires=expires, recovered=spin.recovered)
        if segment is None or spin.recovered or not (self._on_screen(spin) and self.ctx.machine.scene == WHEEL):
            self._finish(spin, now)  # nothing to turn to, or nobody watching the wheel: straight to the result
            return
        index = wheel.index(segment.key)
        resting = -180 / len(wheel.segments) if self._angle is None else self._angle  # as the scene draws it
        spin.plan = plan_spin(start=now, from_angle=resting, segments=len(wheel.segments), index=index,
                              offset=offset, turns=_RANDOM.randint(*TURNS), duration=self.ctx.settings.wheel.spin_s)
        spin.last_segment = segment_at(resting, len(wheel.segments))
        self.ctx.refresh(now)

    # Time: ticks while it turns, the result once it rests, retries while the backend is away.

    def _purge(self, now: float) -> None:
        """Forget the finished spins the wheel's limit no longer counts (none without a wheel, or under a
        campaign limit)."""
        self._purge_at = now + PURGE_EVERY_S
        wheel = self._wheel()
        before = kept_since(wheel.limits, time.time()) if wheel is not None else None
        if before is not None and (gone := ledger.purge(self.ctx.store, before)):
            log.info("wheel: %d spins older than the %s limit counts forgotten", gone, wheel.limits.period)

    def tick(self, now: float) -> None:
        if now >= self._purge_at:
            self._purge(now)
        if self._result is not None and self.ctx.machine.scene != RESULT:
            self._result = None  # the shopper's code leaves memory with the screen that showed it
        spin = self._spin
        if spin is None:
            return
        if spin.retry_at is not None and now >= spin.retry_at:
            self._ask(now)
            return
        plan = spin.plan
        if plan is None:
            return
        wheel = self._wheel()
        if wheel is not None:
            under = segment_at(plan.angle(now), len(wheel.segments))
            if spin.click_until is not None and now >= spin.click_until:
                spin.click_until = None
                self.ctx.parts.untick()
            if under != spin.last_segment:  # a peg passed the pointer: tick, and chase the LED to its colour
                spin.last_segment = under
                self.ctx.parts.tick(tuple(c / 255 for c in wheel.segments[under].colour))
                spin.click_until = now + CLICK_S
        if now >= plan.end + LANDED_HOLD_S:
            self._angle = plan.to_angle % 360
            self._finish(spin, now)

    def _finish(self, spin: _Spin, now: float) -> None:
        """The spin is over: its result shows once, to the shopper who spun (nobody else)."""
        self._spin = None
        assert spin.result is not None
        if spin.click_until is not None:
            self.ctx.parts.untick()
        if spin.plan is not None:
            self._angle = spin.plan.to_angle % 360
        if self._on_screen(spin) or (spin.recovered and self._claimable(spin.requested_at)):
            self._show_result(spin.result, spin.spin_id, now)
        else:
            log.info("wheel: the shopper who spun has gone; the code is on their phone and in the event")
            ledger.shown(self.ctx.store, spin.spin_id, time.time())

    def _show_result(self, result: ResultView, spin_id: str, now: float) -> None:
        self._result = result
        ledger.shown(self.ctx.store, spin_id, time.time())
        self.ctx.apply(self.ctx.machine.go(RESULT, now), now)

    # Helpers.

    def _claimable(self, requested_at: float) -> bool:
        """Whether a spin a restart interrupted may still show its result: recently enough that its shopper is
        likely the one in front of the kiosk, and nobody else's session is on the screen."""
        return self.ctx.machine.session_id is None and time.time() - requested_at <= CLAIM_AFTER_RESTART_S

    def _on_screen(self, spin: _Spin) -> bool:
        return spin.session_id is not None and self.ctx.machine.is_current(spin.session_id)

    def _refresh_wheel(self, spin: _Spin, now: float) -> None:
        if self._on_screen(spin) and self.ctx.machine.scene == WHEEL:
            self.ctx.refresh(now)

    def _wheel(self) -> Wheel | None:
        if not self._started():
            return None
        return self.ctx.bundle.files.get("wheel.json")

    def _result_from_row(self, row: Any, recovered: bool) -> ResultView:
        return ResultView(self.ctx.machine.language, won=bool(row["won"]), segment=row["segment"] or "",
                          label=row["label"] or "", code=row["code"] or "", expires=_date(row["code_expires_at"]),
                          recovered=recovered)


def _date(stamp: str | None) -> date | None:
    """The day of an ISO 8601 UTC time (``2027-01-15T08:00:00Z``), in local time."""
    if not stamp:
        return None
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone().date()


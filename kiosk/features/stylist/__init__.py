"""The virtual stylist: browse the store's catalogue, build a complete look, and have a sales associate bring it.

The shopper reaches it with the action ``stylist:open``: from the member's profile, from the join screen (a new
face who does not want to join now), or from the attract screen without a tap, which starts a session of its
own (``SessionMachine.walk_up``). Non-members send their look without a member reference; a member who taps
their card meanwhile is welcomed and brought back to their look, which then goes with their reference.
Submitting records ``stylist_request``; associates answer with the commands ``stylist_ack``, ``stylist_done``
and ``stylist_cancel`` (from the associates' page of the reference server or ``kiosk ops stylist``), each
reported as ``stylist_status``; a request nobody acknowledged within ``[stylist] escalate_after_s`` is
escalated (event, the LED blinks amber, the shopper is told). Requests outlive the shopper's session and
restarts (the ``stylist_requests`` table).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from kiosk.content.schemas import FileSchema
from kiosk.core.commands import REF_PATTERN, CommandSpec, Respond
from kiosk.core.events import EventType, new_ulid, utc_ms
from kiosk.core.flow import Event, Step
from kiosk.core.session import ATTRACT
from kiosk.features.base import Context, Feature, SceneSpec
from kiosk.features.stylist import flow
from kiosk.features.stylist import requests as req
from kiosk.features.stylist.catalogue import Catalogue, check_catalogue
from kiosk.features.stylist.events import EVENTS
from kiosk.features.stylist.flow import Shopper
from kiosk.features.stylist.looks import history_weights
from kiosk.features.stylist.scenes import build_scenes

log = logging.getLogger(__name__)

CATALOGUE = FileSchema("catalogue.json", check_catalogue, max_bytes=256 * 1024, requires=("theme.json",),
                       optional=True)
"""The catalogue; a bundle without one has no stylist (``stylist:open`` then does nothing)."""
WAIT_WITH_SHOPPER_S = 600.0
"""While the status scene shows a request not yet brought, the shopper is waiting, not idle: the idle timeout
starts again, for at most this long after the request was sent."""
WELCOME = "welcome"  # the welcome feature's profile scene, where a member who tapped goes back to
ATTENTION = (1.0, 0.55, 0.0)
"""The LED while a request waits past its time: amber, the store team's signal (not a brand colour)."""

_REQUEST = {"type": "string", "pattern": REF_PATTERN}
ACK_ARGS = {"type": "object", "additionalProperties": False, "required": ["request_id", "associate", "eta_min"],
            "properties": {"request_id": _REQUEST,
                           "associate": {"type": "string", "pattern": req.ASSOCIATE_NAME},
                           "eta_min": {"type": "integer", "minimum": 0, "maximum": 120}}}
DONE_ARGS = {"type": "object", "additionalProperties": False, "required": ["request_id"],
             "properties": {"request_id": _REQUEST}}
CANCEL_ARGS = {"type": "object", "additionalProperties": False, "required": ["request_id", "reason"],
               "properties": {"request_id": _REQUEST, "reason": {"type": "string",
                                                                 "pattern": "|".join(req.CANCEL_REASONS)}}}


class Stylist(Feature):
    name = "stylist"

    def __init__(self) -> None:
        self.shopper: Shopper | None = None
        self.open: dict[str, req.Request] = {}  # requests not closed yet, by id
        self._alerting = False
        self._led_scene = ""
        self.shown_delivered = False  # what the status scene shows: the broker has the request, or not yet
        self._delivery_checked = 0.0

    # Declarations.

    def content(self) -> list[FileSchema]:
        return [CATALOGUE]

    def offered(self, content: Mapping[str, Any]) -> bool:
        return content.get(CATALOGUE.name) is not None

    def events(self) -> list[EventType]:
        return EVENTS

    def scenes(self) -> list[SceneSpec]:
        return build_scenes(self)

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec("stylist_ack", "An associate takes a stylist request: their first name and ETA in minutes.",
                        ACK_ARGS, self._ack),
            CommandSpec("stylist_done", "The associate brought the items of a stylist request.", DONE_ARGS,
                        self._done),
            CommandSpec("stylist_cancel", "A stylist request will not be served, with the reason.", CANCEL_ARGS,
                        self._cancel),
        ]

    def actions(self) -> Mapping[str, Callable[[str, float], None]]:
        return {"stylist": self._action}

    def messages(self) -> Mapping[type, Callable[[Any], None]]:
        return {flow.HistoryLoaded: self._on_history}

    def vitals(self) -> dict:
        return {"stylist_open": len(self.open)}

    # The running feature.

    def start(self, ctx: Context) -> None:
        super().start(ctx)
        rows = ctx.store.query("SELECT * FROM stylist_requests WHERE status NOT IN ('done', 'cancelled') "
                               "ORDER BY requested_at")
        self.open = {row["request_id"]: _request(row) for row in rows}
        if self.open:
            log.info("stylist: %d request(s) still open", len(self.open))

    @property
    def catalogue(self) -> Catalogue | None:
        """The catalogue of the bundle on screen; None before the app started (a preview) or without one."""
        ctx = getattr(self, "ctx", None)
        return ctx.bundle.files.get("catalogue.json") if ctx is not None else None

    def tick(self, now: float) -> None:
        machine = self.ctx.machine
        if self.shopper is not None and (machine.session_id != self.shopper.session_id or machine.scene == ATTRACT):
            self.shopper = None  # the shopper left: nothing of their look stays
        self._follow_member()
        wall = time.time()
        shown = self.open.get(self.shopper.request_id) if self.shopper and self.shopper.request_id else None
        if machine.scene == flow.STATUS and shown and wall - shown.requested_at < WAIT_WITH_SHOPPER_S:
            machine.touch(now)
        for request in list(self.open.values()):
            outcome = req.escalate(request, wall, self.ctx.settings.stylist.escalate_after_s)
            if outcome is not None:
                log.warning("stylist: request %s unanswered for %.0f s: escalated", request.request_id,
                            wall - request.requested_at)
                self._apply(outcome, now)
        self._follow_led(machine.scene)
        self._follow_delivery(now)

    def _follow_delivery(self, now: float) -> None:
        """While the status scene says the request waits for the network, look once a second whether it left."""
        shopper = self.shopper
        if (shopper is None or shopper.request_id is None or self.ctx.machine.scene != flow.STATUS
                or self.shown_delivered or now - self._delivery_checked < 1.0):
            return
        self._delivery_checked = now
        if self.delivered(shopper.request_id):
            self.ctx.refresh(now)

    def _follow_led(self, scene: str) -> None:
        """Blink amber while an escalated request waits; the scenes' own LED colour takes over again after."""
        waiting = any(r.status == req.ESCALATED for r in self.open.values())
        if waiting and (not self._alerting or scene != self._led_scene):
            self.ctx.parts.attention(ATTENTION)  # again after each scene change: entering one sets the LED
        elif not waiting and self._alerting:
            self.ctx.parts.glow(tuple(c / 255 for c in self.ctx.bundle.theme.colours["led_idle"]))
        self._alerting, self._led_scene = waiting, scene

    # The shopper's actions: stylist:<verb>[:<argument>...].

    def _action(self, action: str, now: float) -> None:
        catalogue = self.catalogue
        if catalogue is None:
            log.info("stylist: no catalogue in this content bundle")
            return
        machine = self.ctx.machine
        if machine.session_id is None and not self._walk_up(now):
            return
        if self.shopper is None or self.shopper.session_id != machine.session_id:
            self.shopper = Shopper(machine.session_id)
        self._follow_member()
        if machine.scene not in flow.SCENES:
            self.shopper.came_from = machine.scene
        step = flow.act(self.shopper, catalogue, action.split(":")[1:])
        if step.submit:
            self._submit(catalogue, now)
        elif step.leave:
            self._leave(now)
        elif step.scene is not None:
            self._show(step.scene, now)

    def _walk_up(self, now: float) -> bool:
        """From the attract screen without a tap: a session of the shopper's own starts, with the id the next
        tap would have taken (the attract screen's join token names it). False where none may start."""
        ctx = self.ctx
        step = ctx.machine.walk_up(now, ctx.next_session_id)
        if not step.events:
            return False
        log.info("stylist: a session started without a tap")
        ctx.next_session_id = new_ulid()
        ctx.apply(step, now)
        return True

    def _follow_member(self) -> None:
        """Once the shopper is known as a member (on opening, or by a tap while building the look), suggestions
        lean towards what they liked before: their style history is fetched, once."""
        shopper, member = self.shopper, self.ctx.machine.member
        if shopper is None or member is None or shopper.member_ref == member.ref:
            return
        shopper.member_ref = member.ref
        self.ctx.call(flow.fetch_history(shopper.session_id, member.ref))

    def _leave(self, now: float) -> None:
        """"Back" on the stylist's start: where the shopper opened it (the profile, the join screen); a shopper
        who walked up to it leaves their session (or, if they tapped their card since, goes to their profile)."""
        came_from, machine = self.shopper.came_from if self.shopper else None, self.ctx.machine
        if came_from not in (None, ATTRACT):
            self._show(came_from, now)
        elif machine.member is not None:
            self._show(WELCOME, now)
        else:
            self.ctx.apply(machine.leave(now), now)

    def _on_history(self, loaded: flow.HistoryLoaded) -> None:
        shopper, catalogue = self.shopper, self.catalogue
        if shopper is None or shopper.session_id != loaded.session_id or catalogue is None:
            return  # the member left meanwhile
        shopper.history = history_weights(list(loaded.skus), catalogue)
        if self.ctx.machine.scene == flow.LOOK:
            self.ctx.refresh(time.monotonic())

    def _show(self, scene: str, now: float) -> None:
        if scene == self.ctx.machine.scene:
            self.ctx.refresh(now)
        else:
            self.ctx.apply(self.ctx.machine.go(scene, now), now)

    def _submit(self, catalogue: Catalogue, now: float) -> None:
        shopper = self.shopper
        assert shopper is not None
        if not shopper.look.ready(catalogue):
            return
        member = self.ctx.machine.member
        requested_at = time.time()
        request = req.Request(new_ulid(), shopper.session_id, req.OPEN, {
            "items": shopper.look.items(), "deliver_to": shopper.deliver_to,
            "total": shopper.look.total(catalogue), "currency": catalogue.currency}, requested_at)
        event = Event("stylist_request", {
            "request_id": request.request_id, "session_id": shopper.session_id,
            "member_ref": member.ref if member else None, "requested_at": utc_ms(requested_at),
            "language": self.ctx.machine.language, "look": request.look})
        log.info("stylist: request %s, %d item(s), to the %s", request.request_id, len(request.look["items"]),
                 shopper.deliver_to)
        self.open[request.request_id] = request
        shopper.request_id = request.request_id
        self.ctx.apply(Step(events=[event]).then(self.ctx.machine.go(flow.STATUS, now)), now)

    def request(self, request_id: str | None) -> req.Request | None:
        """A request by id: an open one from memory, a closed one from the store."""
        if request_id is None:
            return None
        if request_id in self.open:
            return self.open[request_id]
        rows = self.ctx.store.query("SELECT * FROM stylist_requests WHERE request_id = ?", (request_id,))
        return _request(rows[0]) if rows else None

    def delivered(self, request_id: str) -> bool:
        """Whether the broker has the request: its event is no longer among the outbox's pending rows (the
        request and its event were written together; the pending rows are few, and indexed)."""
        rows = self.ctx.store.query(
            "SELECT 1 FROM outbox WHERE delivered_at IS NULL AND type = 'stylist_request' "
            "AND json_extract(payload, '$.data.request_id') = ? LIMIT 1", (request_id,))
        self.shown_delivered = not rows
        return self.shown_delivered

    # The associates' commands.

    def _command(self, args: dict, respond: Respond, change: Callable[[req.Request], req.Outcome]) -> None:
        request = self.request(args["request_id"])
        if request is None:
            respond(False, error=f"unknown request {args['request_id']}")
            return
        outcome = change(request)
        if not outcome.ok:
            respond(False, error=outcome.error)
            return
        self._apply(outcome, time.monotonic())
        respond(True, data={"status": outcome.request.status, "associate": outcome.request.associate})

    def _apply(self, outcome: req.Outcome, now: float) -> None:
        """Record the change and follow it on screen where the request's shopper is looking at it."""
        if outcome.event is None:
            return
        request = outcome.request
        self.ctx.record([outcome.event])
        if request.closed:
            self.open.pop(request.request_id, None)
        else:
            self.open[request.request_id] = request
        if (self.shopper is not None and self.shopper.request_id == request.request_id
                and self.ctx.machine.scene == flow.STATUS):
            self.ctx.refresh(now)

    def _ack(self, args: dict, respond: Respond) -> None:
        self._command(args, respond, lambda r: req.acknowledge(r, args["associate"], args["eta_min"]))

    def _done(self, args: dict, respond: Respond) -> None:
        self._command(args, respond, req.finish)

    def _cancel(self, args: dict, respond: Respond) -> None:
        self._command(args, respond, lambda r: req.cancel(r, args["reason"]))


def _request(row: Any) -> req.Request:
    return req.Request(row["request_id"], row["session_id"], row["status"], json.loads(row["look"]),
                       row["requested_at"], row["associate"], row["eta_min"], row["reason"], bool(row["escalated"]))

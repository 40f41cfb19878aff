"""A stylist request's life, pure: submitted (open), escalated when nobody acknowledged it in time,
acknowledged by an associate (first name, ETA), done or cancelled (with a reason). Each change is a
``stylist_status`` event carrying the request as it then stands.

Commands are answered honestly: a request the kiosk does not know, or one already closed, is refused; a repeat of
what already happened (the same associate acknowledging twice, done twice) is accepted and changes nothing.

    >>> request = Request("R1", "S1", OPEN, {"items": []}, requested_at=0.0)
    >>> outcome = acknowledge(request, "Anna", 4)
    >>> outcome.ok, outcome.request.status, outcome.event.data["associate"]
    (True, 'acknowledged', 'Anna')
    >>> acknowledge(outcome.request, "Olga", 2).error
    'request R1 is already acknowledged by Anna'
    >>> finish(cancel(outcome.request, "out_of_stock").request).error
    'request R1 is cancelled: it cannot be done'
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kiosk.core.events import utc_ms
from kiosk.core.flow import Event

OPEN, ESCALATED, ACKNOWLEDGED, DONE, CANCELLED = "open", "escalated", "acknowledged", "done", "cancelled"
STATUSES = (OPEN, ESCALATED, ACKNOWLEDGED, DONE, CANCELLED)
CLOSED = (DONE, CANCELLED)
CANCEL_REASONS = ("out_of_stock", "shopper_left", "store_busy", "other")
DELIVER_TO = ("kiosk", "fitting_room")
ASSOCIATE_NAME = "[^\\W\\d_]([^\\W\\d_]|[ .'-]){0,39}"
"""An associate's first name as the shopper sees it: letters of any script, then letters, spaces, . ' -"""


@dataclass(frozen=True)
class Request:
    request_id: str
    session_id: str | None
    status: str
    look: dict
    """What was asked for, as events carry it: items (slot, sku, size), deliver_to, total, currency."""
    requested_at: float
    associate: str | None = None
    eta_min: int | None = None
    reason: str | None = None
    escalated: bool = False

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    def status_event(self) -> Event:
        """The ``stylist_status`` event reporting this request as it stands."""
        return Event("stylist_status", {
            "request_id": self.request_id, "status": self.status, "associate": self.associate,
            "eta_min": self.eta_min, "reason": self.reason, "escalated": self.escalated,
            "requested_at": utc_ms(self.requested_at), "look": self.look})


@dataclass(frozen=True)
class Outcome:
    """What a command did: ``ok`` or the ``error`` to answer; the request after it; the event, if it changed."""

    ok: bool
    request: Request
    event: Event | None = None
    error: str | None = None


def _changed(request: Request) -> Outcome:
    return Outcome(True, request, request.status_event())


def _refused(request: Request, error: str) -> Outcome:
    return Outcome(False, request, error=error)


def acknowledge(request: Request, associate: str, eta_min: int) -> Outcome:
    """An associate takes the request: open or escalated ones; the same associate again may give a new ETA."""
    if request.closed:
        return _refused(request, f"request {request.request_id} is {request.status}: nothing to acknowledge")
    if request.status == ACKNOWLEDGED:
        if request.associate != associate:
            return _refused(request, f"request {request.request_id} is already acknowledged by {request.associate}")
        if request.eta_min == eta_min:
            return Outcome(True, request)  # a repeat: nothing changes
    return _changed(replace(request, status=ACKNOWLEDGED, associate=associate, eta_min=eta_min))


def finish(request: Request) -> Outcome:
    """The associate brought the items (acknowledged or not: the request may be done before anyone answered)."""
    if request.status == DONE:
        return Outcome(True, request)
    if request.status == CANCELLED:
        return _refused(request, f"request {request.request_id} is cancelled: it cannot be done")
    return _changed(replace(request, status=DONE))


def cancel(request: Request, reason: str) -> Outcome:
    """The request will not be served (``reason`` from :data:`CANCEL_REASONS`)."""
    if request.status == CANCELLED:
        return Outcome(True, request)
    if request.status == DONE:
        return _refused(request, f"request {request.request_id} is done: it cannot be cancelled")
    return _changed(replace(request, status=CANCELLED, reason=reason))


def escalate(request: Request, now: float, after_s: float) -> Outcome | None:
    """The request is escalated once nobody acknowledged it for ``after_s`` seconds (``now`` is a Unix time)."""
    if request.status != OPEN or now - request.requested_at < after_s:
        return None
    return _changed(replace(request, status=ESCALATED, escalated=True))

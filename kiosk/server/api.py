"""The contract's routes (docs/backend-openapi.yaml) on Flask: bearer token, checks, problem details.

    >>> from kiosk.server.service import LoyaltyService
    >>> from kiosk.server.store import ServerStore
    >>> app = create_app(LoyaltyService(ServerStore(":memory:"), now=lambda: 0.0), token="t0ken")
    >>> answer = app.test_client().get("/v1/members/lookup?kind=ndef&value=M-1",
    ...                                headers={"Authorization": "Bearer t0ken"})
    >>> answer.status_code, answer.content_type, answer.json["type"]
    (404, 'application/problem+json', 'urn:kiosk:problem:not-found')
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, request
from jinja2 import DictLoader
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from kiosk.server import checks
from kiosk.server.associates import SendCommand, associates_page
from kiosk.server.ingest import EventRecorder
from kiosk.server.limits import Limiter
from kiosk.server.pages import CodeSender, log_code, phone_pages
from kiosk.server.phone_templates import TEMPLATES
from kiosk.server.problem import Problem, bad_request
from kiosk.server.problem import response as problem_response
from kiosk.server.service import LoyaltyService
from kiosk.server.stylist import StylistRequests

log = logging.getLogger(__name__)
MAX_REQUEST = 64 * 1024
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_app(service: LoyaltyService, token: str, *, send_code: CodeSender = log_code,
               recorder: EventRecorder | None = None, secret: str = "", limiter: Limiter | None = None,
               proxies: int = 0, send_command: SendCommand | None = None) -> Flask:
    """The backend as a WSGI app: the API under /v1 (bearer ``token``; empty: open, with a warning), the phone
    pages at /join and, with a ``recorder``, the kiosks' recent events at /ops/kiosks/{kiosk_id}/events, the
    member's stylist requests on their page and, with ``send_command`` too, the associates' page at
    /associates/{store_id}.

    ``secret`` signs the phone pages' session cookies; instances behind one address need the same one. Empty: a
    random one, so a restart ends the phones' sessions (a form open at that moment is refused once).
    ``limiter`` counts the phone pages' attempts per client (default: :data:`kiosk.server.limits.RATES`);
    behind ``proxies`` reverse proxies the client is the address their ``X-Forwarded-For`` names.
    """
    app = Flask(__name__)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    app.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST, SECRET_KEY=secret or secrets.token_bytes(32),
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.jinja_loader = DictLoader(TEMPLATES)  # names end in .html: autoescaped
    app.json.sort_keys = False
    app.register_blueprint(_api(service, token), url_prefix="/v1")
    stylist = StylistRequests(recorder.store) if recorder is not None else None
    app.register_blueprint(phone_pages(service, send_code, limiter or Limiter(), stylist))
    if recorder is not None:
        app.register_blueprint(_ops(recorder, token), url_prefix="/ops")
    if stylist is not None and send_command is not None:
        app.register_blueprint(associates_page(stylist, send_command, token))

    @app.errorhandler(Problem)
    def problem(exc: Problem) -> Response:
        return problem_response(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        """Werkzeug's own refusals (no route, wrong method, body too large) as problems, with their headers."""
        status = exc.code or 500
        kind = {404: "not-found", 405: "method-not-allowed", 413: "too-large"}.get(status, "bad-request")
        response = problem_response(Problem(status, kind, exc.description or exc.name))
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def crash(exc: Exception) -> Response:
        log.exception("backend: request failed")
        return problem_response(Problem(500, "internal", "the backend failed; the request changed nothing"))

    @app.after_request
    def secure(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    if not token:
        log.warning("backend: no token set: the API answers anybody who can reach it")
    return app


def _api(service: LoyaltyService, token: str) -> Blueprint:
    api = Blueprint("api", __name__)

    api.before_request(_bearer(token))

    @api.get("/members/lookup")
    def lookup() -> Any:
        kind, value = checks.credential(request.args.get("kind"), request.args.get("value"))
        return service.lookup(kind, value)

    @api.post("/members")
    def register() -> Any:
        return service.register(checks.registration(_body()), _key()), 201

    @api.get("/members/<member_ref>")
    def profile(member_ref: str) -> Any:
        return service.profile(checks.matches("member_ref", member_ref, checks.REF))

    @api.get("/members/<member_ref>/style-history")
    def style_history(member_ref: str) -> Any:
        member_ref = checks.matches("member_ref", member_ref, checks.REF)
        service.profile(member_ref)  # a 404 for a member it does not know
        return {"skus": service.style_history(member_ref)}

    @api.post("/join-sessions")
    def offer_join() -> Any:
        return service.offer_join(checks.join_offer(_body()), _key()), 201

    @api.get("/join-sessions/<join_token>")
    def resolve_join(join_token: str) -> Any:
        return service.join_session(checks.matches("join_token", join_token, checks.TOKEN))

    @api.post("/members/<member_ref>/draws")
    def issue_draw(member_ref: str) -> Any:
        member_ref = checks.matches("member_ref", member_ref, checks.REF)
        return service.issue_draw(member_ref, checks.draw_request(_body()), _key()), 201

    @api.post("/draws/<draw_id>/play")
    def play_draw(draw_id: str) -> Any:
        return service.play_draw(checks.matches("draw_id", draw_id, checks.TOKEN), _key())

    @api.post("/events")
    def record_event() -> Any:
        return service.record_event(checks.custom_event(_body()), _key()), 202

    return api


def _ops(recorder: EventRecorder, token: str) -> Blueprint:
    ops = Blueprint("ops", __name__)
    ops.before_request(_bearer(token))

    @ops.get("/kiosks/<kiosk_id>/events")
    def recent_events(kiosk_id: str) -> Any:
        limit = request.args.get("limit", "50")
        if not limit.isdigit() or not 1 <= int(limit) <= 500:
            raise bad_request("limit", "expected 1 to 500")
        return {"kiosk_id": kiosk_id, "events": recorder.recent(kiosk_id, int(limit))}

    return ops


def _bearer(token: str) -> Callable[[], None]:
    def authorise() -> None:
        given = request.headers.get("Authorization", "")
        if token and not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise Problem(401, "unauthorized", "a valid bearer token is needed")

    return authorise


def _body() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        raise bad_request("body", "expected a JSON body (Content-Type: application/json)")
    return body


def _key() -> str:
    return checks.matches("Idempotency-Key", request.headers.get("Idempotency-Key"), checks.IDEMPOTENCY_KEY)

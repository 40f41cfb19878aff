"""The phone pages at the join URL (``/join?s=TOKEN``): sign up with a phone number and the consent, or log in
with a one-time code; either way the kiosk whose session the token belongs to is told (``session_joined``).

Forms carry a CSRF token bound to the browser's signed session cookie; templates autoescape; every answer has
a strict Content-Security-Policy (no script at all, the one style block by nonce) and no caching. Wrong codes
are counted per token (kiosk/server/service.py); the one-time code goes to :data:`CodeSender`, which in the
reference server writes it to the server's log with the number masked (the stand-in for an SMS gateway).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any

import phonenumbers
from flask import Blueprint, g, render_template, request, session

from kiosk.server import catalog, checks
from kiosk.server.limits import Limiter
from kiosk.server.phone_texts import CONSENT_VERSION, DEFAULT_REGION, TEXTS, pick_language, stylist_status
from kiosk.server.problem import Problem, RateLimited, too_many
from kiosk.server.problem import response as problem_response
from kiosk.server.service import LoyaltyService
from kiosk.server.stylist import StylistRequests

log = logging.getLogger(__name__)

CodeSender = Callable[[str, str], None]
"""Sends ``(phone, code)`` to the member's phone."""


def log_code(phone: str, code: str) -> None:
    """The reference server's stand-in for an SMS gateway: the code in the log, the number masked."""
    log.warning("one-time code %s for the phone ending %s (stand-in for an SMS gateway)", code, phone[-2:])


def secure_page(response: Any) -> Any:
    """The headers of every page a browser shows: the strict policy by this request's nonce, no framing."""
    response.headers["Content-Security-Policy"] = content_security_policy(g.get("nonce", "-"))
    response.headers["X-Frame-Options"] = "DENY"
    return response


def content_security_policy(nonce: str) -> str:
    return (f"default-src 'none'; style-src 'nonce-{nonce}'; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'")


LIMITED = {"pages.join": ("sign_up", "sign-up attempts"), "pages.login": ("log_in", "code requests"),
           "pages.code": ("code", "code attempts")}
"""The forms whose every submission counts against the client's limits (kiosk/server/limits.py)."""


def phone_pages(service: LoyaltyService, send_code: CodeSender, limiter: Limiter,
                stylist: StylistRequests | None = None) -> Blueprint:
    """The phone pages; with ``stylist`` (the requests MQTT ingest recorded), the member's page shows theirs."""
    pages = Blueprint("pages", __name__)

    @pages.before_request
    def prepare() -> None:
        g.nonce = secrets.token_urlsafe(16)
        g.lang = pick_language(request.headers.get("Accept-Language"),
                               request.values.get("lang") or session.get("lang"))
        session["lang"] = g.lang
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(24)
        limited = LIMITED.get(request.endpoint or "") if request.method == "POST" else None
        if limited:  # before the form is read: a flood costs a dictionary look-up
            wait = limiter.take(limited[0], request.remote_addr or "")
            if wait:
                raise too_many(limited[1], wait)
        if request.method == "POST" and not hmac.compare_digest(request.form.get("csrf", ""), session["csrf"]):
            raise _Refusal("bad_form", 403)

    @pages.get("/join")
    def join_form() -> Any:
        token = _open_token(service)
        return _page("join.html", token=token)

    @pages.post("/join")
    def join() -> Any:
        token = _open_token(service)
        phone = _phone(request.form.get("phone", ""))
        if phone is None:
            return _page("join.html", 400, token=token, error="bad_phone", phone=request.form.get("phone", ""))
        if request.form.get("consent_personal") != "on":
            return _page("join.html", 400, token=token, error="need_consent", phone=phone)
        body = {"phone": phone, "language": g.lang, "join_token": token,
                "consents": {"personal_data": {"text_version": CONSENT_VERSION, "granted": True},
                             "marketing": {"text_version": CONSENT_VERSION,
                                           "granted": request.form.get("consent_marketing") == "on"}}}
        try:
            # One sign-up per join token: a double submit replays the first answer instead of failing.
            profile = service.register(checks.registration(body), f"join:{token}")
        except Problem as problem:
            if problem.kind == "already-member":
                return _page("join.html", 409, token=token, error="already_member", phone=phone)
            if problem.status == 410:
                raise _Refusal("gone", 410) from None
            return _page("join.html", 400, token=token, error="bad_phone", phone=phone)
        session["member_ref"] = profile["member_ref"]
        return _page("welcome.html", 201, token=token, profile=profile)

    @pages.get("/join/login")
    def login_form() -> Any:
        return _page("login.html", token=_open_token(service), step="phone")

    @pages.post("/join/login")
    def login() -> Any:
        token = _open_token(service)
        phone = _phone(request.form.get("phone", ""))
        if phone is None:
            return _page("login.html", 400, token=token, step="phone", error="bad_phone")
        try:
            send_code(phone, service.start_login(token, phone))
        except Problem as problem:  # codes sent to this token's phone: enough
            raise _Refusal("too_many", problem.status) from None
        return _page("login.html", token=token, step="code")

    @pages.post("/join/code")
    def code() -> Any:
        token = _open_token(service)
        try:
            profile = service.finish_login(token, request.form.get("code", "").strip()[:12])
        except Problem as problem:
            if problem.kind == "wrong-code":
                return _page("login.html", 403, token=token, step="code", error="wrong_code")
            raise _Refusal("too_many" if problem.kind == "expired" else "gone", 410) from None
        session["member_ref"] = profile["member_ref"]
        return _page("welcome.html", token=token, profile=profile)

    @pages.get("/me")
    def member_page() -> Any:
        """The member's own page on their phone: points, tier, offers and the reward codes the wheel gave."""
        member_ref = session.get("member_ref")
        if not member_ref:
            raise _Refusal("signed_out", 401)
        try:
            profile = service.profile(member_ref)
        except Problem:
            session.pop("member_ref", None)
            raise _Refusal("signed_out", 401) from None
        names = catalog.TIER_NAMES
        next_tier = profile["next_tier"]["key"] if profile["next_tier"] else None
        requests = stylist.of_member(member_ref)[:5] if stylist is not None else []
        return _page("me.html", token="", profile=profile, codes=service.reward_codes(member_ref),
                     stylist=[{**r, "said": stylist_status(g.lang, r)} for r in requests],
                     tier_name=names.get(profile["tier"], {}).get(g.lang, profile["tier"]),
                     next_tier_name=names.get(next_tier, {}).get(g.lang, next_tier) if next_tier else None)

    @pages.errorhandler(_Refusal)
    def refused(refusal: _Refusal) -> Any:
        return _page("gone.html", refusal.status, token="", error=refusal.text)

    @pages.errorhandler(RateLimited)
    def rate_limited(problem: RateLimited) -> Any:
        """A browser gets the page in its language, anything else the problem details; both say when to retry."""
        if request.accept_mimetypes.best_match(["application/problem+json", "text/html"]) != "text/html":
            return problem_response(problem)
        return (*_page("gone.html", problem.status, token="", heading="slow_down"), problem.headers)

    pages.after_request(secure_page)

    return pages


class _Refusal(Exception):
    """Show the ``text`` page (a key of TEXTS) with ``status``: the token is gone, the form is stale, ..."""

    def __init__(self, text: str, status: int) -> None:
        super().__init__(text)
        self.text, self.status = text, status


def _open_token(service: LoyaltyService) -> str:
    """The join token of the request, if its session is still open for a phone to join."""
    token = request.values.get("s", "")
    if not checks.TOKEN.fullmatch(token):
        raise _Refusal("gone", 404)
    try:
        state = service.join_session(token)
    except Problem:
        raise _Refusal("gone", 410) from None
    if state["state"] != "open":
        raise _Refusal("gone", 410)
    return token


def _phone(typed: str) -> str | None:
    """The number in E.164, read as the shopper typed it (spaces, no country code in their language's country)."""
    try:
        number = phonenumbers.parse(typed[:40], DEFAULT_REGION[g.lang])
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _page(template: str, status: int = 200, *, error: str | None = None, **values: Any) -> tuple[str, int]:
    t = TEXTS[g.lang]
    return render_template(template, t=t, lang=g.lang, nonce=g.nonce, csrf=session["csrf"],
                           error=t[error] if error else None, phone=values.pop("phone", ""), **values), status

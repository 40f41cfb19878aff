"""HttpBackend: the loyalty backend port over HTTPS (docs/backend-openapi.yaml is the contract it speaks).

One ``requests.Session`` (keep-alive, bearer token, TLS verification on), connect and read timeouts, the body
capped while it streams in, every answer checked field by field (kiosk/backend/answers.py). A request is
retried with backoff on a failed connection or a 502/503/504 only when repeating it is harmless: GETs, and
POSTs that carry an ``Idempotency-Key``, which every POST here does. A read timeout is not retried, and no
retry starts after ``timeout_s`` from the first try: the shopper would wait several timeouts for one answer.

    >>> backend = HttpBackend("http://127.0.0.1:1/v1", "", timeout_s=0.2, retries=0)
    >>> backend.lookup(Credential("ndef", "M-1001"))
    Traceback (most recent call last):
    ...
    kiosk.exc.BackendUnavailable: member lookup failed: ConnectionError
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import quote

import requests

from kiosk.backend import answers
from kiosk.backend.errors import BackendRefused
from kiosk.backend.models import CustomEvent, Draw, DrawResult, JoinSession, Profile, Registration
from kiosk.core.credential import Credential
from kiosk.core.member import Member
from kiosk.exc import BackendUnavailable

MAX_BODY = 256 * 1024
"""No answer of the contract comes near this; a bigger one is refused before it fills the kiosk's memory."""
CONNECT_TIMEOUT_S = 3.0
RETRY_STATUSES = frozenset({502, 503, 504})
# Refusals the backend can say to a correct request (and 404 where the call does not mean "absent"); any other
# 4xx means the kiosk and the backend disagree on the contract or the token, which no shopper can fix: the
# backend is unusable.
REFUSALS = frozenset({409, 410, 422})


class HttpBackend:
    phone_pages = True  # the loyalty service serves them (docs/backend-openapi.yaml, /join)

    def __init__(self, url: str, token: str, timeout_s: float, *, retries: int = 2, backoff_s: float = 0.2) -> None:
        self._url = url.rstrip("/")
        self._timeout_s = timeout_s
        self._timeout = (min(CONNECT_TIMEOUT_S, timeout_s), timeout_s)
        self._retries = retries
        self._backoff_s = backoff_s
        self._session = requests.Session()
        self._session.verify = True  # never off: the token and personal data travel in these requests
        self._session.headers["Accept"] = "application/json, application/problem+json"
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"

    def lookup(self, credential: Credential) -> Member | None:
        what = "member lookup"
        data = self._call(what, "GET", "members/lookup", params={"kind": credential.kind, "value": credential.value},
                          absent_ok=True)
        return None if data is None else answers.member(what, data)

    def profile(self, member_ref: str) -> Profile | None:
        data = self._call("profile", "GET", f"members/{quote(member_ref, safe='')}", absent_ok=True)
        return None if data is None else answers.profile("profile", data)

    def register(self, registration: Registration, idempotency_key: str) -> Profile:
        data = self._call("registration", "POST", "members", body=registration.to_json(), key=idempotency_key)
        return answers.profile("registration", data)

    def offer_join(self, join_token: str, kiosk_id: str, session_id: str, ttl_s: int) -> JoinSession:
        body = {"join_token": join_token, "kiosk_id": kiosk_id, "session_id": session_id, "ttl_s": ttl_s}
        # The token is offered once: it is its own idempotency key.
        return answers.join_session("join offer", self._call("join offer", "POST", "join-sessions", body=body,
                                                             key=join_token))

    def issue_draw(self, member_ref: str, kiosk_id: str, idempotency_key: str) -> Draw:
        data = self._call("draw issue", "POST", f"members/{quote(member_ref, safe='')}/draws",
                          body={"game": "wheel", "kiosk_id": kiosk_id}, key=idempotency_key)
        return answers.draw("draw issue", data)

    def play_draw(self, draw_id: str, idempotency_key: str) -> DrawResult:
        data = self._call("draw play", "POST", f"draws/{quote(draw_id, safe='')}/play", key=idempotency_key)
        return answers.draw_result("draw play", data)

    def style_history(self, member_ref: str) -> list[str] | None:
        what = "style history"
        data = self._call(what, "GET", f"members/{quote(member_ref, safe='')}/style-history", absent_ok=True)
        return None if data is None else answers.style_history(what, data)

    def send_event(self, event: CustomEvent) -> bool:
        data = self._call("event", "POST", "events", body=event.to_json(), key=event.event_id)
        return answers.event_receipt("event", data)

    def _call(self, what: str, method: str, path: str, *, params: dict | None = None, body: dict | None = None,
              key: str | None = None, absent_ok: bool = False) -> Any:
        """The JSON answer of one request (None for a 404 when ``absent_ok``), retried as the module says.

        ``what`` names the call in errors; it never holds an identifier, so errors are safe to log.
        """
        headers = {"Idempotency-Key": key} if key else {}
        give_up = time.monotonic() + self._timeout_s  # retries never stretch the wait past one timeout
        for attempt in itertools.count():
            try:
                status, content = self._send(method, path, params, body, headers)
            except _Oversized:
                raise BackendUnavailable(f"{what} answered more than {MAX_BODY // 1024} KiB") from None
            except requests.ConnectionError as exc:  # includes a connect timeout, not a read timeout
                failure = f"{what} failed: {type(exc).__name__}"
            except requests.RequestException as exc:
                raise BackendUnavailable(f"{what} failed: {type(exc).__name__}") from None
            else:
                if status not in RETRY_STATUSES:
                    return _answer(what, status, content, absent_ok)
                failure = f"{what} answered HTTP {status}"
            pause = self._backoff_s * 2**attempt
            if attempt >= self._retries or time.monotonic() + pause > give_up:
                raise BackendUnavailable(failure)
            time.sleep(pause)
        raise AssertionError("unreachable: itertools.count() does not end")

    def _send(self, method: str, path: str, params: dict | None, body: dict | None,
              headers: dict) -> tuple[int, bytes]:
        with self._session.request(method, f"{self._url}/{path}", params=params, json=body, headers=headers,
                                   timeout=self._timeout, stream=True, allow_redirects=False) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_BODY:
                raise _Oversized
            content = bytearray()
            for chunk in response.iter_content(64 * 1024):
                content += chunk
                if len(content) > MAX_BODY:
                    raise _Oversized
            return response.status_code, bytes(content)


class _Oversized(Exception):
    """The answer is over MAX_BODY; raised while it streams, so the rest is never read."""


def _answer(what: str, status: int, content: bytes, absent_ok: bool) -> Any:
    if status == 404 and absent_ok:
        return None
    if 200 <= status < 300:
        return _json(what, content)
    if status in REFUSALS or status == 404:  # a POST's 404: no such member or draw, the backend's answer
        problem = _problem(content)
        raise BackendRefused(status, problem.get("type", "about:blank"), problem.get("detail", ""))
    raise BackendUnavailable(f"{what} answered HTTP {status}")


def _json(what: str, content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        raise BackendUnavailable(f"{what} answered something that is not JSON") from None


def _problem(content: bytes) -> dict:
    """The RFC 9457 problem in a refusal, as far as it is one: its text fields, cut short."""
    try:
        data = json.loads(content)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v[:200] for k in ("type", "detail") if isinstance(v := data.get(k), str)}

"""RFC 9457 problem details: the one way the reference backend says no."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, jsonify

PREFIX = "urn:kiosk:problem:"


class Problem(Exception):
    """A refusal with its HTTP status and the contract's problem type (without the ``urn:kiosk:problem:``).

        >>> Problem(410, "expired", "the join token expired").to_json()
        {'type': 'urn:kiosk:problem:expired', 'title': 'Expired', 'status': 410, 'detail': 'the join token expired'}
    """

    def __init__(self, status: int, kind: str, detail: str, errors: list[dict] | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail, self.errors = status, kind, detail, errors
        self.headers = dict(headers or {})

    def to_json(self) -> dict:
        body = {"type": PREFIX + self.kind, "title": self.kind.replace("-", " ").capitalize(),
                "status": self.status, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        return body


def bad_request(field: str, message: str) -> Problem:
    return Problem(400, "bad-request", f"{field}: {message}", [{"field": field, "message": message}])


class RateLimited(Problem):
    """429: a client's attempts are over its limit (kiosk/server/limits.py)."""


def too_many(what: str, wait_s: float) -> RateLimited:
    """429 with Retry-After in whole seconds (at least 1).

        >>> problem = too_many("sign-up attempts", 12.2)
        >>> problem.status, problem.headers, problem.detail
        (429, {'Retry-After': '13'}, 'too many sign-up attempts from this address; try again in 13 s')
    """
    seconds = max(1, -int(-wait_s // 1))
    return RateLimited(429, "rate-limited", f"too many {what} from this address; try again in {seconds} s",
                   headers={"Retry-After": str(seconds)})


def response(problem: Problem) -> Response:
    """The problem as an ``application/problem+json`` answer, with its headers."""
    answer = jsonify(problem.to_json())
    answer.status_code = problem.status
    answer.content_type = "application/problem+json"
    answer.headers.update(problem.headers)
    if problem.status == 401:
        answer.headers["WWW-Authenticate"] = "Bearer"
    return answer

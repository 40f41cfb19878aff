"""RFC 9457 problem details: the one way the reference backend says no."""

from __future__ import annotations

PREFIX = "urn:kiosk:problem:"


class Problem(Exception):
    """A refusal with its HTTP status and the contract's problem type (without the ``urn:kiosk:problem:``).

        >>> Problem(410, "expired", "the join token expired").to_json()
        {'type': 'urn:kiosk:problem:expired', 'title': 'Expired', 'status': 410, 'detail': 'the join token expired'}
    """

    def __init__(self, status: int, kind: str, detail: str, errors: list[dict] | None = None) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail, self.errors = status, kind, detail, errors

    def to_json(self) -> dict:
        body = {"type": PREFIX + self.kind, "title": self.kind.replace("-", " ").capitalize(),
                "status": self.status, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        return body


def bad_request(field: str, message: str) -> Problem:
    return Problem(400, "bad-request", f"{field}: {message}", [{"field": field, "message": message}])

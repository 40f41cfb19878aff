"""The backend's word "no": a refusal the kiosk can show, unlike :class:`kiosk.exc.BackendUnavailable`."""

from __future__ import annotations

from kiosk.exc import KioskError


class BackendRefused(KioskError):
    """The backend answered and refused (RFC 9457 problem ``problem_type``, e.g.
    ``urn:kiosk:problem:already-played``); retrying the same request gets the same answer.

        >>> str(BackendRefused(409, "urn:kiosk:problem:already-member", "the phone number belongs to a member"))
        'backend refused (409 urn:kiosk:problem:already-member): the phone number belongs to a member'
    """

    def __init__(self, status: int, problem_type: str, detail: str) -> None:
        super().__init__(f"backend refused ({status} {problem_type}): {detail}")
        self.status, self.problem_type, self.detail = status, problem_type, detail

"""HttpBackend: the loyalty backend port over HTTPS with requests (timeouts, retries, bearer token).

The contract (docs/backend-openapi.yaml will be its normative copy):
``GET {url}/members/lookup?kind=K&value=V`` and ``GET {url}/members/{member_ref}`` answer 200 with
``{"member_ref", "name", "points", "tier"}`` for a member and 404 for an unknown one. Anything else is
"backend unavailable".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from kiosk.core.credential import Credential
from kiosk.core.member import Member
from kiosk.exc import BackendUnavailable

MAX_BODY = 64 * 1024


class HttpBackend:
    def __init__(self, url: str, token: str, timeout_s: float) -> None:
        self._url = url.rstrip("/")
        self._timeout = timeout_s
        self._session = requests.Session()
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"
        # A lookup is idempotent: retry it on connection errors and gateway hiccups, briefly; never after a read
        # timeout, which would make the shopper wait several timeouts for one answer.
        retry = Retry(total=2, connect=2, read=0, backoff_factor=0.2, status_forcelist=(502, 503, 504),
                      allowed_methods=("GET",), raise_on_status=False)
        self._session.mount("http://", HTTPAdapter(max_retries=retry))
        self._session.mount("https://", HTTPAdapter(max_retries=retry))

    def lookup(self, credential: Credential) -> Member | None:
        return self._get_member("members/lookup", {"kind": credential.kind, "value": credential.value})

    def profile(self, member_ref: str) -> Member | None:
        return self._get_member(f"members/{quote(member_ref, safe='')}", None)

    def _get_member(self, path: str, params: dict | None) -> Member | None:
        try:
            response = self._session.get(f"{self._url}/{path}", params=params, timeout=self._timeout)
        except requests.RequestException as exc:
            raise BackendUnavailable(f"member lookup failed: {type(exc).__name__}") from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise BackendUnavailable(f"member lookup answered HTTP {response.status_code}")
        return _member(response)


def _member(response: requests.Response) -> Member:
    if len(response.content) > MAX_BODY:
        raise BackendUnavailable("member lookup answered more than 64 KiB")
    try:
        data: Any = response.json()
    except ValueError:
        raise BackendUnavailable("member lookup answered something that is not JSON") from None
    if not isinstance(data, dict):
        raise BackendUnavailable("member lookup answered JSON that is not an object")
    fields = {"member_ref": str, "name": str, "points": int, "tier": str}
    for key, kind in fields.items():
        value = data.get(key)
        if not isinstance(value, kind) or isinstance(value, bool) or (kind is str and not value):
            raise BackendUnavailable(f"member lookup answered a bad or missing {key!r}")
    if data["points"] < 0:
        raise BackendUnavailable("member lookup answered negative points")
    return Member(data["member_ref"], data["name"], data["points"], data["tier"])

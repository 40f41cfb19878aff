"""HttpBackend against a real HTTP server (pytest-httpserver): members, unknowns and every kind of bad answer."""

import json
import time

import pytest
from werkzeug import Response

from kiosk import config
from kiosk.app import KioskApp
from kiosk.backend.http import HttpBackend
from kiosk.core.credential import Credential
from kiosk.exc import BackendUnavailable
from tests.helpers import write_config
from tests.test_app_flow import step_until, tap

CARD = Credential("ndef", "M-77")
ANNA = {"member_ref": "M-77", "name": "Anna", "points": 1500, "tier": "gold"}


def backend(httpserver, timeout: float = 2.0) -> HttpBackend:
    return HttpBackend(httpserver.url_for("/v1"), "secret-token", timeout)


def test_member_found_with_bearer_token(httpserver):
    httpserver.expect_request("/v1/members/lookup", query_string={"kind": "ndef", "value": "M-77"},
                              headers={"Authorization": "Bearer secret-token"}).respond_with_json(ANNA)
    member = backend(httpserver).lookup(CARD)
    assert (member.ref, member.name, member.points, member.tier) == ("M-77", "Anna", 1500, "gold")


def test_unknown_credential_is_none(httpserver):
    httpserver.expect_request("/v1/members/lookup").respond_with_data("", status=404)
    assert backend(httpserver).lookup(CARD) is None


@pytest.mark.parametrize(("body", "status", "reason"), [
    ("oops", 500, "HTTP 500"),
    ("<html>", 200, "not JSON"),
    ("[1, 2]", 200, "not an object"),
    (json.dumps({**ANNA, "points": "many"}), 200, "'points'"),
    (json.dumps({**ANNA, "points": True}), 200, "'points'"),
    (json.dumps({**ANNA, "points": -5}), 200, "negative"),
    (json.dumps({k: v for k, v in ANNA.items() if k != "name"}), 200, "'name'"),
    (json.dumps({**ANNA, "name": "x" * 70000}), 200, "64 KiB"),
])
def test_bad_answers_are_backend_unavailable(httpserver, body, status, reason):
    httpserver.expect_request("/v1/members/lookup").respond_with_data(body, status=status)
    with pytest.raises(BackendUnavailable, match=reason):
        backend(httpserver).lookup(CARD)


def test_slow_backend_times_out(httpserver):
    def slow(request):
        time.sleep(1.0)
        return Response(json.dumps(ANNA), content_type="application/json")
    httpserver.expect_request("/v1/members/lookup").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="member lookup failed"):
        backend(httpserver, timeout=0.2).lookup(CARD)
    assert time.monotonic() - started < 0.9  # gave up at the timeout, no retry after it


def test_nobody_listening_is_backend_unavailable():
    with pytest.raises(BackendUnavailable, match="ConnectionError"):
        HttpBackend("http://127.0.0.1:1", "", 0.5).lookup(CARD)


@pytest.mark.parametrize(("answer", "scene"), [
    (lambda s: s.respond_with_json(ANNA), "welcome"),
    (lambda s: s.respond_with_data("", status=404), "join"),
    (lambda s: s.respond_with_data("down", status=503), "unavailable"),
])
def test_kiosk_on_an_http_backend(tmp_path, httpserver, answer, scene):
    answer(httpserver.expect_request("/v1/members/lookup"))
    path = write_config(tmp_path, debug={"input_socket": ""},
                        backend={"kind": "http", "url": httpserver.url_for("/v1"), "timeout_s": 1})
    app = KioskApp(config.load(path))
    app.start()
    try:
        tap(app, CARD)
        step_until(app, lambda: app.rt.ui.name == scene)
    finally:
        app.stop()

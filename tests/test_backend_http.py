"""HttpBackend against a misbehaving real HTTP server (pytest-httpserver): slow, 5xx then 200, refusals, wrong
types, oversized and endless bodies, and the kiosk drawing on while the backend makes it wait."""

import json
import time

import pytest
from werkzeug import Response

from kiosk import config
from kiosk.app import KioskApp
from kiosk.backend.errors import BackendRefused
from kiosk.backend.http import HttpBackend
from kiosk.backend.models import CustomEvent
from kiosk.core.credential import Credential
from kiosk.exc import BackendUnavailable
from tests.helpers import write_config
from tests.test_app_flow import step_until, tap

CARD = Credential("ndef", "M-77")
ANNA = {"member_ref": "M-77", "name": "Anna", "points": 1500, "tier": "gold"}
EVENT = CustomEvent("01JDQ7Z5X3K9M2N4P6R8T0V1W2", "stylist_request", "kiosk-1", "2026-11-28T09:00:00Z",
                    {"look": "L-3"}, "M-77")


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
    (json.dumps({**ANNA, "points": -5}), 200, "'points'"),
    (json.dumps({**ANNA, "tier": 7}), 200, "'tier'"),
    ("{", 200, "not JSON"),
    (json.dumps({k: v for k, v in ANNA.items() if k != "name"}), 200, "'name'"),
    (json.dumps({**ANNA, "name": "x" * 300_000}), 200, "256 KiB"),
    ("nope", 401, "HTTP 401"),
    ("nope", 400, "HTTP 400"),
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


def test_a_ten_megabyte_body_is_cut_off_while_it_streams(httpserver):
    sent = []

    def endless(request):
        def chunks():  # chunked: no Content-Length to refuse it by
            for _ in range(160):
                sent.append(1)
                yield b" " * 65536
        return Response(chunks(), content_type="application/json")
    httpserver.expect_request("/v1/members/lookup").respond_with_handler(endless)
    with pytest.raises(BackendUnavailable, match="more than 256 KiB"):
        backend(httpserver).lookup(CARD)
    assert len(sent) < 160  # the kiosk stopped reading long before the 10 MB were sent


def test_a_declared_ten_megabytes_is_refused_unread(httpserver):
    httpserver.expect_request("/v1/members/lookup").respond_with_data(b" " * 10_000_000,
                                                                      content_type="application/json")
    with pytest.raises(BackendUnavailable, match="more than 256 KiB"):
        backend(httpserver).lookup(CARD)


def test_503_then_200_is_retried_with_backoff(httpserver):
    httpserver.expect_ordered_request("/v1/members/lookup").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/v1/members/lookup").respond_with_json(ANNA)
    assert backend(httpserver).lookup(CARD).ref == "M-77"
    assert len(httpserver.log) == 2


def test_a_backend_that_stays_down_is_unavailable_after_the_retries(httpserver):
    httpserver.expect_request("/v1/members/lookup").respond_with_data("down", status=502)
    with pytest.raises(BackendUnavailable, match="HTTP 502"):
        backend(httpserver).lookup(CARD)
    assert len(httpserver.log) == 3  # the first try and two retries


def test_a_post_is_retried_with_the_same_idempotency_key(httpserver):
    httpserver.expect_ordered_request("/v1/events", method="POST").respond_with_data("", status=504)
    httpserver.expect_ordered_request("/v1/events", method="POST").respond_with_json(
        {"event_id": EVENT.event_id, "duplicate": False}, status=202)
    assert backend(httpserver).send_event(EVENT) is False
    keys = [request.headers.get("Idempotency-Key") for request, _ in httpserver.log]
    assert keys == [EVENT.event_id, EVENT.event_id]
    assert json.loads(httpserver.log[0][0].data)["type"] == "stylist_request"


def test_a_refusal_is_backend_refused_with_the_problem_type(httpserver):
    problem = {"type": "urn:kiosk:problem:already-played", "title": "Already played", "status": 409,
               "detail": "this draw was played before"}
    httpserver.expect_request("/v1/draws/D-12345678/play", method="POST").respond_with_json(
        problem, status=409, content_type="application/problem+json")
    with pytest.raises(BackendRefused) as refused:
        backend(httpserver).play_draw("D-12345678", "spin-1")
    assert (refused.value.status, refused.value.problem_type) == (409, "urn:kiosk:problem:already-played")
    assert len(httpserver.log) == 1  # a refusal is an answer: never retried


@pytest.mark.parametrize(("answer", "field"), [
    ({"won": "yes"}, "'won'"),
    ({"state": "issued"}, "'state'"),
    ({"code": 1234}, "'code'"),
    ({"prize": {"key": "ten-off"}}, "'label'"),
    ({"code_expires_at": "tomorrow"}, "'code_expires_at'"),
    ({"won": False}, "'prize'"),
])
def test_a_draw_result_of_the_wrong_shape_is_unavailable(httpserver, answer, field):
    won = {"draw_id": "D-12345678", "state": "drawn", "won": True, "drawn_at": "2026-11-28T09:00:00Z",
           "prize": {"key": "ten-off", "label": "10 % off"}, "code": "WIN-ABCD2345",
           "code_expires_at": "2026-12-28T09:00:00Z"}
    httpserver.expect_request("/v1/draws/D-12345678/play").respond_with_json({**won, **answer})
    with pytest.raises(BackendUnavailable, match=field):
        backend(httpserver).play_draw("D-12345678", "spin-1")


def test_the_kiosk_keeps_drawing_while_the_backend_is_slow(tmp_path, httpserver):
    def slow(request):
        time.sleep(1.5)
        return Response(json.dumps(ANNA), content_type="application/json")
    httpserver.expect_request("/v1/members/lookup").respond_with_handler(slow)
    path = write_config(tmp_path, debug={"input_socket": ""},
                        backend={"kind": "http", "url": httpserver.url_for("/v1"), "timeout_s": 3})
    app = KioskApp(config.load(path))
    app.start()
    try:
        tap(app, CARD)
        longest = 0.0
        deadline = time.monotonic() + 10
        while app.rt.ui.name != "welcome" and time.monotonic() < deadline:
            started = time.monotonic()
            app.run_once()
            longest = max(longest, time.monotonic() - started)
        assert app.rt.ui.name == "welcome"
        assert longest < 1.0  # no frame waited for the 1.5 s answer: the call ran on a worker
    finally:
        app.stop()


def test_retries_stop_within_one_timeout(httpserver):
    httpserver.expect_request("/v1/members/lookup").respond_with_data("busy", status=503)
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="HTTP 503"):
        HttpBackend(httpserver.url_for("/v1"), "", 0.3, backoff_s=0.2).lookup(CARD)
    assert len(httpserver.log) == 2  # a second pause (0.4 s) would have passed the 0.3 s timeout
    assert time.monotonic() - started < 0.6

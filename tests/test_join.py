"""Joining on the phone with real parts: the kiosk offers every join token it shows to the reference backend
(over HTTP) for the session on screen; a phone signing up there reaches the kiosk as ``session_joined`` over a
real mosquitto, and the kiosk welcomes the new member. The phone's side is plain HTTP here (the browser test
is in test_backend_phone_pages.py)."""

import json
import logging
import re
import time

import pytest
import requests

from kiosk import config
from kiosk.app import KioskApp
from kiosk.core.credential import Credential
from kiosk.server.phone_texts import CONSENT_VERSION
from tests import test_backend_phone_pages as pages
from tests.helpers import wait_for, write_config
from tests.test_app_flow import step_until, tap

UNKNOWN = Credential("uid", "c0ffee" * 10)
TOKEN = pages.TOKEN
backend_server = pages.backend_server  # the reference backend on a free port, telling kiosks over the broker


@pytest.fixture
def kiosk(tmp_path, broker, backend_server):
    base = backend_server.url.removesuffix("/v1")
    path = write_config(tmp_path, mqtt_port=broker.port, debug={"input_socket": ""},
                        nfc={"join_url": base + "/join?s={token}", "join_wait_s": 60},
                        backend={"kind": "http", "url": backend_server.url, "token": TOKEN, "timeout_s": 3})
    app = KioskApp(config.load(path))
    app.start()
    yield app
    app.stop()


def signups(kiosk) -> list[dict]:
    return [json.loads(row["payload"])["data"] for row in kiosk.store.query(
        "SELECT payload FROM outbox WHERE type = 'signup'")]


def join_session(server, token: str) -> dict | None:
    answer = requests.get(f"{server.url}/join-sessions/{token}", headers={"Authorization": f"Bearer {TOKEN}"},
                          timeout=5)
    return answer.json() if answer.status_code == 200 else None


def sign_up_on_the_phone(url: str, phone: str) -> requests.Response:
    """What the phone's browser does: open the join page, send the form with the consent ticked."""
    phone_session = requests.Session()
    page = phone_session.get(url, timeout=5)
    assert page.status_code == 200, page.status_code
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return phone_session.post(url, data={"csrf": csrf, "phone": phone, "consent_personal": "on"}, timeout=5)


def test_the_attract_token_is_offered_for_the_next_session_and_a_tap_takes_that_session(kiosk, backend_server):
    offered = wait_for(lambda: join_session(backend_server, kiosk.rt.join_token), 10, "the offer of the token")
    assert offered["session_id"] == kiosk.rt.next_session_id and offered["state"] == "open"
    next_session = kiosk.rt.next_session_id
    tap(kiosk, UNKNOWN)
    step_until(kiosk, lambda: kiosk.rt.ui.name == "join")
    assert kiosk.rt.machine.session_id == next_session != kiosk.rt.next_session_id


def test_the_join_screen_offers_a_token_of_its_session_waits_and_welcomes_the_phone(kiosk, backend_server):
    tap(kiosk, UNKNOWN)
    step_until(kiosk, lambda: kiosk.rt.ui.name == "join")
    session_id, token = kiosk.rt.machine.session_id, kiosk.rt.join_token
    offer = wait_for(lambda: join_session(backend_server, token), 10, "the offer of the join screen's token")
    assert offer["session_id"] == session_id
    view = kiosk.rt.ui.current.view
    assert view.join_url == kiosk.rt.join_url() and token in view.join_url
    assert view.waits_until == pytest.approx(time.monotonic() + 60, abs=5)
    # The join screen outlasts the idle timeout while it waits for the phone.
    assert kiosk.rt.machine.next_deadline() == pytest.approx(view.waits_until)

    answer = sign_up_on_the_phone(view.join_url, "+4791234567")
    assert answer.status_code == 201
    step_until(kiosk, lambda: kiosk.rt.ui.name == "celebrate", timeout=15)  # celebrated, then the profile
    step_until(kiosk, lambda: kiosk.rt.ui.name == "welcome", timeout=15)
    assert kiosk.rt.machine.session_id == session_id and kiosk.rt.machine.member.points == 0
    step_until(kiosk, lambda: signups(kiosk))
    signup, = signups(kiosk)  # the phone's sign-up, with the versions of the texts it showed
    assert (signup["channel"], signup["session_id"]) == ("phone", session_id)
    assert signup["member_ref"] in (kiosk.rt.machine.member.ref, None)  # None once delivered: blanked
    assert signup["consents"] == {"personal_data": CONSENT_VERSION, "marketing": CONSENT_VERSION}
    # Single use: the page of a used token is gone.
    assert requests.get(view.join_url, timeout=5).status_code == 410


def test_a_phone_on_the_attract_code_starts_its_session_when_it_joins(kiosk, backend_server):
    token, next_session = kiosk.rt.join_token, kiosk.rt.next_session_id
    wait_for(lambda: join_session(backend_server, token), 10, "the offer of the attract token")
    assert sign_up_on_the_phone(kiosk.rt.join_url(), "+4791234568").status_code == 201
    step_until(kiosk, lambda: kiosk.rt.ui.name == "welcome", timeout=15)
    assert kiosk.rt.machine.session_id == next_session
    assert kiosk.rt.machine.credential.kind == "phone_join"


def test_a_token_about_to_expire_is_replaced_and_offered_again(kiosk, backend_server):
    first = kiosk.rt.join_token
    wait_for(lambda: join_session(backend_server, first), 10, "the offer of the first token")
    kiosk.rt.join_expires_at = time.monotonic()  # as if join_wait_s had passed on the attract screen
    step_until(kiosk, lambda: kiosk.rt.join_token != first)
    assert wait_for(lambda: join_session(backend_server, kiosk.rt.join_token), 10, "the offer of the second")


def test_without_a_backend_that_takes_the_token_no_qr_code_leads_to_a_dead_page(tmp_path, httpserver):
    # A backend with phone pages that knows no member and does not take join tokens (pytest-httpserver).
    httpserver.expect_request("/v1/members/lookup").respond_with_json({"type": "about:blank"}, status=404)
    httpserver.expect_request("/v1/join-sessions", method="POST").respond_with_data("down", status=503)
    path = write_config(tmp_path, debug={"input_socket": ""}, nfc={"join_url": "http://127.0.0.1:9/join?s={token}"},
                        backend={"kind": "http", "url": httpserver.url_for("/v1"), "timeout_s": 1})
    app = KioskApp(config.load(path))
    app.start()
    try:
        step_until(app, lambda: app.rt.join_failed)
        assert app.rt.ui.current.view.join_url is None
        tap(app, UNKNOWN)
        step_until(app, lambda: app.rt.ui.name == "join" and app.rt.join_failed)
        assert app.rt.ui.current.view.join_url is None
    finally:
        app.stop()


def test_a_backend_without_phone_pages_is_never_offered_a_token_and_said_once(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    path = write_config(tmp_path, debug={"input_socket": ""}, nfc={"join_url": "http://127.0.0.1:9/join?s={token}"})
    app = KioskApp(config.load(path))  # the local backend: phone_pages is False
    app.start()
    try:
        assert not app.rt.phone_join and app.rt.join_url() is None
        assert app.rt.ui.name == "attract" and app.rt.ui.current.view.join_url is None
        for _ in range(3):  # three renewals' worth of time on the attract screen, then on the join screen
            app.rt.join_expires_at = time.monotonic()
            app.run_once()
        tap(app, UNKNOWN)
        step_until(app, lambda: app.rt.ui.name == "join")
        assert app.rt.ui.current.view.join_url is None and not app.rt.join_failed
        app.rt.join_expires_at = time.monotonic()
        for _ in range(5):  # an offer's failure would come back as a message by now: none does
            app.run_once()
    finally:
        app.stop()
    said = [r for r in caplog.records if "serves no phone pages" in r.getMessage()]
    assert [(r.levelno, r.name) for r in said] == [(logging.INFO, "kiosk.features.join")]
    assert "join on their phone" in said[0].getMessage() and "joining on the kiosk works" in said[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("kiosk")], \
        [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]

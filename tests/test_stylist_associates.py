"""The associates' side of the stylist, end to end with real parts: a kiosk (in-process) sends a request over a
real mosquitto, the reference backend ingests it, the associates' page in headless Chromium takes it and brings
it (commands back to the kiosk), the member's page shows its state; `kiosk ops stylist` shows the same queue
in a terminal and answers from there."""

import io
import json
import threading
import time

import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.backend.http import HttpBackend
from kiosk.bus import post
from kiosk.core.credential import Credential
from kiosk.core.messages import TapDetected
from kiosk.exc import KioskError
from kiosk.features import default_features
from kiosk.features.registry import FeatureSet
from kiosk.ops import stylist as ops_stylist
from kiosk.server.ingest import EventIngest
from kiosk.server.notify import KioskCommands
from kiosk.server.serve import BackendServer, build
from kiosk.server.stylist import StylistRequests
from tests.browser import Chromium
from tests.helpers import wait_for, write_config
from tests.test_stylist_requests import build_and_submit, step_until

ANNA = Credential("ndef", "M-1001")


@pytest.fixture
def shop(tmp_path, broker):
    """A kiosk that Anna has tapped, and the reference backend with MQTT ingest and the associates' page."""
    (tmp_path / "backend").mkdir()
    settings = config.load(write_config(tmp_path / "backend", mqtt_port=broker.port)).mqtt
    commands = KioskCommands(settings)
    backend = build(str(tmp_path / "backend.db"), "", demo=True, on_joined=commands, send_command=commands.send)
    ingest = EventIngest(settings, backend.recorder, instance="test")
    ingest.start()
    server = BackendServer(backend.app, "127.0.0.1", 0)
    server.start()
    app = KioskApp(config.load(write_config(tmp_path, mqtt_port=broker.port, debug={"input_socket": ""})),
                   demo=True)
    app.start()
    wait_for(ingest.subscribed.is_set, 10, "the backend's subscription")
    post(TapDetected(ANNA, "test", time.monotonic()))
    step_until(app, lambda: app.rt.ui.name == "welcome")
    yield app, backend, server, settings
    app.stop()
    server.stop()
    ingest.stop()
    commands.stop()


def test_an_associate_takes_and_brings_a_request_from_the_page(shop, tmp_path):
    app, backend, server, _ = shop
    requests = StylistRequests(backend.recorder.store)
    request_id = build_and_submit(app)
    wait_for(lambda: requests.open_requests("store-1"), 15, "the request ingested by the backend")
    base = server.url.removesuffix("/v1")
    browser = Chromium(tmp_path / "chromium", accept_language="ru-RU,ru")
    try:
        tab = browser.open(f"{base}/associates/store-1")
        card = f"document.getElementById('r-{request_id}')"
        text = browser.wait_until(tab, f"{card} && {card}.textContent")
        assert "Джинсовая куртка — M" in text and "к экрану" in text  # the product by name, in Russian
        browser.evaluate(tab, f"{card}.querySelector('input[name=associate]').value = 'Ольга';"
                              f"{card}.querySelector('input[name=eta_min]').value = '4';"
                              f"{card}.querySelector('form').submit()")
        stylist = app.features["stylist"]
        step_until(app, lambda: stylist.open[request_id].status == "acknowledged", "the kiosk to take the ack")
        assert stylist.open[request_id].associate == "Ольга"
        assert browser.wait_until(tab, "!!document.getElementById('note')")  # "sent to the kiosk"
        shown = browser.wait_until(tab, f"{card} && {card}.querySelector('.status') && "
                                        f"{card}.querySelector('.status').textContent", timeout=20)
        assert shown == "Взял(а) Ольга, через 4 мин"  # back from the kiosk through ingest; the page reloaded
        assert browser.evaluate(tab, "document.querySelector('meta[http-equiv=refresh]').content") == "5"

        browser.evaluate(tab, f"{card}.querySelectorAll('form')[1].submit()")
        step_until(app, lambda: request_id not in stylist.open, "the kiosk to mark it done")
        assert app.rt.ui.current.view.request.status == "done"  # the shopper sees it
        assert browser.wait_until(tab, "!!document.getElementById('empty')", timeout=20)
    finally:
        browser.close()

    phone = backend.app.test_client()
    with phone.session_transaction() as cookie:
        cookie["member_ref"] = "M-1001"  # Anna's phone, signed in on her club page
    page = phone.get("/me?lang=en").get_data(as_text=True)
    assert f'id="stylist-{request_id}"' in page and "Brought to you" in page


def test_the_page_takes_only_sane_answers_for_its_own_store(shop):
    app, backend, _, _ = shop
    request_id = build_and_submit(app)
    later = build_and_submit(app)  # the same shopper sends their look again
    wait_for(lambda: StylistRequests(backend.recorder.store).find(later), 15, "the requests ingested")
    client = backend.app.test_client()
    page = client.get("/associates/store-1")
    html = page.get_data(as_text=True)
    assert html.index(f'id="r-{request_id}"') < html.index(f'id="r-{later}"')  # oldest first
    assert client.get("/associates/store-2").get_data(as_text=True).count('class="request') == 0
    csrf = page.get_data(as_text=True).split('name="csrf" value="')[1].split('"')[0]
    url = f"/associates/store-1/{request_id}/ack"
    assert client.post(url, data={"associate": "Olga", "eta_min": "3"}).status_code == 403  # no form token
    assert client.post(url, data={"associate": "<b>", "eta_min": "3", "csrf": csrf}).status_code == 400
    assert client.post(url, data={"associate": "Olga", "eta_min": "999", "csrf": csrf}).status_code == 400
    assert client.post(f"/associates/store-2/{request_id}/done", data={"csrf": csrf}).status_code == 404
    assert client.post(f"/associates/store-1/{request_id}/cancel",
                       data={"reason": "bored", "csrf": csrf}).status_code == 400
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    app.run_once()
    assert app.features["stylist"].open[request_id].status == "open"  # nothing reached the kiosk


def test_a_backend_token_guards_the_page(tmp_path):
    backend = build(":memory:", "s3cret", send_command=lambda *args: None)
    client = backend.app.test_client()
    page = client.get("/associates/store-1").get_data(as_text=True)
    assert 'name="token"' in page and "refresh" not in page
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    client.post("/associates/store-1/token", data={"token": "wrong", "csrf": csrf})
    assert 'name="token"' in client.get("/associates/store-1").get_data(as_text=True)
    client.post("/associates/store-1/token", data={"token": "s3cret", "csrf": csrf})
    assert 'id="empty"' in client.get("/associates/store-1").get_data(as_text=True)


def test_ops_stylist_shows_the_queue_and_answers_from_a_terminal(shop):
    app, _, _, settings = shop
    request_id = build_and_submit(app, "fitting_room")
    registry = FeatureSet(default_features()).commands
    out = io.StringIO()

    def listed():
        out.truncate(0)
        ops_stylist.run(settings, "store-1", "list", [], registry=registry, once=True, out=out)
        return request_id[:10] in out.getvalue()
    step_until(app, listed, "the request in the terminal's queue")
    row = out.getvalue().splitlines()[1].split()
    assert row[2:4] == ["open", "fitting"] and "TOP-05 M, ACC-04" in out.getvalue()

    # `ops stylist ... ack` waits for the kiosk's answer: the kiosk runs meanwhile, as it would on its own.
    answered = []
    thread = threading.Thread(target=lambda: answered.append(ops_stylist.run(
        settings, "store-1", "ack", [request_id[:12], "Olga", "2"], registry=registry, once=True,
        out=io.StringIO(), err=io.StringIO())))
    thread.start()
    step_until(app, lambda: answered, "the ack from the terminal")
    thread.join()
    assert answered == [0] and app.features["stylist"].open[request_id].associate == "Olga"
    with pytest.raises(KioskError, match="no open request start with 'ZZZ'"):
        ops_stylist.run(settings, "store-1", "done", ["ZZZ"], registry=registry, once=True)


def test_the_members_history_from_the_backend_nudges_the_suggestions(tmp_path):
    """The reference backend knows what associates brought Anna before (ingested events); the kiosk asks it
    over HTTP when she opens the stylist, and the look builder leans towards that style."""
    backend = build(str(tmp_path / "backend.db"), "t0ken", demo=True)
    look = {"items": [{"slot": "shoes", "sku": "SHO-05", "size": "40"}, {"slot": "bottom", "sku": "BOT-06",
                                                                          "size": "M"}],
            "deliver_to": "kiosk", "total": 12280, "currency": "RUB"}
    for seq, (type_, data) in enumerate([
            ("stylist_request", {"request_id": "01JDQ7Z5X3K9M2N4P6R8T0V1W2", "member_ref": "M-1001",
                                 "requested_at": "2026-11-01T10:00:00.000Z", "look": look}),
            ("stylist_status", {"request_id": "01JDQ7Z5X3K9M2N4P6R8T0V1W2", "status": "done", "associate": "Olga",
                                "eta_min": 2, "requested_at": "2026-11-01T10:00:00.000Z", "look": look})], 1):
        envelope = {"schema": "kiosk.event/1", "event_id": f"01JDQ7Z5X3K9M2N4P6R8T0V1X{seq}", "seq": seq,
                    "kiosk_id": "kiosk-9", "store_id": "store-1", "type": type_,
                    "occurred_at": "2026-11-01T10:00:00.000Z", "data": data}
        backend.recorder.apply(f"loyalty/v1/kiosk-9/events/{type_}", json.dumps(envelope).encode(), now=0.0)
    server = BackendServer(backend.app, "127.0.0.1", 0)
    server.start()
    app = KioskApp(config.load(write_config(tmp_path, debug={"input_socket": ""}, backend={
        "kind": "http", "url": server.url, "token": "t0ken", "timeout_s": 3})))
    app.start()
    try:
        assert HttpBackend(server.url, "t0ken", 3.0).style_history("M-404") is None  # unknown member
        post(TapDetected(ANNA, "test", time.monotonic()))
        step_until(app, lambda: app.rt.ui.name == "welcome")
        stylist = app.features["stylist"]
        app.features.handle_action("stylist:open", time.monotonic())
        step_until(app, lambda: stylist.shopper.history, "the history from the backend")
        assert stylist.shopper.history == {"casual": 2, "cool": 2, "street": 2}
        app.features.handle_action("stylist:look", time.monotonic())
        shown = [w.action.rsplit(":", 1)[1] for w in app.rt.ui.current.buttons
                 if w.action and w.action.startswith("stylist:product:SHO-")]
        assert shown[0] == "SHO-05"  # the shoes the scene suggests first; without the history: SHO-01
    finally:
        app.stop()
        server.stop()

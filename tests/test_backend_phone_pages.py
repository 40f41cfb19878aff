"""The phone pages of the reference backend: in headless Chromium a phone opens the join URL the kiosk shows,
signs up in its own language, the backend tells the kiosk over a real mosquitto and the kiosk welcomes the new
member; log-in with a one-time code; CSRF, autoescaping, security headers and attempt limits."""

import json
import random
import re
import time
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import config
from kiosk.app import KioskApp
from kiosk.backend.http import HttpBackend
from kiosk.core.credential import Credential
from kiosk.mqtt.commands import parse
from kiosk.server.api import create_app
from kiosk.server.notify import KioskCommands
from kiosk.server.serve import BackendServer
from kiosk.server.service import LoyaltyService
from kiosk.server.store import ServerStore
from tests.browser import Chromium
from tests.helpers import Listener, wait_for, write_config
from tests.test_app_flow import step_until, tap

TOKEN = "pages-token"
JOIN_TOKEN = "join-token-abc"


class Codes(list):
    """The stand-in SMS gateway of these tests: keeps (phone, code)."""

    def __call__(self, phone: str, code: str) -> None:
        self.append((phone, code))


@pytest.fixture
def joined() -> list:
    return []


@pytest.fixture
def codes() -> Codes:
    return Codes()


@pytest.fixture
def service(tmp_path, joined) -> LoyaltyService:
    return LoyaltyService(ServerStore(str(tmp_path / "backend.db")), now=lambda: 1_800_000_000.0,
                          on_joined=lambda *j: joined.append(j), rng=random.Random(3))


@pytest.fixture
def client(service, codes):
    service.offer_join({"join_token": JOIN_TOKEN, "kiosk_id": "kiosk-7", "session_id": "S-1", "ttl_s": 300}, "o1")
    return create_app(service, TOKEN, send_code=codes).test_client()


def csrf_of(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_the_page_speaks_the_phones_language(client):
    for header, heading in [("nb-NO,nb;q=0.9", "Bli medlem i klubben"), ("ru-RU,ru", "Вступить в клуб"),
                            ("de-DE", "Join the club")]:
        page = client.get(f"/join?s={JOIN_TOKEN}", headers={"Accept-Language": header})
        client.delete_cookie("session")
        assert page.status_code == 200 and heading in page.get_data(as_text=True)
    assert "Join the club" in client.get(f"/join?s={JOIN_TOKEN}&lang=en").get_data(as_text=True)


def test_security_headers_and_no_unticked_consent(client):
    page = client.get(f"/join?s={JOIN_TOKEN}")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
    assert (page.headers["X-Frame-Options"], page.headers["X-Content-Type-Options"],
            page.headers["Referrer-Policy"], page.headers["Cache-Control"]) == ("DENY", "nosniff", "no-referrer",
                                                                                 "no-store")
    assert "HttpOnly" in page.headers["Set-Cookie"] and "SameSite=Lax" in page.headers["Set-Cookie"]
    assert not re.search(r'type="checkbox"[^>]*checked', page.get_data(as_text=True))  # consent is never pre-ticked


def test_a_form_without_its_csrf_token_changes_nothing(client, joined):
    client.get(f"/join?s={JOIN_TOKEN}")
    forged = client.post("/join", data={"s": JOIN_TOKEN, "phone": "+4791234567", "consent_personal": "on",
                                        "csrf": "forged"})
    assert forged.status_code == 403 and joined == []


def test_what_the_shopper_typed_comes_back_escaped(client):
    page = client.get(f"/join?s={JOIN_TOKEN}")
    answer = client.post("/join", data={"s": JOIN_TOKEN, "phone": '"><script>alert(1)</script>',
                                        "consent_personal": "on", "csrf": csrf_of(page)})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "<script>" not in text and "&lt;script&gt;" in text


def test_sign_up_needs_the_consent_and_a_real_number(client, joined):
    page = client.get(f"/join?s={JOIN_TOKEN}&lang=en")
    no_consent = client.post("/join", data={"s": JOIN_TOKEN, "phone": "+4791234567", "csrf": csrf_of(page)})
    assert no_consent.status_code == 400 and "needs your agreement" in no_consent.get_data(as_text=True)
    unused = client.post("/join", data={"s": JOIN_TOKEN, "phone": "+4700000000", "consent_personal": "on",
                                        "csrf": csrf_of(page)})
    assert unused.status_code == 400 and joined == []


def test_an_unknown_or_used_token_gets_the_gone_page(client, service):
    assert client.get("/join?s=no-such-token-1").status_code == 410
    assert client.get("/join?s=<b>").status_code == 404
    page = client.get(f"/join?s={JOIN_TOKEN}")
    assert client.post("/join", data={"s": JOIN_TOKEN, "phone": "+47 912 34 567", "consent_personal": "on",
                                      "csrf": csrf_of(page)}).status_code == 201
    assert client.get(f"/join?s={JOIN_TOKEN}").status_code == 410


def test_log_in_with_a_one_time_code(client, service, codes, joined):
    member = service.register({"language": "ru", "phone": "+79161234567",
                               "consents": {"personal_data": {"text_version": "1", "granted": True}}}, "r1")
    page = client.get(f"/join/login?s={JOIN_TOKEN}&lang=ru")
    sent = client.post("/join/login", data={"s": JOIN_TOKEN, "phone": "8 916 123-45-67", "csrf": csrf_of(page)})
    assert sent.status_code == 200 and codes[0][0] == "+79161234567"  # read as a Russian number
    wrong = client.post("/join/code", data={"s": JOIN_TOKEN, "code": "000000" if codes[0][1] != "000000"
                                            else "111111", "csrf": csrf_of(page)})
    assert wrong.status_code == 403 and joined == []
    right = client.post("/join/code", data={"s": JOIN_TOKEN, "code": codes[0][1], "csrf": csrf_of(page)})
    assert right.status_code == 200 and "Добро пожаловать" in right.get_data(as_text=True)
    assert joined == [("kiosk-7", "S-1", member["member_ref"], None)]  # a log-in: no sign-up's consents


def test_wrong_codes_and_code_requests_are_limited(client, codes, joined):
    page = client.get(f"/join/login?s={JOIN_TOKEN}")
    form = {"s": JOIN_TOKEN, "csrf": csrf_of(page)}
    for _ in range(3):
        assert client.post("/join/login", data={**form, "phone": "+4791234567"}).status_code == 200
    assert client.post("/join/login", data={**form, "phone": "+4791234567"}).status_code == 429
    statuses = [client.post("/join/code", data={**form, "code": "123456"}).status_code for _ in range(6)]
    assert statuses == [403] * 5 + [410] and joined == []  # nobody's number: no code ever works


# In a real browser, with the kiosk and a real broker.

@pytest.fixture
def backend_server(tmp_path, broker) -> Iterator[BackendServer]:
    (tmp_path / "backend").mkdir()
    settings = config.load(write_config(tmp_path / "backend", mqtt_port=broker.port)).mqtt
    sender = KioskCommands(settings)
    service = LoyaltyService(ServerStore(str(tmp_path / "backend.db")), now=time.time,
                             on_joined=sender)
    server = BackendServer(create_app(service, TOKEN), "127.0.0.1", 0)
    server.start()
    yield server
    server.stop()
    sender.stop()


def test_a_phone_signs_up_at_the_kiosks_join_url_and_the_kiosk_welcomes_it(tmp_path, broker, backend_server):
    base = backend_server.url.removesuffix("/v1")
    path = write_config(tmp_path, mqtt_port=broker.port, debug={"input_socket": ""},
                        nfc={"join_url": base + "/join?s={token}"},
                        backend={"kind": "http", "url": backend_server.url, "token": TOKEN, "timeout_s": 3})
    app = KioskApp(config.load(path))
    app.start()
    browser = Chromium(tmp_path / "chromium", accept_language="nb-NO,nb")
    try:
        tap(app, Credential("uid", "a1b2c3d4e5"))
        step_until(app, lambda: app.rt.ui.name == "join")
        # The join screen offered its token to the backend for this session: the phone's page opens.
        tab = browser.open(app.rt.join_url())
        assert browser.wait_until(tab, "document.querySelector('h1') && document.querySelector('h1').textContent") \
            == "Bli medlem i klubben"
        assert browser.evaluate(tab, "document.documentElement.lang") == "nb"
        browser.evaluate(tab, "document.getElementById('phone').value = '912 34 567';"
                              "document.getElementById('consent_personal').checked = true;"
                              "document.getElementById('join').click()")
        welcome = browser.wait_until(tab, "document.getElementById('welcome') && "
                                          "document.getElementById('welcome').textContent")
        assert welcome.startswith("Velkommen")

        step_until(app, lambda: app.rt.ui.name == "welcome", timeout=15)
        assert app.rt.machine.member.points == 0 and app.rt.machine.member.tier == "silver"
        joined_events = [json.loads(row["payload"]) for row in app.store.query(
            "SELECT payload FROM outbox WHERE type = 'member_joined'")]
        assert [e["data"]["session_id"] for e in joined_events] == [app.rt.machine.session_id]
    finally:
        browser.close()
        app.stop()


def test_the_browser_runs_no_script_of_the_page(tmp_path, backend_server):
    backend = HttpBackend(backend_server.url, TOKEN, 3.0)
    backend.offer_join(JOIN_TOKEN, "kiosk-7", "S-9", 120)
    browser = Chromium(tmp_path / "chromium")
    try:
        tab = browser.open(backend_server.url.removesuffix("/v1") + f"/join?s={JOIN_TOKEN}")
        browser.wait_until(tab, "!!document.getElementById('phone')")
        # The page's own CSP forbids inline script: one injected into the DOM never runs.
        browser.evaluate(tab, "const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
                              "document.body.appendChild(s)")
        assert browser.evaluate(tab, "window.ran === undefined")
        color = browser.evaluate(tab, "getComputedStyle(document.querySelector('button')).backgroundColor")
        assert color == "rgb(138, 59, 46)"  # while the nonce'd style block applies
    finally:
        browser.close()


def test_session_joined_is_signed_when_the_backend_has_a_key(tmp_path, broker):
    key = Ed25519PrivateKey.generate()
    settings = config.load(write_config(tmp_path, mqtt_port=broker.port)).mqtt
    topic = f"{settings.topic_prefix}/kiosk-7/cmd/session_joined"
    listener = Listener(broker.port, topic)
    sender = KioskCommands(settings, key)
    try:
        wait_for(lambda: listener.subscriptions, 10, "the listener's subscription")
        sender("kiosk-7", "S-42", "M-ABC")
        payload = wait_for(lambda: listener.on("/cmd/session_joined"), 10, "session_joined")[0]
    finally:
        sender.stop()
        listener.close()
    command = parse(topic, "session_joined", payload, time.time(), [key.public_key()], lambda name, args: args)
    assert command.args == {"session_id": "S-42", "member_ref": "M-ABC"}  # the kiosk's own check accepts it


def test_the_members_page_shows_progress_offers_and_reward_codes(client, service):
    assert client.get("/me").status_code == 401  # nobody signed up or logged in on this phone
    page = client.get(f"/join?s={JOIN_TOKEN}&lang=nb")
    welcome = client.post("/join", data={"s": JOIN_TOKEN, "phone": "+4791234567", "consent_personal": "on",
                                         "csrf": csrf_of(page)})
    assert 'href="/me"' in welcome.get_data(as_text=True)
    member_ref = service.join_session(JOIN_TOKEN)["member_ref"]
    results = []
    while not any(r["won"] for r in results):  # the wheel at the kiosk, until it pays
        draw = service.issue_draw(member_ref, {"game": "wheel", "kiosk_id": "kiosk-7"}, f"d{len(results)}")
        results.append(service.play_draw(draw["draw_id"], f"p{len(results)}"))
    code = next(r["code"] for r in results if r["won"])
    text = client.get("/me").get_data(as_text=True)
    assert code in text and "Sølv" in text and "1000 poeng til Gull" in text and "10 % rabatt" in text


def test_instances_with_one_secret_share_the_phones_session(service, joined):
    service.offer_join({"join_token": JOIN_TOKEN, "kiosk_id": "kiosk-7", "session_id": "S-1", "ttl_s": 300}, "o1")
    first, second = (create_app(service, TOKEN, secret="shared-secret").test_client() for _ in range(2))
    page = first.get(f"/join?s={JOIN_TOKEN}")
    second.set_cookie("session", first.get_cookie("session").value)  # the next request lands on the other one
    answer = second.post("/join", data={"s": JOIN_TOKEN, "phone": "+4791234567", "consent_personal": "on",
                                        "csrf": csrf_of(page)})
    assert answer.status_code == 201 and len(joined) == 1

"""The reference server's defences that the phone-page tests do not cover: per-client attempt limits on sign-up,
code requests and code guesses (429 problem details with Retry-After, or the page for a browser), clients
behind reverse proxies, the short life of a join token, and no personal data in the server's log, through a
real server on a loopback port."""

import logging
import random
import re

import pytest
import requests

from kiosk.server.api import create_app
from kiosk.server.limits import RATES, Limiter
from kiosk.server.serve import BackendServer
from kiosk.server.service import LoyaltyService
from kiosk.server.store import ServerStore
from tests.test_backend_phone_pages import TOKEN, Codes, csrf_of
from tests.test_backend_server import Clock

PHONE = "+4791234567"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(tmp_path, clock) -> LoyaltyService:
    return LoyaltyService(ServerStore(str(tmp_path / "backend.db")), now=clock, rng=random.Random(5))


def offer(service: LoyaltyService, token: str, ttl_s: int = 300) -> str:
    service.offer_join({"join_token": token, "kiosk_id": "kiosk-7", "session_id": f"S-{token}", "ttl_s": ttl_s},
                       f"offer-{token}")
    return token


def app_client(service, clock, address="198.51.100.7", **options):
    client = create_app(service, TOKEN, limiter=Limiter(now=clock), send_code=Codes(), **options).test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def form(client, token: str, path: str = "/join") -> dict:
    return {"s": token, "csrf": csrf_of(client.get(f"{path}?s={token}"))}


def test_sign_up_attempts_are_limited_per_address_with_retry_after(service, clock):
    token = offer(service, "join-token-limits")
    phone, other = app_client(service, clock), app_client(service, clock, "198.51.100.8")
    fields = {**form(phone, token), "phone": "not a number", "consent_personal": "on"}
    burst = RATES["sign_up"].burst
    assert [phone.post("/join", data=fields).status_code for _ in range(burst)] == [400] * burst
    json_answer = phone.post("/join", data=fields, headers={"Accept": "application/json"})
    assert json_answer.status_code == 429 and json_answer.content_type == "application/problem+json"
    assert json_answer.json["type"] == "urn:kiosk:problem:rate-limited" and json_answer.json["status"] == 429
    assert json_answer.headers["Retry-After"] == "30"
    page = phone.post("/join", data={**fields, "lang": "nb"}, headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 429 and page.headers["Retry-After"] == "30"
    assert '<h1 id="gone">For mange forsøk fra dette nettverket. Vent et minutt' in page.get_data(as_text=True)
    assert other.post("/join", data={**form(other, token), "phone": PHONE, "consent_personal": "on"}).status_code \
        == 201  # another address, the same token: not limited
    clock.now += 30
    assert phone.post("/join", data=fields).status_code == 410  # allowed again; the token is used up by now


def test_a_client_without_cookies_over_the_limit_gets_the_page_too(service, clock):
    token = offer(service, "join-token-cookieless")
    bot = app_client(service, clock)
    for _ in range(RATES["sign_up"].burst):
        bot.delete_cookie("session")  # every request without a session cookie, so without a CSRF token
        assert bot.post("/join", data={"s": token, "phone": PHONE}).status_code == 403
    bot.delete_cookie("session")
    page = bot.post("/join", data={"s": token}, headers={"Accept": "text/html"})
    assert page.status_code == 429 and page.headers["Retry-After"] == "30" and 'id="gone"' in page.get_data(True)


def test_code_requests_and_code_guesses_are_limited_across_join_tokens(service, clock):
    service.register({"language": "nb", "phone": PHONE,
                      "consents": {"personal_data": {"text_version": "1", "granted": True}}}, "r1")
    phone = app_client(service, clock)
    tokens = [offer(service, f"join-token-login-{i}") for i in range(4)]
    statuses = [phone.post("/join/login", data={**form(phone, token, "/join/login"), "phone": PHONE}).status_code
                for token in tokens[:3] for _ in range(2)]  # two per token: under the three a token allows
    assert statuses == [200] * RATES["log_in"].burst + [429]
    guesses = [phone.post("/join/code", data={**form(phone, token, "/join/login"), "code": "000000"}).status_code
               for token in tokens for _ in range(3)]
    assert 429 in guesses and guesses.index(429) == RATES["code"].burst  # every earlier guess was wrong or gone
    assert set(guesses[:RATES["code"].burst]) <= {403, 410}


def test_behind_a_proxy_the_forwarded_address_counts(service, clock):
    token = offer(service, "join-token-proxy")
    proxied = app_client(service, clock, "10.0.0.2", proxies=1)
    fields = {**form(proxied, token), "phone": "bad", "consent_personal": "on"}
    for i in range(RATES["sign_up"].burst + 1):  # every phone behind the proxy has its own limit
        assert proxied.post("/join", data=fields, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code == 400
    direct = app_client(service, clock, "10.0.0.2")
    statuses = {direct.post("/join", data=fields, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                for i in range(RATES["sign_up"].burst + 1)}
    assert 429 in statuses  # without --proxies a forged header changes nothing


def test_a_join_token_lives_an_hour_at_most(service, clock):
    api = app_client(service, clock)
    body = {"join_token": "join-token-long", "kiosk_id": "kiosk-7", "session_id": "S-1", "ttl_s": 3601}
    answer = api.post("/v1/join-sessions", json=body, headers={"Authorization": f"Bearer {TOKEN}",
                                                               "Idempotency-Key": "offer-long"})
    assert answer.status_code == 400 and answer.json["errors"][0]["field"] == "ttl_s"


def test_the_servers_log_holds_no_personal_data(tmp_path, caplog):
    service = LoyaltyService(ServerStore(str(tmp_path / "backend.db")), now=Clock(), on_joined=lambda *j: None)
    server = BackendServer(create_app(service, TOKEN), "127.0.0.1", 0)
    server.start()
    base = server.url.removesuffix("/v1")
    caplog.set_level(logging.DEBUG)
    try:
        for token in ("join-token-log-1", "join-token-log-2"):
            offer(service, token)
        phone = requests.Session()
        page = phone.get(f"{base}/join?s=join-token-log-1&lang=en", timeout=5)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        assert phone.post(f"{base}/join", data={"s": "join-token-log-1", "phone": "+47 912 34 567", "csrf": csrf,
                                                "consent_personal": "on"}, timeout=5).status_code == 201
        assert phone.post(f"{base}/join/login", timeout=5, data={"s": "join-token-log-2", "csrf": csrf,
                                                                 "phone": "+47 912 34 567"}).status_code == 200
        assert phone.get(f"{base}/me", timeout=5).status_code == 200
        assert requests.get(f"{server.url}/members/lookup?kind=ndef&value=M-1001", timeout=5,
                            headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
    finally:
        server.stop()
    logged = "\n".join(record.getMessage() for record in caplog.records
                       if not record.name.startswith("urllib3"))  # the test's own HTTP client
    assert "POST 201" in logged and "one-time code" in logged  # the log is there, and it is what we read
    for secret in ("91234567", "912 34 567", "4791234567", "127.0.0.1", "join-token-log", "M-"):
        assert secret not in logged, secret

"""The reference backend (kiosk/server/) through the kiosk's own HttpBackend, on a real loopback port: every call
of the port, single-use draws, idempotent registration, join tokens that expire and are used once, and
`kiosk backend serve` as a process."""

import doctest
import importlib
import os
import random
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from kiosk.backend.errors import BackendRefused
from kiosk.backend.http import HttpBackend
from kiosk.backend.models import Consent, CustomEvent, Registration
from kiosk.core.credential import Credential
from kiosk.exc import BackendUnavailable
from kiosk.server.api import create_app
from kiosk.server.serve import BackendServer
from kiosk.server.service import LoyaltyService
from kiosk.server.store import ServerStore
from tests.helpers import free_port, wait_for

TOKEN = "server-test-token"
CONSENT = (Consent("personal_data", "2026-11", True), Consent("marketing", "2026-11", False))
ANNA_CARD = Credential("ndef", "M-1001")


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def joined() -> list[tuple[str, str, str]]:
    return []


@pytest.fixture
def server(tmp_path, clock, joined) -> Iterator[BackendServer]:
    service = LoyaltyService(ServerStore(str(tmp_path / "backend.db")), now=clock,
                             on_joined=lambda *j: joined.append(j), rng=random.Random(7))
    service.seed([("M-1001", "Anna", 1240, "ndef", "M-1001")])
    running = BackendServer(create_app(service, TOKEN), "127.0.0.1", 0)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def backend(server) -> HttpBackend:
    return HttpBackend(server.url, TOKEN, 5.0)


def signup(**fields) -> Registration:
    return Registration(**{"language": "nb", "consents": CONSENT, "phone": "+4791234567", **fields})


def test_lookup_and_profile_with_tier_progress_and_offers(backend):
    anna = backend.lookup(ANNA_CARD)
    assert (anna.ref, anna.name, anna.points, anna.tier) == ("M-1001", "Anna", 1240, "gold")
    profile = backend.profile("M-1001")
    assert (profile.next_tier, profile.points_to_next, profile.language) == ("platinum", 3760, "en")
    assert 0 < profile.progress < 1
    assert [o.offer_id for o in profile.offers] == ["welcome-10", "double-points", "gold-evening"]  # Anna is gold
    new = backend.register(signup(birthday="1990-01-20"), "signup-new")  # born in the clock's month, silver
    assert [o.offer_id for o in new.offers] == ["welcome-10", "birthday-gift", "double-points"]
    assert backend.lookup(Credential("ndef", "M-9999")) is None
    assert backend.profile("M-9999") is None


def test_registration_is_idempotent_and_links_the_credential(backend):
    card = Credential("uid", "a1b2c3d4")
    first = backend.register(signup(name="Ingrid", credential=card), "signup-1")
    again = backend.register(signup(name="Ingrid", credential=card), "signup-1")  # a retry after a lost answer
    assert again == first
    assert (first.name, first.points, first.tier, first.language, first.next_tier) == ("Ingrid", 0, "silver", "nb",
                                                                                       "gold")
    assert first.offers[0].title == "10 % rabatt på første kjøp"
    assert backend.lookup(card).ref == first.ref


def test_registration_refusals(backend):
    backend.register(signup(), "signup-1")
    with pytest.raises(BackendRefused) as mismatch:
        backend.register(signup(email="ingrid@example.org"), "signup-1")
    assert mismatch.value.problem_type == "urn:kiosk:problem:idempotency-mismatch"
    with pytest.raises(BackendRefused) as taken:
        backend.register(signup(), "signup-2")
    assert (taken.value.status, taken.value.problem_type) == (409, "urn:kiosk:problem:already-member")
    with pytest.raises(BackendRefused, match="already-member"):
        backend.register(signup(phone="+4799999999", credential=ANNA_CARD), "signup-3")
    with pytest.raises(BackendRefused, match="invalid-phone"):
        backend.register(signup(phone="+4700000000"), "signup-4")


def test_registration_without_the_required_consent_breaks_the_contract(backend):
    with pytest.raises(BackendUnavailable, match="HTTP 400"):  # the kiosk never sends it: a bug, not a refusal
        backend.register(signup(consents=(Consent("personal_data", "1", False),)), "signup-1")


def test_a_phone_joins_the_kiosk_session_once(backend, clock, joined):
    offer = backend.offer_join("join-token-123", "kiosk-7", "S-42", ttl_s=120)
    assert (offer.state, offer.expires_at) == ("open", "2027-01-15T08:02:00Z")
    member = backend.register(signup(join_token="join-token-123", kiosk_id="kiosk-7"), "phone-1")
    assert joined == [("kiosk-7", "S-42", member.ref, {"personal_data": "2026-11", "marketing": "2026-11"})]
    with pytest.raises(BackendRefused) as used:
        backend.register(signup(email="other@example.org", phone=None, join_token="join-token-123"), "phone-2")
    assert (used.value.status, used.value.problem_type) == (410, "urn:kiosk:problem:used")
    with pytest.raises(BackendRefused, match="idempotency-mismatch"):  # the token is the offer's key
        backend.offer_join("join-token-123", "kiosk-7", "S-43", ttl_s=120)


def test_a_join_token_expires(backend, clock, joined):
    backend.offer_join("join-token-456", "kiosk-7", "S-44", ttl_s=60)
    clock.now += 61
    with pytest.raises(BackendRefused) as expired:
        backend.register(signup(join_token="join-token-456"), "phone-1")
    assert (expired.value.status, expired.value.problem_type) == (410, "urn:kiosk:problem:expired")
    assert joined == []
    assert backend.lookup(Credential("ndef", "M-1001")).ref == "M-1001"


def test_a_draw_is_played_once(backend):
    draw = backend.issue_draw("M-1001", "kiosk-7", "draw-1")
    assert backend.issue_draw("M-1001", "kiosk-7", "draw-1") == draw  # a retried issue is the same draw
    result = backend.play_draw(draw.draw_id, "spin-1")
    assert backend.play_draw(draw.draw_id, "spin-1") == result  # the lost answer, asked again
    with pytest.raises(BackendRefused) as again:
        backend.play_draw(draw.draw_id, "spin-2")
    assert (again.value.status, again.value.problem_type) == (409, "urn:kiosk:problem:already-played")
    if result.won:
        assert result.code.startswith("WIN-") and result.prize.label and result.code_expires_at
    else:
        assert result.prize is None and result.code is None


def test_the_wheel_pays_out_at_the_catalogue_odds(backend):
    results = [backend.play_draw(backend.issue_draw("M-1001", "kiosk-7", f"d{i}").draw_id, f"s{i}")
               for i in range(60)]
    wins = [r for r in results if r.won]
    assert 0.35 < len(wins) / len(results) < 0.85  # 60 % by the catalogue; seeded, so not flaky
    assert len({r.code for r in wins}) == len(wins)


def test_a_draw_expires_and_an_unknown_one_is_refused(backend, clock):
    draw = backend.issue_draw("M-1001", "kiosk-7", "draw-1")
    clock.now += 601
    with pytest.raises(BackendRefused, match="expired"):
        backend.play_draw(draw.draw_id, "spin-1")
    with pytest.raises(BackendRefused, match="404 urn:kiosk:problem:not-found"):
        backend.play_draw("no-such-draw", "spin-1")
    with pytest.raises(BackendRefused, match="404 urn:kiosk:problem:not-found"):
        backend.issue_draw("M-9999", "kiosk-7", "draw-2")


def test_custom_events_are_recorded_once(backend, server):
    event = CustomEvent("01JDQ7Z5X3K9M2N4P6R8T0V1W2", "stylist_request", "kiosk-7", "2026-11-28T09:00:00Z",
                        {"look": "L-3"}, "M-1001")
    assert backend.send_event(event) is False
    assert backend.send_event(event) is False  # a retry gets the first answer
    other_request = requests.post(f"{server.url}/events", json=event.to_json(), timeout=5,
                                  headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": "ingest-1"})
    assert (other_request.status_code, other_request.json()["duplicate"]) == (202, True)


def test_a_wrong_token_is_unavailable_and_says_so(server):
    with pytest.raises(BackendUnavailable, match="HTTP 401"):
        HttpBackend(server.url, "wrong", 5.0).lookup(ANNA_CARD)


def test_kiosk_backend_serve_runs_the_contract(tmp_path):
    port = free_port()
    env = {**os.environ, "KIOSK_BACKEND_TOKEN": TOKEN}
    process = subprocess.Popen([sys.executable, "-m", "kiosk.cli.main", "backend", "serve", "--port", str(port),
                                "--db", str(tmp_path / "b.db"), "--demo"], env=env, stderr=subprocess.PIPE,
                               text=True)
    try:
        backend = HttpBackend(f"http://127.0.0.1:{port}/v1", TOKEN, 2.0, retries=0)

        def anna():
            try:
                return backend.lookup(ANNA_CARD)
            except BackendUnavailable:
                return None
        assert wait_for(anna, 15, "kiosk backend serve to answer").name == "Anna"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert "M-1001" not in stderr  # request lines name no member or credential


@pytest.mark.parametrize("module", ["kiosk.backend.answers", "kiosk.backend.models", "kiosk.backend.http",
                                    "kiosk.backend.errors", "kiosk.server.api", "kiosk.server.checks",
                                    "kiosk.server.problem", "kiosk.server.serve", "kiosk.server.service",
                                    "kiosk.server.store"])
def test_docstring_examples_run(module):
    failed, _ = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert failed == 0

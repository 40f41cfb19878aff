"""LocalBackend, the embedded default: the seeded demo members with their tier progress and offers, sign-ups on
the kiosk (once per idempotency key, a contact already a member refused), reward draws on the content's
wheel; what needs a shared backend answers "unavailable", which the flows already handle."""

from datetime import date

import pytest

from kiosk.backend.errors import BackendRefused
from kiosk.backend.local import LocalBackend
from kiosk.backend.models import Consent, Registration
from kiosk.content.bundle import load_bundle
from kiosk.content.schemas import DEFAULT_DIR
from kiosk.core.credential import Credential
from kiosk.exc import BackendUnavailable
from kiosk.storage.store import Store


@pytest.fixture
def backend(tmp_path) -> LocalBackend:
    demo = load_bundle(DEFAULT_DIR, media=False)
    local = LocalBackend(Store(tmp_path / "state.db"), content=lambda: demo)
    local.seed(demo.demo_members, demo.tiers)
    return local


def test_demo_members_with_tier_progress(backend):
    assert backend.lookup(Credential("ndef", "M-1001")).name == "Anna"
    anna = backend.profile("M-1001")
    assert (anna.tier, anna.next_tier, anna.points_to_next) == ("gold", "platinum", 5000 - 1240)
    assert backend.profile("M-1002").next_tier is None  # Ivan is platinum, the top
    assert backend.lookup(Credential("uid", "ab12")) is None
    assert backend.profile("M-9999") is None


def test_what_needs_a_shared_backend_is_unavailable(backend):
    for call in (lambda: backend.offer_join("join-token-1", "k", "S", 60),):
        with pytest.raises(BackendUnavailable, match="embedded backend"):
            call()


def signup(phone: str | None = "+4791234567", **more) -> Registration:
    return Registration("nb", (Consent("personal_data", "1", True),), phone=phone, **more)


def test_a_sign_up_registers_once_per_key_with_the_welcome_offer(backend, tmp_path):
    new = backend.register(signup(name="Åse", birthday=f"1990-{date.today().month:02d}-01",
                                  credential=Credential("uid", "ab12")), "key-1")
    assert (new.name, new.points, new.tier, new.language, new.next_tier) == ("Åse", 0, "silver", "nb", "gold")
    assert {o.offer_id for o in new.offers} >= {"welcome-500", "birthday-15"}  # joined today, born this month
    assert "gold-private-sales" not in {o.offer_id for o in new.offers}  # for gold and platinum members only
    assert backend.register(signup(name="Åse"), "key-1") == new  # the same key: the same member, once
    assert backend.lookup(Credential("uid", "ab12")).ref == new.ref  # the card is hers now
    # Neither the number nor the birthday is in the store: a digest and a month.
    assert b"4791234567" not in (tmp_path / "state.db").read_bytes()


def test_a_contact_or_card_of_a_member_is_refused_as_already_member(backend):
    backend.register(signup(), "key-1")
    for again in (signup(), signup(phone=None, email="x@y.no", credential=Credential("ndef", "M-1001"))):
        with pytest.raises(BackendRefused) as refused:
            backend.register(again, "key-2")
        assert refused.value.status == 409 and refused.value.problem_type.endswith("already-member")


def test_offers_follow_the_tier(backend):
    gold = {o.offer_id for o in backend.profile("M-1001").offers}  # Anna is gold, a member for long
    assert "gold-private-sales" in gold and "welcome-500" not in gold and "platinum-styling" not in gold

"""LocalBackend, the embedded default: the seeded demo members with their tier progress; reward draws on the
content's wheel; what needs a shared backend answers "unavailable", which the flows already handle."""

import pytest

from kiosk.backend.local import LocalBackend
from kiosk.backend.models import Consent, Registration
from kiosk.content.bundle import load_bundle
from kiosk.content.schemas import DEFAULT_DIR
from kiosk.core.credential import Credential
from kiosk.exc import BackendUnavailable
from kiosk.storage.store import Store


@pytest.fixture
def backend(tmp_path) -> LocalBackend:
    local = LocalBackend(Store(tmp_path / "state.db"))
    demo = load_bundle(DEFAULT_DIR, media=False)
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
    signup = Registration("en", (Consent("personal_data", "1", True),), phone="+4791234567")
    for call in (lambda: backend.register(signup, "k"), lambda: backend.offer_join("join-token-1", "k", "S", 60)):
        with pytest.raises(BackendUnavailable, match="embedded backend"):
            call()

"""LocalBackend: the loyalty backend port on the kiosk's own SQLite store (demo, pop-up stores, offline).

It knows the members seeded into the store and their tier progress. Joining, reward draws and custom events
need a backend that phones and other kiosks reach too: here they answer :class:`BackendUnavailable`, which
every flow already handles as "the backend is away" (run ``kiosk backend serve`` and point ``[backend]`` at it
for those).
"""

from __future__ import annotations

import time

from kiosk.backend.models import CustomEvent, Draw, DrawResult, JoinSession, Profile, Registration
from kiosk.content.schemas import DemoMember
from kiosk.core.credential import Credential
from kiosk.core.member import Member, Tier, progress, tier_for
from kiosk.exc import BackendUnavailable
from kiosk.storage.store import Store


class LocalBackend:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._tiers: list[Tier] = []

    def lookup(self, credential: Credential) -> Member | None:
        rows = self._store.query(
            "SELECT m.member_ref, m.name, m.points, m.tier FROM member_credentials c "
            "JOIN members m USING (member_ref) WHERE c.kind = ? AND c.value = ?",
            (credential.kind, credential.value),
        )
        if not rows:
            return None
        row = rows[0]
        return Member(row["member_ref"], row["name"], row["points"], row["tier"])

    def profile(self, member_ref: str) -> Profile | None:
        rows = self._store.query("SELECT member_ref, name, points, tier FROM members WHERE member_ref = ?",
                                 (member_ref,))
        if not rows:
            return None
        row = rows[0]
        ahead = progress(row["points"], self._tiers) if self._tiers else None
        return Profile(row["member_ref"], row["name"], row["points"], row["tier"],
                       next_tier=ahead.next.key if ahead and ahead.next else None,
                       points_to_next=ahead.points_to_next if ahead else 0,
                       progress=ahead.fraction if ahead else 1.0)

    def register(self, registration: Registration, idempotency_key: str) -> Profile:
        raise BackendUnavailable("the embedded backend takes no sign-ups")

    def offer_join(self, join_token: str, kiosk_id: str, session_id: str, ttl_s: int) -> JoinSession:
        raise BackendUnavailable("the embedded backend serves no phone pages")

    def issue_draw(self, member_ref: str, kiosk_id: str, idempotency_key: str) -> Draw:
        raise BackendUnavailable("the embedded backend has no reward draws")

    def play_draw(self, draw_id: str, idempotency_key: str) -> DrawResult:
        raise BackendUnavailable("the embedded backend has no reward draws")

    def send_event(self, event: CustomEvent) -> bool:
        raise BackendUnavailable("the embedded backend records no custom events")

    def seed(self, members: list[DemoMember], tiers: list[Tier]) -> None:
        """Put the demo members in the store (again): a demo always starts from the same points."""
        self._tiers = list(tiers)
        now = time.time()
        with self._store.transaction() as tx:
            for m in members:
                tx.execute(
                    "INSERT INTO members(member_ref, name, points, tier, updated_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(member_ref) DO UPDATE SET name = excluded.name, points = excluded.points, "
                    "tier = excluded.tier, updated_at = excluded.updated_at",
                    (m.ref, m.name, m.points, tier_for(m.points, tiers).key, now),
                )
                tx.execute(
                    "INSERT OR REPLACE INTO member_credentials(kind, value, member_ref) VALUES (?, ?, ?)",
                    (m.credential.kind, m.credential.value, m.ref),
                )

"""LocalBackend: the loyalty backend port on the kiosk's own SQLite store (demo, pop-up stores, offline)."""

from __future__ import annotations

import time

from kiosk.content.schemas import DemoMember
from kiosk.core.credential import Credential
from kiosk.core.member import Member, Tier, tier_for
from kiosk.storage.store import Store


class LocalBackend:
    def __init__(self, store: Store) -> None:
        self._store = store

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

    def profile(self, member_ref: str) -> Member | None:
        rows = self._store.query("SELECT member_ref, name, points, tier FROM members WHERE member_ref = ?",
                                 (member_ref,))
        return Member(rows[0]["member_ref"], rows[0]["name"], rows[0]["points"], rows[0]["tier"]) if rows else None

    def seed(self, members: list[DemoMember], tiers: list[Tier]) -> None:
        """Put the demo members in the store (again): a demo always starts from the same points."""
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

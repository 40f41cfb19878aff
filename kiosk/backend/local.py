"""LocalBackend: the loyalty backend port on the kiosk's own SQLite store (demo, pop-up stores, offline).

It knows the members seeded into the store and those who joined on this kiosk's form, their tier progress and
their offers (from the content bundle's offers.json, by tier and occasion), and plays the prize wheel of the
content on screen: draws with ``secrets`` (a CSPRNG), follow its stock and daily caps (the counters the kiosk's
``prize_awarded`` events keep), and are kept in the store by idempotency key, so a kiosk that crashed after the
draw gets the same result again instead of a second draw. A member's phone number or e-mail address is kept
only as a keyed digest (enough to say "already a member"), their birthday only as its month (enough for the
birthday offer). The phone pages and custom events need a backend that phones
and other kiosks reach too: here they answer :class:`BackendUnavailable`, which every flow already handles as
"the backend is away" (run ``kiosk backend serve`` and point ``[backend]`` at it for those).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from kiosk.backend.errors import BackendRefused
from kiosk.backend.models import CustomEvent, Draw, DrawResult, JoinSession, Offer, Prize, Profile, Registration
from kiosk.content.bundle import Bundle
from kiosk.content.schemas import DemoMember
from kiosk.core.credential import Credential
from kiosk.core.events import utc_ms
from kiosk.core.member import Member, Tier, progress, tier_for
from kiosk.core.offers import OfferRule, due
from kiosk.core.prizes import Wheel, pick, reward_code
from kiosk.exc import BackendUnavailable
from kiosk.storage.prizes import awarded, today
from kiosk.storage.store import Store, Transaction

DRAW_TTL_S = 600
_RANDOM = secrets.SystemRandom()  # a prize a shopper could predict is no prize


class LocalBackend:
    """``content`` returns the content bundle on screen, with its tiers, offers and prize wheel (it changes with a
    content update; read on a worker, safe: the main thread replaces the bundle whole). It serves no phone
    pages: the kiosk knows from ``phone_pages`` and offers it no join token."""

    phone_pages = False

    def __init__(self, store: Store, content: Callable[[], Bundle | None] = lambda: None) -> None:
        self._store = store
        self._content = content

    @property
    def _tiers(self) -> list[Tier]:
        bundle = self._content()
        return bundle.tiers if bundle else []

    @property
    def _offers(self) -> list[OfferRule]:
        bundle = self._content()
        return bundle.files.get("offers.json", []) if bundle else []

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
        rows = self._store.query("SELECT member_ref, name, points, tier, joined_at, birth_month, language "
                                 "FROM members WHERE member_ref = ?", (member_ref,))
        if not rows:
            return None
        row = rows[0]
        ahead = progress(row["points"], self._tiers) if self._tiers else None
        language = row["language"] or "en"
        joined_on = datetime.fromtimestamp(row["joined_at"], UTC).date() if row["joined_at"] else None
        offers = offers_for(self._offers, language, row["tier"], joined_on, row["birth_month"], date.today())
        return Profile(row["member_ref"], row["name"], row["points"], row["tier"], language=language,
                       next_tier=ahead.next.key if ahead and ahead.next else None,
                       points_to_next=ahead.points_to_next if ahead else 0,
                       progress=ahead.fraction if ahead else 1.0, offers=offers)

    def register(self, registration: Registration, idempotency_key: str) -> Profile:
        """A new member with no points yet, once per ``idempotency_key``; refused (409 already-member) when the
        phone number, e-mail address or credential belongs to a member."""
        with self._store.transaction() as tx:
            member_ref = self._register(tx, registration, idempotency_key)
        profile = self.profile(member_ref)
        assert profile is not None
        return profile

    def _register(self, tx: Transaction, registration: Registration, key: str) -> str:
        done = tx.execute("SELECT value FROM meta WHERE key = ?", (f"signup:{key}",)).fetchone()
        if done is not None:
            return done[0]
        contact = self._digest(tx, registration.phone or registration.email or "")
        taken = tx.execute("SELECT 1 FROM members WHERE contact_digest = ?", (contact,)).fetchone()
        credential = registration.credential
        if not taken and credential is not None:
            taken = tx.execute("SELECT 1 FROM member_credentials WHERE kind = ? AND value = ?",
                               (credential.kind, credential.value)).fetchone()
        if taken:
            raise BackendRefused(409, "urn:kiosk:problem:already-member", "the contact or card belongs to a member")
        member_ref = f"M-{secrets.token_hex(6).upper()}"
        lowest = min(self._tiers, key=lambda tier: tier.threshold).key if self._tiers else "silver"
        born = date.fromisoformat(registration.birthday).month if registration.birthday else None
        now = time.time()
        tx.execute("INSERT INTO members(member_ref, name, points, tier, updated_at, joined_at, birth_month, language, "
                   "contact_digest) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?)",
                   (member_ref, registration.name or "", lowest, now, now, born, registration.language, contact))
        if credential is not None:
            tx.execute("INSERT INTO member_credentials(kind, value, member_ref) VALUES (?, ?, ?)",
                       (credential.kind, credential.value, member_ref))
        tx.execute("INSERT INTO meta(key, value) VALUES (?, ?)", (f"signup:{key}", member_ref))
        return member_ref

    @staticmethod
    def _digest(tx: Transaction, contact: str) -> str:
        """A keyed digest of a phone number or e-mail address: the same contact, the same digest, and nothing a
        copy of the database alone turns back into the number (the key is random, made once per kiosk)."""
        row = tx.execute("SELECT value FROM meta WHERE key = 'contact_key'").fetchone()
        if row is None:
            row = (secrets.token_hex(32),)
            tx.execute("INSERT INTO meta(key, value) VALUES ('contact_key', ?)", row)
        return hmac.new(bytes.fromhex(row[0]), contact.lower().encode(), hashlib.sha256).hexdigest()

    def offer_join(self, join_token: str, kiosk_id: str, session_id: str, ttl_s: int) -> JoinSession:
        raise BackendUnavailable("the embedded backend serves no phone pages (phone_pages is False)")

    def issue_draw(self, member_ref: str, kiosk_id: str, idempotency_key: str) -> Draw:
        now = time.time()
        with self._store.transaction() as tx:
            row = tx.execute("SELECT draw_id, member_ref, expires_at FROM local_draws WHERE issue_key = ?",
                             (idempotency_key,)).fetchone()
            if row is None:
                row = {"draw_id": secrets.token_urlsafe(16), "member_ref": member_ref, "expires_at": now + DRAW_TTL_S}
                tx.execute("INSERT INTO local_draws(draw_id, member_ref, issue_key, issued_at, expires_at) "
                           "VALUES (?, ?, ?, ?, ?)", (row["draw_id"], member_ref, idempotency_key, now,
                                                      row["expires_at"]))
        return Draw(row["draw_id"], row["member_ref"], "wheel", utc_ms(row["expires_at"]))

    def play_draw(self, draw_id: str, idempotency_key: str) -> DrawResult:
        bundle = self._content()
        wheel: Wheel | None = bundle.files.get("wheel.json") if bundle else None
        if wheel is None:
            raise BackendUnavailable("no prize wheel in the content on screen")
        now = time.time()
        with self._store.transaction() as tx:
            row = tx.execute("SELECT expires_at, play_key, result FROM local_draws WHERE draw_id = ?",
                             (draw_id,)).fetchone()
            if row is None:
                raise BackendRefused(404, "urn:kiosk:problem:not-found", "no such draw")
            if row["play_key"] is not None:
                if row["play_key"] != idempotency_key:
                    raise BackendRefused(409, "urn:kiosk:problem:already-played", "this draw was played before")
                return DrawResult(**_result(json.loads(row["result"])))
            if row["expires_at"] <= now:
                raise BackendRefused(410, "urn:kiosk:problem:expired", "the draw expired before it was played")
            segment = pick(wheel, awarded(self._store, today(now)), _RANDOM)
            result: dict = {"draw_id": draw_id, "won": segment.prize is not None, "drawn_at": utc_ms(now)}
            if segment.prize is not None:
                result.update(prize={"key": segment.key, "label": segment.labels.get("en", segment.key)},
                              code=reward_code(_RANDOM), code_expires_at=utc_ms(now + wheel.code_ttl_days * 86400))
            tx.execute("UPDATE local_draws SET play_key = ?, result = ? WHERE draw_id = ?",
                       (idempotency_key, json.dumps(result), draw_id))
        return DrawResult(**_result(result))

    def style_history(self, member_ref: str) -> list[str] | None:
        """The embedded backend keeps no purchase or stylist history: an empty one for a member it knows."""
        return None if self.profile(member_ref) is None else []

    def send_event(self, event: CustomEvent) -> bool:
        raise BackendUnavailable("the embedded backend records no custom events")

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


def _result(stored: dict) -> dict:
    """The DrawResult fields of a stored result."""
    prize = stored.get("prize")
    return {**stored, "prize": Prize(prize["key"], prize["label"]) if prize else None}


def offers_for(rules: list[OfferRule], language: str, tier: str, joined_on: date | None, birth_month: int | None,
               today: date) -> tuple[Offer, ...]:
    """The offers of ``rules`` a member has ``today``, as the port answers them (in ``language``, good from the
    first day's start to the last day's end, UTC)."""
    return tuple(Offer(o.rule.offer_id, o.rule.title[language], f"{o.valid_from}T00:00:00Z",
                       f"{o.valid_until}T23:59:59Z", o.rule.description.get(language, ""))
                 for o in due(rules, tier, joined_on, birth_month, today))

"""The reference backend's rules, without HTTP: members, join sessions, single-use draws, custom events.

Every method is one transaction. A method that changes state takes the request's ``Idempotency-Key``: the
first answer is stored with the change, in the same transaction, and handed back for the same key and body;
the same key with another body is refused (422). Answers are the contract's JSON bodies.

    >>> service = LoyaltyService(ServerStore(":memory:"), now=lambda: 1_800_000_000.0)
    >>> anna = service.register({"language": "en", "phone": "+4791234567", "name": "Anna",
    ...     "consents": {"personal_data": {"text_version": "1", "granted": True}},
    ...     "credential": {"kind": "ndef", "value": "M-77"}}, "key-1")
    >>> service.lookup("ndef", "M-77")["member_ref"] == anna["member_ref"], anna["tier"], anna["next_tier"]["key"]
    (True, 'silver', 'gold')
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from kiosk.core.member import progress
from kiosk.core.offers import due
from kiosk.core.prizes import reward_code
from kiosk.server import catalog
from kiosk.server.problem import Problem
from kiosk.server.store import ServerStore
from kiosk.server.stylist import StylistRequests

LOGIN_CODE_DIGITS = 6
LOGIN_CODE_TTL_S = 300
LOGIN_ATTEMPTS = 5
LOGIN_CODES_SENT = 3
JoinedHook = Callable[[str, str, str, dict | None], None]
"""Told ``(kiosk_id, session_id, member_ref, consents)`` after a phone joined a kiosk session (and the commit);
``consents``, the version of each consent text by purpose, when it signed up (None when a member logged in)."""


def _utc_seconds(stamp: object) -> str:
    """A kiosk's UTC time (``2027-01-15T08:00:00.000Z``) as this contract writes it, comparable as text; "" if
    it is not one."""
    if not isinstance(stamp, str):
        return ""
    try:
        return iso(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return ""


def iso(timestamp: float) -> str:
    """UTC text the contract uses: ``2027-01-15T08:00:00Z``."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class LoyaltyService:
    def __init__(self, store: ServerStore, *, now: Callable[[], float], on_joined: JoinedHook | None = None,
                 rng: random.Random | None = None, spins_per_day: int | None = None,
                 time_zone: tzinfo | None = None) -> None:
        """``spins_per_day``: the draws a member may be issued per calendar day, at any kiosk; None for no limit.
        The day is the stores' (``time_zone``; None: the server's local zone), the day a kiosk counts its own
        limit in (its local zone): midnight in the store starts a new day on both."""
        self._store = store
        self._spins_per_day = spins_per_day
        self._time_zone = time_zone
        self._now = now
        self._on_joined = on_joined
        self._rng = rng or random.SystemRandom()  # a prize a shopper could predict is no prize
        with store.transaction() as tx:
            tx.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('offers_start', ?)", (str(now()),))

    # Reading

    def lookup(self, kind: str, value: str) -> dict:
        with self._store.transaction() as tx:
            row = tx.execute("SELECT m.* FROM credentials c JOIN members m USING (member_ref) "
                             "WHERE c.kind = ? AND c.value = ?", (kind, value)).fetchone()
        if row is None:
            raise Problem(404, "not-found", "no member holds this credential")
        return _summary(row)

    def profile(self, member_ref: str) -> dict:
        with self._store.transaction() as tx:
            return self._profile(tx, member_ref)

    def style_history(self, member_ref: str) -> list[str]:
        """The SKUs of the member's stylist requests that associates brought, newest first, at most 50."""
        brought = [r for r in StylistRequests(self._store).of_member(member_ref) if r["status"] == "done"]
        skus = [item["sku"] for request in brought for item in request["look"]["items"]]
        return skus[:50]

    def reward_codes(self, member_ref: str) -> list[dict]:
        """The member's won reward codes still good, newest first: ``{label, code, code_expires_at}``. Both the
        draws played here and the ``prize_awarded`` events of kiosks that draw on their own (MQTT ingest)."""
        with self._store.transaction() as tx:
            rows = tx.execute("SELECT result FROM draws WHERE member_ref = ? AND result IS NOT NULL "
                              "ORDER BY issued_at DESC", (member_ref,)).fetchall()
            language = self._member_row(tx, member_ref)["language"]
            awarded = tx.execute("SELECT data FROM kiosk_events WHERE type = 'prize_awarded' "
                                 "AND json_extract(data, '$.member_ref') = ? ORDER BY occurred_at DESC",
                                 (member_ref,)).fetchall()
        now = iso(self._now())
        won = [json.loads(row["result"]) for row in rows]
        codes = [{"label": r["prize"]["label"], "code": r["code"], "code_expires_at": r["code_expires_at"]}
                 for r in won if r["won"]]
        names = {s.key: s.labels for s in catalog.WHEEL}
        for row in awarded:
            event = json.loads(row["data"])
            label = names.get(event.get("segment"), {}).get(language, event.get("label", ""))
            codes.append({"label": label, "code": event.get("code"),
                          "code_expires_at": _utc_seconds(event.get("code_expires_at"))})
        seen: set = set()
        return [c for c in codes if isinstance(c["code"], str) and c["code_expires_at"] > now
                and not (c["code"] in seen or seen.add(c["code"]))]

    def join_session(self, join_token: str) -> dict:
        with self._store.transaction() as tx:
            row = self._join_row(tx, join_token)
        if row["member_ref"] is None and row["expires_at"] <= self._now():
            raise Problem(410, "expired", "the join token expired")
        return _join_json(row)

    # Changing

    def register(self, body: dict, key: str) -> dict:
        joined: tuple[str, str, str, dict] | None = None

        def create(tx: sqlite3.Connection) -> tuple[int, dict]:
            nonlocal joined
            session = self._open_join(tx, body["join_token"]) if "join_token" in body else None
            for field in ("phone", "email"):
                if field in body and tx.execute(f"SELECT 1 FROM members WHERE {field} = ?",
                                                (body[field],)).fetchone():
                    raise Problem(409, "already-member", f"the {field} belongs to a member: log in instead")
            credential = body.get("credential")
            if credential and tx.execute("SELECT 1 FROM credentials WHERE kind = ? AND value = ?",
                                         (credential["kind"], credential["value"])).fetchone():
                raise Problem(409, "already-member", "the credential belongs to a member")
            member_ref = f"M-{secrets.token_hex(6).upper()}"
            now = self._now()
            tx.execute("INSERT INTO members(member_ref, name, phone, email, birthday, language, points, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                       (member_ref, body.get("name", "").strip(), body.get("phone"), body.get("email"),
                        body.get("birthday"), body["language"], now))
            if credential:
                tx.execute("INSERT INTO credentials(kind, value, member_ref) VALUES (?, ?, ?)",
                           (credential["kind"], credential["value"], member_ref))
            consented = datetime.fromisoformat(body["consented_at"]).timestamp() if "consented_at" in body else now
            for purpose, consent in body["consents"].items():
                tx.execute("INSERT INTO consents(member_ref, purpose, text_version, granted, kiosk_id, recorded_at) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (member_ref, purpose, consent["text_version"],
                                                         consent["granted"], body.get("kiosk_id"), consented))
            if session is not None:
                tx.execute("UPDATE join_sessions SET member_ref = ?, joined_at = ? WHERE join_token = ?",
                           (member_ref, now, session["join_token"]))
                versions = {purpose: consent["text_version"] for purpose, consent in body["consents"].items()}
                joined = (session["kiosk_id"], session["session_id"], member_ref, versions)
            return 201, self._profile(tx, member_ref)

        answer = self._once("register", key, body, create)
        if joined is not None and self._on_joined is not None:
            self._on_joined(*joined)
        return answer

    def offer_join(self, body: dict, key: str) -> dict:
        def offer(tx: sqlite3.Connection) -> tuple[int, dict]:
            if tx.execute("SELECT 1 FROM join_sessions WHERE join_token = ?", (body["join_token"],)).fetchone():
                raise Problem(409, "already-offered", "this join token was offered before")
            tx.execute("INSERT INTO join_sessions(join_token, kiosk_id, session_id, expires_at) VALUES (?, ?, ?, ?)",
                       (body["join_token"], body["kiosk_id"], body["session_id"], self._now() + body["ttl_s"]))
            return 201, _join_json(self._join_row(tx, body["join_token"]))

        return self._once("offer_join", key, body, offer)

    def issue_draw(self, member_ref: str, body: dict, key: str) -> dict:
        def issue(tx: sqlite3.Connection) -> tuple[int, dict]:
            self._member_row(tx, member_ref)
            draw_id = secrets.token_urlsafe(16)
            now = self._now()
            if self._spins_per_day is not None:
                midnight = datetime.fromtimestamp(now, self._time_zone).replace(hour=0, minute=0, second=0,
                                                                                microsecond=0)
                (issued,), = tx.execute("SELECT COUNT(*) FROM draws WHERE member_ref = ? AND issued_at >= ?",
                                        (member_ref, midnight.timestamp())).fetchall()
                if issued >= self._spins_per_day:
                    raise Problem(409, "limit-reached", "the member has had today's spins")
            tx.execute("INSERT INTO draws(draw_id, member_ref, kiosk_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                       (draw_id, member_ref, body["kiosk_id"], now, now + catalog.DRAW_TTL_S))
            return 201, {"draw_id": draw_id, "member_ref": member_ref, "game": "wheel", "state": "issued",
                         "expires_at": iso(now + catalog.DRAW_TTL_S)}

        return self._once(f"issue_draw:{member_ref}", key, body, issue)

    def play_draw(self, draw_id: str, key: str) -> dict:
        def play(tx: sqlite3.Connection) -> tuple[int, dict]:
            row = tx.execute("SELECT d.*, m.language FROM draws d JOIN members m USING (member_ref) "
                             "WHERE draw_id = ?", (draw_id,)).fetchone()
            if row is None:
                raise Problem(404, "not-found", "no such draw")
            if row["played_with"] is not None:
                raise Problem(409, "already-played", "this draw was played before")
            now = self._now()
            if row["expires_at"] <= now:
                raise Problem(410, "expired", "the draw expired before it was played")
            result = self._spin(tx, row["language"], now)
            tx.execute("UPDATE draws SET played_with = ?, result = ? WHERE draw_id = ?",
                       (key, json.dumps(result), draw_id))
            return 200, {"draw_id": draw_id, **result}

        return self._once(f"play_draw:{draw_id}", key, {}, play)

    def record_event(self, body: dict, key: str) -> dict:
        def record(tx: sqlite3.Connection) -> tuple[int, dict]:
            known = tx.execute("SELECT 1 FROM events WHERE event_id = ?", (body["event_id"],)).fetchone()
            if not known:
                tx.execute("INSERT INTO events(event_id, type, kiosk_id, member_ref, occurred_at, data, received_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (body["event_id"], body["type"], body["kiosk_id"], body.get("member_ref"),
                            body["occurred_at"], json.dumps(body["data"]), self._now()))
            return 202, {"event_id": body["event_id"], "duplicate": bool(known)}

        return self._once("record_event", key, body, record)

    def start_login(self, join_token: str, phone: str) -> str:
        """A one-time code for the member with ``phone`` to join ``join_token``'s session. A number that is no
        member's gets a code too, one that never works: the page must not tell who is a member."""
        code = f"{self._rng.randrange(10**LOGIN_CODE_DIGITS):0{LOGIN_CODE_DIGITS}d}"
        with self._store.transaction() as tx:
            self._open_join(tx, join_token)
            before = tx.execute("SELECT sent FROM login_codes WHERE join_token = ?", (join_token,)).fetchone()
            sent = before["sent"] if before else 0
            if sent >= LOGIN_CODES_SENT:
                raise Problem(429, "rate-limited", "enough codes were sent for this join token")
            member = tx.execute("SELECT member_ref FROM members WHERE phone = ?", (phone,)).fetchone()
            tx.execute("INSERT OR REPLACE INTO login_codes(join_token, member_ref, code_hash, expires_at, attempts, "
                       "sent) VALUES (?, ?, ?, ?, 0, ?)", (join_token, member["member_ref"] if member else None,
                                                          _digest(join_token, code), self._now() + LOGIN_CODE_TTL_S,
                                                          sent + 1))
        return code

    def finish_login(self, join_token: str, code: str) -> dict:
        """The member's profile once ``code`` is right: the join session is theirs (the kiosk is told). Wrong
        codes count; after LOGIN_ATTEMPTS the code is dead."""
        with self._store.transaction() as tx:
            session = self._open_join(tx, join_token)
            login = tx.execute("SELECT * FROM login_codes WHERE join_token = ?", (join_token,)).fetchone()
            if login is None or login["expires_at"] <= self._now() or login["attempts"] >= LOGIN_ATTEMPTS:
                raise Problem(410, "expired", "no live one-time code for this join token")
            tx.execute("UPDATE login_codes SET attempts = attempts + 1 WHERE join_token = ?", (join_token,))
        # The attempt is counted (committed) before the code is compared, so parallel guesses count too.
        if login["member_ref"] is None or not hmac.compare_digest(login["code_hash"], _digest(join_token, code)):
            raise Problem(403, "wrong-code", "the one-time code is not right")
        with self._store.transaction() as tx:
            self._open_join(tx, join_token)
            tx.execute("UPDATE join_sessions SET member_ref = ?, joined_at = ? WHERE join_token = ?",
                       (login["member_ref"], self._now(), join_token))
            tx.execute("DELETE FROM login_codes WHERE join_token = ?", (join_token,))
            profile = self._profile(tx, login["member_ref"])
        if self._on_joined is not None:
            self._on_joined(session["kiosk_id"], session["session_id"], login["member_ref"], None)
        return profile

    def seed(self, members: list[tuple[str, str, int, str, str]]) -> None:
        """Put demo members ``(member_ref, name, points, credential kind, credential value)`` in (again)."""
        with self._store.transaction() as tx:
            for ref, name, points, kind, value in members:
                tx.execute("INSERT INTO members(member_ref, name, language, points, created_at) "
                           "VALUES (?, ?, 'en', ?, ?) ON CONFLICT(member_ref) DO UPDATE SET name = excluded.name, "
                           "points = excluded.points", (ref, name, points, self._now()))
                tx.execute("INSERT OR REPLACE INTO credentials(kind, value, member_ref) VALUES (?, ?, ?)",
                           (kind, value, ref))

    # Inside a transaction

    def _once(self, operation: str, key: str, body: dict,
              change: Callable[[sqlite3.Connection], tuple[int, dict]]) -> dict:
        """``change`` once per idempotency key: its answer is stored with it and replayed for the same request."""
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        with self._store.transaction() as tx:
            seen = tx.execute("SELECT request_hash, body FROM idempotency WHERE operation = ? AND key = ?",
                              (operation, key)).fetchone()
            if seen is not None:
                if seen["request_hash"] != digest:
                    raise Problem(422, "idempotency-mismatch", "this Idempotency-Key was used for another request")
                return json.loads(seen["body"])
            status, answer = change(tx)
            tx.execute("INSERT INTO idempotency(operation, key, request_hash, status, body, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (operation, key, digest, status, json.dumps(answer), self._now()))
            return answer

    def _spin(self, tx: sqlite3.Connection, language: str, now: float) -> dict:
        """One draw; a segment whose stock is gone is out of it (this runs in the play's transaction)."""
        won = dict(tx.execute("SELECT json_extract(result, '$.prize.key'), COUNT(*) FROM draws "
                              "WHERE json_extract(result, '$.won') GROUP BY 1").fetchall())
        weights = [0 if s.stock is not None and won.get(s.key, 0) >= s.stock else s.weight for s in catalog.WHEEL]
        segment = self._rng.choices(catalog.WHEEL, weights=weights)[0]
        if not segment.prize:
            return {"state": "drawn", "won": False, "prize": None, "code": None, "code_expires_at": None,
                    "drawn_at": iso(now)}
        code = reward_code(self._rng)
        return {"state": "drawn", "won": True, "prize": {"key": segment.key, "label": segment.labels[language]},
                "code": code, "code_expires_at": iso(now + catalog.CODE_TTL_S), "drawn_at": iso(now)}

    def _profile(self, tx: sqlite3.Connection, member_ref: str) -> dict:
        row = self._member_row(tx, member_ref)
        where = progress(row["points"], list(catalog.TIERS))
        start = float(tx.execute("SELECT value FROM meta WHERE key = 'offers_start'").fetchone()[0])
        day = datetime.fromtimestamp(self._now(), UTC).date()
        joined_on = datetime.fromtimestamp(row["created_at"], UTC).date()
        born = int(row["birthday"][5:7]) if row["birthday"] else None
        offers = [{"offer_id": o.rule.offer_id, "title": o.rule.title[row["language"]],
                   "valid_from": f"{o.valid_from}T00:00:00Z", "valid_until": f"{o.valid_until}T23:59:59Z"}
                  for o in due(catalog.offers(datetime.fromtimestamp(start, UTC).date()), where.current.key,
                               joined_on, born, day)]
        return {**_summary(row), "language": row["language"],
                "next_tier": {"key": where.next.key, "threshold": where.next.threshold} if where.next else None,
                "points_to_next": where.points_to_next, "progress": round(where.fraction, 4), "offers": offers}

    def _member_row(self, tx: sqlite3.Connection, member_ref: str) -> sqlite3.Row:
        row = tx.execute("SELECT * FROM members WHERE member_ref = ?", (member_ref,)).fetchone()
        if row is None:
            raise Problem(404, "not-found", "no such member")
        return row

    def _join_row(self, tx: sqlite3.Connection, join_token: str) -> sqlite3.Row:
        row = tx.execute("SELECT * FROM join_sessions WHERE join_token = ?", (join_token,)).fetchone()
        if row is None:
            raise Problem(404, "not-found", "no such join token")
        return row

    def _open_join(self, tx: sqlite3.Connection, join_token: str) -> sqlite3.Row:
        """The join session of ``join_token`` if a phone may still join it: single use, before its expiry."""
        row = self._join_row(tx, join_token)
        if row["member_ref"] is not None:
            raise Problem(410, "used", "the join token was used")
        if row["expires_at"] <= self._now():
            raise Problem(410, "expired", "the join token expired")
        return row


def _digest(join_token: str, code: str) -> str:
    return hashlib.sha256(f"{join_token}:{code}".encode()).hexdigest()


def _summary(row: sqlite3.Row) -> dict:
    return {"member_ref": row["member_ref"], "name": row["name"], "points": row["points"],
            "tier": progress(row["points"], list(catalog.TIERS)).current.key}


def _join_json(row: sqlite3.Row) -> dict:
    answer = {"join_token": row["join_token"], "kiosk_id": row["kiosk_id"], "session_id": row["session_id"],
              "expires_at": iso(row["expires_at"]), "state": "open" if row["member_ref"] is None else "joined"}
    if row["member_ref"] is not None:
        answer["member_ref"] = row["member_ref"]
    return answer

"""The one SQLite database of the kiosk (docs/architecture.md, "Durable state"): WAL, synchronous=FULL, migrations.

One connection shared by every thread behind a lock: writes are small and rare, and a single writer
keeps "state change + event in one transaction" simple to reason about.

Privacy: the state folder is 0700 and the database, its WAL and shared-memory files
0600 (SQLite gives the WAL and -shm the mode of the database file). ``secure_delete`` zeroes what is deleted
or overwritten in the database file, but the WAL keeps the old page images until a checkpoint copies them and
``TRUNCATE`` empties it: :meth:`Store.scrub` does that, and every open starts with it, so a WAL that a crash
left behind is emptied before the kiosk goes on::

    >>> import tempfile, pathlib
    >>> store = Store(pathlib.Path(tempfile.mkdtemp()) / "state.db")
    >>> with store.transaction() as tx:
    ...     _ = tx.execute("INSERT INTO meta(key, value) VALUES ('greeting', 'hello')")
    >>> store.meta("greeting")
    'hello'
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.exc import StoreError
from kiosk.storage.damage import open_failure

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000  # Python's sqlite3 default, set again after a scrub that must not wait
CACHE_KIB = 1024  # page cache: the database grows with every tap, the resident memory must not (default 2 MiB)
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700

MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at REAL NOT NULL,
        delivered_at REAL
    );
    CREATE INDEX outbox_pending ON outbox(seq) WHERE delivered_at IS NULL;
    CREATE TABLE members (
        member_ref TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        points INTEGER NOT NULL,
        tier TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE member_credentials (
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        member_ref TEXT NOT NULL REFERENCES members(member_ref) ON DELETE CASCADE,
        PRIMARY KEY (kind, value)
    );
    CREATE TABLE sessions (
        session_id TEXT PRIMARY KEY,
        credential_kind TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL,
        end_reason TEXT
    );
    """,
    """
    ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE seen_commands (
        cmd_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        received_at REAL NOT NULL,
        expires_at REAL NOT NULL
    );
    """,
    """
    CREATE TABLE spins (
        spin_id TEXT PRIMARY KEY,
        session_id TEXT,
        member_ref TEXT NOT NULL,
        requested_at REAL NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('requested', 'drawn', 'refused')),
        draw_id TEXT,
        segment TEXT,
        won INTEGER,
        label TEXT,
        code TEXT,
        code_expires_at TEXT,
        landing REAL,
        shown_at REAL
    );
    CREATE INDEX spins_member ON spins(member_ref, requested_at);
    CREATE UNIQUE INDEX spins_code ON spins(code) WHERE code IS NOT NULL;
    CREATE TABLE prize_stock (
        segment TEXT PRIMARY KEY,
        awarded INTEGER NOT NULL CHECK (awarded >= 0),
        day TEXT NOT NULL,
        awarded_day INTEGER NOT NULL CHECK (awarded_day >= 0)
    );
    CREATE TABLE local_draws (
        draw_id TEXT PRIMARY KEY,
        member_ref TEXT NOT NULL,
        issue_key TEXT NOT NULL UNIQUE,
        issued_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        play_key TEXT,
        result TEXT
    );
    """,
    """
    CREATE TABLE signups (
        signup_id TEXT PRIMARY KEY,
        session_id TEXT,
        channel TEXT NOT NULL,
        registration TEXT,
        created_at REAL NOT NULL,
        outcome TEXT,
        member_ref TEXT,
        synced_at REAL
    );
    CREATE INDEX signups_pending ON signups(created_at) WHERE outcome IS NULL;
    CREATE TABLE consent_records (
        signup_id TEXT NOT NULL,
        purpose TEXT NOT NULL,
        text_version TEXT NOT NULL,
        granted INTEGER NOT NULL,
        recorded_at REAL NOT NULL,
        PRIMARY KEY (signup_id, purpose)
    );
    CREATE TABLE member_languages (
        member_ref TEXT PRIMARY KEY,
        language TEXT NOT NULL,
        chosen_at REAL NOT NULL
    );
    ALTER TABLE members ADD COLUMN joined_at REAL;
    ALTER TABLE members ADD COLUMN birth_month INTEGER;
    ALTER TABLE members ADD COLUMN language TEXT;
    ALTER TABLE members ADD COLUMN contact_digest TEXT;
    CREATE UNIQUE INDEX members_contact ON members(contact_digest) WHERE contact_digest IS NOT NULL;
    """,
    """
    CREATE TABLE stylist_requests (
        request_id TEXT PRIMARY KEY,
        session_id TEXT,
        status TEXT NOT NULL,
        look TEXT NOT NULL,
        requested_at REAL NOT NULL,
        associate TEXT,
        eta_min INTEGER,
        reason TEXT,
        escalated INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL
    );
    CREATE INDEX stylist_requests_open ON stylist_requests(requested_at) WHERE status NOT IN ('done', 'cancelled');
    """,
    """
    ALTER TABLE outbox ADD COLUMN refused_at REAL;
    """,
]


class Transaction:
    """An open write transaction; ``on_commit`` callbacks run once the commit is durable."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._after: list[Callable[[], None]] = []

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    def on_commit(self, callback: Callable[[], None]) -> None:
        self._after.append(callback)


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            make_private(path)
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "secure_delete=ON", "foreign_keys=ON",
                           f"busy_timeout={BUSY_TIMEOUT_MS}", f"cache_size=-{CACHE_KIB}"):
                self._conn.execute(f"PRAGMA {pragma}")
            self._migrate()
            self.scrub()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(open_failure(path, exc)) from exc

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction() as tx:
                for statement in filter(str.strip, script.split(";")):
                    tx.execute(statement)
                tx.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One atomic write: everything inside commits together or not at all."""
        with self._lock:
            tx = Transaction(self._conn)
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield tx
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        for callback in tx._after:
            callback()

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    def next_counter(self, tx: Transaction, key: str) -> int:
        """Increment the counter ``key`` in ``tx`` and return its new value (1 the first time)."""
        tx.execute(
            "INSERT INTO meta(key, value) VALUES (?, '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            (key,),
        )
        return int(tx.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])

    def scrub(self) -> bool:
        """Copy the WAL into the database and empty it (``TRUNCATE`` checkpoint), so data overwritten since the
        last scrub, such as blanked personal fields, is gone from every file. Returns False when another
        connection (``kiosk doctor``, say) is reading: it does not wait for it; the caller tries again later."""
        with self._lock:
            self._conn.execute("PRAGMA busy_timeout=0")  # never hold the lock (and the main loop) for a reader
            try:
                busy, _, _ = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return busy == 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def make_private(path: Path) -> None:
    """Create the state folder 0700 and the database file 0600 before SQLite opens it (its WAL and -shm take
    the database's mode); tighten them if an older version left them open to others."""
    folder = path.parent
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    _tighten(folder, PRIVATE_FOLDER)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE))
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        _tighten(folder / name, PRIVATE_FILE)


def _tighten(path: Path, mode: int) -> None:
    """chmod ``path`` to ``mode`` if it allows more and is ours (a folder shared with others, such as /tmp,
    is left alone)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if stat.S_IMODE(info.st_mode) & ~mode and info.st_uid == os.geteuid():
        log.info("storage: %s was open to other users; now mode %o", path, mode)
        path.chmod(mode)

"""The one SQLite database of the kiosk (docs/architecture.md, "Durable state"): WAL, synchronous=FULL, migrations.

One connection shared by every thread behind a lock: writes are small and rare, and a single writer
keeps "state change + event in one transaction" simple to reason about::

    >>> import tempfile, pathlib
    >>> store = Store(pathlib.Path(tempfile.mkdtemp()) / "state.db")
    >>> with store.transaction() as tx:
    ...     _ = tx.execute("INSERT INTO meta(key, value) VALUES ('greeting', 'hello')")
    >>> store.meta("greeting")
    'hello'
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.exc import StoreError
from kiosk.storage.damage import open_failure

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
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "secure_delete=ON", "foreign_keys=ON"):
                self._conn.execute(f"PRAGMA {pragma}")
            self._migrate()
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

    def close(self) -> None:
        with self._lock:
            self._conn.close()

"""The reference backend's SQLite database: one connection behind a lock, one transaction per request.

Requests are short, so serialising them keeps every rule (single-use draws, idempotency keys, one member per
phone) a plain read-then-write inside one transaction::

    >>> db = ServerStore(":memory:")
    >>> with db.transaction() as tx:
    ...     _ = tx.execute("INSERT INTO events(event_id, type, kiosk_id, occurred_at, data, received_at) "
    ...                    "VALUES ('E1', 'x', 'k', 't', '{}', 0)")
    >>> with db.transaction() as tx:
    ...     tx.execute("SELECT count(*) FROM events").fetchone()[0]
    1
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.storage.store import make_private

SCHEMA = """
CREATE TABLE IF NOT EXISTS members (
    member_ref TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT UNIQUE,
    email TEXT UNIQUE,
    birthday TEXT,
    language TEXT NOT NULL,
    points INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS credentials (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    member_ref TEXT NOT NULL REFERENCES members(member_ref),
    PRIMARY KEY (kind, value)
);
CREATE TABLE IF NOT EXISTS consents (
    member_ref TEXT NOT NULL REFERENCES members(member_ref),
    purpose TEXT NOT NULL,
    text_version TEXT NOT NULL,
    granted INTEGER NOT NULL,
    kiosk_id TEXT,
    recorded_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS join_sessions (
    join_token TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    expires_at REAL NOT NULL,
    member_ref TEXT,
    joined_at REAL
);
CREATE TABLE IF NOT EXISTS draws (
    draw_id TEXT PRIMARY KEY,
    member_ref TEXT NOT NULL REFERENCES members(member_ref),
    kiosk_id TEXT NOT NULL,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    played_with TEXT,
    result TEXT
);
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    member_ref TEXT,
    occurred_at TEXT NOT NULL,
    data TEXT NOT NULL,
    received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    operation TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (operation, key)
);
CREATE TABLE IF NOT EXISTS login_codes (
    join_token TEXT PRIMARY KEY REFERENCES join_sessions(join_token),
    member_ref TEXT,
    code_hash TEXT NOT NULL,
    expires_at REAL NOT NULL,
    attempts INTEGER NOT NULL,
    sent INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS kiosk_events (
    event_id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    store_id TEXT,
    type TEXT NOT NULL,
    seq INTEGER,
    occurred_at TEXT NOT NULL,
    data TEXT NOT NULL,
    received_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS kiosk_events_recent ON kiosk_events(kiosk_id, received_at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class ServerStore:
    def __init__(self, path: str) -> None:
        if path != ":memory:":
            make_private(Path(path))  # members' phone numbers and e-mail addresses: for this user only
        # Several instances may share the file (MQTT ingest splits the load): wait for another's transaction.
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(SCHEMA)
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any exception)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

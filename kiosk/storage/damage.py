"""What to tell an operator when the state database cannot be opened, above all when it is damaged.

A damaged ``state.db`` may still hold events the backend has not received. The kiosk never replaces or repairs
it on its own: it stops, names the file and says how to recover, so nothing is thrown away silently.

    >>> import sqlite3
    >>> error = sqlite3.DatabaseError("file is not a database")
    >>> error.sqlite_errorcode = sqlite3.SQLITE_NOTADB
    >>> print(open_failure(Path("/var/lib/kiosk/state.db"), error))  # doctest: +ELLIPSIS
    /var/lib/kiosk/state.db: the state database is damaged (file is not a database); the kiosk does not start ...
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def open_failure(path: Path, error: Exception) -> str:
    """The one line for a state database that did not open: for a damaged one, the recovery."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is None or code & 0xFF not in _DAMAGED:  # the low byte is the primary result code
        return f"{path}: cannot open the state database ({error})"
    return (f"{path}: the state database is damaged ({error}); the kiosk does not start on it, so the events it "
            f"has not delivered yet stay in it. To start afresh with an empty one, stop every kiosk process and "
            f"move {path.name} and any {path.name}-wal and {path.name}-shm out of {path.parent}; "
            f"`sqlite3 MOVED-FILE .recover` may rescue its events")

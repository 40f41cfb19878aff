"""One kiosk per state directory: an exclusive lock on ``{state_dir}/kiosk.lock``, which holds the holder's PID.

Two kiosks on one state folder would share ``state.db``, take over each other's automation socket and knock each
other off the broker (same client id). The lock is an ``fcntl`` lock on an open file, so the kernel drops it when
the holder dies, however it dies: no stale lock to clean up after a crash or a power cut. The file descriptor is
not inherited, so the ``restart`` command's exec starts afresh and takes the lock again under the same PID.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> lock = StateLock.take(folder)
    >>> (folder / "kiosk.lock").read_text().strip() == str(os.getpid())
    True
    >>> lock.release()
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from kiosk.exc import KioskError

LOCK_NAME = "kiosk.lock"


class StateInUse(KioskError):
    """Another kiosk runs on this state directory."""


class StateLock:
    def __init__(self, fd: int) -> None:
        self._fd = fd

    @classmethod
    def take(cls, state_dir: Path) -> StateLock:
        """Lock ``state_dir`` for this process (creating the folder 0700 if needed), or raise StateInUse naming
        the kiosk that holds it."""
        try:
            state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(state_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise KioskError(f"{state_dir}: cannot use the state directory ({exc.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise StateInUse(f"{state_dir}: another kiosk (PID {holder}) runs on this state directory; stop it "
                             f"first, or give this one its own [kiosk] state_dir") from None
        # Only the holder writes the PID, after it has the lock: a loser never clobbers it.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(fd)

    def release(self) -> None:
        os.close(self._fd)  # closing drops the lock; the file stays, holding the last PID

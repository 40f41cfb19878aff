"""Durable small-file writes: a power cut leaves either the old file or the new one, never half of one."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make a rename or link in ``path`` durable: without it a power cut may undo the change after the fact."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data``: written under a temporary name, fsync'd, renamed, the folder fsync'd.

        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "secret"
        >>> write_atomic(target, b"key", 0o600); target.read_bytes(), oct(target.stat().st_mode & 0o777)
        (b'key', '0o600')
    """
    temporary = path.with_name(f"{path.name}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, path)
    fsync_dir(path.parent)

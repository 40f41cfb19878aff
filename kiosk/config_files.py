"""Checks of the config values that name things on disk: the state folder, the TLS files, the automation socket.

Each check returns what is wrong (for the config error's parenthesis) or None. They look at the disk when the
config is read, so a bad path stops the start with one line instead of a traceback deep inside a part::

    >>> state_dir_problem(Path("/var/lib/ki\\0osk"))
    'a NUL byte in the path'
    >>> socket_problem("/" + "s" * 120, Path("/var/lib/kiosk"))
    'longer than the 107 bytes a socket path may have'
"""

from __future__ import annotations

import os
import ssl
import stat
from pathlib import Path

SOCKET_PATH_MAX = 107  # sockaddr_un.sun_path is 108 bytes on Linux, one of them the closing NUL


def _nul(value: str | Path) -> str | None:
    return "a NUL byte in the path" if "\0" in str(value) else None


def state_dir_problem(path: Path) -> str | None:
    """The state folder may not exist yet (the kiosk makes it), but it must not be anything else."""
    if problem := _nul(path):
        return problem
    if path.exists() and not path.is_dir():
        return "names a file, not a folder"
    return None


def readable_file_problem(path: Path) -> str | None:
    if problem := _nul(path):
        return problem
    if path.is_dir():
        return "names a folder, not a file"
    if not os.access(path, os.R_OK):
        return "not readable"
    return None


def ca_file_problem(path: Path) -> str | None:
    """A readable file holding at least one certificate, as paho's TLS will load it."""
    if problem := readable_file_problem(path):
        return problem
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(path))
    except ssl.SSLError as exc:
        return f"no certificate in it ({exc.reason or exc})"
    return None


def client_certificate_problem(cert_file: str, key_file: str) -> str | None:
    """The client certificate and its private key load together (the key may sit in the certificate file)."""
    try:
        ssl.create_default_context().load_cert_chain(cert_file, key_file or None)
    except ssl.SSLError as exc:
        return f"no certificate with its private key ({exc.reason or exc})"
    return None


def socket_problem(value: str, state_dir: Path) -> str | None:
    """The automation socket's path can be bound: short enough, in an existing folder (or the state folder, which
    the kiosk makes), and nothing but a stale socket there already (that one is replaced; a file or a folder is
    never deleted)."""
    if problem := _nul(value):
        return problem
    if len(os.fsencode(value)) > SOCKET_PATH_MAX:
        return f"longer than the {SOCKET_PATH_MAX} bytes a socket path may have"
    path = Path(value)
    if not path.parent.is_dir() and path.parent.absolute() != state_dir.absolute():
        return f"the folder {path.parent} does not exist"
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(mode):
        return "names a folder"
    if not stat.S_ISSOCK(mode):
        return "names an existing file that is not a socket"
    return None

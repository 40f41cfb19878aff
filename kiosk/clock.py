"""Whether the system clock is synchronised, as the kernel knows it (chrony, ntpd and timesyncd all tell it)."""

from __future__ import annotations

import ctypes
import ctypes.util

_TIME_ERROR = 5  # adjtimex() state: clock not synchronised
_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def clock_synced() -> bool:
    buffer = ctypes.create_string_buffer(512)  # struct timex with modes = 0: read only
    try:
        state = _libc.adjtimex(buffer)
    except AttributeError:  # not Linux
        return False
    return state not in (-1, _TIME_ERROR)

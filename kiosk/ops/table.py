"""The fleet as a text table: pure, from kiosk states and the time, so it is tested without a broker.

    >>> from kiosk.ops.fleet import KioskState
    >>> kiosks = {"k1": KioskState("k1", status="offline", last_heard=40.0)}
    >>> problems(kiosks["k1"], now=100.0, since=0.0, stale_after_s=180.0)
    ['STALE offline']
    >>> render(kiosks, now=100.0, since=0.0, stale_after_s=180.0, prefix="loyalty/v1")[2].split()
    ['!', 'k1', '-', 'offline', '1m00s', '-', '-', '-', '-', '-', 'STALE', 'offline']
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from kiosk.ops.fleet import KioskState

COLUMNS = ("KIOSK", "STORE", "STATUS", "LAST SEEN", "READER", "OUTBOX", "OLDEST UNSENT", "CONTENT", "VERSION",
           "NOTES")
_RED, _BOLD, _RESET = "\x1b[31m", "\x1b[1m", "\x1b[0m"


def age(seconds: float) -> str:
    """A short age: ``age(7) == '7s'``, ``age(185) == '3m05s'``, ``age(7500) == '2h05m'``, ``age(90000) == '1d01h'``."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def problems(state: KioskState, now: float, since: float, stale_after_s: float) -> list[str]:
    """Why a kiosk needs attention (empty when it does not). ``since`` is when the console started listening:
    a kiosk not heard from since then counts as silent from that moment."""
    found = []
    silent_s = now - (state.last_heard if state.last_heard is not None else since)
    if state.status == "offline":
        found.append("STALE offline")
    elif silent_s >= stale_after_s:
        found.append(f"STALE silent {age(silent_s)}")
    tele = state.telemetry or {}
    if tele.get("reader_ok") is False:
        found.append("reader FAIL")
    if tele.get("refused_topics"):  # the broker's ACL needs a line: the log of the kiosk says which
        found.append("ACL refuses " + " ".join(tele["refused_topics"]))
    elif tele.get("outbox_refused"):
        found.append(f"broker refused {tele['outbox_refused']} events")
    return found


def _cell(value: object) -> str:
    return "-" if value is None else str(value)


def _row(state: KioskState, now: float, found: list[str]) -> list[str]:
    birth, tele = state.birth or {}, state.telemetry or {}
    reader = {True: "ok", False: "FAIL"}.get(tele.get("reader_ok"), "-")
    depth = tele.get("outbox_depth")
    oldest = age(tele["oldest_unsent_s"]) if depth and isinstance(tele.get("oldest_unsent_s"), int | float) else "-"
    content = tele.get("content_version", birth.get("content_version"))
    notes = [*found, *(["maintenance"] if tele.get("maintenance") else [])]
    seen = age(now - state.last_heard) if state.last_heard is not None else None
    return [state.kiosk_id, _cell(birth.get("store_id")), _cell(state.status), _cell(seen), reader, _cell(depth),
            oldest, _cell(content), _cell(birth.get("version")), " ".join(notes)]


def render(kiosks: Mapping[str, KioskState], now: float, *, since: float, stale_after_s: float, prefix: str,
           colour: bool = False) -> list[str]:
    """The table as lines: a title, the header, then one row per kiosk by id; a problem row starts with ``!``
    (and is red when ``colour``)."""
    rows = []
    for kiosk_id in sorted(kiosks):
        found = problems(kiosks[kiosk_id], now, since, stale_after_s)
        rows.append((bool(found), _row(kiosks[kiosk_id], now, found)))
    flagged = sum(problem for problem, _ in rows)
    title = (f"{prefix}: {len(rows)} kiosk{'s' * (len(rows) != 1)}, {flagged} flagged "
             f"(stale after {age(stale_after_s)} silent) at {time.strftime('%H:%M:%S', time.localtime(now))}")
    if not rows:
        return [title, f"no kiosk has published under {prefix}/ yet"]
    widths = [max(len(cells[i]) for cells in [list(COLUMNS)] + [r for _, r in rows]) for i in range(len(COLUMNS))]

    def line(marker: str, cells: list[str]) -> str:
        return (marker + " " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))).rstrip()

    header = line(" ", list(COLUMNS))
    lines = [title, f"{_BOLD}{header}{_RESET}" if colour else header]
    for problem, cells in rows:
        text = line("!" if problem else " ", cells)
        lines.append(f"{_RED}{text}{_RESET}" if colour and problem else text)
    return lines


def flagged(kiosks: Mapping[str, KioskState], now: float, *, since: float, stale_after_s: float) -> list[str]:
    """The ids of the kiosks that need attention."""
    return [k for k, state in sorted(kiosks.items()) if problems(state, now, since, stale_after_s)]

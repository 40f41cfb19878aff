"""systemd's notify protocol in a few lines, and the watchdog that pets systemd only while every thread works.

The service runs with ``Type=notify`` and ``WatchdogSec=``: systemd passes ``$NOTIFY_SOCKET`` (a Unix datagram
socket) and ``$WATCHDOG_USEC``. The app sends ``READY=1`` once the attract screen is up, and the main loop
calls :meth:`Watchdog.tick` every turn; it sends ``WATCHDOG=1`` only while every watched thread (main loop,
NFC reader, outbox publisher) has beaten its heartbeat recently, so a hung thread gets the kiosk restarted.
Outside systemd (no ``$NOTIFY_SOCKET``) everything here does nothing::

    >>> from kiosk.core.heartbeat import Heartbeat
    >>> watchdog = Watchdog(interval_s=30.0)
    >>> watchdog.watch(Heartbeat("main-loop", now=0.0))
    >>> watchdog.tick(now=1.0)  # sends WATCHDOG=1 if systemd listens
"""

from __future__ import annotations

import logging
import os
import socket

from kiosk.core.heartbeat import ProgressSource, stalled

log = logging.getLogger(__name__)

PINGS_PER_INTERVAL = 3
"""systemd advises petting at least twice per WatchdogSec; three times leaves room for a slow turn."""


def notify(*lines: str) -> bool:
    """Send ``lines`` (e.g. ``"READY=1"``) to systemd; False when not run by systemd or the send failed."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket: a leading NUL byte instead of the '@'
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto("\n".join(lines).encode(), address)
    except OSError as exc:
        log.warning("systemd: cannot notify %s (%s)", address.lstrip("\0"), exc)
        return False
    return True


def watchdog_interval_s() -> float | None:
    """systemd's ``WatchdogSec`` in seconds when it watches this very process, else None."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and (not pid.isdigit() or int(pid) != os.getpid()):
        return None  # meant for a parent process
    return int(usec) / 1_000_000


class Watchdog:
    """Pets systemd's watchdog from the main loop while every watched source shows progress.

    A source counts as stalled after half the watchdog interval without progress: then the pings stop and
    systemd restarts the kiosk one interval after the last ping. ``interval_s=None`` turns it off.
    """

    def __init__(self, interval_s: float | None) -> None:
        self.interval_s = interval_s
        self._sources: list[ProgressSource] = []
        self._next_ping = 0.0
        self._stalled: list[str] = []

    @property
    def limit_s(self) -> float:
        """How long a source may go without progress before it counts as stalled."""
        return (self.interval_s or 0.0) / 2

    def watch(self, source: ProgressSource) -> None:
        """Watch one more source: an object with ``name`` and ``last_progress()`` (see kiosk.core.heartbeat)."""
        self._sources.append(source)

    def tick(self, now: float) -> None:
        """Called every turn of the main loop with ``time.monotonic()``; pings when due and all is well."""
        if self.interval_s is None or now < self._next_ping:
            return
        late = stalled(self._sources, now, self.limit_s)
        if late != self._stalled:
            if late:
                # Said once per change: the journal shows which thread hung before systemd's restart.
                log.error("watchdog: no progress from %s for over %.0f s; systemd will restart the kiosk",
                          ", ".join(late), self.limit_s)
                notify(f"STATUS=stalled: {', '.join(late)}")
            else:
                log.warning("watchdog: every thread makes progress again")
                notify("STATUS=running")
            self._stalled = late
        if late:
            return  # look again on the next turn, without waiting for the next ping time
        notify("WATCHDOG=1")
        self._next_ping = now + self.interval_s / PINGS_PER_INTERVAL

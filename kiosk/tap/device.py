"""Opening an nfcpy reader from an ``[nfc] device`` path, including ``auto`` and a loopback-only ``udp:``.

A ``udp:`` path on a loopback host opens the simulated reader (:mod:`kiosk.tap.simulation`): nfcpy's udp driver
bound to that host only, with a real reader's timing. nfcpy's own driver would listen on all interfaces and
wait a second for every empty poll. Other ``udp:`` hosts get nfcpy's driver unchanged.
"""

from __future__ import annotations

import errno
import logging
import platform

import nfc

from kiosk.tap.simulation import DEFAULT_TIMING, ReaderTiming, SimulatedDevice, is_loopback

log = logging.getLogger(__name__)

# What `auto` tries, in order: any USB reader nfcpy knows, then a PN532 on the Pi's UART (ttyAMA0 on a Pi with
# the PL011 on the header, ttyS0 with the mini UART), then a PN532 behind a USB serial adapter.
AUTO_PATHS = ("usb", "tty:AMA0:pn532", "tty:S0:pn532", "tty:USB0:pn532")
DEFAULT_UDP = ("localhost", 54321)


class ReaderError(OSError):
    """No reader could be opened on the configured path."""


def parse_udp(path: str) -> tuple[str, int]:
    """``udp[:host[:port]]`` -> (host, port), with nfcpy's defaults.

        >>> parse_udp("udp:127.0.0.1:54321"), parse_udp("udp")
        (('127.0.0.1', 54321), ('localhost', 54321))
    """
    parts = path.split(":")
    host = parts[1] if len(parts) > 1 and parts[1] else DEFAULT_UDP[0]
    port = int(parts[2]) if len(parts) > 2 and parts[2] else DEFAULT_UDP[1]
    return host, port


def open_frontend(path: str, *, timing: ReaderTiming | None = DEFAULT_TIMING) -> nfc.ContactlessFrontend:
    """An open ContactlessFrontend on ``path`` (``auto`` tries :data:`AUTO_PATHS`); ReaderError if none opens.

    ``timing`` is the reader the simulated ``udp:`` driver behaves like (None: no reader's delays, for the
    card and phone emulators); real readers take their own time.
    """
    if path == "auto":
        for candidate in AUTO_PATHS:
            try:
                return open_frontend(candidate, timing=timing)
            except ReaderError as exc:
                log.debug("nfc: auto: %s", exc)
        raise ReaderError(errno.ENODEV, "no reader found (tried " + ", ".join(AUTO_PATHS) + ")")
    if path.startswith("udp") and is_loopback(parse_udp(path)[0]):
        host, port = parse_udp(path)
        device = SimulatedDevice(host, port, timing)
        device._vendor_name, device._device_name, device._chipset_name = platform.uname()[0], "IP-Stack", "UDP"
        clf = nfc.ContactlessFrontend()
        clf.device = device
        return clf
    clf = nfc.ContactlessFrontend()
    try:
        opened = clf.open(path)
    except (OSError, ValueError) as exc:  # a fully named device that exists but cannot be opened (busy, access)
        raise ReaderError(getattr(exc, "errno", None) or errno.EIO, f"{path}: {exc}") from exc
    if not opened:
        raise ReaderError(errno.ENODEV, f"no reader on {path}")
    return clf


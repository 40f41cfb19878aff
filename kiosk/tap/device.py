"""Opening an nfcpy reader from an ``[nfc] device`` path, including ``auto`` and a loopback-only ``udp:``.

nfcpy's ``udp:`` driver binds its listening socket to 0.0.0.0, which would expose the simulated reader of a
demo or a test to the whole network. For a loopback host this module binds both of its sockets to that
loopback address instead; everything else is nfcpy's own driver, unchanged.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import platform
import socket

import nfc
import nfc.clf.udp

log = logging.getLogger(__name__)

# What `auto` tries, in order: any USB reader nfcpy knows, then a PN532 on the Pi's UART (ttyAMA0 on a Pi with
# the PL011 on the header, ttyS0 with the mini UART), then a PN532 behind a USB serial adapter.
AUTO_PATHS = ("usb", "tty:AMA0:pn532", "tty:S0:pn532", "tty:USB0:pn532")
DEFAULT_UDP = ("localhost", 54321)


class ReaderError(OSError):
    """No reader could be opened on the configured path."""


class LoopbackUdpDevice(nfc.clf.udp.Device):
    """nfcpy's UDP driver with both sockets bound to the (loopback) host instead of all interfaces."""

    def _bind_socket(self, time_to_return: float) -> bool:
        try:
            self.socket.bind((self.addr[0], self.addr[1]))
            return True
        except OSError as error:
            if error.errno == errno.EADDRINUSE:  # the peer listens on the port now: nfcpy's answer too
                return False
            raise

    def _send_data(self, brty, data, addr) -> None:
        if self.socket.getsockname()[1] == 0:  # as an initiator: bind before the first send picks 0.0.0.0
            self.socket.bind((self.addr[0], 0))
        super()._send_data(brty, data, addr)


def parse_udp(path: str) -> tuple[str, int]:
    """``udp[:host[:port]]`` -> (host, port), with nfcpy's defaults.

        >>> parse_udp("udp:127.0.0.1:54321"), parse_udp("udp")
        (('127.0.0.1', 54321), ('localhost', 54321))
    """
    parts = path.split(":")
    host = parts[1] if len(parts) > 1 and parts[1] else DEFAULT_UDP[0]
    port = int(parts[2]) if len(parts) > 2 and parts[2] else DEFAULT_UDP[1]
    return host, port


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


def open_frontend(path: str) -> nfc.ContactlessFrontend:
    """An open ContactlessFrontend on ``path`` (``auto`` tries :data:`AUTO_PATHS`); ReaderError if none opens."""
    if path == "auto":
        for candidate in AUTO_PATHS:
            try:
                return open_frontend(candidate)
            except ReaderError as exc:
                log.debug("nfc: auto: %s", exc)
        raise ReaderError(errno.ENODEV, "no reader found (tried " + ", ".join(AUTO_PATHS) + ")")
    if path.startswith("udp") and _is_loopback(parse_udp(path)[0]):
        host, port = parse_udp(path)
        device = LoopbackUdpDevice(host, port)
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


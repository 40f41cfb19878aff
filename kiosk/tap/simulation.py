"""The simulated reader behind every loopback ``udp:`` path: nfcpy's own udp driver with a real reader's timing.

nfcpy's ``udp`` driver carries NFC frames as datagrams between two nfcpy instances, one polling (a reader, a
phone) and one listening (a card, the kiosk's join tag). It has no notion of time: a poll with no card in the
field waits a whole second for an answer that never comes, and an answer comes back in microseconds. Neither is
what a reader does, so latency measured on it says nothing about a kiosk in a store. This driver keeps nfcpy's
frames and adds two things:

- **An empty field answers at once.** The polling socket is *connected* to the listening port, so when nothing
  listens there the kernel reports "port unreachable" on the next receive, and a listener of another technology
  (a FeliCa card asked for Type A) says :data:`SILENT` instead of keeping quiet. Either way the poll ends as a
  timeout after the time a real reader needs to find nothing (:class:`ReaderTiming`), never a second.
- **Every operation takes the reader's time**, from :class:`ReaderTiming` (figures and their sources:
  hardware/reader-timing.md). The model sleeps until an operation has taken at least that long, so the real
  work of the simulation (Python, loopback, another process) counts towards it rather than on top.

Both sockets bind to the loopback host, never to all interfaces. Only ``kiosk/tap/device.py`` opens this driver,
and only for a loopback ``udp:`` path: a demo, a test or a benchmark, never a reader in a store.

    >>> PN532_HSU.sense_miss_s("106A") > 0 and PN532_HSU.exchange_s("106A", 5, 16) > PN532_HSU.exchange_s("106A", 5, 2)
    True
"""

from __future__ import annotations

import errno
import select
import socket
import time
from binascii import unhexlify
from dataclasses import dataclass

import nfc.clf
import nfc.clf.udp

SILENT = b"SILENT"  # a listener's "no target of that technology here" (a real card just keeps quiet)
ACTIVATION_GRACE_S = 0.05  # a listener a poller has just found waits this long for its first command
UDP_ANSWER_S = 1.0  # how long the udp driver waits for a card that is in the field to answer (loopback under load)


@dataclass(frozen=True)
class ReaderTiming:
    """How long a reader takes for each operation; the figures are per host link and technology."""

    name: str
    link_byte_s: float  # host link: one byte (start bit, 8 data bits, stop bit at the link's baud rate)
    frame_bytes: int  # host link: bytes around every command (frame header and checksum, ACK, response frame)
    firmware_s: float  # the reader's own turnaround for one host command
    rf_byte_s: dict[str, float]  # on air, per byte of a frame, by technology
    rf_frame_s: dict[str, float]  # on air, per frame: start and end of frame, CRC, the card's frame delay time
    card_s: dict[str, float]  # the card's own processing of one command, by technology
    sense_miss_rf_s: dict[str, float]  # on air, what the reader waits for an answer before it knows nothing came
    sense_miss_commands: dict[str, int]  # host commands one empty poll of a technology takes (nfcpy's driver)
    activation_frames: dict[str, int]  # frames on air to activate a card of a technology (anticollision, select)
    listen_setup_commands: int  # host commands to switch into card mode (program the target registers)
    listen_setup_bytes: int  # their payload
    listen_poll_s: float  # in card mode nfcpy polls the reader's registers this often for a phone's command
    field_on_guard_s: float  # after card mode, the field is back on this long before the first poll

    def link_s(self, payload: int, commands: int = 1) -> float:
        """Host link and firmware time of ``commands`` commands carrying ``payload`` bytes in all."""
        return commands * (self.frame_bytes * self.link_byte_s + self.firmware_s) + payload * self.link_byte_s

    def sense_miss_s(self, brty: str) -> float:
        """An empty poll of one technology: nothing answered."""
        commands = self.sense_miss_commands[brty[-1]]
        return self.link_s(8 * commands, commands) + self.sense_miss_rf_s[brty[-1]]

    def activation_s(self, brty: str, uid_bytes: int) -> float:
        """A poll that found a card, up to the card selected (its identifier and answers back to the host)."""
        tech = brty[-1]
        frames = self.activation_frames[tech]
        return self.link_s(8 + uid_bytes + 8) + frames * self.rf_frame_s[tech] + 4 * frames * self.rf_byte_s[tech]

    def exchange_s(self, brty: str, sent: int, received: int) -> float:
        """One command to an activated card and its answer: host link both ways, air both ways, the card."""
        tech = brty[-1]
        air = 2 * self.rf_frame_s[tech] + (sent + received) * self.rf_byte_s[tech]
        return self.link_s(sent + received + 2) + air + self.card_s[tech]

    def field_off_s(self) -> float:
        return self.link_s(2)

    def listen_setup_s(self) -> float:
        return self.link_s(self.listen_setup_bytes, self.listen_setup_commands)


def _pn532(baud: int) -> ReaderTiming:
    return ReaderTiming(
        name=f"PN532 on a {baud} baud UART",
        link_byte_s=10 / baud,
        frame_bytes=9 + 6 + 9,  # command frame 00 00 FF LEN LCS D4 .. DCS 00, ACK 6, response frame D5 ..
        firmware_s=0.0005,
        rf_byte_s={"A": 9 / 106e3, "B": 10 / 106e3, "F": 8 / 212e3},  # parity bit at A, start/stop bits at B
        rf_frame_s={"A": 0.0003, "B": 0.0004, "F": 0.0004},
        card_s={"A": 0.0010, "B": 0.0030, "F": 0.0012},
        sense_miss_rf_s={"A": 2 * 0.0010, "B": 2 * 0.0010, "F": 0.0024 + 0.0012},
        sense_miss_commands={"A": 2, "B": 1, "F": 2},
        activation_frames={"A": 5, "B": 2, "F": 1},
        listen_setup_commands=2,
        listen_setup_bytes=2 + 3 * 27 + 3 * 11,
        listen_poll_s=0.010,
        field_on_guard_s=0.005,
    )


PN532_HSU = _pn532(921600)
"""A PN532 on the Raspberry Pi's PL011 UART, the reader hardware/nfc-readers.md wires: nfcpy raises the link to
921,600 baud when the port allows it."""

PN532_SLOW_UART = _pn532(115200)
"""The same PN532 where the link stays at 115,200 baud (the Pi's mini UART, most USB serial adapters)."""

DEFAULT_TIMING = PN532_HSU


class SimulatedDevice(nfc.clf.udp.Device):
    """nfcpy's udp driver bound to a loopback host, whose polls see an empty field at once, and which takes
    ``timing``'s time for what it does as a reader (None: no reader's time, as a card or an emulated phone
    whose own timing lives in the emulator)."""

    def __init__(self, host: str, port: int, timing: ReaderTiming | None = DEFAULT_TIMING) -> None:
        super().__init__(host, port)
        self.timing = timing
        self._listening_since: float | None = None
        self._selected = False  # as a Type A listener: the poller selected us (SEL_REQ) since the last listen
        self._field_off = False  # the last thing this reader did was card mode: its own field was off
        self.polled_at: float | None = None  # as a Type F listener: when a poller last found us (its activation)

    # Binding: the loopback host only.

    def _bind_socket(self, time_to_return: float) -> bool:
        try:
            self.socket.bind((self.addr[0], self.addr[1]))
            return True
        except OSError as error:
            if error.errno == errno.EADDRINUSE:  # someone else listens on the field now: nfcpy's answer too
                return False
            raise

    def _send_data(self, brty, data, addr) -> None:
        if self.socket.getsockname()[1] == 0:  # polling: bind to the loopback host, and hear when no one listens
            self.socket.bind((self.addr[0], 0))
            self.socket.connect(self.addr)
        try:
            super()._send_data(brty, data, addr)
        except ConnectionRefusedError:  # an earlier frame found no one: that report is spent, send this one
            super()._send_data(brty, data, addr)

    def _recv_data(self, timeout, *brty_list):
        """nfcpy's receive, except that an empty field or a listener of another technology ends it at once (as
        a timeout), and a listener tells a poller of another technology that it will not answer."""
        time_to_return = None if timeout is None else time.time() + timeout
        while time_to_return is None or time.time() < time_to_return:
            wait = None if time_to_return is None else max(0.0, time_to_return - time.time())
            if not select.select([self.socket], [], [], wait)[0]:
                break
            try:
                datagram, addr = self.socket.recvfrom(1024)
            except ConnectionRefusedError:
                raise nfc.clf.TimeoutError("no target in the field") from None
            if datagram.startswith(b"RFOFF"):
                raise nfc.clf.BrokenLinkError("RFOFF")
            if datagram == SILENT:
                raise nfc.clf.TimeoutError("no target of this technology")
            try:
                brty, data = datagram.split()
            except ValueError:
                raise nfc.clf.TransmissionError("no data") from None
            brty = brty.decode("ascii")
            if brty in brty_list:
                data = bytearray(unhexlify(data))
                self.rcvd_data += len(data)
                if data[:2] in (b"\x93\x70", b"\x95\x70", b"\x97\x70"):
                    self._selected = True
                return brty, data, addr
            if self._is_listener():
                self.socket.sendto(SILENT, addr)
        raise nfc.clf.TimeoutError("no data received")

    def _listen_tta(self, target, time_to_return, init=None):
        """nfcpy's Type A listen, except that a card not selected since it entered the field ignores commands
        (nfcpy's would take them as its activation): they were meant for the card the reader had before."""
        while True:
            self._selected = False
            found = super()._listen_tta(target, time_to_return, init)
            if found is None or self._selected:
                return found
            self.socket.sendto(SILENT, found._addr)  # so the reader times out as it would, not after a second
            init = None

    def _is_listener(self) -> bool:
        return self.socket.getsockname()[1] == self.addr[1]

    # The reader's time.

    def mute(self) -> None:
        was_on = self.socket is not None
        super().mute()
        if was_on and self.timing:
            time.sleep(self.timing.field_off_s())

    def sense_tta(self, target):
        return self._timed_sense(super().sense_tta, target)

    def sense_ttb(self, target):
        return self._timed_sense(super().sense_ttb, target)

    def sense_ttf(self, target):
        return self._timed_sense(super().sense_ttf, target)

    def _timed_sense(self, sense, target):
        if self.timing and self._field_off:  # a card in the field powers up before it can answer
            self._field_off = False
            time.sleep(self.timing.field_on_guard_s)
        started = time.monotonic()
        found = sense(target)
        if self.timing:
            if found is None:
                _sleep_until(started + self.timing.sense_miss_s(target.brty))
            else:
                uid = found.sdd_res or found.sensb_res or found.sensf_res or b""
                _sleep_until(started + self.timing.activation_s(target.brty, len(uid)))
        return found

    def send_cmd_recv_rsp(self, target, data, timeout):
        """One exchange with an activated card. The card emulator's answer may come late on a loaded machine,
        which a real card's would not: the wait for it is at least :data:`UDP_ANSWER_S`, and the time the
        exchange takes is the model's. A card that will not answer says so (:data:`SILENT`) or has left."""
        started = time.monotonic()
        try:
            response = super().send_cmd_recv_rsp(target, data, max(timeout or 0, UDP_ANSWER_S) if timeout else 0)
        except nfc.clf.TimeoutError:
            if self.timing:  # a real reader waits out the whole timeout before it gives up on the card
                _sleep_until(started + timeout)
            raise
        if self.timing:
            _sleep_until(started + self.timing.exchange_s(target.brty, len(data or b""), len(response or b"")))
        return response

    def listen_ttf(self, target, timeout):
        """Card mode: the time to switch the reader into it, then a phone's poll is seen on nfcpy's next look
        at the reader's registers."""
        started = time.monotonic()
        self._field_off = True
        if self.timing:
            time.sleep(self.timing.listen_setup_s())
        polling_from = time.monotonic()
        found = super().listen_ttf(target, max(0.0, started + timeout - polling_from))
        if self.timing and found is not None:
            self._listening_since = polling_from
            self._wait_for_register_poll()
        elif self.timing:
            _sleep_until(started + timeout)
        return found

    def _listen_ttf(self, target, time_to_return, init=None):
        """nfcpy's Type F listen, except that it ends on time (nfcpy's waits at least half a second) unless a
        poller has just found it: then the poller's first command, which follows at once, is still taken."""
        polled_at = None
        while True:
            deadline = time_to_return if polled_at is None else max(time_to_return, polled_at + ACTIVATION_GRACE_S)
            wait = deadline - time.time()
            if wait <= 0:
                return None
            try:
                brty, data, addr = self._recv_data(wait, target.brty)
            except nfc.clf.TimeoutError:
                return None
            except nfc.clf.CommunicationError:
                continue
            if not data or len(data) != data[0]:
                continue
            sensf_res = bytes(target.sensf_res)
            if data.startswith(b"\x06\x00"):  # SENSF_REQ: answer with the system code when asked for it
                system = data[2:4]
                if system not in (b"\xff\xff", sensf_res[17:19]):
                    continue
                answer = sensf_res[:17] + (sensf_res[17:19] if data[4] == 1 else b"")
                self._send_data(brty, bytes([len(answer) + 1]) + answer, addr)
                polled_at, sensf_req = time.time(), data[1:]
                self.polled_at = time.monotonic()
            elif polled_at is not None and data[2:10] == sensf_res[1:9]:
                return nfc.clf.LocalTarget(brty, _addr=addr, sensf_req=sensf_req, sensf_res=sensf_res,
                                           tt3_cmd=data[1:])

    def send_rsp_recv_cmd(self, target, data, timeout):
        if data is None and target._addr:  # a card that keeps silent: tell the poller rather than let it wait
            self.socket.sendto(SILENT, target._addr)
        command = super().send_rsp_recv_cmd(target, data, timeout)
        if self.timing and command is not None:
            self._wait_for_register_poll()
        return command

    def _wait_for_register_poll(self) -> None:
        """nfcpy drives the PN53x in card mode by reading its registers every ``listen_poll_s``."""
        if self._listening_since is None:
            return
        period = self.timing.listen_poll_s
        waited = time.monotonic() - self._listening_since
        _sleep_until(self._listening_since + period * (int(waited / period) + 1))


def _sleep_until(deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (the simulated reader refuses anything else).

        >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("192.0.2.1")
        (True, True, False)
    """
    import ipaddress

    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False

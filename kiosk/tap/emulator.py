"""The phone and card emulator behind ``kiosk tap``: real nfcpy on the ``udp:`` driver, on the tag's side.

A :class:`Card` is an ISO-DEP (Type 4A) target, which covers every kind of tap the kiosk knows: a loyalty card
with an NDEF member URI, a phone running the loyalty app (it answers SELECT of the program's AID), and a bare
tag that has neither. :func:`read_join_tag` is the other way round: a phone reading the kiosk's join tag.
The faults a test needs (garbage answers, a tag pulled away mid-read, a card that never finishes) are
options of the card, so they too travel through nfcpy and the kiosk's real reader::

    >>> card = member_card("M-1001")
    >>> card.ndef[:4].hex(), len(card.uid)
    ('d1011e55', 7)
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field

import nfc
import nfc.clf

from kiosk.tap.device import open_frontend
from kiosk.tap.ndef import NdefError, decode_uri, encode_external_record, encode_uri_record, parse_message
from kiosk.tap.type4 import CC_FILE, NDEF_AID

log = logging.getLogger(__name__)

DEFAULT_DEVICE = "udp:127.0.0.1:54321"
MEMBER_URI = "https://loyalty.example.com/m/{token}"  # matches the default [nfc] member_uri_pattern
NDEF_FILE = bytes.fromhex("E104")
# ATS: FSCI 8 (256-byte frames), FWI 9 (a frame waiting time of about 155 ms: loopback under load is slow).
ATS = bytes.fromhex("0578809002")
SW_OK, SW_NOT_FOUND, SW_INS_UNKNOWN = b"\x90\x00", b"\x6a\x82", b"\x6d\x00"
LISTEN_S = 0.5


@dataclass
class Card:
    """What the emulated tag holds and how it misbehaves (None/False: it behaves)."""

    uid: bytes
    app_aid: bytes | None = None
    app_answer: bytes | None = None  # the whole response to SELECT of app_aid, status word included
    ndef: bytes | None = None  # the message of its NDEF application; None: it has none
    ndef_length: int | None = None  # the NDEF length it claims, when it lies about it
    vanish_after: int | None = None  # leaves the field after answering this many commands
    stall: bool = False  # asks for more waiting time (S(WTX)) for ever instead of answering
    commands: int = field(default=0, init=False)


def member_card(token: str, uid: bytes | None = None, external_type: str | None = None) -> Card:
    """A loyalty card whose NDEF holds the member URI (or the program's external record)."""
    if external_type:
        message = encode_external_record(external_type, token.encode("ascii"))
    else:
        message = encode_uri_record(MEMBER_URI.format(token=token))
    return Card(uid or bytes.fromhex("04") + os.urandom(6), ndef=message)


def app_phone(token: str, aid: bytes) -> Card:
    """A phone running the loyalty app: a random UID on every tap, as Android host card emulation does."""
    return Card(b"\x08" + os.urandom(3), app_aid=aid, app_answer=token.encode("ascii") + SW_OK)


def bare_tag(uid: bytes) -> Card:
    """A tag with neither the app nor NDEF: only its UID identifies it."""
    if len(uid) not in (4, 7, 10):
        raise ValueError("a tag UID is 4, 7 or 10 bytes")
    return Card(uid)


class CardEmulator:
    """Presents a :class:`Card` to the reader at the other end of ``device`` (nfcpy ``udp:``)."""

    def __init__(self, card: Card, device: str = DEFAULT_DEVICE) -> None:
        self.card = card
        self.device = device
        self.activated_at: float | None = None  # time.monotonic() of the first activation by the reader
        self._selected: bytes | None = None
        self._ndef_app = False

    def present(self, hold_s: float = 0.3, wait_s: float = 30.0) -> bool:
        """Put the card on the reader until ``hold_s`` after the reader first activated it (so a long hold is a
        card left on the reader); give up after ``wait_s`` without activation. True when it was activated."""
        clf = open_frontend(self.device)
        try:
            give_up = time.monotonic() + wait_s
            leave = None
            while time.monotonic() < (leave or give_up):
                target = clf.listen(self._target(), LISTEN_S)
                if target is None:
                    time.sleep(0.01)  # the port is taken while the kiosk presents its own tag
                    continue
                if not (target.tt4_cmd or b"").startswith(b"\xe0"):
                    continue  # a stray frame meant for the previous card, not an activation (RATS) of this one
                if self.activated_at is None:
                    self.activated_at = time.monotonic()
                    leave = self.activated_at + hold_s
                if self._serve(clf, target, leave):
                    break
            return self.activated_at is not None
        finally:
            clf.close()

    def _target(self) -> nfc.clf.LocalTarget:
        sens_res = bytes.fromhex("0400" if len(self.card.uid) == 4 else "4400")
        return nfc.clf.LocalTarget("106A", sens_res=sens_res, sdd_res=self.card.uid, sel_res=b"\x20")

    def _serve(self, clf: nfc.ContactlessFrontend, target: nfc.clf.LocalTarget, leave: float) -> bool:
        """Answer the reader until ``leave``; True when the card has left the field for good."""
        command = bytes(target.tt4_cmd)
        self._selected, self._ndef_app = None, False
        while time.monotonic() < leave:
            response = self._respond(command)
            if response is None:
                return True  # vanished mid-read
            try:
                command = clf.exchange(response, max(0.01, leave - time.monotonic()))
            except nfc.clf.TimeoutError:
                return True
            except nfc.clf.CommunicationError:
                return False  # the reader switched its field off: still in the field, wait to be activated again
            if command is None:
                return False
            command = bytes(command)
        return True

    def _respond(self, command: bytes) -> bytes | None:
        card = self.card
        card.commands += 1
        if card.vanish_after is not None and card.commands > card.vanish_after:
            return None
        if not command:
            return b""
        pcb = command[0]
        if pcb == 0xE0:  # RATS
            return ATS
        if pcb & 0xF6 == 0xB2:  # R(NAK): nfcpy's presence check
            return bytes([0xA2 | (pcb & 1)])
        if pcb & 0xFE == 0xF2:  # the reader granted the waiting time we asked for
            time.sleep(0.05)
            return command
        if pcb & 0xE2 != 0x02:  # not an I-block: S(DESELECT) and the like
            return command[:1]
        if card.stall:
            return bytes([0xF2, 0x01])  # S(WTX): "not done yet", for ever
        return bytes([pcb & 0x03]) + self._apdu(command[1:])

    def _apdu(self, apdu: bytes) -> bytes:
        card = self.card
        if len(apdu) < 4:
            return SW_INS_UNKNOWN
        ins, p1 = apdu[1], apdu[2]
        body = apdu[5:5 + apdu[4]] if len(apdu) > 5 else b""
        if ins == 0xA4 and p1 == 0x04:
            if card.app_aid is not None and body == card.app_aid and card.app_answer is not None:
                return card.app_answer
            self._ndef_app = body == NDEF_AID and card.ndef is not None
            return SW_OK if self._ndef_app else SW_NOT_FOUND
        if ins == 0xA4 and p1 == 0x00 and self._ndef_app and body in (CC_FILE, NDEF_FILE):
            self._selected = body
            return SW_OK
        if ins == 0xB0 and self._selected is not None:
            content = self._cc() if self._selected == CC_FILE else self._ndef_file()
            offset, wanted = (apdu[2] << 8) | apdu[3], (apdu[4] if len(apdu) > 4 else 0) or 256
            return content[offset:offset + wanted] + SW_OK
        return SW_NOT_FOUND if ins == 0xA4 else SW_INS_UNKNOWN

    def _ndef_file(self) -> bytes:
        message = self.card.ndef or b""
        length = len(message) if self.card.ndef_length is None else self.card.ndef_length
        return length.to_bytes(2, "big") + message

    def _cc(self) -> bytes:
        size = min(0xFFFE, len(self._ndef_file()))
        return bytes.fromhex("000F 20 00F0 00FF 0406") + NDEF_FILE + size.to_bytes(2, "big") + b"\x00\xff"


def read_join_tag(device: str = DEFAULT_DEVICE, wait_s: float = 15.0) -> str | None:
    """Be a phone: read the kiosk's join tag over ``device`` and return its URL (None if none was read)."""
    clf = open_frontend(device)
    found: list[str] = []

    def on_connect(tag) -> bool:
        try:
            records = parse_message(tag.ndef.octets) if tag.ndef is not None else []
            found.extend(decode_uri(r.payload) for r in records if r.tnf == 1 and r.type == b"U")
        except NdefError as exc:
            log.warning("tap: the join tag's NDEF is not valid: %s", exc)
        return False  # done with it: no presence loop

    deadline = time.monotonic() + wait_s
    try:
        while not found and time.monotonic() < deadline:
            clf.connect(rdwr={"targets": ["212F"], "iterations": 1, "interval": 0.05, "beep-on-connect": False,
                              "on-connect": on_connect}, terminate=lambda: time.monotonic() > deadline)
    finally:
        clf.close()  # switches the "field" off: the kiosk sees the phone leave at once
    return found[0] if found else None

"""The phone and card emulator behind ``kiosk tap``: real nfcpy on the ``udp:`` driver, on the tag's side.

A :class:`Card` is one of the three tag types loyalty cards and phones come as: an ISO-DEP (Type 4A) target,
which covers a loyalty card with an NDEF member URI, a phone running the loyalty app (it answers SELECT of the
program's AID) and a bare tag; an NTAG213/215/216 (Type 2, the most common sticker and card chip); a FeliCa
Lite-S (Type 3). :func:`read_join_tag` is the other way round: a phone reading the kiosk's join tag. The faults
a test needs (garbage answers, a tag pulled away mid-read, a card that never finishes) are options of the card,
so they too travel through nfcpy and the kiosk's real reader::

    >>> card = member_card("M-1001")
    >>> card.ndef[:4].hex(), len(card.uid), card.type
    ('d1011d55', 7, 't4')
    >>> member_card("M-1001", type="t3").uid[:2].hex()
    '0114'
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field

import nfc
import nfc.clf
import nfc.tag
import nfc.tag.tt3

from kiosk.tap.card_memory import NTAGS, ntag_memory, type3_memory
from kiosk.tap.device import open_frontend
from kiosk.tap.ndef import NdefError, decode_uri, encode_external_record, encode_uri_record, parse_message
from kiosk.tap.type4 import CC_FILE, NDEF_AID

log = logging.getLogger(__name__)

DEFAULT_DEVICE = "udp:127.0.0.1:54321"
MEMBER_URI = "https://loyalty.example.com/m/{token}"  # matches the default [nfc] member_uri_pattern
TYPES = ("t2", "t3", "t4")
NDEF_FILE = bytes.fromhex("E104")
# ATS: FSCI 8 (256-byte frames), FWI 9 (a frame waiting time of about 155 ms: loopback under load is slow).
ATS = bytes.fromhex("0578809002")
SW_OK, SW_NOT_FOUND, SW_INS_UNKNOWN = b"\x90\x00", b"\x6a\x82", b"\x6d\x00"
NTAG_NAK = b"\x00"  # NTAG21x's 4-bit NAK for an invalid argument or command
SAK = {**{chip: 0x00 for chip in NTAGS}, "mifare_classic_1k": 0x08}  # Type A select answers: Type 2, MIFARE Classic
# FeliCa Lite-S: PMm with IC code F1 (nfcpy's FelicaLiteS), system code 12FC (NFC Forum Type 3 NDEF).
FELICA_PMM = bytes.fromhex("00F1000000014300")
NDEF_SYSTEM = bytes.fromhex("12FC")
PLAIN_SYSTEM = bytes.fromhex("88B4")  # a FeliCa Lite-S not formatted for NDEF answers with its own system code
NDEF_READ_SERVICE = 0x000B
LISTEN_S = 0.5
# A phone polls in a discovery loop: its NFC controller polls each technology, listens, and starts over. No
# published period was found for Android phones (hardware/reader-timing.md); half a second is the slow end.
PHONE_POLL_S = 0.5
RETRY_S = 0.002  # how soon a card tries the field again while the reader has it switched off (card mode)


@dataclass
class Card:
    """What the emulated tag holds and how it misbehaves (None/False: it behaves). ``type`` is ``t2`` (an
    NTAG21x, or a MIFARE Classic 1K whose memory no reader gets at without its keys: ``chip`` says which),
    ``t3`` (FeliCa Lite-S) or ``t4`` (ISO-DEP Type 4A)."""

    uid: bytes
    type: str = "t4"
    chip: str = "ntag215"
    app_aid: bytes | None = None  # t4 only
    app_answer: bytes | None = None  # the whole response to SELECT of app_aid, status word included
    ndef: bytes | None = None  # the NDEF message; None: it has none
    ndef_length: int | None = None  # the NDEF length it claims, when it lies about it
    vanish_after: int | None = None  # leaves the field after answering this many commands
    deaf: range = range(0)  # the commands (counted from 1) it misses, as a card at the edge of the field does
    stall: bool = False  # t4: asks for more waiting time (S(WTX)) for ever instead of answering
    commands: int = field(default=0, init=False)


def new_uid(type: str) -> bytes:
    """A random UID as the tag type has it: 7 bytes from NXP (04...) for Type 2 and 4A, an IDm for FeliCa."""
    return bytes.fromhex("0114") + os.urandom(6) if type == "t3" else bytes.fromhex("04") + os.urandom(6)


def member_card(token: str, uid: bytes | None = None, external_type: str | None = None, type: str = "t4",
                chip: str = "ntag215") -> Card:
    """A loyalty card whose NDEF holds the member URI (or the program's external record)."""
    if external_type:
        message = encode_external_record(external_type, token.encode("ascii"))
    else:
        message = encode_uri_record(MEMBER_URI.format(token=token))
    card = Card(uid or new_uid(type), type=type, chip=chip, ndef=message)
    _check(card)
    return card


def app_phone(token: str, aid: bytes) -> Card:
    """A phone running the loyalty app: a random UID on every tap, as Android host card emulation does."""
    return Card(b"\x08" + os.urandom(3), app_aid=aid, app_answer=token.encode("ascii") + SW_OK)


def bare_tag(uid: bytes, type: str = "t4", chip: str = "ntag215") -> Card:
    """A tag with neither the app nor NDEF: only its UID identifies it."""
    card = Card(uid, type=type, chip=chip)
    _check(card)
    return card


def _check(card: Card) -> None:
    """ValueError unless the card can exist: its type, chip and UID length."""
    if card.type not in TYPES:
        raise ValueError(f"a card type is one of {', '.join(TYPES)}")
    if card.type == "t3" and len(card.uid) != 8:
        raise ValueError("a FeliCa IDm is 8 bytes")
    if card.type == "t2":
        if card.chip not in SAK:
            raise ValueError(f"a Type A memory chip is one of {', '.join(SAK)}")
        if card.chip in NTAGS:
            ntag_memory(card.uid, card.ndef or b"", card.chip)  # the UID length, and whether the message fits
        elif card.ndef is not None or len(card.uid) not in (4, 7):
            raise ValueError("a MIFARE Classic card here has a 4 or 7-byte UID and no NDEF a reader can get at")
    if card.type == "t4" and len(card.uid) not in (4, 7, 10):
        raise ValueError("a tag UID is 4, 7 or 10 bytes")


class CardEmulator:
    """Presents a :class:`Card` to the reader at the other end of ``device`` (nfcpy ``udp:``).

    ``placed_at`` is when :meth:`present` put the card on the reader (the shopper's clock starts there, whether
    or not the reader's field is on at that moment); ``activated_at`` when the reader first selected it.
    """

    def __init__(self, card: Card, device: str = DEFAULT_DEVICE) -> None:
        _check(card)
        self.card = card
        self.device = device
        self.placed_at: float | None = None
        self.activated_at: float | None = None  # time.monotonic() of the first activation by the reader
        self._selected: bytes | None = None
        self._ndef_app = False
        is_ntag = card.type == "t2" and card.chip in NTAGS
        self._memory = ntag_memory(card.uid, card.ndef or b"", card.chip, card.ndef_length) if is_ntag else b""

    def present(self, hold_s: float = 0.3, wait_s: float = 30.0) -> bool:
        """Put the card on the reader until ``hold_s`` after the reader first activated it (so a long hold is a
        card left on the reader); give up after ``wait_s`` without activation. True when it was activated."""
        clf = open_frontend(self.device, timing=None)  # a card: the reader's time is the reader's side
        try:
            self.placed_at = time.monotonic()
            give_up = self.placed_at + wait_s
            leave = None
            while time.monotonic() < (leave or give_up):
                target = clf.listen(self._target(), LISTEN_S)
                if self.activated_at is None and (target is not None or self._polled(clf)):
                    self.activated_at = time.monotonic()
                    leave = self.activated_at + hold_s
                if target is None:
                    time.sleep(RETRY_S)  # the port is taken while the kiosk presents its own tag
                    continue
                if self._serve(clf, target, leave):
                    break
            return self.activated_at is not None
        finally:
            clf.close()

    def _polled(self, clf: nfc.ContactlessFrontend) -> bool:
        """A FeliCa card is activated once a reader has polled it: a reader that finds no NDEF system there
        sends it nothing more than its presence checks (more polls)."""
        return self.card.type == "t3" and getattr(clf.device, "polled_at", None) is not None

    def _target(self) -> nfc.clf.LocalTarget:
        uid = self.card.uid
        if self.card.type == "t3":
            system = PLAIN_SYSTEM if self.card.ndef is None else NDEF_SYSTEM
            return nfc.clf.LocalTarget("212F", sensf_res=b"\x01" + uid + FELICA_PMM + system)
        sens_res = bytes.fromhex("0400" if len(uid) == 4 else "4400")
        sel_res = bytes([SAK[self.card.chip] if self.card.type == "t2" else 0x20])
        return nfc.clf.LocalTarget("106A", sens_res=sens_res, sdd_res=uid, sel_res=sel_res)

    def _serve(self, clf: nfc.ContactlessFrontend, target: nfc.clf.LocalTarget, leave: float) -> bool:
        """Answer the reader until ``leave``; True when the card has left the field for good."""
        if self.card.type == "t3":
            return self._serve_type3(clf, target, leave)
        command = bytes(target.tt2_cmd if self.card.type == "t2" else target.tt4_cmd)
        respond = self._respond_type2 if self.card.type == "t2" else self._respond_type4
        self._selected, self._ndef_app = None, False
        while time.monotonic() < leave:
            if self._vanished():
                return True
            response = None if self.card.commands in self.card.deaf else respond(command)
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

    def _serve_type3(self, clf: nfc.ContactlessFrontend, target: nfc.clf.LocalTarget, leave: float) -> bool:
        emulation = nfc.tag.emulate(clf, target)
        memory = type3_memory(self.card.ndef, self.card.ndef_length) if self.card.ndef is not None else None

        def read_block(block: int, rb: bool, re: bool) -> bytes | None:
            if memory is None or 16 * block >= len(memory):
                return None  # the emulation answers "no such block"
            return memory[16 * block:16 * block + 16]

        emulation.add_service(NDEF_READ_SERVICE, read_block, None)
        command = emulation.cmd
        while time.monotonic() < leave:
            if self._vanished():
                return True
            try:
                response = None if self.card.commands in self.card.deaf else emulation.process_command(command)
                command = emulation.send_response(response, max(0.01, leave - time.monotonic()))
            except nfc.clf.TimeoutError:
                return True
            except nfc.clf.CommunicationError:
                return False
            if not command:
                return False
        return True

    def _vanished(self) -> bool:
        card = self.card
        card.commands += 1
        return card.vanish_after is not None and card.commands > card.vanish_after

    def _respond_type2(self, command: bytes) -> bytes | None:
        """NTAG21x: READ (four pages, rolling over at the end of memory), GET_VERSION; NAK for the rest (and for
        all of it on a MIFARE Classic, which answers nothing before an authentication)."""
        if command[:1] == b"\x60" and self.card.chip in NTAGS:
            return NTAGS[self.card.chip].version
        if command[:1] == b"\x30" and len(command) == 2:
            offset = 4 * command[1]
            if offset >= len(self._memory):
                return NTAG_NAK
            return (self._memory + self._memory)[offset:offset + 16]
        if command[:1] == b"\x50":  # HLTA: a halted tag keeps silent
            return None
        return NTAG_NAK

    def _respond_type4(self, command: bytes) -> bytes | None:
        card = self.card
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


def read_join_tag(device: str = DEFAULT_DEVICE, wait_s: float = 15.0, poll_s: float = PHONE_POLL_S) -> str | None:
    """Be a phone: poll for the kiosk's join tag every ``poll_s`` over ``device``, read it and return its URL
    (None if none was read within ``wait_s``)."""
    clf = open_frontend(device)  # the phone's NFC controller takes a reader's time too
    found: list[str] = []

    def on_connect(tag) -> bool:
        try:
            records = parse_message(tag.ndef.octets) if tag.ndef is not None else []
            found.extend(decode_uri(r.payload) for r in records if r.tnf == 1 and r.type == b"U")
        except NdefError as exc:
            log.warning("tap: the join tag's NDEF is not valid: %s", exc)
        return False  # done with it: no presence loop

    deadline = time.monotonic() + wait_s
    options = {"targets": ["212F"], "iterations": 1, "beep-on-connect": False, "on-connect": on_connect}
    try:
        while not found and time.monotonic() < deadline:
            poll_started = time.monotonic()
            passes = iter((False, True))  # connect() asks before each pass: one pass per poll
            clf.connect(rdwr=options, terminate=lambda passes=passes: next(passes, True))
            if not found:
                time.sleep(max(0.0, min(poll_started + poll_s, deadline) - time.monotonic()))
    finally:
        clf.close()  # switches the "field" off: the kiosk sees the phone leave at once
    return found[0] if found else None

"""Type 4 tags whose NDEF application is broken around the message (capability container, file selection, the
length field), read by the kiosk's reader through nfcpy's udp: driver: each is rejected with a reason, in the
test process (these paths were reached only by kiosk subprocesses before)."""

import re

import pytest

from kiosk.core.credential import Credential
from kiosk.core.messages import ReaderStatus, TapDetected, TapRejected
from kiosk.tap.emulator import NDEF_FILE, SW_NOT_FOUND, SW_OK, Card, CardEmulator, member_card
from kiosk.tap.extract import Rules
from kiosk.tap.reader import TapReader
from kiosk.tap.type4 import CC_FILE
from kiosk.tap.uid_secret import UidHasher
from tests.helpers import free_port, wait_for
from tests.test_tap_reader import OUTCOME_S

AID = bytes.fromhex("F04C4F59414C5459")
UID = bytes.fromhex("04A224B1C55E80")
MEMBER_URI = re.compile(r"^https://loyalty\.example\.com/m/(?P<token>[A-Za-z0-9._:-]{1,128})$")


class BrokenType4Card(CardEmulator):
    """The emulator's member card with one fault in the files of its NDEF application (the emulator's own options
    cover faults of the message inside)."""

    def __init__(self, fault: str, device: str) -> None:
        super().__init__(member_card("M-1001", uid=UID), device)
        self.fault = fault

    def _apdu(self, apdu: bytes) -> bytes:
        answer = super()._apdu(apdu)
        ins, p1, offset = apdu[1], apdu[2], (apdu[2] << 8) | apdu[3]
        body = apdu[5:5 + apdu[4]] if len(apdu) > 5 else b""
        selecting = ins == 0xA4 and p1 == 0x00
        reading = ins == 0xB0
        if self.fault == "no_capability_container" and selecting and body == CC_FILE:
            return SW_NOT_FOUND
        if self.fault == "short_capability_container" and reading and self._selected == CC_FILE:
            return answer[:10] + SW_OK
        if self.fault == "capability_container_version_1" and reading and self._selected == CC_FILE:
            return answer[:2] + b"\x10" + answer[3:]
        if self.fault == "ndef_file_does_not_select" and selecting and body == NDEF_FILE:
            return SW_NOT_FOUND
        if self.fault == "one_byte_length" and reading and self._selected == NDEF_FILE and offset == 0:
            return answer[:1] + SW_OK
        return answer


class Posted(list):
    """What the reader posted (list.append is atomic: the reader thread may call it)."""

    def __call__(self, message: object) -> None:
        self.append(message)


@pytest.fixture
def device() -> str:
    return f"udp:127.0.0.1:{free_port()}"


@pytest.fixture
def posted(device, tmp_path):
    messages = Posted()
    rules = Rules(MEMBER_URI, "loyalty.example.com:member", UidHasher(tmp_path).credential_value)
    reader = TapReader(device, rules, messages, app_aid=AID)
    reader.start()
    wait_for(lambda: any(isinstance(m, ReaderStatus) for m in messages), OUTCOME_S, "the reader to open")
    yield messages
    assert reader.stop(5.0), "the reader thread did not stop"


@pytest.mark.parametrize(("present", "reason"), [
    (lambda device: BrokenType4Card("no_capability_container", device), "ndef_malformed"),
    (lambda device: BrokenType4Card("short_capability_container", device), "ndef_malformed"),
    (lambda device: BrokenType4Card("capability_container_version_1", device), "ndef_malformed"),
    (lambda device: BrokenType4Card("ndef_file_does_not_select", device), "ndef_malformed"),
    (lambda device: BrokenType4Card("one_byte_length", device), "ndef_malformed"),
    (lambda device: CardEmulator(Card(UID, ndef=b"\xd1\x01\x01\x55\x00", ndef_length=9000), device),
     "ndef_oversized"),  # claims more than the kiosk reads at all, so it reads none of it
], ids=["no-cc", "short-cc", "cc-version-1", "ndef-file-missing", "one-byte-length", "claims-9000-bytes"])
def test_a_broken_type4_file_structure_is_rejected_and_reading_goes_on(posted, device, present, reason):
    assert present(device).present(hold_s=0.3, wait_s=15), "the reader never activated the card"
    wait_for(lambda: [m for m in posted if isinstance(m, TapRejected)], OUTCOME_S, "the rejection")
    assert [m.reason for m in posted if isinstance(m, TapRejected)] == [reason]
    assert CardEmulator(member_card("M-1003"), device).present(hold_s=0.3, wait_s=15)
    wait_for(lambda: [m for m in posted if isinstance(m, TapDetected)], OUTCOME_S, "the next good tap")
    assert [m.credential for m in posted if isinstance(m, TapDetected)] == [Credential("ndef", "M-1003")]


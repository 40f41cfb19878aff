"""The reader thread against nfcpy's own udp: driver: a real nfcpy card/phone emulator on one side, the kiosk's
reader on the other; every kind of tap, debounce, bad input, the watchdog and phone join."""

import logging
import re
import threading
import time

import pytest

from kiosk.core.credential import Credential
from kiosk.core.messages import ReaderStatus, TapDetected, TapRejected
from kiosk.tap.emulator import Card, CardEmulator, app_phone, bare_tag, member_card, read_join_tag
from kiosk.tap.extract import Rules
from kiosk.tap.ndef import encode_external_record, encode_uri_record
from kiosk.tap.reader import REMOVAL_GRACE_S, TapReader
from kiosk.tap.uid_secret import UidHasher
from tests.helpers import free_port, wait_for

AID = bytes.fromhex("F04C4F59414C5459")
MEMBER_URI = re.compile(r"^https://loyalty\.example\.com/m/(?P<token>[A-Za-z0-9._:-]{1,128})$")
RECORD_TYPE = "loyalty.example.com:member"
UID = bytes.fromhex("04A224B1C55E80")


class Posted:
    """What the reader posted, in order (the app's ``post`` stand-in: a plain thread-safe list)."""

    def __init__(self) -> None:
        self.messages: list[object] = []
        self._lock = threading.Lock()

    def __call__(self, message: object) -> None:
        with self._lock:
            self.messages.append(message)

    def of(self, kind: type) -> list:
        with self._lock:
            return [m for m in self.messages if isinstance(m, kind)]

    def taps(self) -> list[Credential]:
        return [m.credential for m in self.of(TapDetected)]

    def rejections(self) -> list[str]:
        return [m.reason for m in self.of(TapRejected)]


@pytest.fixture
def device() -> str:
    return f"udp:127.0.0.1:{free_port()}"


@pytest.fixture
def hasher(tmp_path) -> UidHasher:
    return UidHasher(tmp_path)


@pytest.fixture
def reader(device, hasher):
    posted = Posted()
    instance = TapReader(device, Rules(MEMBER_URI, RECORD_TYPE, hasher.credential_value), posted, app_aid=AID)
    instance.posted = posted
    instance.start()
    wait_for(lambda: posted.of(ReaderStatus), OUTCOME_S, "the reader to open")
    yield instance
    assert instance.stop(5.0), "the reader thread did not stop"


# A card left on the reader through a long read: a real reader takes some 300 ms for 3 KB, a loaded test machine
# can take over a second (a card that left early is a read_interrupted, not the fault under test).
LONG_READ_HOLD_S = 3.0
# How long a test waits for the reader's outcome: a passing wait ends at once, a loaded machine needs the slack.
OUTCOME_S = 30


def tap(device: str, card: Card, hold: float = 0.3) -> None:
    assert CardEmulator(card, device).present(hold_s=hold, wait_s=15), "the reader never activated the card"


def test_each_credential_kind_through_nfcpy(reader, device, hasher):
    tap(device, member_card("M-1001"))
    tap(device, member_card("M-1003", external_type=RECORD_TYPE))
    tap(device, app_phone("APP-7F3A9C", AID))
    tap(device, bare_tag(UID))
    wait_for(lambda: len(reader.posted.taps()) == 4, OUTCOME_S, "four taps")
    assert reader.posted.taps() == [Credential("ndef", "M-1001"), Credential("ndef", "M-1003"),
                                    Credential("app", "APP-7F3A9C"), Credential("uid", hasher.credential_value(UID))]
    assert reader.posted.of(ReaderStatus) == [ReaderStatus(True, None, True)]


def test_the_app_wins_over_ndef_and_a_foreign_aid_falls_through_to_ndef(reader, device):
    both = member_card("M-1001")
    both.app_aid, both.app_answer = AID, b"APP-1\x90\x00"
    tap(device, both)
    other_app = member_card("M-1003")
    other_app.app_aid, other_app.app_answer = bytes.fromhex("A0000000031010"), b"\x90\x00"  # not our program
    tap(device, other_app)
    wait_for(lambda: len(reader.posted.taps()) == 2, OUTCOME_S, "two taps")
    assert reader.posted.taps() == [Credential("app", "APP-1"), Credential("ndef", "M-1003")]


def test_a_phone_uid_changes_every_tap_but_the_app_token_does_not(reader, device):
    tap(device, app_phone("APP-7F3A9C", AID))
    # The grace runs from when the reader saw the phone go (its presence check timed out, up to ~0.3 s after
    # the phone left); sooner, the same credential counts as never removed (next test).
    time.sleep(REMOVAL_GRACE_S + 0.5)
    tap(device, app_phone("APP-7F3A9C", AID))
    wait_for(lambda: len(reader.posted.taps()) == 2, OUTCOME_S, "two taps")
    assert set(reader.posted.taps()) == {Credential("app", "APP-7F3A9C")}


def test_a_card_left_on_the_reader_fires_once_and_a_quick_second_card_is_a_new_tap(reader, device):
    tap(device, member_card("M-1001"), hold=3.0)
    tap(device, member_card("M-1003"))
    wait_for(lambda: len(reader.posted.taps()) == 2, OUTCOME_S, "the second card")
    assert reader.posted.taps() == [Credential("ndef", "M-1001"), Credential("ndef", "M-1003")]


def test_the_same_card_back_at_once_never_left_the_reader(reader, device):
    tap(device, member_card("M-1001"))
    tap(device, member_card("M-1001"))  # a presence check that failed while the card stayed put looks like this
    wait_for(lambda: reader.posted.taps(), OUTCOME_S, "the tap")
    time.sleep(REMOVAL_GRACE_S)
    assert reader.posted.taps() == [Credential("ndef", "M-1001")]


def test_the_raw_uid_never_leaves_the_reader(reader, device, caplog):
    caplog.set_level(logging.DEBUG)
    tap(device, bare_tag(UID))
    wait_for(lambda: reader.posted.taps(), OUTCOME_S, "the tap")
    (credential,) = reader.posted.taps()
    assert credential.kind == "uid" and len(credential.value) == 64
    kiosk_logs = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("kiosk"))
    for text in (repr(reader.posted.messages), credential.value, kiosk_logs):
        assert UID.hex() not in text.lower()


@pytest.mark.parametrize(("card", "reason"), [
    (Card(UID, ndef=b"\xd1\x01\x30\x55\x04short"), "ndef_malformed"),  # a record longer than the message
    (Card(UID, ndef=encode_uri_record("https://loyalty.example.com/m/M-1001"), ndef_length=200), "ndef_malformed"),
    (Card(UID, ndef=bytes([0xC1, 0x01, 0, 0, 0x0B, 0xB8, 0x55, 0x04]) + b"x" * 3000), "ndef_oversized"),
    (Card(UID, ndef=encode_external_record(RECORD_TYPE, b"M 1001; DROP")), "ndef_bad_token"),
    (Card(UID, app_aid=AID, app_answer=b"\x01"), "app_bad_answer"),
    (Card(UID, app_aid=AID, app_answer=b"\xff\xfe\x00\x90\x00"), "app_bad_answer"),
    (Card(UID, app_aid=AID, app_answer=b"\x6f\x00"), "app_error_status"),
    (Card(UID, ndef=encode_uri_record("https://loyalty.example.com/m/M-1001"), vanish_after=5), "read_interrupted"),
], ids=["truncated-record", "lying-length", "oversized-file", "bad-token", "app-one-byte", "app-garbage",
        "app-error-sw", "vanishes-mid-read"])
def test_bad_input_is_rejected_with_a_reason_and_reading_goes_on(reader, device, card, reason):
    tap(device, card, hold=LONG_READ_HOLD_S)
    wait_for(lambda: reader.posted.rejections(), OUTCOME_S, "the rejection")
    assert reader.posted.rejections() == [reason]
    tap(device, member_card("M-1001"))
    wait_for(lambda: reader.posted.taps(), OUTCOME_S, "the next good tap")
    assert reader.posted.taps() == [Credential("ndef", "M-1001")]


def test_watchdog_closes_a_stalled_reader_and_reopens_within_5_s(reader, device):
    stalled = threading.Thread(target=CardEmulator(Card(UID, app_aid=AID, stall=True), device).present,
                               kwargs={"hold_s": 6.0, "wait_s": 15})
    stalled.start()
    wait_for(lambda: any(not s.ok for s in reader.posted.of(ReaderStatus)), 15, "the watchdog to see the stall")
    down_at = time.monotonic()
    stalled.join()
    wait_for(lambda: reader.posted.of(ReaderStatus)[-1].ok, 5, "the reader to reopen")
    assert time.monotonic() - down_at < 5 + 6  # the stalling card may hold the port for the rest of its 6 s
    tap(device, member_card("M-1001"))
    wait_for(lambda: reader.posted.taps(), OUTCOME_S, "a tap after the reopen")
    statuses = [s.ok for s in reader.posted.of(ReaderStatus)]
    assert statuses[0] is True and False in statuses and statuses[-1] is True


def test_the_peer_disappearing_mid_read_and_coming_back(reader, device):
    tap(device, Card(UID, ndef=encode_uri_record("https://loyalty.example.com/m/M-1001"), vanish_after=3))
    started = time.monotonic()
    tap(device, member_card("M-1001"))
    wait_for(lambda: reader.posted.taps(), 5, "the reader to read the peer that came back")
    assert time.monotonic() - started < 5
    assert reader.posted.rejections() == ["read_interrupted"]


def test_a_reader_that_is_not_there_is_reported_and_retried(hasher):
    posted = Posted()
    missing = TapReader("tty:KIOSKTEST0:pn532", Rules(MEMBER_URI, RECORD_TYPE, hasher.credential_value), posted,
                        app_aid=AID)
    missing.start()
    try:
        wait_for(lambda: posted.of(ReaderStatus), OUTCOME_S, "a status")
        (status,) = posted.of(ReaderStatus)
        assert not status.ok and "tty:KIOSKTEST0:pn532" in status.error
    finally:
        assert missing.stop(5.0)


def test_a_phone_reads_the_join_tag(reader, device):
    reader.set_join_url("tok-123", "https://loyalty.example.com/join?s=tok-123")
    assert read_join_tag(device, wait_s=15) == "https://loyalty.example.com/join?s=tok-123"
    wait_for(lambda: reader.posted.taps(), OUTCOME_S, "the phone join")
    assert reader.posted.of(TapDetected)[0].credential == Credential("phone_join", "tok-123")
    assert reader.posted.of(TapDetected)[0].source == "nfc-join"


def test_no_join_url_no_join_tag(reader, device):
    reader.set_join_url(None, None)
    assert read_join_tag(device, wait_s=3) is None
    assert reader.posted.taps() == []

"""Every common card type through the simulated reader (nfcpy's udp: driver with a PN532's timing) and the kiosk's
real reader thread: NTAG213/215/216 (Type 2), FeliCa Lite-S (Type 3) and ISO-DEP (Type 4A) member cards read end
to end; a card pulled away mid-read, or one that misses commands at the edge of the field, asks for the tap again."""

import pytest

from kiosk.core.credential import Credential
from kiosk.core.messages import TapDetected
from kiosk.tap.emulator import CardEmulator, bare_tag, member_card, new_uid
from kiosk.tap.reader import TARGETS
from tests import test_tap_reader as base
from tests.helpers import wait_for
from tests.test_tap_reader import LONG_READ_HOLD_S, OUTCOME_S, RECORD_TYPE, tap

device, hasher, reader = base.device, base.hasher, base.reader  # the same fixtures: nfcpy's udp: on both sides

CARDS = [("t2", "ntag213"), ("t2", "ntag215"), ("t2", "ntag216"), ("t3", None), ("t4", None)]
IDS = ["ntag213", "ntag215", "ntag216", "felica", "type4a"]


def card_of(kind, chip, token="M-1001", **faults):
    card = member_card(token, type=kind, **({"chip": chip} if chip else {}))
    for name, value in faults.items():
        setattr(card, name, value)
    return card


def test_the_reader_polls_what_a_real_one_does():
    assert TARGETS == ["106A", "106B", "212F"]


@pytest.mark.parametrize(("kind", "chip"), CARDS, ids=IDS)
def test_a_member_card_of_each_type_is_read_end_to_end(reader, device, kind, chip):
    tap(device, card_of(kind, chip))
    tap(device, member_card("M-1003", external_type=RECORD_TYPE, type=kind, **({"chip": chip} if chip else {})))
    wait_for(lambda: len(reader.posted.taps()) == 2, OUTCOME_S, "two taps")
    assert reader.posted.taps() == [Credential("ndef", "M-1001"), Credential("ndef", "M-1003")]
    assert {m.source for m in reader.posted.of(TapDetected)} == {"nfc"}


@pytest.mark.parametrize("kind", ["t2", "t3", "t4"])
def test_a_bare_tag_of_each_type_is_its_uid(reader, device, hasher, kind):
    uid = new_uid(kind)
    tap(device, bare_tag(uid, type=kind))
    wait_for(lambda: reader.posted.taps(), OUTCOME_S, "the tap")
    assert reader.posted.taps() == [Credential("uid", hasher.credential_value(uid))]


def test_a_mifare_classic_card_is_its_uid(reader, device, hasher):
    """nfcpy activates MIFARE Classic as a Type 2 tag, whose READ it refuses without keys: not a broken tag."""
    uid = bytes.fromhex("04A224B1")
    tap(device, bare_tag(uid, type="t2", chip="mifare_classic_1k"))
    wait_for(lambda: reader.posted.taps() or reader.posted.rejections(), OUTCOME_S, "the tap")
    assert reader.posted.taps() == [Credential("uid", hasher.credential_value(uid))]


# Commands each type answers before its NDEF read is half done: Type 2 (nfcpy's NXP probe, GET_VERSION, the
# capability page), Type 3 (the attribute block), Type 4 (RATS, SELECTs, the capability container).
MID_READ = {"t2": 3, "t3": 1, "t4": 5}


@pytest.mark.parametrize(("kind", "chip"), CARDS, ids=IDS)
def test_a_card_pulled_away_mid_read_asks_for_the_tap_again(reader, device, kind, chip):
    tap(device, card_of(kind, chip, vanish_after=MID_READ[kind]))
    wait_for(lambda: reader.posted.rejections(), OUTCOME_S, "the rejection")
    assert reader.posted.rejections() == ["read_interrupted"] and reader.posted.taps() == []
    tap(device, card_of(kind, chip, token="M-1003"))
    wait_for(lambda: reader.posted.taps(), OUTCOME_S, "the next tap")
    assert reader.posted.taps() == [Credential("ndef", "M-1003")]


@pytest.mark.parametrize("kind", ["t2", "t3"])
def test_a_failed_ndef_read_of_a_card_still_there_is_not_a_bare_uid(reader, device, kind):
    """nfcpy answers "no NDEF" for a read that failed; the card, still on the reader, then passed for a bare tag
    and its member was greeted as a new face (issue 10, item 4)."""
    first_data_read = MID_READ[kind] + 1
    tap(device, card_of(kind, None, deaf=range(first_data_read, first_data_read + 3)), hold=1.0)
    wait_for(lambda: reader.posted.rejections() or reader.posted.taps(), OUTCOME_S, "the outcome")
    assert reader.posted.taps() == [] and reader.posted.rejections() == ["read_interrupted"]


@pytest.mark.parametrize(("kind", "claimed", "reason"), [
    ("t2", 30, "ndef_malformed"),  # zeros after the message
    ("t2", 600, "ndef_malformed"),  # beyond the NTAG215's data area
    ("t2", 9000, "ndef_oversized"),
    ("t3", 200, "ndef_malformed"),  # beyond the NDEF area the attribute block declares
    ("t3", 9000, "ndef_oversized"),
], ids=["t2-zeros", "t2-beyond-memory", "t2-oversized", "t3-beyond-area", "t3-oversized"])
def test_a_card_that_lies_about_its_ndef_length_is_rejected_and_reading_goes_on(reader, device, kind, claimed,
                                                                                reason):
    tap(device, card_of(kind, None, ndef_length=claimed), hold=LONG_READ_HOLD_S)
    wait_for(lambda: reader.posted.rejections(), OUTCOME_S, "the rejection")
    assert reader.posted.rejections() == [reason] and reader.posted.taps() == []
    tap(device, card_of(kind, None, token="M-1003"))
    wait_for(lambda: reader.posted.taps(), OUTCOME_S, "the next tap")
    assert reader.posted.taps() == [Credential("ndef", "M-1003")]


def test_impossible_cards_are_refused_before_they_are_presented():
    with pytest.raises(ValueError, match="7 bytes"):
        bare_tag(bytes.fromhex("04A224B1"), type="t2")
    with pytest.raises(ValueError, match="8 bytes"):
        bare_tag(bytes.fromhex("04A224B1C55E80"), type="t3")
    with pytest.raises(ValueError, match="does not fit"):
        member_card("M-" + "1" * 120, type="t2", chip="ntag213")  # a 150-byte URI in 144 bytes of memory
    with pytest.raises(ValueError, match="card type"):
        CardEmulator(bare_tag(new_uid("t4"), type="t5"))

"""The credential parser on its own: known cases, then hypothesis throwing thousands of tags at it."""

import re

import ndef
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.credential import Credential
from kiosk.tap.extract import REASONS, Rejected, Rules, TagRead, extract
from kiosk.tap.ndef import MAX_PAYLOAD, NdefError, encode_external_record, encode_uri_record, parse_message

RULES = Rules(re.compile(r"^https://loyalty\.example\.com/m/(?P<token>[A-Za-z0-9._:-]{1,128})$"),
              "loyalty.example.com:member", hash_uid=lambda uid: "u" + uid.hex())
UID = bytes.fromhex("04A224B1C55E80")


def test_order_app_then_ndef_then_uid():
    card = encode_uri_record("https://loyalty.example.com/m/M-1")
    assert extract(TagRead(UID, b"APP-1\x90\x00", card), RULES) == Credential("app", "APP-1")
    assert extract(TagRead(UID, b"\x6a\x82", card), RULES) == Credential("ndef", "M-1")
    assert extract(TagRead(UID, None, encode_uri_record("https://shop.example.com/")), RULES).kind == "uid"
    assert extract(TagRead(UID), RULES) == Credential("uid", "u" + UID.hex())


def test_external_record_type_is_case_insensitive_and_matches_ndeflib():
    ours = encode_external_record("Loyalty.Example.com:member", b"M-7")
    theirs = b"".join(ndef.message_encoder([ndef.Record("urn:nfc:ext:loyalty.example.com:member", "", b"M-7")]))
    assert extract(TagRead(UID, ndef=ours), RULES) == extract(TagRead(UID, ndef=theirs), RULES) == Credential(
        "ndef", "M-7")


def test_uri_record_round_trips_with_ndeflib():
    uri = "https://loyalty.example.com/m/M-1001"
    assert encode_uri_record(uri) == b"".join(ndef.message_encoder([ndef.UriRecord(uri)]))


def test_rejections():
    assert extract(TagRead(UID, b"\x90"), RULES) == Rejected("app_bad_answer")
    assert extract(TagRead(UID, b"\x63\x00"), RULES) == Rejected("app_error_status")
    assert extract(TagRead(UID, b"bad token\x90\x00"), RULES) == Rejected("app_bad_answer")
    assert extract(TagRead(UID, ndef=b"\xd1\x01"), RULES) == Rejected("ndef_malformed")
    big = bytes([0xC1, 1, 0, 0, 0x10, 0, 0x55]) + b"x" * 4096
    assert extract(TagRead(UID, ndef=big), RULES) == Rejected("ndef_oversized")
    assert extract(TagRead(b"\x01\x02"), RULES) == Rejected("bad_uid")


def test_a_trailing_newline_is_no_token():
    assert extract(TagRead(UID, b"APP-1\n\x90\x00"), RULES) == Rejected("app_bad_answer")


def test_tag_read_repr_hides_the_uid():
    assert UID.hex() not in repr(TagRead(UID)).lower()


def _check(outcome):
    assert isinstance(outcome, Credential | Rejected)
    if isinstance(outcome, Rejected):
        assert outcome.reason in REASONS


@settings(max_examples=3000, deadline=None)
@given(uid=st.binary(max_size=12), app=st.none() | st.binary(max_size=300), message=st.none() | st.binary(max_size=600))
def test_fuzz_any_bytes_give_a_credential_or_a_reason(uid, app, message):
    _check(extract(TagRead(uid, app, message), RULES))


_header = st.integers(0, 255)
_record = st.builds(lambda h, t, p, i: bytes([h, len(t)]) + (bytes([len(p)]) if h & 0x10 else len(p).to_bytes(4, "big"))
                    + (bytes([len(i)]) if h & 0x08 else b"") + t + (i if h & 0x08 else b"") + p,
                    _header, st.binary(max_size=40), st.binary(max_size=300), st.binary(max_size=8))


@settings(max_examples=3000, deadline=None)
@given(records=st.lists(_record, min_size=1, max_size=5), cut=st.integers(0, 50))
def test_fuzz_near_valid_ndef(records, cut):
    """Structured records with random flags and lengths, whole or truncated: the parser never crashes."""
    message = b"".join(records)
    for data in (message, message[:max(0, len(message) - cut)]):
        try:
            parsed = parse_message(data)
            assert all(len(r.payload) <= MAX_PAYLOAD for r in parsed)
        except NdefError as exc:
            assert exc.reason in ("malformed", "oversized")
        _check(extract(TagRead(UID, ndef=data), RULES))


@settings(max_examples=1000, deadline=None)
@given(token=st.text(max_size=140))
def test_fuzz_member_tokens(token):
    uri = "https://loyalty.example.com/m/" + token
    outcome = extract(TagRead(UID, ndef=encode_uri_record(uri)), RULES)
    _check(outcome)
    if isinstance(outcome, Credential) and outcome.kind == "ndef":
        assert outcome.value == token

"""What a tag says -> one credential or a rejection reason (docs/architecture.md). Pure: no nfcpy, no I/O.

The reader collects the raw answers of a tag into a :class:`TagRead`; :func:`extract` decides, in order:
``app`` (the loyalty app answered SELECT of the program's AID), ``ndef`` (a member URI or the program's
external record), else ``uid`` (HMAC of the UID; the raw UID never leaves this function)::

    >>> import re
    >>> rules = Rules(re.compile(r"^https://loyalty\\.example\\.com/m/(?P<token>[^/?#]+)$"),
    ...               "kiosk.loyalty:member", hash_uid=lambda uid: "h" + uid.hex())
    >>> extract(TagRead(uid=b"\\x04\\x01", app_response=b"APP-1\\x90\\x00"), rules)
    Credential(kind='app', value='APP-1')
    >>> extract(TagRead(uid=b"\\x04\\x01", app_response=b"\\x6f\\x00"), rules)
    Rejected(reason='app_error_status')
    >>> extract(TagRead(uid=b"\\x04\\x01\\x02\\x03"), rules)
    Credential(kind='uid', value='h04010203')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.core.credential import Credential
from kiosk.tap.ndef import TNF_EXTERNAL, TNF_WELL_KNOWN, NdefError, decode_uri, parse_message

SW_OK = b"\x90\x00"
# "No such application here" answers: a card or a phone without the loyalty app; go on to NDEF and the UID.
SW_NOT_OURS = frozenset({b"\x6a\x82", b"\x6a\x81", b"\x6d\x00", b"\x6e\x00"})
MAX_UID = 10  # ISO 14443 UIDs are 4, 7 or 10 bytes; FeliCa IDm is 8

REASONS = (
    "app_error_status",  # the app answered SELECT with an error status word
    "app_bad_answer",  # the app's answer is not a status word, or its token is not a token
    "ndef_malformed",
    "ndef_oversized",
    "ndef_bad_token",  # a member URI or record whose token is not a token
    "bad_uid",
    "read_interrupted",  # the tag went away (or stopped answering) in the middle of the read
)


@dataclass(frozen=True)
class TagRead:
    """The raw answers of one tag: its UID, the app's answer to SELECT AID (with status word) and its NDEF."""

    uid: bytes
    app_response: bytes | None = None
    ndef: bytes | None = None

    def __repr__(self) -> str:  # never the raw UID, not even in a traceback or a debug log
        return f"TagRead(uid=<{len(self.uid)} bytes>, app_response={self.app_response!r}, ndef={self.ndef!r})"


@dataclass(frozen=True)
class Rejected:
    reason: str


@dataclass(frozen=True)
class Rules:
    """How this kiosk's program recognises its members: from ``[nfc]`` settings, plus the UID hasher."""

    member_uri: re.Pattern[str]
    member_record_type: str
    hash_uid: Callable[[bytes], str]


def app_answered(read: TagRead) -> bool:
    """Whether the app's answer settles the tap (so the reader need not read the NDEF as well)."""
    return read.app_response is not None and read.app_response[-2:] not in SW_NOT_OURS


def extract(read: TagRead, rules: Rules) -> Credential | Rejected:
    """The credential of a tag, or why it was refused; never raises for any bytes in ``read``."""
    if app_answered(read):
        return _from_app(read.app_response)
    if read.ndef:
        try:
            records = parse_message(read.ndef)
        except NdefError as exc:
            return Rejected(f"ndef_{exc.reason}")
        found = _from_ndef(records, rules)
        if found is not None:
            return found
    if not 4 <= len(read.uid) <= MAX_UID:
        return Rejected("bad_uid")
    return Credential("uid", rules.hash_uid(bytes(read.uid)))


def _from_app(response: bytes) -> Credential | Rejected:
    if len(response) < 2:
        return Rejected("app_bad_answer")
    if response[-2:] != SW_OK:
        return Rejected("app_error_status")
    return _token("app", response[:-2], "app_bad_answer")


def _from_ndef(records: list, rules: Rules) -> Credential | Rejected | None:
    """The first member record of the message; None when it holds none (then the UID counts)."""
    wanted_type = rules.member_record_type.lower().encode("ascii")
    for record in records:
        if record.tnf == TNF_EXTERNAL and record.type.lower() == wanted_type:
            return _token("ndef", record.payload, "ndef_bad_token")
        if record.tnf == TNF_WELL_KNOWN and record.type == b"U":
            try:
                uri = decode_uri(record.payload)
            except NdefError:
                return Rejected("ndef_malformed")
            match = rules.member_uri.fullmatch(uri)  # "$" alone would let "…\n" through
            if match:
                return _token("ndef", (match.group("token") or "").encode("utf-8"), "ndef_bad_token")
    return None


def _token(kind: str, raw: bytes, reason: str) -> Credential | Rejected:
    try:
        return Credential(kind, raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return Rejected(reason)

"""A strict, bounded NDEF message parser: bytes from a tag in, records or an :class:`NdefError` out.

Tags are untrusted input, so this parser checks every length against the bytes that are really there, caps
sizes and never raises anything but :class:`NdefError` (it is fuzzed with hypothesis)::

    >>> message = bytes([0xD1, 0x01, 0x0D, 0x55, 0x04]) + b"example.com/"
    >>> [(r.tnf, r.type, decode_uri(r.payload)) for r in parse_message(message)]
    [(1, b'U', 'https://example.com/')]
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.exc import NdefError

MAX_MESSAGE = 8192  # bytes; a member card needs well under 100
MAX_RECORDS = 16
MAX_PAYLOAD = 2048

TNF_EMPTY, TNF_WELL_KNOWN, TNF_MEDIA, TNF_URI, TNF_EXTERNAL, TNF_UNKNOWN, TNF_UNCHANGED = range(7)

# NFC Forum URI Record Type Definition, table 3: the abbreviations of the first payload byte.
URI_PREFIXES = (
    "", "http://www.", "https://www.", "http://", "https://", "tel:", "mailto:", "ftp://anonymous:anonymous@",
    "ftp://ftp.", "ftps://", "sftp://", "smb://", "nfs://", "ftp://", "dav://", "news:", "telnet://", "imap:",
    "rtsp://", "urn:", "pop:", "sip:", "sips:", "tftp:", "btspp://", "btl2cap://", "btgoep://", "tcpobex://",
    "irdaobex://", "file://", "urn:epc:id:", "urn:epc:tag:", "urn:epc:pat:", "urn:epc:raw:", "urn:epc:",
    "urn:nfc:",
)


@dataclass(frozen=True)
class Record:
    tnf: int
    type: bytes
    id: bytes
    payload: bytes


def parse_message(data: bytes) -> list[Record]:
    """The records of one complete NDEF message (chunked records are refused: no member card uses them)."""
    if len(data) > MAX_MESSAGE:
        raise NdefError("oversized", f"message of {len(data)} bytes (at most {MAX_MESSAGE})")
    records: list[Record] = []
    offset = 0
    while True:
        if len(records) == MAX_RECORDS:
            raise NdefError("oversized", f"more than {MAX_RECORDS} records")
        record, offset, last = _parse_record(data, offset, first=not records)
        records.append(record)
        if last:
            break
    if offset != len(data):
        raise NdefError("malformed", f"{len(data) - offset} bytes after the last record")
    return records


def _parse_record(data: bytes, offset: int, first: bool) -> tuple[Record, int, bool]:
    header = _take(data, offset, 1)[0]
    offset += 1
    mb, me, cf, sr, il, tnf = header & 0x80, header & 0x40, header & 0x20, header & 0x10, header & 0x08, header & 7
    if bool(mb) != first:
        raise NdefError("malformed", "message-begin flag out of place")
    if cf:
        raise NdefError("malformed", "chunked records are not supported")
    if tnf == TNF_UNCHANGED or tnf > TNF_UNCHANGED:
        raise NdefError("malformed", f"type name format {tnf} outside a chunk")
    type_length = _take(data, offset, 1)[0]
    offset += 1
    length_size = 1 if sr else 4
    payload_length = int.from_bytes(_take(data, offset, length_size), "big")
    offset += length_size
    id_length = 0
    if il:
        id_length = _take(data, offset, 1)[0]
        offset += 1
    if payload_length > MAX_PAYLOAD:
        raise NdefError("oversized", f"record payload of {payload_length} bytes (at most {MAX_PAYLOAD})")
    if tnf == TNF_EMPTY and (type_length or id_length or payload_length):
        raise NdefError("malformed", "an empty record with a type, id or payload")
    if tnf in (TNF_WELL_KNOWN, TNF_MEDIA, TNF_URI, TNF_EXTERNAL) and not type_length:
        raise NdefError("malformed", f"type name format {tnf} without a type")
    if tnf == TNF_UNKNOWN and type_length:
        raise NdefError("malformed", "an unknown-type record with a type")
    type_ = _take(data, offset, type_length)
    offset += type_length
    id_ = _take(data, offset, id_length)
    offset += id_length
    payload = _take(data, offset, payload_length)
    offset += payload_length
    return Record(tnf, type_, id_, payload), offset, bool(me)


def _take(data: bytes, offset: int, length: int) -> bytes:
    if offset + length > len(data):
        raise NdefError("malformed", f"truncated: {length} bytes wanted at offset {offset} of {len(data)}")
    return bytes(data[offset:offset + length])


def decode_uri(payload: bytes) -> str:
    """The URI of a well-known ``U`` record's payload.

        >>> decode_uri(b"\\x04loyalty.example.com/m/M-1001")
        'https://loyalty.example.com/m/M-1001'
    """
    if not payload:
        raise NdefError("malformed", "an empty URI record")
    if payload[0] >= len(URI_PREFIXES):
        raise NdefError("malformed", f"URI prefix code {payload[0]} is reserved")
    try:
        rest = payload[1:].decode("utf-8")
    except UnicodeDecodeError:
        raise NdefError("malformed", "a URI that is not UTF-8") from None
    return URI_PREFIXES[payload[0]] + rest


def encode_uri_record(uri: str) -> bytes:
    """One short well-known URI record as a whole message (the kiosk's join tag, the tap emulator's card).

        >>> parse_message(encode_uri_record("https://example.com/j/abc"))[0].payload[0]
        4
    """
    code = max((i for i, prefix in enumerate(URI_PREFIXES) if prefix and uri.startswith(prefix)),
               key=lambda i: len(URI_PREFIXES[i]), default=0)
    payload = bytes([code]) + uri[len(URI_PREFIXES[code]):].encode("utf-8")
    return _short_record(TNF_WELL_KNOWN, b"U", payload)


def encode_external_record(type_name: str, payload: bytes) -> bytes:
    """One external-type record (``domain:type``) as a whole message."""
    return _short_record(TNF_EXTERNAL, type_name.encode("ascii"), payload)


def _short_record(tnf: int, type_: bytes, payload: bytes) -> bytes:
    if len(payload) > 255:
        return bytes([0xC0 | tnf, len(type_)]) + len(payload).to_bytes(4, "big") + type_ + payload
    return bytes([0xD0 | tnf, len(type_), len(payload)]) + type_ + payload

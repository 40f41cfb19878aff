"""Reading the NDEF file of a Type 4 tag with hard limits, over nfcpy's ISO-DEP ``send_apdu``.

nfcpy's own Type 4 NDEF reader loops for as long as a card answers READ BINARY with no data, and reads
whatever length the card claims; a phone or card is untrusted input, so the kiosk reads it itself: every
length is checked, the message is capped, and a card that answers nonsense gets :class:`NdefReadError`.
"""

from __future__ import annotations

import struct

import nfc.tag.tt4

from kiosk.exc import NdefReadError

NDEF_AID = bytes.fromhex("D2760000850101")
CC_FILE = bytes.fromhex("E103")
SW_OK = b"\x90\x00"
MAX_CHUNK = 240  # bytes per READ BINARY: fits one ISO-DEP frame of any reader nfcpy drives


def read_type4_ndef(tag: nfc.tag.tt4.Type4Tag, limit: int) -> bytes | None:
    """The NDEF message of ``tag``, None if it has no NDEF application; at most ``limit`` bytes are read.

    nfcpy raises :class:`nfc.tag.TagCommandError` when the tag stops answering.
    """
    if _apdu(tag, 0xA4, 0x04, 0x00, NDEF_AID, 0)[1] != SW_OK:
        return None
    if _apdu(tag, 0xA4, 0x00, 0x0C, CC_FILE, 0)[1] != SW_OK:
        raise NdefReadError("ndef_malformed", "no capability container")
    cc = _read_binary(tag, 0, 15)
    if len(cc) != 15:
        raise NdefReadError("ndef_malformed", "short capability container")
    _cclen, version, mle, _mlc, tlv_tag, tlv_len, ndef_file, _size, read_access, _write = struct.unpack(
        ">HBHHBB2sHBB", cc)
    if version >> 4 not in (2, 3) or (tlv_tag, tlv_len) != (4, 6) or read_access != 0 or mle < 1:
        raise NdefReadError("ndef_malformed", "capability container out of specification")
    if _apdu(tag, 0xA4, 0x00, 0x0C, ndef_file, 0)[1] != SW_OK:
        raise NdefReadError("ndef_malformed", "the NDEF file does not select")
    nlen = _read_binary(tag, 0, 2)
    if len(nlen) != 2:
        raise NdefReadError("ndef_malformed", "a short NDEF length")
    length = int.from_bytes(nlen, "big")
    if length > limit:
        raise NdefReadError("ndef_oversized", f"an NDEF message of {length} bytes")
    message = b""
    while len(message) < length:
        message += _read_binary(tag, 2 + len(message), min(mle, MAX_CHUNK, length - len(message)))
    return message


def _read_binary(tag: nfc.tag.tt4.Type4Tag, offset: int, size: int) -> bytes:
    if offset > 0x7FFF:
        raise NdefReadError("ndef_oversized", "an NDEF file beyond the READ BINARY range")
    data, sw = _apdu(tag, 0xB0, offset >> 8, offset & 0xFF, None, size)
    if sw != SW_OK or not 0 < len(data) <= size:
        raise NdefReadError("ndef_malformed", f"READ BINARY answered {len(data)} bytes with status {sw.hex()}")
    return data


def _apdu(tag: nfc.tag.tt4.Type4Tag, ins: int, p1: int, p2: int, data: bytes | None, mrl: int) -> tuple[bytes, bytes]:
    """(data, status word) of one command; a response shorter than a status word is a protocol fault."""
    response = bytes(tag.send_apdu(0x00, ins, p1, p2, data, mrl=mrl, check_status=False))
    if len(response) < 2:
        raise NdefReadError("ndef_malformed", "a response without a status word")
    return response[:-2], response[-2:]

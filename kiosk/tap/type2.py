"""Reading the NDEF message of a Type 2 tag (NTAG21x, MIFARE Ultralight) with hard limits, over nfcpy's READ.

nfcpy's own reader answers "no NDEF" (``tag.ndef is None``) when a read fails half-way, so a member card read at
the edge of the field would pass for a bare tag. Here a failed READ raises (nfcpy's
:class:`nfc.tag.TagCommandError`), memory that is not a Type 2 NDEF mapping raises :class:`NdefReadError`, and
only a tag without the NDEF capability container, or with no NDEF TLV, has no NDEF (None).
"""

from __future__ import annotations

import nfc.tag.tt2

from kiosk.tap.type4 import NdefReadError

CC_PAGE = 3
DATA_PAGE = 4
NDEF_MAGIC = 0xE1
TLV_NULL, TLV_NDEF, TLV_TERMINATOR = 0x00, 0x03, 0xFE


def read_type2_ndef(tag: nfc.tag.tt2.Type2Tag, limit: int) -> bytes | None:
    """The NDEF message of ``tag``, None if it has none; at most ``limit`` bytes are read."""
    cc = _read(tag, CC_PAGE)[:4]
    if cc[0] != NDEF_MAGIC:
        return None
    if cc[1] >> 4 != 1 or cc[3] >> 4 != 0:
        raise NdefReadError("ndef_malformed", f"capability container {cc.hex()} is not a readable NDEF mapping 1.x")
    memory = _DataArea(tag, 8 * cc[2])
    offset = 0
    while offset < memory.size:
        kind = memory[offset]
        if kind == TLV_NULL:
            offset += 1
            continue
        if kind == TLV_TERMINATOR:
            return None
        length, header = memory[offset + 1], 2
        if length == 0xFF:
            length, header = (memory[offset + 2] << 8) | memory[offset + 3], 4
        if kind == TLV_NDEF:
            if length > limit:
                raise NdefReadError("ndef_oversized", f"an NDEF message of {length} bytes")
            return memory.slice(offset + header, length)
        offset += header + length  # lock and memory control TLVs, proprietary ones: not ours to read
    return None


class _DataArea:
    """The tag's data area (from page 4, ``size`` bytes), read 16 bytes at a time as it is needed."""

    def __init__(self, tag: nfc.tag.tt2.Type2Tag, size: int) -> None:
        self.tag, self.size = tag, size
        self._chunks: dict[int, bytes] = {}

    def __getitem__(self, offset: int) -> int:
        if offset >= self.size:
            raise NdefReadError("ndef_malformed", "a TLV beyond the data area")
        chunk = self._chunks.get(offset // 16)
        if chunk is None:
            chunk = self._chunks[offset // 16] = _read(self.tag, DATA_PAGE + 4 * (offset // 16))
        return chunk[offset % 16]

    def slice(self, start: int, length: int) -> bytes:
        if start + length > self.size:
            raise NdefReadError("ndef_malformed", "an NDEF message beyond the data area")
        return bytes(self[i] for i in range(start, start + length))


def _read(tag: nfc.tag.tt2.Type2Tag, page: int) -> bytes:
    try:
        return bytes(tag.read(page))
    except nfc.tag.tt2.Type2TagCommandError as exc:
        if exc.errno in (nfc.tag.tt2.INVALID_PAGE_ERROR, nfc.tag.tt2.INVALID_RESPONSE_ERROR):
            raise NdefReadError("ndef_malformed", f"page {page}: {exc}") from None
        raise  # no answer, or a garbled one: the tag is leaving

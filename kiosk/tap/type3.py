"""Reading the NDEF message of a Type 3 (FeliCa) tag with hard limits, over nfcpy's Check command.

As for Type 2 (:mod:`kiosk.tap.type2`): a failed read raises nfcpy's :class:`nfc.tag.TagCommandError`, an
attribute block out of specification raises :class:`NdefReadError`, and only a tag without the NFC Forum
system code (12FC) has no NDEF (None).
"""

from __future__ import annotations

import nfc.tag.tt3

from kiosk.tap.type4 import NdefReadError

NDEF_SYSTEM = 0x12FC
MAX_BLOCKS_PER_READ = 4  # what every FeliCa NDEF tag (Lite-S and up) reads in one Check


def read_type3_ndef(tag: nfc.tag.tt3.Type3Tag, limit: int) -> bytes | None:
    """The NDEF message of ``tag``, None if it has none; at most ``limit`` bytes are read."""
    if tag.sys != NDEF_SYSTEM:
        return None
    attributes = bytes(tag.read_from_ndef_service(0))
    if len(attributes) != 16 or sum(attributes[:14]) != int.from_bytes(attributes[14:16], "big"):
        raise NdefReadError("ndef_malformed", "attribute information block with a wrong checksum")
    version, per_read, max_blocks = attributes[0], attributes[1], int.from_bytes(attributes[3:5], "big")
    length = int.from_bytes(attributes[11:14], "big")
    if version >> 4 != 1 or per_read < 1:
        raise NdefReadError("ndef_malformed", "attribute information out of specification")
    if length > limit:
        raise NdefReadError("ndef_oversized", f"an NDEF message of {length} bytes")
    blocks = (length + 15) // 16
    if blocks > max_blocks:
        raise NdefReadError("ndef_malformed", "an NDEF message longer than the NDEF area")
    step = min(per_read, MAX_BLOCKS_PER_READ)
    data = b""
    for first in range(1, blocks + 1, step):
        data += bytes(tag.read_from_ndef_service(*range(first, min(first + step, blocks + 1))))
    if len(data) != 16 * blocks:
        raise NdefReadError("ndef_malformed", f"{len(data)} bytes read for {blocks} blocks")
    return data[:length]

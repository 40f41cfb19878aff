"""The memory images of emulated Type 2 (NTAG21x) and Type 3 (FeliCa) tags holding one NDEF message.

Laid out as the NFC Forum mapping documents and the chips' data sheets define them, so nfcpy (and the kiosk's own
readers) read them exactly as they read the real chips::

    >>> image = ntag_memory(bytes.fromhex("04A224B1C55E80"), b"\\xd1\\x01\\x01U\\x00", "ntag213")
    >>> len(image), image[12:16].hex(), image[16:19].hex()
    (180, 'e1101200', '0305d1')
    >>> type3_memory(b"\\xd1\\x01\\x01U\\x00")[:16].hex()
    '1004000001000000000000000005001a'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ntag:
    """One NTAG21x chip: its user memory, its pages in all and its GET_VERSION answer."""

    user_bytes: int
    pages: int
    version: bytes


# NTAG213/215/216 data sheet: user memory 144/504/888 bytes, pages 0x00-0x2C/0x86/0xE6, storage size byte 0F/11/13.
NTAGS = {
    "ntag213": Ntag(144, 0x2D, bytes.fromhex("0004040201000F03")),
    "ntag215": Ntag(504, 0x87, bytes.fromhex("0004040201001103")),
    "ntag216": Ntag(888, 0xE7, bytes.fromhex("0004040201001303")),
}
TYPE3_BLOCKS_PER_READ = 4  # FeliCa Lite-S reads up to four blocks per Check command


def ntag_memory(uid: bytes, message: bytes, chip: str, claimed: int | None = None) -> bytes:
    """Every page of an NTAG21x whose user memory holds ``message`` in an NDEF TLV, read-only lock bits clear;
    the TLV says ``claimed`` bytes when given (a tag that lies).

    Raises ValueError for a UID that is not 7 bytes or a message the chip cannot hold.
    """
    ntag = NTAGS[chip]
    if len(uid) != 7:
        raise ValueError("an NTAG21x UID is 7 bytes")
    claimed = len(message) if claimed is None else claimed
    length = bytes([claimed]) if claimed < 0xFF else b"\xff" + claimed.to_bytes(2, "big")
    tlv = b"\x03" + length + message + b"\xfe"
    if len(tlv) > ntag.user_bytes:
        raise ValueError(f"an NDEF message of {len(message)} bytes does not fit an {chip.upper()}")
    bcc0 = 0x88 ^ uid[0] ^ uid[1] ^ uid[2]
    bcc1 = uid[3] ^ uid[4] ^ uid[5] ^ uid[6]
    header = uid[:3] + bytes([bcc0]) + uid[3:] + bytes([bcc1, 0x48, 0x00, 0x00])
    capability = bytes([0xE1, 0x10, ntag.user_bytes // 8, 0x00])  # NDEF mapping 1.0, size / 8, read and write
    memory = header + capability + tlv.ljust(ntag.user_bytes, b"\0")
    return memory.ljust(4 * ntag.pages, b"\0")  # dynamic lock bytes and configuration pages: factory zeros


def type3_memory(message: bytes, claimed: int | None = None) -> bytes:
    """The NDEF service's blocks: the attribute information block, then ``message`` in 16-byte blocks; the
    attribute block says ``claimed`` bytes when given (a tag that lies)."""
    blocks = (len(message) + 15) // 16
    length = len(message) if claimed is None else claimed
    return _attribute_block(length, blocks) + message.ljust(16 * blocks, b"\0")


def _attribute_block(length: int, blocks: int) -> bytes:
    """NFC Forum Type 3 Tag attribute information block: version 1.0, read-only, ``length`` bytes of NDEF."""
    head = bytes([0x10, TYPE3_BLOCKS_PER_READ, 0x00]) + blocks.to_bytes(2, "big") + bytes(4) + bytes([0x00, 0x00])
    head += length.to_bytes(3, "big")
    return head + sum(head).to_bytes(2, "big")

"""The kiosk's own NFC tag: a Type 3 (FeliCa) tag emulated with nfcpy whose NDEF message is the join URL.

A phone with NFC on reads it like any sticker and opens the one-time sign-up URL. nfcpy emulates Type 3 tags
(as its ``tagtool.py emulate`` does); readers that can listen as Type F (RC-S380, PN533, PN532) can present it.
"""

from __future__ import annotations

import nfc.clf
import nfc.tag.tt3

from kiosk.tap.card_memory import type3_memory
from kiosk.tap.ndef import encode_uri_record

IDM = bytes.fromhex("03FEFFE011223344")  # 03FE: an NDEF-capable tag; 01FE would announce NFC-DEP instead
PMM = bytes.fromhex("01E0000000FFFF00")
NDEF_SYSTEM = bytes.fromhex("12FC")
NDEF_SERVICE = 0x000B  # read-only NDEF service


def local_target() -> nfc.clf.LocalTarget:
    """What the kiosk listens as: Type F at 212 kbps with the NDEF system code."""
    return nfc.clf.LocalTarget("212F", sensf_res=b"\x01" + IDM + PMM + NDEF_SYSTEM)


class JoinTag:
    """The NDEF memory of the join tag and its read service; ``read_complete`` turns True once a phone has
    read the whole message (the last data block)."""

    def __init__(self, url: str) -> None:
        self.memory = type3_memory(encode_uri_record(url))
        self.blocks = len(self.memory) // 16 - 1
        self.read_complete = False

    def attach(self, emulation: nfc.tag.tt3.Type3TagEmulation) -> None:
        emulation.add_service(NDEF_SERVICE, self._read_block, None)

    def _read_block(self, block: int, rb: bool, re: bool) -> bytes | None:
        if block > self.blocks:
            return None  # the emulation answers "no such block"
        if block == self.blocks:
            self.read_complete = True
        return self.memory[16 * block:16 * block + 16]


"""The generic check of every image in a bundle: it decodes, within a size cap and a pixel cap.

The pixel size is read from the file's header before anything is decoded: a small PNG may claim 100000 x
100000 pixels, and decoding it would ask for 40 GB (a decompression bomb). Decoding runs in SDL_image, as the
kiosk will show it, and does not need a display.

    >>> is_image("media/logo.PNG"), is_image("strings.json")
    (True, False)
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pygame

from kiosk.exc import ContentError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
IMAGE_CAP = 16 * 1024 * 1024
"""The largest image file: a 4096 x 4096 photo is well under it."""
MAX_SIDE = 4096
"""The widest and tallest image: decoded, a 4096 x 4096 image takes 64 MB, as much as a kiosk can spare."""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (they carry the size); C4, C8 and CC are other segments in that range.
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def is_image(name: str) -> bool:
    return name.lower().endswith(IMAGE_SUFFIXES)


def check_image(file: Path) -> tuple[int, int]:
    """The (width, height) of the image ``file`` once it is within the caps and decodes; ContentError if not."""
    size = file.stat().st_size
    if size > IMAGE_CAP:
        raise ContentError(f"{file}: {size} bytes, over the image cap of {IMAGE_CAP}")
    data = file.read_bytes()
    width, height = _header_size(file, data)
    if width > MAX_SIDE or height > MAX_SIDE:
        raise ContentError(f"{file}: {width} x {height} pixels, over the cap of {MAX_SIDE} x {MAX_SIDE}")
    try:
        surface = pygame.image.load(io.BytesIO(data), file.name)
    except (pygame.error, ValueError) as exc:
        raise ContentError(f"{file}: does not decode as an image ({exc})") from None
    if surface.get_size() != (width, height):
        raise ContentError(f"{file}: decodes to {surface.get_size()}, its header says {(width, height)}")
    return width, height


def _header_size(file: Path, data: bytes) -> tuple[int, int]:
    """The pixel size a PNG's IHDR or a JPEG's start-of-frame segment declares."""
    if data.startswith(_PNG_SIGNATURE):
        if data[12:16] != b"IHDR" or len(data) < 24:
            raise ContentError(f"{file}: a PNG without its IHDR header")
        return struct.unpack(">II", data[16:24])
    if data.startswith(b"\xff\xd8"):
        at = 2
        while at + 9 <= len(data) and data[at] == 0xFF:
            marker, length = data[at + 1], struct.unpack(">H", data[at + 2:at + 4])[0]
            if marker in _JPEG_FRAMES:
                height, width = struct.unpack(">HH", data[at + 5:at + 9])
                return width, height
            at += 2 + length
        raise ContentError(f"{file}: a JPEG without a start-of-frame segment")
    raise ContentError(f"{file}: neither a PNG nor a JPEG, as its name says")

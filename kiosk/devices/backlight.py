"""The panel's backlight through Linux sysfs (``/sys/class/backlight/NAME/brightness``), when the panel has one.

The official Raspberry Pi touch displays have one; HDMI screens do not, and then the app darkens the picture
instead (kiosk.ui.power). install.sh adds a udev rule that lets the ``video`` group write ``brightness``::

    >>> Backlight.find("none") is None
    True
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

SYSFS = Path("/sys/class/backlight")


class Backlight:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.max = int((folder / "max_brightness").read_text().strip())
        self._warned = False

    @classmethod
    def find(cls, setting: str, sysfs: Path = SYSFS) -> Backlight | None:
        """The backlight named by ``[screen] backlight``: ``auto`` (the first one there is), ``none`` or a folder."""
        if setting == "none":
            return None
        if setting == "auto":
            folders = sorted(sysfs.iterdir()) if sysfs.is_dir() else []
            if not folders:
                return None
            setting = str(folders[0])
        try:
            return cls(Path(setting))
        except (OSError, ValueError) as exc:
            log.warning("screen: backlight %s unusable (%s); dimming the picture instead", setting, exc)
            return None

    def set(self, fraction: float) -> None:
        """Brightness from 0.0 (off) to 1.0 (full); a write that fails is logged once and otherwise ignored."""
        value = round(self.max * min(max(fraction, 0.0), 1.0))
        try:
            (self.folder / "brightness").write_text(f"{value}\n")
        except OSError as exc:
            if not self._warned:
                log.warning("screen: cannot set the backlight %s (%s)", self.folder, exc)
                self._warned = True

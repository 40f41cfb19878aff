"""The kiosk's exception hierarchy: every error the kiosk raises on purpose derives from KioskError."""

from __future__ import annotations


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose."""


class ConfigError(KioskError):
    """A configuration file is missing, unreadable or holds a bad value.

    The message always names the file, the key and what was expected, so an installer can fix it
    without reading code::

        >>> str(ConfigError("/etc/kiosk/kiosk.toml", "display.fps", "an integer from 1 to 240, got 0"))
        '/etc/kiosk/kiosk.toml: display.fps: expected an integer from 1 to 240, got 0'
    """

    def __init__(self, file: str, key: str, expected: str) -> None:
        self.file, self.key, self.expected = file, key, expected
        where = f"{file}: {key}: " if key else f"{file}: "
        super().__init__(f"{where}{expected if not key else 'expected ' + expected}")


class ContentError(KioskError):
    """A content file is missing or fails validation."""


class StoreError(KioskError):
    """The state database cannot be opened or migrated."""


class BackendUnavailable(KioskError):
    """The loyalty backend did not answer in time or answered something unusable."""


class DeviceError(KioskError):
    """A GPIO part or pin factory cannot be set up."""

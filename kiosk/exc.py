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


class SchemaError(KioskError):
    """A value does not match its schema (kiosk/core/schema.py); the message names the key."""


class CommandRefused(KioskError):
    """A remote command is not acted on; ``cmd_id`` is known when the payload got far enough to have one."""

    def __init__(self, reason: str, cmd_id: str | None = None) -> None:
        super().__init__(reason)
        self.cmd_id = cmd_id


class TagError(KioskError):
    """What a tag holds or answers is unusable; ``reason`` is a short code for the ``tap_rejected`` event."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class NdefError(TagError):
    """The bytes are not an NDEF message this kiosk accepts; ``reason`` is ``malformed`` or ``oversized``."""


class NdefReadError(TagError):
    """The tag's NDEF application answered, but not as a Type 4 tag must; ``reason`` names the fault."""

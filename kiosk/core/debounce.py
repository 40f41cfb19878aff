"""Ignore the same credential tapped again within a delay (docs/architecture.md, "Identity and privacy")."""

from __future__ import annotations

from kiosk.core.credential import Credential


class Debouncer:
    """Ignores a credential seen again less than ``delay_s`` after its last accepted tap; at exactly
    ``delay_s`` it counts again (the delay is how long a tap is ignored, and that time is over).

        >>> d = Debouncer(3.0)
        >>> c = Credential("ndef", "M-1")
        >>> d.accept(c, 10.0), d.accept(c, 11.0), d.accept(c, 14.5)
        (True, False, True)
    """

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self._last: tuple[Credential, float] | None = None

    def accept(self, credential: Credential, now: float) -> bool:
        last = self._last
        if last is not None and last[0] == credential and now - last[1] < self.delay_s:
            return False
        self._last = (credential, now)
        return True

"""When the screen is on, dimmed or off: store hours, the motion sensor and the shoppers' own input decide.

Pure logic with plain times: the monotonic ``now`` for "how long ago", the wall-clock time of day for store
hours. The rules, in order:

1. a shopper's session is running (any scene but the attract loop): on;
2. a touch, tap or button press in the last ``dim_after_s`` seconds: on (outside store hours too, so staff
   can test the kiosk before opening);
3. outside store hours: off (motion does not wake it: cleaners at night are not shoppers);
4. motion now or in the last ``dim_after_s`` seconds: on;
5. otherwise nobody is around: dimmed (never, when ``dim_after_s`` is 0).

    >>> from datetime import time
    >>> power = ScreenPower(parse_hours("08:00-21:00"), dim_after_s=120, now=0.0)
    >>> power.state(now=60.0, clock=time(12, 0), in_session=False)
    <Power.ON: 'on'>
    >>> power.state(now=500.0, clock=time(12, 0), in_session=False)
    <Power.DIM: 'dim'>
    >>> power.touch(now=501.0, clock=time(12, 0), in_session=False)  # only wakes the screen
    True
    >>> power.state(now=502.0, clock=time(23, 0), in_session=False)
    <Power.ON: 'on'>
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from enum import Enum

AFTER_HOURS_WAKE_S = 60.0
"""How long a touch or tap keeps the screen on outside store hours when dimming is off (``dim_after_s = 0``)."""

_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class Power(Enum):
    ON = "on"
    DIM = "dim"
    OFF = "off"


@dataclass(frozen=True)
class StoreHours:
    """Opening and closing time; a closing time before the opening time runs past midnight."""

    opens: time
    closes: time

    def is_open(self, clock: time) -> bool:
        if self.opens <= self.closes:
            return self.opens <= clock < self.closes
        return clock >= self.opens or clock < self.closes


def parse_hours(text: str) -> StoreHours | None:
    """``"08:00-21:00"`` -> StoreHours; ``""`` -> None (open all day); anything else raises ValueError."""
    if text == "":
        return None
    match = _HOURS.match(text)
    if not match:
        raise ValueError(f"store hours like '08:00-21:00', got {text!r}")
    oh, om, ch, cm = map(int, match.groups())
    hours = StoreHours(time(oh, om), time(ch, cm))
    if hours.opens == hours.closes:
        raise ValueError(f"store hours that open and close at different times, got {text!r}")
    return hours


class ScreenPower:
    """Remembers the last input and motion; answers which :class:`Power` the screen should be in."""

    def __init__(self, hours: StoreHours | None, dim_after_s: float, now: float, motion_wakes: bool = True) -> None:
        self.hours = hours
        self.dim_after_s = dim_after_s
        self.motion_wakes = motion_wakes
        self._input_at = now  # the kiosk just started: someone is there (the technician)
        self._motion = False
        self._motion_at = float("-inf")

    def activity(self, now: float) -> None:
        """A tap (or anything else a shopper did on purpose) happened."""
        self._input_at = now

    def touch(self, now: float, clock: time, in_session: bool) -> bool:
        """Record a touch or button press; True when the screen was dimmed or off, so it must only wake it."""
        asleep = self.state(now, clock, in_session) is not Power.ON
        self.activity(now)
        return asleep

    def motion(self, active: bool, now: float) -> None:
        """The motion sensor saw someone (``active``) or stopped seeing anyone."""
        if self.motion_wakes and (active or self._motion):
            self._motion_at = now
        self._motion = active and self.motion_wakes

    def state(self, now: float, clock: time, in_session: bool) -> Power:
        if in_session:
            return Power.ON
        awake_s = self.dim_after_s or AFTER_HOURS_WAKE_S
        if now - self._input_at < awake_s:
            return Power.ON
        if self.hours is not None and not self.hours.is_open(clock):
            return Power.OFF
        if self.dim_after_s == 0 or self._motion or now - self._motion_at < self.dim_after_s:
            return Power.ON
        return Power.DIM

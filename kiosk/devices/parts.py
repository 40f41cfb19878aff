"""Status LED, buzzer, SPIN button and motion sensor as real gpiozero devices.

gpiozero's callbacks run on gpiozero's own threads, so they only ``post`` messages to the main loop. The SPIN button
and the motion sensor are plain edge-driven inputs: gpiozero's ``Button`` keeps a thread waking ten times a second
for ``when_held``, its ``MotionSensor`` one sampling the pin ten times a second, which together cost the idle kiosk
0.3 % of a core, and neither is needed (a PIR's output is already clean and held).
With ``pin_factory = "mock"`` every part runs on gpiozero's MockFactory (demo and tests)::

    >>> from kiosk.config import GpioSettings
    >>> parts = KioskParts(GpioSettings(pin_factory="mock"), post=print)
    >>> parts.press("spin")
    ButtonPressed(name='spin')
    >>> parts.close()
"""

from __future__ import annotations

from collections.abc import Callable

from gpiozero import RGBLED, Buzzer, DigitalInputDevice
from gpiozero.pins import Factory
from gpiozero.pins.mock import MockFactory, MockPWMPin

from kiosk.config import GpioSettings
from kiosk.core.messages import ButtonPressed, MotionChanged
from kiosk.exc import DeviceError

Colour = tuple[float, float, float]
MOCK_PIN_HISTORY = 256  # state changes a mock pin remembers: a few celebrations, for tests that look at them


class BoundedMockPWMPin(MockPWMPin):
    """gpiozero's mock pin keeps every state change it ever had (for ``assert_states``); a demo that runs for
    days flashes the LED thousands of times, so this one keeps the last ``MOCK_PIN_HISTORY``."""

    def _change_state(self, value: float) -> bool:
        changed = super()._change_state(value)
        if len(self.states) > MOCK_PIN_HISTORY:
            del self.states[:-MOCK_PIN_HISTORY]
        return changed


def make_pin_factory(name: str) -> Factory:
    """The gpiozero pin factory for a ``[gpio] pin_factory`` value."""
    try:
        if name == "mock":
            return MockFactory(pin_class=BoundedMockPWMPin)
        if name == "lgpio":
            from gpiozero.pins.lgpio import LGPIOFactory

            return LGPIOFactory()
        if name == "rpigpio":
            from gpiozero.pins.rpigpio import RPiGPIOFactory

            return RPiGPIOFactory()
        from gpiozero.pins.native import NativeFactory

        return NativeFactory()
    except Exception as exc:  # each factory fails in its own way (ImportError, OSError, PinFactoryFallback)
        raise DeviceError(f"gpio.pin_factory = {name!r} cannot start here: {exc}") from exc


class KioskParts:
    def __init__(self, gpio: GpioSettings, post: Callable[[object], None]) -> None:
        self.factory = make_pin_factory(gpio.pin_factory)
        self.mock = gpio.pin_factory == "mock"
        try:
            self.led = RGBLED(*gpio.status_led, pin_factory=self.factory)
            self.buzzer = Buzzer(gpio.buzzer, pin_factory=self.factory)
            self.spin_button = DigitalInputDevice(gpio.spin_button, pull_up=True, bounce_time=0.05,
                                                  pin_factory=self.factory)  # to ground when pressed
            self.motion = DigitalInputDevice(gpio.motion_sensor, pin_factory=self.factory)  # high while it sees someone
        except Exception as exc:
            self.factory.close()
            raise DeviceError(f"gpio: cannot set up the parts ({exc})") from exc
        self.spin_button.when_activated = lambda: post(ButtonPressed("spin"))
        self.motion.when_activated = lambda: post(MotionChanged(True))
        self.motion.when_deactivated = lambda: post(MotionChanged(False))
        self._buttons = {"spin": self.spin_button}

    def celebrate(self, colour: Colour) -> None:
        """Flash the LED and chirp; both run on gpiozero's background threads and return at once."""
        self.led.blink(on_time=0.12, off_time=0.08, on_color=colour, n=4, background=True)
        self.buzzer.beep(on_time=0.05, off_time=0.05, n=2, background=True)

    def tick(self, colour: Colour) -> None:
        """A peg of the spinning wheel passed the pointer: the buzzer clicks on (:meth:`untick` ends the click),
        and the LED takes the colour of the segment now under the pointer (the chaser follows the wheel). Plain
        pin writes: a ``beep`` would start and join a thread on every peg, milliseconds the frames cannot spare."""
        self.led.color = colour
        self.buzzer.on()

    def untick(self) -> None:
        self.buzzer.off()

    def glow(self, colour: Colour) -> None:
        self.led.color = colour

    def attention(self, colour: Colour) -> None:
        """Blink slowly in ``colour`` (the store team is needed) until the next glow or celebration; runs on
        gpiozero's background thread."""
        self.led.blink(on_time=0.6, off_time=0.6, on_color=colour, background=True)

    @property
    def led_colour(self) -> Colour:
        return tuple(self.led.value)

    def press(self, name: str) -> None:
        """Press and release a button by driving its mock pin (demo and automation only)."""
        if not self.mock:
            raise DeviceError("only mock pins can be pressed from software")
        button = self._buttons.get(name)
        if button is None:
            raise DeviceError(f"no button named {name!r}; known: {', '.join(self._buttons)}")
        button.pin.drive_low()
        button.pin.drive_high()

    def close(self) -> None:
        for device in (self.led, self.buzzer, self.spin_button, self.motion):
            device.close()
        self.factory.close()

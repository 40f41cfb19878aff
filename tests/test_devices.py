"""The gpiozero parts on gpiozero's MockFactory: what a kiosk running for days keeps of them."""

from kiosk.config import GpioSettings
from kiosk.devices.parts import MOCK_PIN_HISTORY, KioskParts


def test_mock_pins_keep_a_bounded_history_however_often_the_led_changes():
    gpio = GpioSettings(pin_factory="mock")
    parts = KioskParts(gpio, post=lambda _message: None)
    try:
        for n in range(3 * MOCK_PIN_HISTORY):
            parts.glow((n % 2, 0.0, 1.0))  # the red channel flips every time: one state change each
        red = parts.factory.pin(gpio.status_led[0])
        assert len(red.states) == MOCK_PIN_HISTORY
        assert red.states[-1].state == red.state  # the newest changes are the ones kept
        assert all(len(pin.states) <= MOCK_PIN_HISTORY for pin in parts.factory.pins.values())
    finally:
        parts.close()

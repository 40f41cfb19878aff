"""The gpiozero parts on gpiozero's MockFactory: what a kiosk running for days keeps of them."""

import threading

from kiosk.config import GpioSettings
from kiosk.core.messages import ButtonPressed, MotionChanged
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


def test_the_button_and_the_motion_sensor_report_their_edges_and_keep_no_thread_awake():
    """The idle kiosk's CPU: an input that polls (gpiozero's Button keeps a hold thread, its MotionSensor a sampling
    thread, each waking ten times a second) would run a thread of its own; these report their edges only."""
    before = set(threading.enumerate())
    posted = []
    gpio = GpioSettings(pin_factory="mock")
    parts = KioskParts(gpio, post=posted.append)
    try:
        assert set(threading.enumerate()) <= before
        sensor = parts.factory.pin(gpio.motion_sensor)
        sensor.drive_high()
        sensor.drive_low()
        parts.press("spin")
        assert posted == [MotionChanged(True), MotionChanged(False), ButtonPressed("spin")]
        assert set(threading.enumerate()) <= before
    finally:
        parts.close()

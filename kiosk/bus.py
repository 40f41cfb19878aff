"""How any thread hands a message to the main loop: :func:`post` it, and the loop wakes.

The main thread owns all state (docs/architecture.md, "Threading"). Reader, MQTT, backend workers, gpiozero
callbacks and the automation socket never change it: they post a message, and the main loop handles it in
order with SDL's own input events.

pygame.event.wait() polls SDL every millisecond on drivers without a blocking wait (dummy, kmsdrm), which
costs more CPU than the static-screen budget; so the loop sleeps on a lock that :func:`post` releases, and
looks for SDL input every :data:`INPUT_POLL_S` (or a little sooner: its looks are spaced evenly up to the loop's
next deadline, so the last falls on it).
"""

from __future__ import annotations

import contextlib
import math
import threading
import time

import pygame

MESSAGE = pygame.event.custom_type()
"""The SDL event type that carries a posted message in its ``message`` attribute."""

INPUT_POLL_S = 0.02
"""The longest a sleeping loop goes without looking for touch and key input."""

_asleep = threading.Lock()
"""Held while nothing was posted since the loop last looked: a post releases it, the loop's wait takes it again. A
lock, not a threading.Event: its timed acquire is one C call, where Event.wait runs a Condition in Python on each
of a sleeping loop's polls, 50 a second (about 20 us of CPU each)."""
_asleep.acquire()


def post(message: object) -> None:
    """Hand a message to the main loop and wake it; safe from any thread."""
    pygame.event.post(pygame.event.Event(MESSAGE, message=message))
    _wake()


def post_input(event: pygame.event.Event) -> None:
    """Hand an SDL input event (a touch, a key) to the main loop as if the screen or keyboard made it."""
    pygame.event.post(event)
    _wake()


def _wake() -> None:
    with contextlib.suppress(RuntimeError):  # woken already: the loop has not looked since
        _asleep.release()


def wait_for_events(until: float) -> list[pygame.event.Event]:
    """Events as soon as there are any, or none at ``until`` (monotonic): messages wake at once, input within
    a poll."""
    while True:
        events = pygame.event.get()
        remaining = until - time.monotonic()
        if events or remaining <= 0:
            return events
        # Polls spaced evenly up to the deadline, so that its last is the deadline itself: a loop that waits
        # 60 ms for its next frame looks three times, not four.
        _asleep.acquire(timeout=remaining / math.ceil(remaining / INPUT_POLL_S))

"""Shopper input as scenes see it: SDL touch, mouse, text and key events turned into presses, drags, swipes."""

import pygame

from kiosk.ui.input import Drag, Gestures, Key, Press, Release, Swipe, Text


def finger(kind, x, y):
    return pygame.event.Event(kind, x=x, y=y, finger_id=0, touch_id=0, dx=0.0, dy=0.0, pressure=1.0)


def test_a_finger_swipe_left_is_a_press_drags_a_release_and_a_swipe():
    gestures = Gestures((1920, 1080))
    assert gestures.feed(finger(pygame.FINGERDOWN, 0.8, 0.5), 0.0) == [Press((1536, 540))]
    assert gestures.feed(finger(pygame.FINGERMOTION, 0.6, 0.5), 0.05) == [Drag((1152, 540), (-384, 0))]
    assert gestures.feed(finger(pygame.FINGERMOTION, 0.6, 0.5), 0.06) == []  # no movement, no drag
    released = gestures.feed(finger(pygame.FINGERUP, 0.5, 0.5), 0.1)
    assert released[0] == Release((960, 540))
    assert isinstance(released[1], Swipe) and released[1].direction == "left" and released[1].speed > 5000


def test_a_slow_or_short_movement_is_no_swipe():
    gestures = Gestures((1920, 1080))
    gestures.feed(finger(pygame.FINGERDOWN, 0.5, 0.5), 0.0)
    assert gestures.feed(finger(pygame.FINGERUP, 0.5, 0.52), 0.1) == [Release((960, 561))]  # a tap that wobbled
    gestures.feed(finger(pygame.FINGERDOWN, 0.5, 0.2), 1.0)
    assert gestures.feed(finger(pygame.FINGERUP, 0.5, 0.6), 3.0) == [Release((960, 648))]  # a slow drag


def test_mouse_copies_of_touches_motion_without_a_press_text_and_keys():
    gestures = Gestures((1280, 720))
    copy = pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(5, 5), button=1, touch=True)
    assert gestures.feed(copy, 0.0) == []  # SDL's mouse copy of a touch: the finger event stands for it
    hover = pygame.event.Event(pygame.MOUSEMOTION, pos=(50, 50), rel=(3, 3), buttons=(0, 0, 0))
    assert gestures.feed(hover, 0.1) == []
    assert gestures.feed(pygame.event.Event(pygame.TEXTINPUT, text="ø"), 0.2) == [Text("ø")]
    assert gestures.feed(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_BACKSPACE, mod=0), 0.3) == [Key("backspace")]

"""The main loop's mailbox (kiosk/bus.py) with real SDL events (dummy driver) and real threads: a post from any
thread wakes a sleeping loop, and nothing posted is lost however many threads post at once."""

import threading
import time

import pygame
import pytest

from kiosk.bus import MESSAGE, post, wait_for_events

LONG_S = 60.0  # a wait no post would end: the test would hang, not pass


@pytest.fixture(autouse=True)
def display():
    pygame.display.init()
    pygame.display.set_mode((1, 1))
    pygame.event.get()  # the window's own events
    yield
    pygame.display.quit()


def messages(until_count):
    got = []
    while len(got) < until_count:
        got += [event.message for event in wait_for_events(time.monotonic() + LONG_S) if event.type == MESSAGE]
    return got


def test_a_post_from_another_thread_wakes_a_long_wait():
    for n in range(20):  # woken, then asleep again: every time
        poster = threading.Timer(0.005, post, args=(n,))
        poster.start()
        assert messages(1) == [n]
        poster.join()


def test_nothing_posted_is_lost_when_threads_post_at_once():
    threads = [threading.Thread(target=lambda k=k: [post((k, i)) for i in range(200)]) for k in range(4)]
    for thread in threads:
        thread.start()
    got = messages(800)
    for thread in threads:
        thread.join()
    assert sorted(got) == sorted((k, i) for k in range(4) for i in range(200))

"""The main loop's mailbox (kiosk/bus.py) with real SDL events (dummy driver) and real threads: a post from any
thread wakes a sleeping loop, and nothing posted is lost however many threads post at once."""

import threading
import time

import pygame
import pytest

from kiosk.bus import INPUT_POLL_S, MESSAGE, post, wait_for_events

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


def test_a_loop_waiting_for_its_next_frame_looks_for_input_evenly_and_no_more_than_it_must(monkeypatch):
    """A loop that waits two polls' time for its next frame looks twice (the second at the frame), however the
    wait divides; the real SDL queue, watched."""
    looks = []
    real_get = pygame.event.get

    def get():
        looks.append(time.monotonic())
        return real_get()

    wait_for_events(time.monotonic() + 0.001)  # takes up a wake left over from posts another test made
    monkeypatch.setattr(pygame.event, "get", get)
    for _ in range(5):
        looks.clear()
        assert wait_for_events(time.monotonic() + 2 * INPUT_POLL_S) == []
        assert 2 <= len(looks) <= 3  # on entry, then at most two polls (fewer if a wait overran on a busy machine)

"""The running kiosk's state and what features may do with it: the one implementation of
:class:`kiosk.features.base.Context`. Main thread only; other threads read :attr:`Runtime.vitals` alone, an
immutable snapshot this thread publishes.
"""

from __future__ import annotations

import io
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from types import MappingProxyType
from typing import Any

import pygame

from kiosk.backend.port import LoyaltyBackend
from kiosk.bus import post
from kiosk.clock import clock_synced
from kiosk.config import Settings
from kiosk.content.bundle import Bundle
from kiosk.content.library import Library, Trial
from kiosk.core.events import new_ulid
from kiosk.core.flow import Call, Event, Step
from kiosk.core.messages import JoinOffered
from kiosk.core.screen_power import Power, ScreenPower
from kiosk.core.session import ATTRACT, SessionMachine
from kiosk.devices.parts import KioskParts
from kiosk.features.base import ViewSource
from kiosk.features.registry import FeatureSet
from kiosk.storage.journal import Journal
from kiosk.storage.store import Store
from kiosk.tap.reader import TapReader
from kiosk.tap.setup import join_url, new_join_token
from kiosk.trace import Tracer
from kiosk.ui.look import Look
from kiosk.ui.manager import SceneManager
from kiosk.ui.power import ScreenOutput
from kiosk.ui.scene import View

log = logging.getLogger(__name__)

VITALS_EVERY_S = 1.0  # how often the main thread publishes its vitals for telemetry


class Runtime:
    def __init__(self, settings: Settings, *, features: FeatureSet, store: Store, journal: Journal,
                 backend: LoyaltyBackend, library: Library, crashed_trial: Trial | None, bundle: Bundle,
                 tracer: Tracer, screen_power: ScreenPower, demo: bool) -> None:
        self.settings = settings
        self.features = features
        self.store = store
        self.journal = journal
        self.backend = backend
        self.content_library = library
        self.crashed_trial = crashed_trial
        self.bundle = bundle
        self.tracer = tracer
        self.screen_power = screen_power
        self.demo = demo
        self.machine = SessionMachine(settings.kiosk.idle_timeout_s, settings.kiosk.language)
        self.reader: TapReader | None = None
        self.reader_ok: bool | None = None
        self.last_tap_at: float | None = None
        self.next_session_id = new_ulid()  # the id of the session the next tap (or a phone on the QR code) starts
        self.phone_join = bool(settings.nfc.join_url) and backend.phone_pages
        """Whether a shopper can join on their phone: a join URL configured and a backend serving the pages."""
        self.join_token = new_join_token()
        self.join_expires_at = 0.0  # monotonic; the backend forgets the token then
        self._join_failed = False
        self.restart_requested = False
        self.running = False
        self.parts: KioskParts
        self.ui: SceneManager
        self._to_warm: list[str] = []  # scenes not yet drawn off screen (warm_next), last first
        self.frame_times: deque[float] = deque(maxlen=900)  # seconds per drawn frame, for telemetry
        self.next_frame = 0.0  # when an animated scene draws its next frame
        self.vitals: MappingProxyType = MappingProxyType({})
        self._vitals_at = -VITALS_EVERY_S
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="backend")

    def open_screen(self, screen: pygame.Surface, parts: KioskParts, output: ScreenOutput) -> None:
        self.parts = parts
        self.screen_output = output
        self.ui = self._scene_manager(screen, self.bundle)
        self._warm_all()

    def _scene_manager(self, screen: pygame.Surface, bundle: Bundle) -> SceneManager:
        led = (lambda: self.parts.led_colour) if self.demo else None
        specs = {name: spec.build for name, spec in self.features.scenes.items()}
        look = Look(bundle, screen.get_size(), self.settings.display.diagonal_inches)
        return SceneManager(screen, look, specs, led=led, failed=self._scene_failed)

    def _warm_all(self) -> None:
        """Every scene but the attract one is to be drawn off screen again (warm_next), in order."""
        self._to_warm = [name for name in reversed(self.features.scenes) if name != ATTRACT]  # popped from the end

    # The Context features use.

    def post(self, message: object) -> None:
        post(message)

    def shown_scene(self) -> str:
        return self.ui.name

    def apply(self, step: Step, now: float) -> None:
        """Events first (one transaction), then the scene, then the calls: a shown scene is already recorded."""
        if step.scene is not None and step.scene != self.machine.scene:
            raise ValueError(f"a step shows {step.scene!r} but the session is on {self.machine.scene!r}: "
                             "scenes change through the SessionMachine (go, resolve, suspend)")
        self.record(step.events)
        if step.scene is not None:
            self.show(step.scene, now)
        for call in step.calls:
            self.call(call)

    def record(self, events: list[Event]) -> None:
        self.journal.record(events)

    def show(self, scene: str, now: float, *, enter: bool = True) -> None:
        """Enter ``scene`` (its entry side effects first, then the drawing from today's data); a scene that fails
        to draw is reported to the session, which ends it (the failsafe scene shows)."""
        spec = self.features.scenes.get(scene)
        if enter and spec is not None and spec.on_enter is not None:
            spec.on_enter(self)
        try:
            view = spec.view(self._view_source()) if spec else None
        except Exception:
            log.exception("ui: the view of scene %s failed", scene)
            view = None
        if view is None or not self.ui.show(scene, view, now):
            self._scene_failed(now)
        self.next_frame = now + self.frame_interval(now)
        log.info("scene: %s", self.ui.name)
        self.tracer.mark("scene.enter", scene=self.ui.name)

    def _scene_failed(self, now: float) -> None:
        """The scene entered could not be drawn (when entered, or in a later step of its drawing): the session
        ends with the failsafe scene."""
        failed = self.machine.scene_failed(now)
        self.record(failed.events)
        self.ui.show(failed.scene, View(self.machine.language), now)

    def _view_source(self) -> ViewSource:
        return ViewSource(self.machine.language, self.machine.member, self.bundle.tiers, self.join_url(),
                          self.reader_ok is not False, credential_kind=self.machine.credential.kind
                          if self.machine.credential else None, held_until=self.machine.held_until,
                          content=self.bundle.files, actions=self.features.offered(self.bundle.files),
                          joined=self.machine.joined)

    def warm_next(self, now: float) -> None:
        """While the attract screen waits, draw one more scene off screen (SceneManager.warm), so a shopper's
        first entry into each costs no more than later ones (the join scene's first entry took 28 ms of CPU
        against 9 ms after, over the 16.7 ms of a frame); one per pass of the main loop, a frame's time at most,
        after start and after a new bundle."""
        if not self._to_warm or self.machine.scene != ATTRACT or self.ui.name != ATTRACT:
            return
        name = self._to_warm.pop()
        spec = self.features.scenes[name]
        try:
            view = spec.view(self._view_source())
        except Exception:  # a scene that needs a shopper's data is warmed by as much as the view without it
            log.debug("ui: no view of scene %s to warm it with", name, exc_info=True)
            return
        self.ui.warm(name, view, now)

    def frame_interval(self, now: float) -> float:
        """Seconds to the next animation frame, at the rate the scene manager asks for what it draws next."""
        return 1 / self.ui.frame_rate(self.settings.display.fps, now)

    def refresh(self, now: float) -> None:
        self.show(self.machine.scene, now, enter=False)

    def call(self, call: Call) -> None:
        self._executor.submit(self._run_call, call)

    def _run_call(self, call: Call) -> None:
        """On a worker: the call, then its answer as a message; a failure is an answer too."""
        try:
            result, error = call.run(self.backend), None
        except Exception as exc:
            log.warning("backend: call failed: %s", exc)
            result, error = None, exc
        post(call.reply(result, error))

    def submit(self, work: Callable[..., Any], *args: Any) -> None:
        self._executor.submit(work, *args)

    def build_ui(self, bundle: Bundle) -> SceneManager:
        return self._scene_manager(self.ui.screen, bundle)

    def use_bundle(self, bundle: Bundle, ui: SceneManager | None = None) -> None:
        self.bundle = bundle
        self.ui = ui or self.build_ui(bundle)
        self._warm_all()
        self.refresh(time.monotonic())

    def screen_png(self) -> tuple[bytes, tuple[int, int]]:
        buffer = io.BytesIO()
        pygame.image.save(self.ui.screen, buffer, "screen.png")
        return buffer.getvalue(), self.ui.screen.get_size()

    @property
    def join_failed(self) -> bool:
        """The backend did not take the join token: neither the QR code nor the join tag leads to a dead page."""
        return self._join_failed

    @join_failed.setter
    def join_failed(self, failed: bool) -> None:
        self._join_failed = failed
        if self.reader:
            self.reader.set_join_url(self.join_token, self.join_url())

    def join_url(self) -> str | None:
        if not self.phone_join or self.join_failed:
            return None
        return join_url(self.settings.nfc.join_url, self.join_token)

    def new_join_token(self) -> None:
        """A fresh token, offered to the backend for the session on screen (or the one the next tap starts):
        single use, alive ``[nfc] join_wait_s``. The offer runs on a worker; :class:`JoinOffered` answers it."""
        token = self.join_token = new_join_token()
        wait_s = self.settings.nfc.join_wait_s
        self.join_expires_at = time.monotonic() + wait_s
        self.join_failed = False
        if not self.phone_join:
            return
        kiosk_id, session_id = self.settings.kiosk.id, self.machine.session_id or self.next_session_id
        self.call(Call(run=lambda backend: backend.offer_join(token, kiosk_id, session_id, int(wait_s)),
                       reply=lambda result, error: JoinOffered(token, session_id, error is None)))

    def restart(self) -> None:
        self.restart_requested = True
        self.running = False

    # The screen: animation frames, and its power (store hours and motion wake it, nobody around dims it).

    def animating(self, now: float) -> bool:
        """Dimmed or off, the screen shows no animation: the loop sleeps and the idle CPU drops."""
        return self.ui.animating(now) and self.screen_output.power is Power.ON

    def draw_frame(self, now: float) -> None:
        """The animated scene's next frame, when it is due."""
        if not self.animating(now) or now < self.next_frame:
            return
        self.ui.frame(now)
        self.frame_times.append(time.monotonic() - now)
        self.tracer.mark("frame", ms=round(self.frame_times[-1] * 1000, 3))
        self.next_frame = now + self.frame_interval(now)

    def woken_by_input(self, now: float) -> bool:
        """Record a touch or button press; True when it only woke the dimmed or dark screen."""
        return self.screen_power.touch(now, datetime.now().time(), self.machine.scene != ATTRACT)

    def follow_power(self, now: float) -> None:
        """Put the screen power that the store hours, motion and input call for on the screen."""
        power = self.screen_power.state(now, datetime.now().time(), self.machine.scene != ATTRACT)
        self.screen_output.follow(self.ui, power, now)

    # Health, for other threads.

    def publish_vitals(self, now: float, *, at_once: bool = False) -> None:
        """Every VITALS_EVERY_S (or ``at_once``): the app's health as one immutable mapping that the MQTT threads
        may read."""
        if not at_once and now - self._vitals_at < VITALS_EVERY_S:
            return
        self._vitals_at = now
        frames = sorted(self.frame_times)
        p99 = frames[min(len(frames) - 1, int(len(frames) * 0.99))] if frames else None
        vitals = {"clock_synced": clock_synced(), "frame_time_p99_ms": round(p99 * 1000, 2) if p99 else None}
        for feature in self.features.features:
            vitals.update(feature.vitals())
        self.vitals = MappingProxyType(vitals)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

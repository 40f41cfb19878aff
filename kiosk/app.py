"""The composition root: builds every part from the settings, runs the main loop, stops in order.

The main thread owns all state: it runs the pygame loop, and every other thread (reader, MQTT, backend
workers, gpiozero callbacks, the automation socket) only posts messages into it (ARCHITECTURE.md section 3).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pygame

from kiosk import __version__
from kiosk.automation import AutomationServer
from kiosk.backend.http import HttpBackend
from kiosk.backend.local import LocalBackend
from kiosk.backend.port import LoyaltyBackend
from kiosk.clock import clock_synced
from kiosk.config import Settings
from kiosk.content.bundle import load_configured
from kiosk.core import messages as msg
from kiosk.core.debounce import Debouncer
from kiosk.core.events import new_ulid
from kiosk.core.member import progress
from kiosk.core.session import LOOKUP_FAILED, Scene, SessionMachine, Step
from kiosk.devices.parts import KioskParts
from kiosk.exc import BackendUnavailable
from kiosk.journal import SessionJournal
from kiosk.mqtt.link import MqttLink
from kiosk.outbox import Outbox
from kiosk.store import Store
from kiosk.tap.keyboard import KeyboardCards
from kiosk.tap.uid_secret import UidHasher
from kiosk.trace import Tracer
from kiosk.ui.display import open_display
from kiosk.ui.look import Look
from kiosk.ui.manager import SceneManager
from kiosk.ui.scenes import SceneView

log = logging.getLogger(__name__)

MESSAGE = pygame.event.custom_type()
MAX_SLEEP_S = 0.5  # the longest the loop sleeps: SIGTERM is handled at the latest this late
INPUT_POLL_S = 0.02  # how often a sleeping loop looks for touch and key input
STOP_TIMEOUT_S = 3.0

# pygame.event.wait() polls SDL every millisecond on drivers without a blocking wait (dummy, kmsdrm), which
# costs more CPU than the static-screen budget; so the loop sleeps on this event, which post() sets, and
# looks for SDL input every INPUT_POLL_S.
_wake = threading.Event()


def post(message: object) -> None:
    """Hand a message to the main loop and wake it; safe from any thread."""
    pygame.event.post(pygame.event.Event(MESSAGE, message=message))
    _wake.set()


class KioskApp:
    def __init__(self, settings: Settings, *, demo: bool = False, tracer: Tracer | None = None) -> None:
        self.settings = settings
        self.demo = demo
        self.tracer = tracer or Tracer(None)
        state_dir = Path(settings.kiosk.state_dir)
        self.bundle = load_configured(settings.content.dir)
        self.store = Store(state_dir / "state.db")
        self.boot_id = new_ulid()
        self.outbox = Outbox(self.store, kiosk_id=settings.kiosk.id, store_id=settings.kiosk.store,
                             boot_id=self.boot_id, clock_synced=clock_synced)
        self.journal = SessionJournal(self.store, self.outbox)
        self.backend = self._backend(demo)
        self.keyboard = (KeyboardCards(self.bundle, UidHasher(state_dir))
                         if settings.nfc.device == "keyboard" else None)
        if settings.nfc.device not in ("keyboard", "off"):
            log.warning("nfc.device = %r: this version has no NFC reader support yet; taps come only from "
                        "the automation socket", settings.nfc.device)
        self.machine = SessionMachine(settings.kiosk.idle_timeout_s)
        self.debouncer = Debouncer(settings.nfc.same_tap_delay_s)
        self.language = settings.kiosk.language
        self.running = False
        self.parts: KioskParts | None = None
        self.link: MqttLink | None = None
        self.automation: AutomationServer | None = None
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="backend")

    def _backend(self, demo: bool) -> LoyaltyBackend:
        backend = self.settings.backend
        if backend.kind == "http":
            return HttpBackend(backend.url, backend.token, backend.timeout_s)
        local = LocalBackend(self.store)
        if demo:
            local.seed(self.bundle.demo_members, self.bundle.tiers)
        return local

    # Start and stop.

    def start(self) -> None:
        """Open the screen, show the attract scene, then start the workers."""
        display = self.settings.display
        screen = open_display(display.mode, display.width, display.height)
        self.parts = KioskParts(self.settings.gpio, post)
        look = Look(self.bundle, screen.get_size())
        self.ui = SceneManager(screen, look, led=(lambda: self.parts.led_colour) if self.demo else None)
        self._show(Scene.ATTRACT, time.monotonic())
        self.tracer.mark("frame.first")
        if self.settings.mqtt.enabled:
            self.link = MqttLink(self.settings.mqtt, self.settings.kiosk.id, self.outbox)
            self.link.start()
        if self.settings.debug.input_socket:
            self.automation = AutomationServer(Path(self.settings.debug.input_socket), self._post_automation)
            self.automation.start()
        self.running = True
        log.info("kiosk %s %s started (%s, %dx%d)", self.settings.kiosk.id, __version__, display.mode,
                 *screen.get_size())

    def stop(self) -> None:
        """Orderly stop: no new input, ``offline`` published, everything closed."""
        self.running = False
        if self.automation:
            self.automation.close()
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self.link:
            self.link.stop(STOP_TIMEOUT_S)
        if self.parts:
            self.parts.close()
        self.store.close()
        self.tracer.close()
        pygame.quit()
        log.info("kiosk stopped")

    def run(self) -> int:
        """Run until stopped (SIGTERM, or Escape in a window); returns the exit code."""
        signal.signal(signal.SIGTERM, lambda *_: post(msg.Stop("SIGTERM")))
        signal.signal(signal.SIGINT, lambda *_: post(msg.Stop("SIGINT")))
        self.start()
        try:
            while self.running:
                self.run_once()
        finally:
            self.stop()
        return 0

    # The main loop.

    def run_once(self) -> None:
        """Sleep until input, a deadline or the next animation frame; handle what came; draw."""
        now = time.monotonic()
        if self.ui.current.animated:
            wait = self._next_frame - now
        else:
            deadline = self.machine.next_deadline()
            wait = MAX_SLEEP_S if deadline is None else min(MAX_SLEEP_S, deadline - now)
        for event in self._wait_for_events(now + wait):
            self._handle(event)
        now = time.monotonic()
        self._apply(self.machine.tick(now), now)
        if self.ui.current.animated and now >= self._next_frame:
            self.ui.frame(now)
            self._next_frame = now + 1 / self.settings.display.fps

    @staticmethod
    def _wait_for_events(until: float) -> list[pygame.event.Event]:
        """Events as soon as there are any, or none at ``until``: messages wake at once, input within a poll."""
        while True:
            _wake.clear()
            events = pygame.event.get()
            remaining = until - time.monotonic()
            if events or remaining <= 0:
                return events
            _wake.wait(min(remaining, INPUT_POLL_S))

    def _handle(self, event: pygame.event.Event) -> None:
        if event.type == MESSAGE:
            self._on_message(event.message)
        elif event.type == pygame.FINGERDOWN:
            width, height = self.ui.look.size
            self._on_touch((int(event.x * width), int(event.y * height)))
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and not getattr(event, "touch", False):
            # SDL copies every touch into a mouse click marked ``touch``: those were handled as FINGERDOWN.
            self._on_touch(event.pos)
        elif event.type == pygame.KEYDOWN:
            self._on_key(event.key)
        elif event.type == pygame.QUIT and self._may_exit():
            self.running = False

    def _may_exit(self) -> bool:
        """Fullscreen has no way out, except in the demo."""
        return self.demo or self.settings.display.mode != "fullscreen"

    def _on_message(self, message: object) -> None:
        match message:
            case msg.TapDetected():
                self._on_tap(message)
            case msg.LookupDone(session_id=session_id, outcome=outcome):
                now = time.monotonic()
                self._apply(self.machine.lookup_done(session_id, outcome, now), now)
            case msg.ButtonPressed(name=name):
                log.info("button %s pressed", name)
                self.machine.touch(time.monotonic())
            case msg.MotionChanged(active=active):
                log.debug("motion %s", "detected" if active else "gone")
            case msg.InjectButton(name=name):
                try:
                    self.parts.press(name)
                except Exception as exc:
                    log.info("automation: %s", exc)
            case msg.SceneQuery(reply=reply):
                reply.set_result(self.ui.name)
            case msg.Stop(reason=reason):
                log.info("stopping (%s)", reason)
                self.running = False

    def _post_automation(self, message: object) -> None:
        """On the automation thread: touches and keys become the very events SDL posts for real input,
        in order with everything else, so automation goes through the real input path."""
        match message:
            case msg.InjectTouch(x=x, y=y):
                width, height = self.ui.look.size
                pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, x=x / width, y=y / height,
                                                     finger_id=0, touch_id=0, dx=0.0, dy=0.0, pressure=1.0))
                pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, y), button=1, touch=True))
            case msg.InjectKey(key=name):
                key = pygame.key.key_code(name)  # ValueError for an unknown name: the client is told
                pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0))
            case _:
                post(message)

    def _on_key(self, key: int) -> None:
        if key == pygame.K_ESCAPE and self._may_exit():
            self.running = False
            return
        credential = self.keyboard.credential_for(pygame.key.name(key)) if self.keyboard else None
        if credential is not None:
            self._on_tap(msg.TapDetected(credential, "keyboard", time.monotonic()))

    def _on_tap(self, tap: msg.TapDetected) -> None:
        self.tracer.mark("tap.detected", mono=tap.detected_mono, source=tap.source, kind=tap.credential.kind)
        now = time.monotonic()
        if not self.debouncer.accept(tap.credential, now):
            self.tracer.mark("tap.ignored")
            return
        # Feedback first: LED, sound and the first celebration frame never wait for the store or network.
        self.parts.celebrate(self._led_colour("led_celebrate"))
        self.tracer.mark("feedback.led")
        self._apply(self.machine.tap(tap.credential, now, session_id=new_ulid()), now)
        self.tracer.mark("feedback.frame")

    def _on_touch(self, pos: tuple[int, int]) -> None:
        self.tracer.mark("input.touch", x=pos[0], y=pos[1])
        now = time.monotonic()
        self.machine.touch(now)
        action = self.ui.hit(pos)
        if action == "done":
            self._apply(self.machine.done(now), now)
        elif action and action.startswith("lang:"):
            self.language = action.removeprefix("lang:")
            self._show(self.machine.scene, now)

    def _apply(self, step: Step, now: float) -> None:
        if step.scene == Scene.ATTRACT:
            self.language = self.settings.kiosk.language  # the next shopper starts afresh
        if step.scene is not None:
            self._show(step.scene, now)
        if step.events:
            self.journal.record(step.events)
        if step.lookup is not None:
            session_id = self.machine.session_id
            self.executor.submit(self._lookup, session_id, step.lookup)

    def _show(self, scene: Scene, now: float) -> None:
        if scene == Scene.ATTRACT:
            self.parts.glow(self._led_colour("led_idle"))
        member = self.machine.member
        view = SceneView(self.language, member, progress(member.points, self.bundle.tiers) if member else None)
        self.ui.show(scene.value, view, now)
        self._next_frame = now + 1 / self.settings.display.fps
        self.tracer.mark("scene.enter", scene=self.ui.name)

    def _led_colour(self, key: str) -> tuple[float, float, float]:
        return tuple(c / 255 for c in self.bundle.theme[key])

    # On a backend worker thread: no state here, only a message back.

    def _lookup(self, session_id: str, credential) -> None:
        try:
            outcome = self.backend.lookup(credential)
        except BackendUnavailable as exc:
            log.warning("backend: lookup failed: %s", exc)
            outcome = LOOKUP_FAILED
        except Exception:
            log.exception("backend: lookup crashed")
            outcome = LOOKUP_FAILED
        post(msg.LookupDone(session_id, outcome))

"""The composition root: builds every part from the settings, runs the main loop, stops in order.

The main thread owns all state: it runs the pygame loop, and every other thread (reader, MQTT, backend
workers, gpiozero callbacks, the automation socket) only posts messages into it (kiosk/bus.py). What a
shopper sees and does is the features' business (kiosk/features/); this module only hands them messages,
input and time.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from pathlib import Path

import pygame

from kiosk import __version__, backend, systemd
from kiosk.automation import AutomationServer
from kiosk.bus import MESSAGE, post, post_input, wait_for_events
from kiosk.clock import clock_synced
from kiosk.config import Settings
from kiosk.content.library import Library, choose
from kiosk.core import messages as msg
from kiosk.core.events import new_ulid
from kiosk.core.heartbeat import Heartbeat
from kiosk.core.screen_power import ScreenPower, parse_hours
from kiosk.devices.backlight import Backlight
from kiosk.devices.parts import KioskParts
from kiosk.features import default_features
from kiosk.features.base import Feature
from kiosk.features.registry import FeatureSet
from kiosk.mqtt.commands import CommandLedger
from kiosk.mqtt.link import KioskIdentity, MqttLink
from kiosk.runtime import Runtime
from kiosk.storage.journal import Journal
from kiosk.storage.outbox import Outbox
from kiosk.storage.store import Store
from kiosk.tap.keyboard import KeyboardCards
from kiosk.tap.setup import build_reader
from kiosk.tap.uid_secret import UidHasher
from kiosk.trace import Tracer
from kiosk.ui.display import open_display
from kiosk.ui.input import Gestures, Input, Key, Press
from kiosk.ui.power import ScreenOutput

log = logging.getLogger(__name__)

MAX_SLEEP_S = 0.5  # the longest the loop sleeps: SIGTERM is handled at the latest this late
STOP_TIMEOUT_S = 3.0


class KioskApp:
    def __init__(self, settings: Settings, *, demo: bool = False, tracer: Tracer | None = None,
                 features: list[Feature] | None = None) -> None:
        self.settings = settings
        self.demo = demo
        state_dir = Path(settings.kiosk.state_dir)
        self.features = FeatureSet(default_features() if features is None else features)
        library = Library(state_dir / "content")
        crashed = library.recover()  # before choosing: the version on trial is not a candidate
        bundle = choose(library, settings.content.public_key, settings.content.dir)
        self.store = Store(state_dir / "state.db")
        self.boot_id = new_ulid()
        self.started_at, self.started_mono = time.time(), time.monotonic()
        limits = settings.outbox
        self.outbox = Outbox(self.store, kiosk_id=settings.kiosk.id, store_id=settings.kiosk.store,
                             boot_id=self.boot_id, clock_synced=clock_synced, max_pending=limits.max_pending,
                             low_priority_ttl_s=limits.low_priority_ttl_s,
                             retain_delivered_s=limits.retain_delivered_s, retry_refused_s=limits.retry_refused_s,
                             types=self.features.events)
        screen = settings.screen
        self.rt = Runtime(settings, features=self.features, store=self.store,
                          journal=Journal(self.store, self.outbox, self.features.events),
                          backend=backend.build(settings.backend, self.store, bundle, demo=demo,
                                                content=lambda: self.rt.bundle),
                          demo=demo,
                          library=library, crashed_trial=crashed, bundle=bundle, tracer=tracer or Tracer(None),
                          screen_power=ScreenPower(parse_hours(screen.hours), screen.dim_after_s, time.monotonic(),
                                                   motion_wakes=screen.motion_wakes))
        # The demo keeps its keys when it also reads `kiosk tap` over nfcpy's udp: driver.
        keys = settings.nfc.device == "keyboard" or (demo and settings.nfc.device.startswith("udp"))
        self.keyboard = KeyboardCards(UidHasher(state_dir)) if keys else None
        self.heartbeat = Heartbeat("main-loop")
        self.watchdog = systemd.Watchdog(systemd.watchdog_interval_s())
        self.watchdog.watch(self.heartbeat)
        self.link: MqttLink | None = None
        self.automation: AutomationServer | None = None

    # Start and stop.

    def start(self) -> None:
        """Open the screen, let the features recover and show the first scene, then start the workers."""
        settings, rt = self.settings, self.rt
        screen = open_display(settings.display.mode, settings.display.width, settings.display.height)
        backlight = Backlight.find(settings.screen.backlight)
        rt.open_screen(screen, KioskParts(settings.gpio, post),
                       ScreenOutput(backlight.set if backlight else None, settings.screen.dim_brightness / 100))
        self.gestures = Gestures(screen.get_size())
        now = time.monotonic()
        self.features.start(rt)
        rt.show(rt.machine.scene, now)
        rt.tracer.mark("frame.first")
        rt.publish_vitals(now)
        if settings.mqtt.enabled:
            identity = KioskIdentity(settings.kiosk.id, settings.kiosk.store, self.boot_id, __version__,
                                     self.started_at, self.started_mono, Path(settings.kiosk.state_dir))
            self.link = MqttLink(settings.mqtt, identity, self.outbox, CommandLedger(self.store),
                                 self.features.commands, on_command=lambda command, respond: post(
                                     msg.CommandReceived(command.name, command.args, respond)),
                                 app_vitals=lambda: dict(rt.vitals), types=self.features.events)
            self.link.start()
            self.watchdog.watch(self.link.heartbeat)
        if settings.debug.input_socket:
            self.automation = AutomationServer(Path(settings.debug.input_socket), post, post_input, screen.get_size())
            self.automation.start()
        rt.reader = build_reader(settings.nfc, Path(settings.kiosk.state_dir), post)
        if rt.reader:
            rt.reader.set_join_url(rt.join_token, rt.join_url())
            rt.reader.start()
            self.watchdog.watch(rt.reader.heartbeat)
        rt.running = True
        log.info("kiosk %s %s started (%s, %dx%d)", settings.kiosk.id, __version__, settings.display.mode,
                 *screen.get_size())
        systemd.notify("READY=1", f"STATUS=showing {rt.ui.name}")

    def stop(self) -> None:
        """Orderly stop: no new input, the session on screen ended, ``offline`` published, everything closed."""
        systemd.notify("STOPPING=1")
        rt = self.rt
        rt.running = False
        if self.automation:
            self.automation.close()
        if rt.reader:
            rt.reader.stop(STOP_TIMEOUT_S)  # closes nfcpy: a PN532 left open stops answering until power-cycled
        self.features.stop(time.monotonic())
        rt.close()
        if self.link:
            self.link.stop(STOP_TIMEOUT_S)
        rt.parts.close()
        self.store.close()
        rt.tracer.close()
        rt.ui.close()
        pygame.quit()
        log.info("kiosk stopped")

    def run(self) -> int:
        """Run until stopped (SIGTERM, or Escape in a window); returns the exit code."""
        signal.signal(signal.SIGTERM, lambda *_: post(msg.Stop("SIGTERM")))
        signal.signal(signal.SIGINT, lambda *_: post(msg.Stop("SIGINT")))
        self.start()
        try:
            while self.rt.running:
                self.run_once()
        finally:
            self.stop()
        if self.rt.restart_requested:
            # Start afresh in the same process slot: systemd keeps watching the same PID, a shell keeps its job.
            os.execv(sys.executable, [sys.executable, "-m", "kiosk", *sys.argv[1:]])
        return 0

    # The main loop.

    def run_once(self) -> None:
        """Sleep until input, a deadline or the next animation frame; handle what came; draw."""
        rt = self.rt
        now = time.monotonic()
        if rt.animating(now):
            wait = rt.next_frame - now
        else:
            deadline = rt.machine.next_deadline()
            wait = MAX_SLEEP_S if deadline is None else min(MAX_SLEEP_S, deadline - now)
        for event in wait_for_events(now + wait):
            self._handle(event)
        now = time.monotonic()
        rt.apply(rt.machine.tick(now), now)
        self.features.tick(now)
        rt.draw_frame(now)
        rt.warm_next(now)
        rt.follow_power(now)
        rt.publish_vitals(now)
        self.heartbeat.beat(now)
        self.watchdog.tick(now)

    def _handle(self, event: pygame.event.Event) -> None:
        if event.type == MESSAGE:
            self._on_message(event.message)
        elif event.type == pygame.QUIT:
            self._exit()
        else:
            for shopper_input in self.gestures.feed(event, time.monotonic()):
                self._on_input(shopper_input)

    def _exit(self) -> None:
        """Fullscreen has no way out, except in the demo."""
        if self.demo or self.settings.display.mode != "fullscreen":
            self.rt.running = False

    def _on_message(self, message: object) -> None:
        rt = self.rt
        match message:
            case msg.ButtonPressed(name=name):
                log.info("button %s pressed", name)
                now = time.monotonic()
                if not rt.woken_by_input(now):
                    rt.machine.touch(now)
                    self.features.handle_message(message)
            case msg.MotionChanged(active=active):
                log.debug("motion %s", "detected" if active else "gone")
                rt.screen_power.motion(active, time.monotonic())
            case msg.InjectButton(name=name):
                try:
                    rt.parts.press(name)
                except Exception as exc:
                    log.info("automation: %s", exc)
            case msg.SceneQuery(reply=reply):
                reply.set_result(rt.ui.name)
            case msg.CommandReceived(name=name, args=args, respond=respond):
                self.features.commands.run(name, args, respond)
                # What a command changed (maintenance, content) is in the next telemetry, whatever the period.
                rt.publish_vitals(time.monotonic(), at_once=True)
            case msg.Stop(reason=reason):
                log.info("stopping (%s)", reason)
                rt.running = False
            case _:
                if not self.features.handle_message(message):
                    log.warning("no feature handles %s", type(message).__name__)

    def _on_input(self, shopper_input: Input) -> None:
        rt, now = self.rt, time.monotonic()
        if isinstance(shopper_input, Key):
            if shopper_input.name == "escape":
                self._exit()
                return
            credential = self.keyboard.credential_for(rt.bundle, shopper_input.name) if self.keyboard else None
            if credential is not None:
                self.features.handle_message(msg.TapDetected(credential, "keyboard", now))
                return
        if isinstance(shopper_input, Press):
            rt.tracer.mark("input.touch", x=shopper_input.pos[0], y=shopper_input.pos[1])
            if rt.woken_by_input(now):
                return  # the touch that wakes the screen does nothing else
        rt.machine.touch(now)
        action = rt.ui.handle(shopper_input, now)
        if action and not self.features.handle_action(action, now):
            log.warning("ui: no feature answers the action %r", action)

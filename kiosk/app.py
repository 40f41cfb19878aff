"""The composition root: builds every part from the settings, runs the main loop, stops in order.

The main thread owns all state: it runs the pygame loop, and every other thread (reader, MQTT, backend
workers, gpiozero callbacks, the automation socket) only posts messages into it (ARCHITECTURE.md section 3).
"""

from __future__ import annotations

import base64
import io
import logging
import os
import signal
import sys
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pygame
import requests

from kiosk import __version__, systemd
from kiosk.automation import AutomationServer
from kiosk.backend.http import HttpBackend
from kiosk.backend.local import LocalBackend
from kiosk.backend.port import LoyaltyBackend
from kiosk.bus import MESSAGE, post, wait_for_events
from kiosk.clock import clock_synced
from kiosk.config import Settings
from kiosk.content.bundle import Bundle
from kiosk.content.library import Library, Trial, choose, open_installed
from kiosk.content.manifest import public_key
from kiosk.content.updater import Updater
from kiosk.core import messages as msg
from kiosk.core.debounce import Debouncer
from kiosk.core.events import new_ulid, utc_ms
from kiosk.core.heartbeat import Heartbeat
from kiosk.core.member import progress
from kiosk.core.screen_power import Power, ScreenPower, parse_hours
from kiosk.core.session import LOOKUP_FAILED, Scene, SessionMachine, Step
from kiosk.devices.backlight import Backlight
from kiosk.devices.parts import KioskParts
from kiosk.exc import BackendUnavailable, ContentError
from kiosk.mqtt.commands import CommandLedger
from kiosk.mqtt.link import KioskIdentity, MqttLink
from kiosk.storage.journal import SessionJournal
from kiosk.storage.outbox import Outbox
from kiosk.storage.store import Store
from kiosk.tap.keyboard import KeyboardCards
from kiosk.tap.reader import TapReader
from kiosk.tap.setup import build_reader, join_url, new_join_token
from kiosk.tap.uid_secret import UidHasher
from kiosk.trace import Tracer
from kiosk.ui.display import open_display
from kiosk.ui.look import Look
from kiosk.ui.manager import SceneManager
from kiosk.ui.power import ScreenOutput
from kiosk.ui.scenes import SceneView

log = logging.getLogger(__name__)

MAX_SLEEP_S = 0.5  # the longest the loop sleeps: SIGTERM is handled at the latest this late
STOP_TIMEOUT_S = 3.0


class KioskApp:
    def __init__(self, settings: Settings, *, demo: bool = False, tracer: Tracer | None = None) -> None:
        self.settings = settings
        self.demo = demo
        self.tracer = tracer or Tracer(None)
        state_dir = Path(settings.kiosk.state_dir)
        content = settings.content
        self.content_library = Library(state_dir / "content")
        crashed = self.content_library.recover()  # before choosing: the version on trial is not a candidate
        self.bundle = choose(self.content_library, content.public_key, content.dir)
        # Remote bundles need the pinned key to be checked: without one there are no remote updates at all.
        self.updater = Updater(self.content_library, public_key(content.public_key), post,
                               settings.backend.timeout_s) if content.public_key else None
        self.content_pending: int | None = None  # installed, waiting for the attract screen to switch
        self.content_state = "idle"  # the updater's last stage, for telemetry
        self.content_trigger = "poll"
        self._on_trial: tuple[Trial, Bundle, float] | None = None  # a switch in this loop iteration: the bundle
        # it replaced and when it began (see _settle_trial)
        self._next_poll = time.monotonic() + content.poll_interval_s
        self.store = Store(state_dir / "state.db")
        self.boot_id = new_ulid()
        self.started_at, self.started_mono = time.time(), time.monotonic()
        limits = settings.outbox
        self.outbox = Outbox(self.store, kiosk_id=settings.kiosk.id, store_id=settings.kiosk.store,
                             boot_id=self.boot_id, clock_synced=clock_synced, max_pending=limits.max_pending,
                             low_priority_ttl_s=limits.low_priority_ttl_s,
                             retain_delivered_s=limits.retain_delivered_s)
        if crashed is not None:
            log.warning("content: the kiosk stopped with version %s on trial; rolled back", crashed.version)
            self.content_trigger = crashed.trigger
            self._content_event("rolled_back", crashed.version, "crashed", "the kiosk stopped before it showed")
        self.journal = SessionJournal(self.store, self.outbox)
        self.backend = self._backend(demo)
        # The demo keeps its keys when it also reads `kiosk tap` over nfcpy's udp: driver.
        keys = settings.nfc.device == "keyboard" or (demo and settings.nfc.device.startswith("udp"))
        self.keyboard = KeyboardCards(self.bundle, UidHasher(state_dir)) if keys else None
        self.reader: TapReader | None = None
        self.reader_ok: bool | None = None  # None: no nfcpy reader configured, or not reported yet
        self.join_token = new_join_token()
        self.machine = SessionMachine(settings.kiosk.idle_timeout_s)
        self.debouncer = Debouncer(settings.nfc.same_tap_delay_s)
        self.language = settings.kiosk.language
        self.running = False
        self.restart_requested = False
        self.heartbeat = Heartbeat("main-loop")
        self.watchdog = systemd.Watchdog(systemd.watchdog_interval_s())
        self.watchdog.watch(self.heartbeat)
        screen = settings.screen
        self.screen_power = ScreenPower(parse_hours(screen.hours), screen.dim_after_s, time.monotonic(),
                                        motion_wakes=screen.motion_wakes)
        self.power = Power.ON
        self.last_tap_at: float | None = None
        self.frame_times: deque[float] = deque(maxlen=900)  # seconds per drawn frame, for telemetry
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
        backlight = Backlight.find(self.settings.screen.backlight)
        self.screen_output = ScreenOutput(backlight.set if backlight else None,
                                          self.settings.screen.dim_brightness / 100)
        if self.store.meta("maintenance") == "on":
            self.machine.set_maintenance(True, time.monotonic())  # the event was recorded when it was switched on
        self._show(self.machine.scene, time.monotonic())
        self.tracer.mark("frame.first")
        if self.settings.mqtt.enabled:
            identity = KioskIdentity(self.settings.kiosk.id, self.settings.kiosk.store, self.boot_id, __version__,
                                     self.started_at, self.started_mono, Path(self.settings.kiosk.state_dir))
            self.link = MqttLink(self.settings.mqtt, identity, self.outbox, CommandLedger(self.store),
                                 on_command=lambda command, respond: post(
                                     msg.CommandReceived(command.name, command.args, respond)),
                                 app_vitals=self.vitals)
            self.link.start()
            self.watchdog.watch(self.link.heartbeat)
        if self.settings.debug.input_socket:
            self.automation = AutomationServer(Path(self.settings.debug.input_socket), self._post_automation)
            self.automation.start()
        self.reader = build_reader(self.settings.nfc, Path(self.settings.kiosk.state_dir), post)
        if self.reader:
            self.reader.set_join_url(self.join_token, self._join_url())
            self.reader.start()
            self.watchdog.watch(self.reader.heartbeat)
        self.running = True
        log.info("kiosk %s %s started (%s, %dx%d)", self.settings.kiosk.id, __version__, display.mode,
                 *screen.get_size())
        systemd.notify("READY=1", f"STATUS=showing {self.ui.name}")

    def stop(self) -> None:
        """Orderly stop: no new input, ``offline`` published, everything closed."""
        systemd.notify("STOPPING=1")
        self.running = False
        if self.automation:
            self.automation.close()
        if self.reader:
            self.reader.stop(STOP_TIMEOUT_S)  # closes nfcpy: a PN532 left open stops answering until power-cycled
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
        if self.restart_requested:
            # Start afresh in the same process slot: systemd keeps watching the same PID, a shell keeps its job.
            os.execv(sys.executable, [sys.executable, "-m", "kiosk", *sys.argv[1:]])
        return 0

    # The main loop.

    def run_once(self) -> None:
        """Sleep until input, a deadline or the next animation frame; handle what came; draw."""
        now = time.monotonic()
        if self._animating():
            wait = self._next_frame - now
        else:
            deadline = self.machine.next_deadline()
            wait = MAX_SLEEP_S if deadline is None else min(MAX_SLEEP_S, deadline - now)
        for event in wait_for_events(now + wait):
            self._handle(event)
        now = time.monotonic()
        self._apply(self.machine.tick(now), now)
        if self._animating() and now >= self._next_frame:
            self.ui.frame(now)
            self.frame_times.append(time.monotonic() - now)
            self.tracer.mark("frame", ms=round(self.frame_times[-1] * 1000, 3))
            self._next_frame = now + 1 / self.settings.display.fps
        self._update_power(now)
        self._poll_content(now)
        self._settle_trial(time.monotonic())
        self.heartbeat.beat(now)
        self.watchdog.tick(now)

    def _animating(self) -> bool:
        """Dimmed or off, the screen shows no animation: the loop sleeps and the idle CPU drops."""
        return self.ui.current.animated and self.power is Power.ON

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
            case msg.TapRejected():
                self._on_tap_rejected(message)
            case msg.ReaderStatus():
                self._on_reader_status(message)
            case msg.LookupDone(session_id=session_id, outcome=outcome):
                now = time.monotonic()
                self._apply(self.machine.lookup_done(session_id, outcome, now), now)
            case msg.ButtonPressed(name=name):
                log.info("button %s pressed", name)
                now = time.monotonic()
                if not self._woken_by_input(now):
                    self.machine.touch(now)
            case msg.MotionChanged(active=active):
                log.debug("motion %s", "detected" if active else "gone")
                self.screen_power.motion(active, time.monotonic())
            case msg.InjectButton(name=name):
                try:
                    self.parts.press(name)
                except Exception as exc:
                    log.info("automation: %s", exc)
            case msg.SceneQuery(reply=reply):
                reply.set_result(self.ui.name)
            case msg.CommandReceived():
                self._run_command(message)
            case msg.ContentProgress():
                self._on_content_progress(message)
            case msg.MemberJoined(session_id=session_id, member=member):
                if member is not None:
                    now = time.monotonic()
                    self._apply(self.machine.joined(session_id, member, now), now)
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
        self.last_tap_at = time.time()
        now = time.monotonic()
        if not self.debouncer.accept(tap.credential, now):
            self.tracer.mark("tap.ignored")
            return
        self.screen_power.activity(now)  # a tap wakes the screen and goes on: the shopper meant it
        # Feedback first: LED, sound and the first celebration frame never wait for the store or network.
        if self.machine.maintenance:
            self._apply(self.machine.tap(tap.credential, now, session_id=new_ulid()), now)  # refused politely
            return
        self.parts.celebrate(self._led_colour("led_celebrate"))
        self.tracer.mark("feedback.led")
        self._apply(self.machine.tap(tap.credential, now, session_id=new_ulid()), now)
        self.tracer.mark("feedback.frame")
        if tap.credential.kind == "phone_join":
            self._phone_join_offered(tap.credential.value)

    def _on_touch(self, pos: tuple[int, int]) -> None:
        self.tracer.mark("input.touch", x=pos[0], y=pos[1])
        now = time.monotonic()
        if self._woken_by_input(now):
            return  # the touch that wakes the screen does nothing else
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
            self._new_join_token()
        if step.scene is not None:
            self._show(step.scene, now)
        if step.scene == Scene.ATTRACT:
            self._switch_content()
        if step.events:
            self.journal.record(step.events)
        if step.lookup is not None:
            session_id = self.machine.session_id
            self.executor.submit(self._lookup, session_id, step.lookup)

    def _show(self, scene: Scene, now: float) -> None:
        if scene == Scene.ATTRACT:
            self.parts.glow(self._led_colour("led_idle"))
        member = self.machine.member
        view = SceneView(self.language, member, progress(member.points, self.bundle.tiers) if member else None,
                         join_url=self._join_url(), reader_ok=self.reader_ok is not False)
        self.ui.show(scene.value, view, now)
        self._next_frame = now + 1 / self.settings.display.fps
        self.tracer.mark("scene.enter", scene=self.ui.name)

    # Screen power: store hours and motion wake the screen, nobody around dims it.

    def _in_session(self) -> bool:
        return self.machine.scene != Scene.ATTRACT

    def _woken_by_input(self, now: float) -> bool:
        """Record a touch or button press; True when it only woke the dimmed or dark screen."""
        return self.screen_power.touch(now, datetime.now().time(), self._in_session())

    def _update_power(self, now: float) -> None:
        power = self.screen_power.state(now, datetime.now().time(), self._in_session())
        if power is not self.power:
            log.info("screen: %s -> %s", self.power.value, power.value)
            self.power = power
            self.screen_output.apply(self.ui, power, now)

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

    # The NFC reader's messages (kiosk/tap/reader.py).

    def _on_tap_rejected(self, rejected: msg.TapRejected) -> None:
        """A tag without a usable credential: reported, nothing else changes."""
        self.tracer.mark("tap.rejected", mono=rejected.detected_mono, reason=rejected.reason)
        log.info("tap rejected: %s", rejected.reason)
        self.outbox.record("tap_rejected", {"reason": rejected.reason, "source": rejected.source})

    def _on_reader_status(self, status: msg.ReaderStatus) -> None:
        """The reader posts only changes: each is an event, and the attract screen follows it."""
        self.reader_ok = status.ok
        if status.ok:
            log.info("nfc reader ok")
        else:
            log.warning("nfc reader not ok: %s", status.error)
        self.outbox.record("reader_status", {"ok": status.ok, "error": status.error,
                                             "can_emulate": status.can_emulate})
        if self.machine.scene == Scene.ATTRACT:
            self._show(Scene.ATTRACT, time.monotonic())  # "tap here" or, without a reader, the QR code

    def _phone_join_offered(self, token: str) -> None:
        """A phone read the join tag: its one-time URL is used up, the next shopper gets a fresh one."""
        self.outbox.record("phone_join_offered", {"session_id": self.machine.session_id, "join_token": token,
                                                  "via": "nfc"})
        self._new_join_token()

    def _new_join_token(self) -> None:
        self.join_token = new_join_token()
        if self.reader:
            self.reader.set_join_url(self.join_token, self._join_url())

    def _join_url(self) -> str | None:
        return join_url(self.settings.nfc.join_url, self.join_token)

    # Health and remote commands.

    def vitals(self) -> dict:
        """What only the app knows of its health, for telemetry and birth. Any thread may call it: it only reads."""
        frames = sorted(self.frame_times)
        p99 = frames[min(len(frames) - 1, int(len(frames) * 0.99))] if frames else None
        return {
            "reader_ok": self.reader_ok,
            "last_tap_at": utc_ms(self.last_tap_at) if self.last_tap_at else None,
            "content_version": self.bundle.version,
            "content_update": self.content_state,
            "clock_synced": clock_synced(),
            "frame_time_p99_ms": round(p99 * 1000, 2) if p99 is not None else None,
            "maintenance": self.machine.maintenance,
        }

    def _run_command(self, command: msg.CommandReceived) -> None:
        args, respond = command.args, command.respond
        match command.name:
            case "ping":
                respond(True, data={"scene": self.ui.name, "version": __version__,
                                    "uptime_s": round(time.monotonic() - self.started_mono, 1)})
            case "maintenance":
                self._set_maintenance(args["on"])
                respond(True, data={"maintenance": args["on"]})
            case "screenshot":
                self._screenshot(args.get("upload_url"), respond)
            case "reload_content":
                self._reload_content(respond)
            case "update_content":
                self._update_content(args.get("url"), respond)
            case "session_joined":
                self._session_joined(args["session_id"], args["member_ref"], respond)
            case "restart":
                respond(True)
                self.restart_requested = True
                self.running = False
            case _:
                respond(False, error=f"{command.name} is not supported by this version")

    def _set_maintenance(self, on: bool) -> None:
        now = time.monotonic()
        step = self.machine.set_maintenance(on, now)
        with self.store.transaction() as tx:
            tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('maintenance', ?)", ("on" if on else "off",))
            for event in step.events:
                self.outbox.add(tx, event.type, event.data)
        if step.scene is not None:
            self._show(step.scene, now)

    def _screenshot(self, upload_url: str | None, respond) -> None:
        if self.machine.session_id is not None:
            # The screen may show a shopper's name and points: that never leaves the kiosk.
            respond(False, error="a shopper is using the kiosk; try again when it shows the attract screen")
            return
        buffer = io.BytesIO()
        pygame.image.save(self.ui.screen, buffer, "screen.png")
        png = buffer.getvalue()
        size = dict(zip(("width", "height"), self.ui.screen.get_size(), strict=True))
        if upload_url is None:
            respond(True, data={"scene": self.ui.name, **size, "png_base64": base64.b64encode(png).decode()})
            return
        self.executor.submit(self._upload, upload_url, png, size, respond)

    def _upload(self, url: str, png: bytes, size: dict, respond) -> None:
        try:
            response = requests.put(url, data=png, headers={"Content-Type": "image/png"},
                                    timeout=self.settings.backend.timeout_s)
            response.raise_for_status()
        except requests.RequestException as exc:
            respond(False, error=f"upload failed: {type(exc).__name__}")
            return
        respond(True, data={**size, "uploaded_bytes": len(png)})

    def _reload_content(self, respond) -> None:
        try:
            bundle = choose(self.content_library, self.settings.content.public_key, self.settings.content.dir)
        except ContentError as exc:
            respond(False, error=f"content not reloaded: {exc}")
            return
        self._use_bundle(bundle)
        respond(True, data={"content_dir": str(bundle.path), "content_version": bundle.version})

    def _use_bundle(self, bundle: Bundle) -> None:
        """Hot-reload: the scenes, look and demo keys of ``bundle`` replace the old ones, on the same screen."""
        self.bundle = bundle
        led = (lambda: self.parts.led_colour) if self.demo else None
        self.ui = SceneManager(self.ui.screen, Look(bundle, self.ui.screen.get_size()), led=led)
        if self.keyboard is not None:
            self.keyboard = KeyboardCards(bundle, UidHasher(Path(self.settings.kiosk.state_dir)))
        self._show(self.machine.scene, time.monotonic())

    # Remote content updates (kiosk/content/updater.py fetches on its thread; the switch happens here).

    def _update_content(self, url: str | None, respond) -> None:
        url = url or self.settings.content.update_url
        if self.updater is None:
            respond(False, error="remote content updates are off: no [content] public_key configured")
        elif not url:
            respond(False, error="no url given and no [content] update_url configured")
        elif self.content_pending is not None:
            respond(False, error=f"version {self.content_pending} is installed and waits for an idle screen")
        elif not self._start_update(url, "command"):
            respond(False, error="a content update is already running")
        else:
            respond(True, data={"url": url, "content_version": self.bundle.version})

    def _poll_content(self, now: float) -> None:
        interval = self.settings.content.poll_interval_s
        if now < self._next_poll or not interval:
            return
        self._next_poll = now + interval
        url = self.settings.content.update_url
        if url and self.updater is not None and self.content_pending is None:
            self._start_update(url, "poll")

    def _start_update(self, url: str, trigger: str) -> bool:
        if not self.updater.start(url, self.bundle.version):
            return False
        self.content_trigger = trigger
        if trigger == "command":  # a poll speaks up only when it finds something ("downloading"): most find nothing
            self._content_event("accepted", None)
        return True

    def _on_content_progress(self, progress: msg.ContentProgress) -> None:
        quiet = self.content_trigger == "poll" and progress.reason == "not_newer"  # the usual hourly answer
        if not quiet:
            self._content_event(progress.stage, progress.version, progress.reason, progress.detail)
        if progress.stage == "ready":
            self.content_pending = progress.version
            self._switch_content()

    def _switch_content(self) -> None:
        """Switch to the installed update when no shopper is on the screen. The switch is on trial until the end
        of this loop iteration (see :meth:`_settle_trial`); if the new bundle fails to show, the old one comes
        back at once."""
        version = self.content_pending
        if version is None or self.machine.scene != Scene.ATTRACT:
            return
        self.content_pending = None
        started = time.monotonic()
        trial, old = Trial(version, self.content_library.current(), self.content_trigger), self.bundle
        self.content_library.begin_trial(trial)
        try:
            self._use_bundle(open_installed(self.content_library.folder(version), version,
                                            public_key(self.settings.content.public_key)))
            if self.ui.name != Scene.ATTRACT.value:
                raise ContentError(f"the {Scene.ATTRACT.value} scene failed to draw with it")
        except Exception as exc:  # anything that stops the new bundle from showing: the old one comes back
            log.exception("content: version %s failed to load; rolling back to %s", version, old.version)
            self._roll_back(trial, old, "load_failed", str(exc))
            return
        took_ms = round((time.monotonic() - started) * 1000, 1)
        log.info("content: switched to version %s in %s ms", version, took_ms)
        self.tracer.mark("content.switched", version=version, ms=took_ms)
        self._on_trial = (trial, old, started)

    def _settle_trial(self, now: float) -> None:
        """The loop came back around after a switch with the attract scene drawn: keep the new bundle, unless
        showing it took over ``trial_timeout_s``. A crash or hang before this leaves the trial marker on disk,
        and the next start rolls the switch back (Library.recover)."""
        if self._on_trial is None:
            return
        trial, old, started = self._on_trial
        self._on_trial = None
        took = now - started
        if took > self.settings.content.trial_timeout_s:
            log.warning("content: version %s took %.1f s to show; rolling back to %s", trial.version, took,
                        old.version)
            self._roll_back(trial, old, "attract_timeout", f"the attract screen took {took:.1f} s to show")
            return
        self.content_library.end_trial()
        self.content_library.prune()
        self._content_event("switched", trial.version)

    def _roll_back(self, trial: Trial, old: Bundle, reason: str, detail: str) -> None:
        self.content_library.roll_back(trial)
        self._use_bundle(old)
        self._content_event("rolled_back", trial.version, reason, detail[:300])

    def _content_event(self, stage: str, version: int | None, reason: str | None = None,
                       detail: str | None = None) -> None:
        self.content_state = stage
        self.tracer.mark("content.update", stage=stage, version=version)
        self.outbox.record("content_update", {"stage": stage, "version": version, "trigger": self.content_trigger,
                                              "reason": reason, "detail": detail})

    def _session_joined(self, session_id: str, member_ref: str, respond) -> None:
        if self.machine.session_id != session_id:
            respond(False, error="that session is not on the screen (it ended or never was here)")
            return
        respond(True)
        self.executor.submit(self._fetch_profile, session_id, member_ref)

    def _fetch_profile(self, session_id: str, member_ref: str) -> None:
        try:
            member = self.backend.profile(member_ref)
        except BackendUnavailable as exc:
            log.warning("backend: profile of a joined member failed: %s", exc)
            member = None
        post(msg.MemberJoined(session_id, member))

"""Remote content on a running kiosk: start updates, switch to an installed one when no shopper is on the
screen, keep it on trial until the attract screen showed, and roll back when it fails.

The updater (kiosk/content/updater.py) downloads, verifies, installs and opens the bundle on its own thread and
posts its progress, the opened bundle with "ready"; the switch happens here, on the main thread, over two passes
of the main loop on the attract screen: the first begins the trial and builds the new look and scenes, the
second shows them (so that neither pass holds up a frame for all of it). A switch is on trial from its first pass
until the attract scene was drawn with it; a crash or hang before that leaves the trial marker on disk, and the
next start rolls it back (:meth:`kiosk.content.library.Library.recover`). A shopper who comes between the two
passes puts the switch off to the next attract screen.
"""

from __future__ import annotations

import logging
import time

from kiosk import keys
from kiosk.content.bundle import Bundle
from kiosk.content.library import Trial, choose
from kiosk.content.updater import Updater
from kiosk.core import messages as msg
from kiosk.core.commands import Respond
from kiosk.core.flow import Event
from kiosk.core.session import ATTRACT
from kiosk.exc import ContentError
from kiosk.features.base import Context
from kiosk.ui.manager import SceneManager

log = logging.getLogger(__name__)


class ContentSwitch:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        settings = ctx.settings.content
        self.settings = settings
        library = ctx.content_library
        # Remote bundles need the pinned key to be checked: without one there are no remote updates at all.
        self.updater = Updater(library, keys.public_key(settings.public_key), ctx.post,
                               ctx.settings.backend.timeout_s) if settings.public_key else None
        self.pending: Bundle | None = None  # installed and opened, waiting for the attract screen to switch
        self.state = "idle"  # the updater's last stage, for telemetry
        self.trigger = "poll"
        self._on_trial: tuple[Trial, Bundle, float] | None = None  # the switch on trial: what it replaced, when
        self._built: SceneManager | None = None  # the pending bundle's look and scenes, for the next pass to show
        self._next_poll = time.monotonic() + settings.poll_interval_s
        if ctx.crashed_trial is not None:
            crashed = ctx.crashed_trial
            log.warning("content: the kiosk stopped with version %s on trial; rolled back", crashed.version)
            self.trigger = crashed.trigger
            self._event("rolled_back", crashed.version, "crashed", "the kiosk stopped before it showed")

    def reload(self, respond: Respond) -> None:
        try:
            bundle = choose(self.ctx.content_library, self.settings.public_key, self.settings.dir)
        except ContentError as exc:
            respond(False, error=f"content not reloaded: {exc}")
            return
        self.ctx.use_bundle(bundle)
        respond(True, data={"content_dir": str(bundle.path), "content_version": bundle.version})

    def update(self, url: str | None, respond: Respond) -> None:
        url = url or self.settings.update_url
        if self.updater is None:
            respond(False, error="remote content updates are off: no [content] public_key configured")
        elif not url:
            respond(False, error="no url given and no [content] update_url configured")
        elif self.pending is not None:
            respond(False, error=f"version {self.pending.version} is installed and waits for an idle screen")
        elif not self._start(url, "command"):
            respond(False, error="a content update is already running")
        else:
            respond(True, data={"url": url, "content_version": self.ctx.bundle.version})

    def progress(self, progress: msg.ContentProgress) -> None:
        quiet = self.trigger == "poll" and progress.reason == "not_newer"  # the usual hourly answer
        if not quiet:
            self._event(progress.stage, progress.version, progress.reason, progress.detail)
        if progress.stage == "ready":
            self.pending = progress.bundle

    def tick(self, now: float) -> None:
        """Switch to a pending bundle on the attract screen, over two passes, and settle its trial; poll when it
        is time."""
        if self.pending is not None and self.ctx.machine.scene == ATTRACT:
            if self._built is None:
                self._prepare()
            else:
                self._switch()
                self._settle_trial(time.monotonic())
        elif self._built is not None:
            self._put_off()
        interval = self.settings.poll_interval_s
        if interval and now >= self._next_poll:
            self._next_poll = now + interval
            url = self.settings.update_url
            if url and self.updater is not None and self.pending is None:
                self._start(url, "poll")

    def _start(self, url: str, trigger: str) -> bool:
        if not self.updater.start(url, self.ctx.bundle.version):
            return False
        self.trigger = trigger
        if trigger == "command":  # a poll speaks up only when it finds something ("downloading"): most find nothing
            self._event("accepted", None)
        return True

    def _prepare(self) -> None:
        """The switch's first pass: the trial begins, and the pending bundle's look and scenes are built (fonts
        opened: the main thread's work)."""
        ctx = self.ctx
        started = time.monotonic()
        trial = Trial(self.pending.version, ctx.content_library.current(), self.trigger)
        self._on_trial = (trial, ctx.bundle, started)
        ctx.content_library.begin_trial(trial)
        try:
            self._built = ctx.build_ui(self.pending)
        except Exception as exc:  # a look or scene it cannot make: it never shows
            self._failed(exc)
            return
        ctx.tracer.mark("content.built", version=trial.version, ms=round((time.monotonic() - started) * 1000, 1))

    def _put_off(self) -> None:
        """A shopper came between the two passes: the old bundle stays for their session, ``current`` goes back
        to it (a crash in the session is no fault of the pending bundle), and the switch starts over on the next
        attract screen."""
        trial, _, _ = self._on_trial
        self._on_trial = self._built = None
        self.ctx.content_library.restore(trial.previous)
        self.ctx.content_library.end_trial()
        log.info("content: version %s waits for the next attract screen", trial.version)

    def _switch(self) -> None:
        """The switch's second pass: the built look and scenes replace the old ones, and the attract scene
        shows with them."""
        bundle, built = self.pending, self._built
        self.pending = self._built = None
        started = time.monotonic()
        try:
            self.ctx.use_bundle(bundle, built)
            if self.ctx.shown_scene() != ATTRACT:
                raise ContentError(f"the {ATTRACT} scene failed to draw with it")
        except Exception as exc:  # anything that stops the new bundle from showing: the old one comes back
            self._failed(exc)
            return
        took_ms = round((time.monotonic() - started) * 1000, 1)
        log.info("content: switched to version %s in %s ms", bundle.version, took_ms)
        self.ctx.tracer.mark("content.switched", version=bundle.version, ms=took_ms)

    def _failed(self, exc: Exception) -> None:
        trial, old, _ = self._on_trial
        self._on_trial = None
        self.pending = self._built = None
        log.error("content: version %s failed to load; rolling back to %s", trial.version, old.version,
                  exc_info=exc)
        self._roll_back(trial, old, "load_failed", str(exc))

    def _settle_trial(self, now: float) -> None:
        """The attract scene was drawn with the new bundle: keep it, unless showing it took over
        ``trial_timeout_s``."""
        if self._on_trial is None:
            return
        trial, old, started = self._on_trial
        self._on_trial = None
        took = now - started
        if took > self.settings.trial_timeout_s:
            log.warning("content: version %s took %.1f s to show; rolling back to %s", trial.version, took,
                        old.version)
            self._roll_back(trial, old, "attract_timeout", f"the attract screen took {took:.1f} s to show")
            return
        self.ctx.content_library.end_trial()
        self.ctx.content_library.prune()
        self._event("switched", trial.version)

    def _roll_back(self, trial: Trial, old: Bundle, reason: str, detail: str) -> None:
        self.ctx.content_library.roll_back(trial)
        self.ctx.machine.recover(time.monotonic())  # the failure was the new bundle's, and it is gone
        self.ctx.use_bundle(old)
        self._event("rolled_back", trial.version, reason, detail[:300])

    def _event(self, stage: str, version: int | None, reason: str | None = None, detail: str | None = None) -> None:
        self.state = stage
        self.ctx.tracer.mark("content.update", stage=stage, version=version)
        self.ctx.record([Event("content_update", {"stage": stage, "version": version, "trigger": self.trigger,
                                                  "reason": reason, "detail": detail})])

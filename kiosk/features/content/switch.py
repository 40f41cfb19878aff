"""Remote content on a running kiosk: start updates, switch to an installed one when no shopper is on the
screen, keep it on trial until the attract screen showed, and roll back when it fails.

The updater (kiosk/content/updater.py) downloads, verifies, installs and opens the bundle on its own thread and
posts its progress, the opened bundle with "ready"; the switch happens here, on the main thread. A switch is
on trial until the attract scene was drawn with it; a crash or hang before that leaves the trial marker on disk,
and the next start rolls it back (:meth:`kiosk.content.library.Library.recover`).
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
        """Switch to a pending bundle on the attract screen and settle its trial; poll when it is time."""
        if self.pending is not None and self.ctx.machine.scene == ATTRACT:
            self._switch()
            self._settle_trial(time.monotonic())
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

    def _switch(self) -> None:
        bundle, self.pending = self.pending, None
        version = bundle.version
        ctx = self.ctx
        started = time.monotonic()
        trial, old = Trial(version, ctx.content_library.current(), self.trigger), ctx.bundle
        ctx.content_library.begin_trial(trial)
        try:
            ctx.use_bundle(bundle)
            if ctx.shown_scene() != ATTRACT:
                raise ContentError(f"the {ATTRACT} scene failed to draw with it")
        except Exception as exc:  # anything that stops the new bundle from showing: the old one comes back
            log.exception("content: version %s failed to load; rolling back to %s", version, old.version)
            self._roll_back(trial, old, "load_failed", str(exc))
            return
        took_ms = round((time.monotonic() - started) * 1000, 1)
        log.info("content: switched to version %s in %s ms", version, took_ms)
        ctx.tracer.mark("content.switched", version=version, ms=took_ms)
        self._on_trial = (trial, old, started)

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

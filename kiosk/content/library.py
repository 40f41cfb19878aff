"""The bundles installed on this kiosk, under ``{state_dir}/content``, and the switch between them.

    content/
      staging/<version>/   a download in progress (resumed after a cut or a restart)
      versions/<version>/  verified bundles: the current one and up to KEEP_PREVIOUS before it
      current              symbolic link to versions/<version>, replaced atomically
      rejected             the highest version that failed to load: never fetched again
      trial                {version, previous, trigger} of a switch not yet confirmed on screen

Every change is a rename or a symlink replacement followed by an fsync of the folder, so a power cut at any
moment leaves ``current`` pointing at one complete, verified bundle: the old one or the new one.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk import keys
from kiosk.content import manifest as mf
from kiosk.content.bundle import Bundle, load_bundle, load_configured
from kiosk.content.schemas import DEFAULT_DIR
from kiosk.exc import ContentError
from kiosk.files import fsync_dir, write_atomic

log = logging.getLogger(__name__)

KEEP_PREVIOUS = 2


@dataclass(frozen=True)
class Trial:
    """A switch on trial: ``version`` went live in place of ``previous`` (None: the built-in content), on an
    update started by ``trigger``; it stays on trial until the app has drawn the attract scene with it."""

    version: int
    previous: int | None
    trigger: str


class Library:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions = root / "versions"
        self.staging = root / "staging"
        self.current_link = root / "current"

    def current(self) -> int | None:
        """The version ``current`` points at, or None when there is none (or it is not one of ours)."""
        try:
            target = os.readlink(self.current_link)
        except OSError:
            return None
        name = Path(target).name
        return int(name) if name.isdigit() else None

    def installed(self) -> list[int]:
        """Installed versions, newest first."""
        if not self.versions.is_dir():
            return []
        return sorted((int(p.name) for p in self.versions.iterdir() if p.name.isdigit()), reverse=True)

    def folder(self, version: int) -> Path:
        return self.versions / str(version)

    def staging_folder(self, version: int) -> Path:
        return self.staging / str(version)

    def floor(self) -> int | None:
        """The highest version that failed to load here: an update must be above it."""
        try:
            return int((self.root / "rejected").read_text())
        except (OSError, ValueError):
            return None

    def install(self, version: int) -> Path:
        """Move a verified staging folder into versions/ (one rename) and drop older leftovers of staging."""
        self.versions.mkdir(parents=True, exist_ok=True)
        target = self.folder(version)
        if target.exists():
            shutil.rmtree(target)  # a leftover of an install that never became current
        os.replace(self.staging_folder(version), target)
        fsync_dir(self.versions)
        shutil.rmtree(self.staging, ignore_errors=True)
        return target

    def switch(self, version: int) -> None:
        """Point ``current`` at ``version``: a new link under a temporary name, renamed over the old one."""
        temporary = self.root / "current.new"
        temporary.unlink(missing_ok=True)
        os.symlink(Path("versions") / str(version), temporary)
        os.replace(temporary, self.current_link)
        fsync_dir(self.root)

    def begin_trial(self, trial: Trial) -> None:
        """Switch to ``trial.version`` with the trial marker written first: a process that dies before
        :meth:`end_trial` leaves the marker, and the next start rolls the switch back (:meth:`recover`)."""
        self._write("trial", json.dumps(dataclasses.asdict(trial)))
        self.switch(trial.version)

    def trial(self) -> Trial | None:
        """The switch on trial, if any (an unreadable marker counts as none: it is written atomically, so only
        damage from outside makes one)."""
        try:
            return Trial(**json.loads((self.root / "trial").read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def end_trial(self) -> None:
        """The switched version showed: keep it."""
        (self.root / "trial").unlink(missing_ok=True)
        fsync_dir(self.root)

    def roll_back(self, trial: Trial) -> None:
        """Undo the switch of ``trial``: the tried version rejected (first: a crash halfway through leaves the
        marker and ``current`` as they were, so the next start does it again), the previous one current."""
        self.reject(trial.version)
        self.restore(trial.previous)
        self.end_trial()

    def recover(self) -> Trial | None:
        """At start: a marker left over means the last process died with a version on trial; roll that back
        and return it. A marker whose switch never happened (``current`` is not its version) is just dropped."""
        trial = self.trial()
        if trial is not None and self.current() == trial.version:
            self.roll_back(trial)
            return trial
        if (self.root / "trial").exists():
            self.end_trial()
        return None

    def restore(self, version: int | None) -> None:
        """Roll back: point ``current`` at ``version`` again, or remove it (None: the built-in content ran)."""
        if version is not None:
            self.switch(version)
            return
        self.current_link.unlink(missing_ok=True)
        fsync_dir(self.root)

    def reject(self, version: int) -> None:
        """``version`` failed to load: remember it so it is not fetched again, and delete it."""
        self._write("rejected", str(max(version, self.floor() or 0)))
        shutil.rmtree(self.folder(version), ignore_errors=True)
        shutil.rmtree(self.staging_folder(version), ignore_errors=True)

    def _write(self, name: str, text: str) -> None:
        """Replace the small file ``name`` atomically and durably (written under a temporary name, renamed)."""
        self.root.mkdir(parents=True, exist_ok=True)
        write_atomic(self.root / name, text.encode())

    def prune(self) -> None:
        """Keep the current version and the KEEP_PREVIOUS before it; delete the rest."""
        current = self.current()
        older = [v for v in self.installed() if current is None or v < current]
        for version in older[KEEP_PREVIOUS:]:
            shutil.rmtree(self.folder(version), ignore_errors=True)


def open_installed(folder: Path, version: int, key: Ed25519PublicKey) -> Bundle:
    """An installed bundle, checked before use: its signature and file lengths and its schemas (hashes and
    images were checked when it was installed; hashing and decoding a large bundle at every start or switch
    would break their budgets)."""
    manifest = mf.load_verified(folder, key, hashes=False)
    if manifest.version != version:
        raise ContentError(f"{folder}: holds version {manifest.version}, not {version}")
    return load_bundle(folder, manifest.version, media=False)


def builtin_version(folder: Path) -> int | None:
    """The version in a built-in bundle's manifest: trusted as it ships with the code, so only read."""
    try:
        return mf.parse(mf.read_capped(folder / mf.MANIFEST, mf.MANIFEST_CAP)).version
    except ContentError:
        return None


def choose(library: Library, public_key: str, configured_dir: str) -> Bundle:
    """The bundle to start with: ``current``, else the newest installed one that checks out (the last good),
    else ``[content] dir`` or the built-in content. Says which in one log line."""
    candidates = library.installed()
    current = library.current()
    if current in candidates:
        candidates.remove(current)
        candidates.insert(0, current)
    if candidates and not public_key:
        log.warning("content: installed bundles %s not used: no [content] public_key to check them", candidates)
        candidates = []
    for version in candidates:
        try:
            bundle = open_installed(library.folder(version), version, keys.public_key(public_key))
        except ContentError as exc:
            log.warning("content: installed version %s unusable: %s", version, exc)
            continue
        state = "current" if version == current else f"last good (current {current} unusable)"
        log.info("content: version %s from %s (%s)", version, bundle.path, state)
        return bundle
    bundle = load_configured(configured_dir)
    version = builtin_version(bundle.path)
    source = "built-in" if bundle.path == DEFAULT_DIR else "[content] dir"
    log.info("content: %s from %s (%s%s)", "unversioned" if version is None else f"version {version}", bundle.path,
             source, ", no installed bundle usable" if library.installed() else "")
    return dataclasses.replace(bundle, version=version)

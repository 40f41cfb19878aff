"""The content updater: on its own thread, fetch a signed bundle into staging, check everything, install it,
open it from where it was installed, and tell the main loop (it only posts
:class:`~kiosk.core.messages.ContentProgress`, the opened bundle with the "ready" one; the switch to the new bundle
is the main thread's, when the screen is idle).

Order of trust: the manifest and its signature are small and capped; only a manifest signed by the pinned key,
newer than what runs and not expired is acted on; its lengths then cap every download (endless data stops
there), each file is hashed against it, and the whole folder passes the schemas before it is installed.

Time is capped too: every request keeps a :class:`~kiosk.content.pace.Pace` (a deadline and a minimum rate), and
one that falls behind ends the update as ``failed``/``stalled``; a newer :meth:`Updater.start` does not wait for
that: it cancels a stalled update at once and takes its place. Redirects are capped, file names are
percent-encoded in the URLs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import requests
import urllib3
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.content import manifest as mf
from kiosk.content.bundle import load_bundle
from kiosk.content.library import Library, open_installed
from kiosk.content.pace import Limits, Pace, Stalled
from kiosk.core.messages import ContentProgress
from kiosk.exc import ContentError

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
MAX_REDIRECTS = 3  # a CDN needs one or two; requests would follow 30


class Cancelled(Exception):
    """A newer update took this one's place: it ends without a word (the newer start reported it)."""


class UpdateRun:
    """One update on its thread. Its lock orders the thread's progress against a newer :meth:`Updater.start`
    cancelling it, so exactly one of them reports how it ended."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.version: int | None = None  # once its signed manifest was read
        self.thread: threading.Thread | None = None
        self.cancelled = False
        self._pace: Pace | None = None
        self._response: requests.Response | None = None
        self._lock = threading.Lock()

    def read(self, response: requests.Response) -> Iterator[bytes]:
        """The body of ``response``, as the bytes arrive, while it keeps its pace (Stalled otherwise)."""
        with self._lock:
            if self.cancelled:
                raise Cancelled
            self._pace, self._response = Pace(self.limits, time.monotonic()), response
        try:
            while True:
                # read1 returns as soon as any bytes came, so the pace is checked after every packet: read() would
                # wait for a whole chunk, one trickled byte at a time.
                chunk = response.raw.read1(CHUNK, decode_content=True)
                with self._lock:
                    if self.cancelled:
                        raise Cancelled
                    if not chunk:
                        return
                    now = time.monotonic()
                    self._pace.add(len(chunk), now)
                    if reason := self._pace.behind(now):
                        raise Stalled(f"{response.url}: {reason}")
                yield chunk
        finally:
            with self._lock:
                self._pace = self._response = None

    def cancel_if_stalled(self) -> str | None:
        """Cancel the run if the transfer under way is behind its pace; returns why, or None (it goes on)."""
        with self._lock:
            reason = self._pace.behind(time.monotonic()) if self._pace else None
            if reason is None:
                return None
            self.cancelled = True
            response = self._response
        response.raw.shutdown()  # wakes the thread blocked in a read: it sees `cancelled` and ends
        return reason


class Updater:
    """Runs one update at a time on a worker thread; :meth:`start` says whether it took the request."""

    def __init__(self, library: Library, key: Ed25519PublicKey, post: Callable[[object], None],
                 timeout_s: float, limits: Limits | None = None) -> None:
        self.library = library
        self.key = key
        self.post = post
        self.timeout_s = timeout_s
        self.limits = limits or Limits()
        self._run: UpdateRun | None = None

    @property
    def busy(self) -> bool:
        return self._run is not None and self._run.thread.is_alive()

    def start(self, url: str, current: int | None) -> bool:
        """Fetch the bundle at ``url`` (a folder URL) if it is above ``current``. False if an update is running and
        keeping its pace; one that is stalled is cancelled (reported ``failed``/``stalled``) and this one replaces
        it (it waits for the old thread to let go of the staging folder first)."""
        previous = self._run
        if previous is not None and previous.thread.is_alive():
            reason = previous.cancel_if_stalled()
            if reason is None:
                return False
            log.warning("content update stalled (%s); a newer one takes its place", reason)
            self.post(ContentProgress("failed", previous.version, "stalled",
                                      f"replaced by a newer update: {reason}"[:300]))
        floor = max(v for v in (current, self.library.floor(), 0) if v is not None)
        run = UpdateRun(self.limits)
        run.thread = threading.Thread(target=self._work, args=(run, url, floor or None, previous),
                                      name="content-updater", daemon=True)
        self._run = run
        run.thread.start()
        return True

    def join(self, timeout: float) -> None:
        if self._run is not None:
            self._run.thread.join(timeout)

    def _work(self, run: UpdateRun, url: str, current: int | None, previous: UpdateRun | None) -> None:
        if previous is not None:
            previous.thread.join()  # cancelled: it ends at its next read, woken by the shutdown
        try:
            version = self.fetch(url, current, run)
            # Opened here, off the main thread: the check of the installed bundle took 8-12 ms of the switch.
            bundle = open_installed(self.library.folder(version), version, self.key)
            outcome = ContentProgress("ready", version, bundle=bundle)
        except Cancelled:
            return
        except mf.BundleRefused as exc:
            log.warning("content update refused: %s", exc)
            outcome = ContentProgress("refused", run.version, exc.reason, str(exc)[:300])
        except ContentError as exc:
            # Signed but broken: never fetched again; a fixed bundle comes with a higher version.
            log.warning("content update refused: %s", exc)
            if run.version is not None:
                self.library.reject(run.version)
            outcome = ContentProgress("refused", run.version, "invalid_content", str(exc)[:300])
        except Stalled as exc:
            # Like a cut download: what came stays in staging and resumes on the next attempt.
            log.warning("content update stalled: %s", exc)
            outcome = ContentProgress("failed", run.version, "stalled", str(exc)[:300])
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            if run.cancelled:
                return  # its connection was shut to cancel it
            # A cut download stays in staging and resumes on the next attempt.
            log.warning("content update failed: %s", exc)
            outcome = ContentProgress("failed", run.version, "download_failed", f"{type(exc).__name__}: {exc}"[:300])
        if not run.cancelled:  # cancelled after it went wrong anyway: the start that cancelled it reported it
            self.post(outcome)

    def fetch(self, url: str, current: int | None, run: UpdateRun | None = None) -> int:
        """Download, check and install the bundle at ``url``; returns its version (BundleRefused otherwise)."""
        run = run or UpdateRun(self.limits)
        base = url if url.endswith("/") else url + "/"
        with requests.Session() as session:
            session.max_redirects = MAX_REDIRECTS
            raw = _get_capped(session, run, base + mf.MANIFEST, mf.MANIFEST_CAP, self.timeout_s)
            signature = _get_capped(session, run, base + mf.SIGNATURE, mf.SIGNATURE_CAP, self.timeout_s)
            mf.verify_signature(raw, signature, self.key)
            manifest = mf.parse(raw)
            run.version = manifest.version
            mf.check_update(manifest, current, datetime.now(UTC))
            self.post(ContentProgress("downloading", manifest.version))
            staging = self.library.staging_folder(manifest.version)
            for name, entry in manifest.files.items():
                # quote(): a name with "#", "?", "%" or a space is a path on the server, not a fragment or a query.
                _download(session, run, base + quote(name), staging / PurePosixPath(name), entry, self.timeout_s)
                try:
                    mf.verify_file(staging, name, entry)
                except mf.BundleRefused:
                    (staging / name).unlink(missing_ok=True)  # a resumed file that went wrong starts over
                    raise
        (staging / mf.MANIFEST).write_bytes(raw)
        (staging / mf.SIGNATURE).write_bytes(signature)
        mf.verify_folder(staging, manifest, hashes=False)  # nothing but the listed files; hashes just checked
        load_bundle(staging, manifest.version)
        self.library.install(manifest.version)
        log.info("content: version %s downloaded and verified", manifest.version)
        return manifest.version


def _get_capped(session: requests.Session, run: UpdateRun, url: str, cap: int, timeout_s: float) -> bytes:
    """A small file, refused as soon as it passes ``cap`` bytes, whatever the server claims."""
    with session.get(url, stream=True, timeout=timeout_s) as response:
        response.raise_for_status()
        body = bytearray()
        for chunk in run.read(response):
            body += chunk
            if len(body) > cap:
                raise mf.BundleRefused("too_large", f"{url}: more than {cap} bytes")
    return bytes(body)


def _download(session: requests.Session, run: UpdateRun, url: str, dest: Path, entry: mf.FileEntry,
              timeout_s: float) -> None:
    """Fetch ``url`` into ``dest``, resuming a partial file with a Range request, never past ``entry.length``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    have = dest.stat().st_size if dest.exists() else 0
    if have > entry.length:
        dest.unlink()
        have = 0
    if have == entry.length:
        return
    headers = {"Range": f"bytes={have}-"} if have else {}
    with session.get(url, headers=headers, stream=True, timeout=timeout_s) as response:
        response.raise_for_status()
        if response.status_code != 206:
            have = 0  # the server sent the whole file: start over
        elif not response.headers.get("Content-Range", "").startswith(f"bytes {have}-"):
            dest.unlink()
            raise requests.ConnectionError(f"{url}: the server answered another range than bytes={have}-")
        with dest.open("r+b" if have else "wb") as fh:
            fh.seek(have)
            fh.truncate()
            for chunk in run.read(response):
                have += len(chunk)
                if have > entry.length:
                    raise mf.BundleRefused("too_large", f"{url}: more than the {entry.length} bytes of the manifest")
                fh.write(chunk)
    if have != entry.length:
        raise requests.ConnectionError(f"{url}: {have} of {entry.length} bytes before the connection ended")

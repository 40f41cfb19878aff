"""The content updater: on its own thread, fetch a signed bundle into staging, check everything, install it,
and tell the main loop (it only posts :class:`~kiosk.core.messages.ContentProgress`; the switch to the new
bundle is the main thread's, when the screen is idle).

Order of trust: the manifest and its signature are small and capped; only a manifest signed by the pinned key,
newer than what runs and not expired is acted on; its lengths then cap every download (endless data stops
there), each file is hashed against it, and the whole folder passes the schemas before it is installed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.content import manifest as mf
from kiosk.content.bundle import load_bundle
from kiosk.content.library import Library
from kiosk.core.messages import ContentProgress
from kiosk.exc import ContentError

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


class Updater:
    """Runs one update at a time on a worker thread; :meth:`start` says whether it took the request."""

    def __init__(self, library: Library, key: Ed25519PublicKey, post: Callable[[object], None],
                 timeout_s: float) -> None:
        self.library = library
        self.key = key
        self.post = post
        self.timeout_s = timeout_s
        self._thread: threading.Thread | None = None
        self._version: int | None = None  # of the update running, once its signed manifest was read

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, url: str, current: int | None) -> bool:
        """Fetch the bundle at ``url`` (a folder URL) if it is above ``current``; False if one is running."""
        if self.busy:
            return False
        floor = max(v for v in (current, self.library.floor(), 0) if v is not None)
        self._thread = threading.Thread(target=self._run, args=(url, floor or None), name="content-updater",
                                        daemon=True)
        self._thread.start()
        return True

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, url: str, current: int | None) -> None:
        self._version = None
        try:
            version = self.fetch(url, current)
        except mf.BundleRefused as exc:
            log.warning("content update refused: %s", exc)
            self.post(ContentProgress("refused", self._version, exc.reason, str(exc)[:300]))
        except ContentError as exc:
            # Signed but broken: never fetched again; a fixed bundle comes with a higher version.
            log.warning("content update refused: %s", exc)
            if self._version is not None:
                self.library.reject(self._version)
            self.post(ContentProgress("refused", self._version, "invalid_content", str(exc)[:300]))
        except (requests.RequestException, OSError) as exc:
            # A cut download stays in staging and resumes on the next attempt.
            log.warning("content update failed: %s", exc)
            self.post(ContentProgress("failed", self._version, "download_failed",
                                      f"{type(exc).__name__}: {exc}"[:300]))
        else:
            self.post(ContentProgress("ready", version))

    def fetch(self, url: str, current: int | None) -> int:
        """Download, check and install the bundle at ``url``; returns its version (BundleRefused otherwise)."""
        base = url if url.endswith("/") else url + "/"
        with requests.Session() as session:
            raw = _get_capped(session, base + mf.MANIFEST, mf.MANIFEST_CAP, self.timeout_s)
            signature = _get_capped(session, base + mf.SIGNATURE, mf.SIGNATURE_CAP, self.timeout_s)
            mf.verify_signature(raw, signature, self.key)
            manifest = mf.parse(raw)
            self._version = manifest.version
            mf.check_update(manifest, current, datetime.now(UTC))
            self.post(ContentProgress("downloading", manifest.version))
            staging = self.library.staging_folder(manifest.version)
            for name, entry in manifest.files.items():
                _download(session, base + name, staging / PurePosixPath(name), entry, self.timeout_s)
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


def _get_capped(session: requests.Session, url: str, cap: int, timeout_s: float) -> bytes:
    """A small file, refused as soon as it passes ``cap`` bytes, whatever the server claims."""
    with session.get(url, stream=True, timeout=timeout_s) as response:
        response.raise_for_status()
        body = bytearray()
        for chunk in response.iter_content(CHUNK):
            body += chunk
            if len(body) > cap:
                raise mf.BundleRefused("too_large", f"{url}: more than {cap} bytes")
    return bytes(body)


def _download(session: requests.Session, url: str, dest: Path, entry: mf.FileEntry, timeout_s: float) -> None:
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
            for chunk in response.iter_content(CHUNK):
                have += len(chunk)
                if have > entry.length:
                    raise mf.BundleRefused("too_large", f"{url}: more than the {entry.length} bytes of the manifest")
                fh.write(chunk)
    if have != entry.length:
        raise requests.ConnectionError(f"{url}: {have} of {entry.length} bytes before the connection ended")

"""Content updates: download + verify of a large bundle over loopback, a full verify of it, and the switch.

The switch is what the main thread does when an installed update goes live (kiosk.app._switch_content): the
atomic symlink replacement with its fsync, the check of the installed bundle, the new look and scenes, and the
first attract frame. Budget (ARCHITECTURE.md section 12): <= 100 ms. Download and verify run on the updater's
thread and have no budget of their own; they are reported for context.
"""

from __future__ import annotations

import os
import queue
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import ROOT, Figure

sys.path.insert(0, str(ROOT))

SWITCH_BUDGET_MS = 100.0
WIDTH, HEIGHT = 1920, 1080


def measure(quick: bool) -> list[Figure]:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk.content import manifest as mf
    from kiosk.content.library import Library, open_installed
    from kiosk.content.serve import serve_in_background
    from kiosk.content.updater import Updater
    from kiosk.core.session import Scene
    from kiosk.ui.look import Look
    from kiosk.ui.manager import SceneManager
    from kiosk.ui.scenes import SceneView
    from tests.bundles import make_bundle

    size_mb = 20 if quick else 100
    switches = 5 if quick else 20
    key = Ed25519PrivateKey.generate()
    with tempfile.TemporaryDirectory(prefix="kiosk-perf-content-") as tmp:
        site = Path(tmp) / "site"
        # Files of 10 MB, as images and videos of a real bundle would be, of random (incompressible) bytes.
        extra = {f"media/clip{i}.bin": os.urandom(10 * 1024 * 1024) for i in range(size_mb // 10)}
        make_bundle(site / "big", key, 2, extra=extra, expires=datetime.now(UTC) + timedelta(days=1))
        make_bundle(site / "small", key, 3)
        library = Library(Path(tmp) / "state" / "content")
        messages: queue.Queue = queue.Queue()
        updater = Updater(library, key.public_key(), messages.put, timeout_s=30)
        server, url = serve_in_background(site)
        try:
            started = time.perf_counter()
            updater.fetch(url + "big/", 1)
            fetch_s = time.perf_counter() - started
            updater.fetch(url + "small/", 2)
        finally:
            server.shutdown()
            server.server_close()
        started = time.perf_counter()
        mf.load_verified(library.folder(2), key.public_key())
        verify_s = time.perf_counter() - started

        pygame.display.init()
        pygame.font.init()
        try:
            screen = pygame.display.set_mode((WIDTH, HEIGHT))
            samples = []
            for i in range(switches):
                version = 2 + i % 2
                started = time.perf_counter()
                library.switch(version)
                bundle = open_installed(library.folder(version), version, key.public_key())
                ui = SceneManager(screen, Look(bundle, screen.get_size()))
                ui.show(Scene.ATTRACT.value, SceneView("en"), time.monotonic())
                samples.append((time.perf_counter() - started) * 1000)
        finally:
            pygame.quit()
    return [
        Figure(f"download + verify {size_mb} MB bundle (loopback)", fetch_s, "s", None, 1),
        Figure(f"full verify (signature + sha256) {size_mb} MB", verify_s, "s", None, 1),
        Figure("content switch, median", statistics.median(samples), "ms", SWITCH_BUDGET_MS, switches),
        Figure("content switch, max", max(samples), "ms", SWITCH_BUDGET_MS, switches),
    ]

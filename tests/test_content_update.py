"""The content updater and the installed-bundle library, against real HTTP servers on 127.0.0.1."""

import base64
import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from werkzeug import Response

from kiosk import keys
from kiosk.content import authoring
from kiosk.content import manifest as mf
from kiosk.content.bundle import DEFAULT_DIR
from kiosk.content.library import Library, Trial, choose
from kiosk.content.pace import Limits
from kiosk.content.serve import serve_in_background
from kiosk.content.updater import MAX_REDIRECTS, Updater
from kiosk.core.messages import ContentProgress
from tests.bundles import SHIPPED_VERSION, make_bundle
from tests.helpers import REPO, wait_for


@pytest.fixture
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture
def served(tmp_path, key):
    """Serves tmp_path/site; returns (site folder, URL)."""
    site = tmp_path / "site"
    site.mkdir()
    server, url = serve_in_background(site)
    yield site, url
    server.shutdown()
    server.server_close()


class Run:
    """An updater on a library in tmp_path, with the messages it posts."""

    def __init__(self, tmp_path, key, limits=None, timeout_s=5):
        self.library = Library(tmp_path / "state" / "content")
        self.messages: queue.Queue = queue.Queue()
        self.updater = Updater(self.library, key.public_key(), self.messages.put, timeout_s=timeout_s, limits=limits)
        self.posted: list[ContentProgress] = []

    def update(self, url, current=1) -> ContentProgress:
        assert self.updater.start(url, current)
        return self.outcome()

    def outcome(self) -> ContentProgress:
        """The last message once the update running ended."""
        self.updater.join(30)
        assert not self.updater.busy, "the update is still running after 30 s"
        while not self.messages.empty():
            self.posted.append(self.messages.get())
        return self.posted[-1]


@pytest.fixture
def run(tmp_path, key):
    return Run(tmp_path, key)


def test_good_update_is_installed_and_the_kiosk_starts_from_it(served, run, key):
    site, url = served
    make_bundle(site / "v2", key, 2, greeting="Finished", extra={"img/logo.bin": os.urandom(300_000)})
    outcome = run.update(url + "v2/")
    assert (outcome.stage, outcome.version) == ("ready", 2)
    assert run.library.installed() == [2] and not run.library.staging.exists()
    # It comes opened from where it was installed: the switch on the main thread need not read it again.
    assert (outcome.bundle.path, outcome.bundle.version) == (run.library.folder(2), 2)
    assert outcome.bundle.text("en", "button.done") == "Finished"
    run.library.switch(2)
    public = keys.public_text(key)
    bundle = choose(run.library, public, "")
    assert (bundle.version, bundle.text("en", "button.done")) == (2, "Finished")
    assert bundle.path == run.library.folder(2)


@pytest.mark.parametrize(("setup", "current", "reason"), [
    ("other_key", 1, "bad_signature"),
    ("same", 2, "not_newer"),
    ("same", 3, "not_newer"),
    ("expired", 1, "expired"),
    ("tampered", 1, "file_mismatch"),
    ("longer", 1, "too_large"),
])
def test_refused_updates_change_nothing(served, run, key, setup, current, reason):
    site, url = served
    if setup == "other_key":
        make_bundle(site / "b", Ed25519PrivateKey.generate(), 2)
    elif setup == "expired":
        make_bundle(site / "b", key, 2, expires=datetime.now(UTC) - timedelta(seconds=1))
    else:
        make_bundle(site / "b", key, 2)
    if setup == "tampered":
        theme = site / "b" / "theme.json"
        theme.write_bytes(theme.read_bytes().replace(b"#", b"#", 1).upper())  # same length, other bytes
    elif setup == "longer":
        with (site / "b" / "tiers.json").open("ab") as fh:
            fh.write(b" " * 10)
    outcome = run.update(url + "b/", current)
    assert (outcome.stage, outcome.reason) == ("refused", reason)
    assert run.library.installed() == [] and run.library.current() is None


def test_a_signed_but_invalid_bundle_is_refused_and_never_fetched_again(served, run, key):
    site, url = served
    folder = make_bundle(site / "b", key, 4, extra={})
    (folder / "theme.json").write_text(json.dumps({"accent": "pink"}))
    authoring.pack(folder, 4, datetime.now(UTC) + timedelta(days=1))
    authoring.sign(folder, key)
    outcome = run.update(url + "b/")
    assert (outcome.stage, outcome.version, outcome.reason) == ("refused", 4, "invalid_content")
    assert run.library.floor() == 4
    assert run.update(url + "b/").reason == "not_newer"


def test_a_bundle_without_a_text_the_scenes_show_is_refused_before_it_is_installed(served, run, key):
    site, url = served
    make_bundle(site / "b", key, 2, drop_text="attract.title")  # complete in every language, but not usable
    outcome = run.update(url + "b/")
    assert (outcome.stage, outcome.reason) == ("refused", "invalid_content")
    assert "attract.title" in outcome.detail and run.library.installed() == []


def test_a_bundle_with_an_image_that_does_not_decode_is_refused(served, run, key):
    site, url = served
    make_bundle(site / "b", key, 2, extra={"media/logo.png": b"\x89PNG\r\n\x1a\n" + bytes(40)})
    outcome = run.update(url + "b/")
    assert (outcome.stage, outcome.reason) == ("refused", "invalid_content")
    assert "media/logo.png" in outcome.detail and run.library.installed() == []


def test_endless_data_stops_at_the_manifests_length(httpserver, run, key, tmp_path):
    folder = make_bundle(tmp_path / "b", key, 2)

    def endless(_request):
        return Response((b"x" * 65536 for _ in range(10_000_000)), mimetype="application/octet-stream")

    serve_bundle(httpserver, folder, {"theme.json": endless})
    outcome = run.update(httpserver.url_for("/b/"))
    assert (outcome.stage, outcome.reason) == ("refused", "too_large")
    assert (run.library.staging_folder(2) / "theme.json").stat().st_size <= (folder / "theme.json").stat().st_size


def test_an_endless_manifest_is_cut_at_its_cap(httpserver, run):
    httpserver.expect_request("/b/manifest.json").respond_with_handler(
        lambda _: Response(b" " * 65536 for _ in range(1_000_000)))
    outcome = run.update(httpserver.url_for("/b/"))
    assert (outcome.stage, outcome.reason) == ("refused", "too_large")


def test_a_path_escaping_the_bundle_is_refused_before_any_download(httpserver, run, key):
    raw = json.dumps({"version": 2, "expires": "2099-01-01T00:00:00Z",
                      "files": {"../../outside.json": {"sha256": "0" * 64, "length": 2}}}).encode()
    httpserver.expect_request("/b/manifest.json").respond_with_data(raw)
    httpserver.expect_request("/b/manifest.sig").respond_with_data(base64.b64encode(key.sign(raw)))
    outcome = run.update(httpserver.url_for("/b/"))
    assert (outcome.stage, outcome.reason) == ("refused", "bad_path")
    assert not any(run.library.root.rglob("outside.json"))


def test_a_cut_download_resumes_with_a_range_request(httpserver, run, key, tmp_path):
    big = os.urandom(2_000_000)
    folder = make_bundle(tmp_path / "b", key, 2, extra={"big.bin": big})
    ranges = []

    def cut_then_resume(request):
        header = request.headers.get("Range")
        ranges.append(header)
        if header is None:  # the first attempt: half the file, then the connection ends
            return Response(big[:1_000_000], headers={"Content-Length": str(len(big))})
        start = int(header.removeprefix("bytes=").rstrip("-"))
        return Response(big[start:], status=206,
                        headers={"Content-Range": f"bytes {start}-{len(big) - 1}/{len(big)}"})

    serve_bundle(httpserver, folder, {"big.bin": cut_then_resume})
    first = run.update(httpserver.url_for("/b/"))
    assert (first.stage, first.reason) == ("failed", "download_failed")
    partial = (run.library.staging_folder(2) / "big.bin").stat().st_size
    assert 0 < partial < len(big)
    second = run.update(httpserver.url_for("/b/"))
    assert (second.stage, second.version) == ("ready", 2)
    assert ranges == [None, f"bytes={partial}-"]
    assert (run.library.folder(2) / "big.bin").read_bytes() == big


def test_the_library_keeps_the_current_and_two_previous_versions(tmp_path, key):
    library = Library(tmp_path / "content")
    for version in range(1, 6):
        make_bundle(library.staging_folder(version), key, version)
        library.install(version)
        library.switch(version)
        library.prune()
    assert library.installed() == [5, 4, 3] and library.current() == 5


def test_the_kiosk_falls_back_to_the_last_good_then_the_built_in(tmp_path, key, caplog):
    caplog.set_level(logging.INFO)
    library = Library(tmp_path / "content")
    public = keys.public_text(key)
    for version in (2, 3):
        make_bundle(library.staging_folder(version), key, version)
        library.install(version)
    library.switch(3)
    (library.folder(3) / "theme.json").write_text("{}")  # a damaged card: length differs
    bundle = choose(library, public, "")
    assert bundle.version == 2 and "last good" in caplog.text
    shutil.rmtree(library.folder(2))
    bundle = choose(library, public, "")
    assert bundle.path == DEFAULT_DIR and bundle.version == SHIPPED_VERSION
    assert choose(library, "", "").path == DEFAULT_DIR  # no key: installed bundles are not trusted


SWITCHER = """
import sys
from pathlib import Path
from kiosk.content.library import Library
library = Library(Path(sys.argv[1]))
print("ready", flush=True)
while True:
    for version in (2, 3):
        library.switch(version)
"""


def test_killed_during_a_switch_current_is_always_one_complete_bundle(tmp_path, key):
    library = Library(tmp_path / "content")
    for version in (2, 3):
        make_bundle(library.staging_folder(version), key, version)
        library.install(version)
    library.switch(2)
    for attempt in range(15):
        process = subprocess.Popen([sys.executable, "-c", SWITCHER, str(library.root)], cwd=REPO,
                                   stdout=subprocess.PIPE)
        assert process.stdout.readline() == b"ready\n"
        time.sleep(0.01 * (attempt % 5))
        process.send_signal(signal.SIGKILL)
        process.wait(5)
        process.stdout.close()
        assert library.current() in (2, 3)
        assert mf.load_verified(library.current_link, key.public_key()).version == library.current()


def installed_library(tmp_path, key, versions):
    library = Library(tmp_path / "content")
    for version in versions:
        make_bundle(library.staging_folder(version), key, version)
        library.install(version)
    return library


def test_a_switch_on_trial_is_rolled_back_by_the_next_start(tmp_path, key):
    library = installed_library(tmp_path, key, (2, 3))
    library.switch(2)
    library.begin_trial(Trial(3, 2, "poll"))
    assert library.current() == 3 and library.trial() == Trial(3, 2, "poll")
    # What a start after a crash at this point does:
    assert library.recover() == Trial(3, 2, "poll")
    assert library.current() == 2 and library.trial() is None
    assert library.installed() == [2] and library.floor() == 3
    assert library.recover() is None


def test_a_confirmed_switch_or_one_that_never_happened_is_kept(tmp_path, key):
    library = installed_library(tmp_path, key, (2, 3))
    library.begin_trial(Trial(2, None, "command"))
    library.end_trial()
    assert library.recover() is None and library.current() == 2
    (library.root / "trial").write_text('{"version": 3, "previous": 2, "trigger": "poll"}')  # died before the switch
    assert library.recover() is None
    assert library.current() == 2 and library.installed() == [3, 2] and library.floor() is None
    assert not (library.root / "trial").exists()


def test_rolling_back_the_first_installed_version_returns_to_the_built_in(tmp_path, key):
    library = installed_library(tmp_path, key, (2,))
    library.begin_trial(Trial(2, None, "poll"))
    library.roll_back(Trial(2, None, "poll"))
    assert library.current() is None and not library.current_link.is_symlink() and library.installed() == []
    assert choose(library, keys.public_text(key), "").path == DEFAULT_DIR


def trickle(data: bytes, pause_s: float):
    """A server that sends one byte, then waits ``pause_s``, then the next: every read returns in time."""
    def respond(_request):
        def one_by_one():
            for at in range(len(data)):
                yield data[at:at + 1]
                time.sleep(pause_s)
        return Response(one_by_one(), headers={"Content-Length": str(len(data))})
    return respond


def serve_bundle(httpserver, folder, handlers=None):
    """Every file of ``folder`` under /b/, each by its handler in ``handlers`` or as it is."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            name = path.relative_to(folder).as_posix()
            handler = (handlers or {}).get(name)
            if handler:
                httpserver.expect_request(f"/b/{name}").respond_with_handler(handler)
            else:
                httpserver.expect_request(f"/b/{name}").respond_with_data(path.read_bytes())


def test_a_trickling_server_ends_the_update_as_stalled_under_the_minimum_rate(httpserver, tmp_path, key):
    folder = make_bundle(tmp_path / "b", key, 2)
    serve_bundle(httpserver, folder, {"theme.json": trickle((folder / "theme.json").read_bytes(), 0.2)})
    run = Run(tmp_path, key, Limits(min_rate_bps=100, window_s=1, deadline_s=600))
    outcome = run.update(httpserver.url_for("/b/"))
    assert (outcome.stage, outcome.version, outcome.reason) == ("failed", 2, "stalled")
    assert "under 100 bytes/s for 1 s" in outcome.detail and "theme.json" in outcome.detail
    partial = (run.library.staging_folder(2) / "theme.json").stat().st_size
    assert 0 < partial < (folder / "theme.json").stat().st_size  # kept: the next attempt resumes it


def test_a_download_past_its_deadline_ends_as_stalled(httpserver, tmp_path, key):
    folder = make_bundle(tmp_path / "b", key, 2)
    serve_bundle(httpserver, folder, {"theme.json": trickle((folder / "theme.json").read_bytes(), 0.05)})
    run = Run(tmp_path, key, Limits(min_rate_bps=1, window_s=600, deadline_s=1))  # fast enough, never done
    outcome = run.update(httpserver.url_for("/b/"))
    assert (outcome.stage, outcome.reason) == ("failed", "stalled")
    assert "not done within 1 s" in outcome.detail


def test_a_newer_update_replaces_a_stalled_one_at_once(httpserver, served, tmp_path, key):
    silent = threading.Event()

    def a_byte_then_nothing(_request):
        def body():
            yield b"{"
            silent.wait(60)  # far past the read timeout below: only a cancel frees the update
        return Response(body(), headers={"Content-Length": "100"})

    httpserver.expect_request("/stuck/manifest.json").respond_with_handler(a_byte_then_nothing)
    site, url = served  # another server: the stuck one answers one request at a time
    make_bundle(site / "b", key, 3)
    run = Run(tmp_path, key, Limits(min_rate_bps=100, window_s=0.5, deadline_s=600), timeout_s=60)
    assert run.updater.start(httpserver.url_for("/stuck/"), 1)
    assert not run.updater.start(url + "b/", 1)  # within its first window it is not stalled
    try:
        wait_for(lambda: run.updater.start(url + "b/", 1), 10, "the stalled update to be replaced")
        outcome = run.outcome()
    finally:
        silent.set()
    first = run.posted[0]
    assert (first.stage, first.reason) == ("failed", "stalled")
    assert first.detail.startswith("replaced by a newer update: under 100 bytes/s")
    assert [(m.stage, m.version) for m in run.posted[1:]] == [("downloading", 3), ("ready", 3)]
    assert outcome.stage == "ready" and run.library.installed() == [3]


def test_file_names_are_percent_encoded_in_the_urls(served, run, key):
    site, url = served
    odd = {"notes/a b#1?x=%41.txt": b"odd name", "notes/plain.txt": b"plain"}
    make_bundle(site / "b", key, 2, extra=odd)
    outcome = run.update(url + "b/")
    assert (outcome.stage, outcome.version) == ("ready", 2)
    assert (run.library.folder(2) / "notes" / "a b#1?x=%41.txt").read_bytes() == b"odd name"


def test_redirects_are_capped(httpserver, tmp_path, key):
    folder = make_bundle(tmp_path / "b", key, 2)
    serve_bundle(httpserver, folder)
    hops = [f"/hop{n}" for n in range(1, MAX_REDIRECTS + 1)]  # one redirect more than the cap, then the manifest
    for source, target in zip(["/a/manifest.json", *hops], [*hops, "/b/manifest.json"], strict=True):
        httpserver.expect_request(source).respond_with_response(Response(status=302, headers={"Location": target}))
    run = Run(tmp_path, key)
    outcome = run.update(httpserver.url_for("/a/"))
    assert (outcome.stage, outcome.reason) == ("failed", "download_failed")
    assert "TooManyRedirects" in outcome.detail
    requested = [request.path for request, _ in httpserver.log]
    assert requested == ["/a/manifest.json", *hops]

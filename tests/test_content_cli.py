"""`kiosk content`: keygen, pack, sign, validate, serve (with ranges) and preview, as an author uses them."""

import json
import logging
import os
import shutil
import subprocess
import sys

import pygame
import requests

from kiosk import keys
from kiosk.cli.main import main
from kiosk.config import LANGUAGES
from kiosk.content import manifest as mf
from kiosk.content.bundle import DEFAULT_DIR
from kiosk.content.serve import serve_in_background
from tests.bundles import SHIPPED_VERSION
from tests.helpers import REPO, write_config

SHIPPED_FILES = len(json.loads((DEFAULT_DIR / "manifest.json").read_text())["files"])


def test_shipped_bundle_is_signed_with_the_development_key(capsys):
    public = (REPO / "deploy" / "content-dev.pub").read_text().strip()
    assert main(["content", "validate", str(DEFAULT_DIR), "--public-key", public]) == 0
    assert f"version {SHIPPED_VERSION}," in capsys.readouterr().out
    assert mf.load_verified(DEFAULT_DIR, keys.public_key(public)).version == SHIPPED_VERSION


def test_keygen_pack_sign_validate(tmp_path, capsys):
    key = tmp_path / "signing.key"
    assert main(["content", "keygen", "--out", str(key)]) == 0
    public = capsys.readouterr().out.strip()
    folder = tmp_path / "bundle"
    shutil.copytree(DEFAULT_DIR, folder)
    (folder / "manifest.sig").unlink()
    (folder / "manifest.json").unlink()
    assert main(["content", "validate", str(folder), "--public-key", public]) == 0
    assert "no manifest" in capsys.readouterr().out
    assert main(["content", "pack", str(folder), "--version", "12", "--expires", "2031-01-01T00:00:00Z"]) == 0
    assert main(["content", "sign", str(folder), "--key", str(key)]) == 0
    capsys.readouterr()
    assert main(["content", "validate", str(folder), "--public-key", public]) == 0
    assert (f"version 12, expires 2031-01-01T00:00:00+00:00, {SHIPPED_FILES} files, signature verified"
            in capsys.readouterr().out)
    (folder / "tiers.json").write_text('[{"key": "silver", "threshold": 0}]')
    assert main(["content", "validate", str(folder), "--public-key", public]) == 2
    assert "tiers.json" in capsys.readouterr().err


def test_serve_answers_files_and_byte_ranges_and_nothing_else(tmp_path):
    (tmp_path / "inside").mkdir()
    (tmp_path / "inside" / "data.bin").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "secret.txt").write_text("no")
    server, url = serve_in_background(tmp_path / "inside")
    try:
        assert requests.get(url + "data.bin", timeout=5).content == bytes(range(256)) * 4
        part = requests.get(url + "data.bin", headers={"Range": "bytes=1000-"}, timeout=5)
        assert (part.status_code, part.headers["Content-Range"], part.content) == (
            206, "bytes 1000-1023/1024", bytes(range(232, 256)))
        assert requests.get(url + "data.bin", headers={"Range": "bytes=5000-"}, timeout=5).status_code == 416
        assert requests.get(url + "../secret.txt", timeout=5).status_code == 404
        assert requests.get(url + "%2e%2e/secret.txt", timeout=5).status_code == 404
        assert requests.get(url, timeout=5).status_code == 404
    finally:
        server.shutdown()
        server.server_close()


def test_preview_renders_every_scene_in_every_language(tmp_path):
    config = write_config(tmp_path, display={"width": 640, "height": 360})
    out = tmp_path / "preview"
    result = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config), "content", "preview",
                             str(DEFAULT_DIR), "--out", str(out)], cwd=REPO, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    shots = sorted(p.name for p in out.glob("*.png") if p.name != "contact-sheet.png")
    assert {name.rsplit("-", 1)[1] for name in shots} == {f"{lang}.png" for lang in LANGUAGES}
    assert {"attract-ru.png", "welcome-nb.png", "join-en.png"} <= set(shots)
    assert pygame.image.load(str(out / "attract-en.png")).get_size() == (640, 360)
    sheet = pygame.image.load(str(out / "contact-sheet.png"))
    assert sheet.get_width() == 320 * len(LANGUAGES) and sheet.get_height() > 180 * (len(shots) // 3)


def kiosk(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, env=env, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=120)


def test_keygen_into_a_file_names_the_public_key_instead_of_the_line_above(tmp_path):
    with (tmp_path / "signing.pub").open("w") as pub:
        result = kiosk("content", "keygen", "--out", str(tmp_path / "signing.key"), stdout=pub)
    assert result.returncode == 0
    public = (tmp_path / "signing.pub").read_text().strip()
    assert len(public) == 44
    assert "line above" not in result.stderr
    assert f"put the public key {public} (also on standard output) in [content] public_key" in result.stderr


def test_validate_reports_every_problem_at_once(tmp_path, capsys):
    folder = tmp_path / "bundle"
    shutil.copytree(DEFAULT_DIR, folder)
    (folder / "manifest.sig").unlink()
    (folder / "manifest.json").unlink()
    assert main(["content", "pack", str(folder), "--version", "3", "--expires", "2031-01-01T00:00:00Z"]) == 0
    capsys.readouterr()
    strings = json.loads((folder / "strings.json").read_text())
    del strings["nb"]["button.done"], strings["ru"]["celebrate.title"]
    (folder / "strings.json").write_text(json.dumps(strings))
    (folder / "demo_members.json").write_text("[]")
    (folder / "media").mkdir()
    (folder / "media" / "logo.png").write_bytes(b"not a png")
    assert main(["content", "validate", str(folder)]) == 2
    err = capsys.readouterr().err
    problems = (f"{folder}/strings.json: ru.celebrate.title: expected a translation (missing)",
                f"{folder}/strings.json: nb.button.done: expected a translation (missing)",
                f"{folder}/theme.json: not checked: it refers to strings.json, which has problems",
                f"{folder}/tiers.json: not checked: it refers to strings.json, which has problems",
                f"{folder}/demo_members.json: (top): expected an object with members and unknown_cards",
                f"{folder}/offers.json: not checked: it refers to tiers.json, which has problems",
                f"{folder}/catalogue.json: not checked: it refers to theme.json, which has problems",
                f"{folder}/media/logo.png: neither a PNG nor a JPEG, as its name says",
                f"strings.json: {(folder / 'strings.json').stat().st_size} bytes, the manifest says",
                "demo_members.json: 2 bytes, the manifest says", "media/logo.png: not listed in the manifest")
    assert err.startswith(f"kiosk: {folder}: {len(problems)} problems:\n"), err
    for problem in problems:
        assert f"\n  {problem}" in err, problem


def test_pack_refuses_an_expiry_in_the_past(tmp_path, capsys):
    folder = tmp_path / "bundle"
    shutil.copytree(DEFAULT_DIR, folder)
    before = (folder / "manifest.json").read_bytes()
    assert main(["content", "pack", str(folder), "--version", "2", "--expires", "2020-01-01T00:00:00Z"]) == 2
    assert capsys.readouterr().err == ("kiosk: content pack: --expires 2020-01-01T00:00:00+00:00 is in the past: "
                                       "every kiosk would refuse the bundle as expired\n")
    assert (folder / "manifest.json").read_bytes() == before and (folder / "manifest.sig").exists()


def test_start_log_names_where_the_content_came_from(tmp_path, caplog):
    from kiosk.content.library import Library, choose

    folder = tmp_path / "bundle"
    shutil.copytree(DEFAULT_DIR, folder)
    (folder / "manifest.json").unlink()
    library = Library(tmp_path / "state" / "content")
    with caplog.at_level(logging.INFO, logger="kiosk.content.library"):
        assert choose(library, "", str(folder)).path == folder
        assert choose(library, "", "").path == DEFAULT_DIR
    assert caplog.messages == [f"content: unversioned from {folder} ([content] dir)",
                               f"content: version {SHIPPED_VERSION} from {DEFAULT_DIR} (built-in)"]


def test_screenshots_render_the_same_every_time(tmp_path):
    config = write_config(tmp_path, display={"width": 640, "height": 360})
    shots = []
    for n in (1, 2):
        out = tmp_path / f"celebrate-{n}.png"
        assert kiosk("--config", str(config), "screenshot", "celebrate", "--out", str(out)).returncode == 0
        shots.append(out.read_bytes())
    assert shots[0] == shots[1]

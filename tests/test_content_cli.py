"""`kiosk content`: keygen, pack, sign, validate, serve (with ranges) and preview, as an author uses them."""

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
from tests.helpers import REPO, write_config


def test_shipped_bundle_is_signed_with_the_development_key(capsys):
    public = (REPO / "deploy" / "content-dev.pub").read_text().strip()
    assert main(["content", "validate", str(DEFAULT_DIR), "--public-key", public]) == 0
    assert "version 1" in capsys.readouterr().out
    assert mf.load_verified(DEFAULT_DIR, keys.public_key(public)).version == 1


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
    assert "version 12, expires 2031-01-01T00:00:00+00:00, 4 files, signature verified" in capsys.readouterr().out
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

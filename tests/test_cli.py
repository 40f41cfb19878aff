"""The kiosk command: version, screenshots of every scene, the demo as a subprocess, the automation socket."""

import subprocess
import sys

import pygame
import pytest

from kiosk import __version__
from kiosk.automation import parse_command
from kiosk.core.messages import CommandReceived, InjectButton, SceneQuery, TapDetected
from tests.helpers import REPO, KioskProcess, write_config

SIZE = (960, 540)

SCENES = ["attract", "celebrate", "welcome", "join", "unavailable", "goodbye", "failsafe"]


def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=60)


def test_version():
    result = kiosk("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"kiosk {__version__}"


@pytest.mark.parametrize("scene", SCENES)
def test_screenshot_is_a_non_blank_png_of_the_configured_size(tmp_path, scene):
    config = write_config(tmp_path, display={"width": 800, "height": 480})
    out = tmp_path / f"{scene}.png"
    result = kiosk("--config", str(config), "screenshot", scene, "--out", str(out), "--lang", "ru")
    assert result.returncode == 0, result.stderr
    image = pygame.image.load(str(out))
    assert image.get_size() == (800, 480)
    colours = {tuple(image.get_at((x, y))) for x in range(0, 800, 7) for y in range(0, 480, 7)}
    assert len(colours) > 20  # a gradient, text and shapes, not a flat fill


def test_screenshot_differs_by_language(tmp_path):
    config = write_config(tmp_path)
    shots = {}
    for lang in ("en", "ru"):
        out = tmp_path / f"{lang}.png"
        assert kiosk("--config", str(config), "screenshot", "join", "--out", str(out), "--lang", lang).returncode == 0
        shots[lang] = pygame.image.tobytes(pygame.image.load(str(out)), "RGB")
    assert shots["en"] != shots["ru"]


def test_unknown_scene_is_a_clear_error(tmp_path):
    result = kiosk("--config", str(write_config(tmp_path)), "screenshot", "lobby", "--out", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert result.stderr.strip().startswith("kiosk: no scene named 'lobby'; known: attract")


def test_demo_without_a_broker_runs_and_stops_on_sigterm(tmp_path, kiosks):
    demo = KioskProcess(write_config(tmp_path, mqtt={"enabled": True, "port": 1}))  # nothing listens on port 1
    kiosks.append(demo)
    assert demo.scene() == "attract"
    assert demo.send({"key": "1"}) == {"ok": True}
    demo.wait_scene("welcome")
    assert demo.send({"button": "spin"}) == {"ok": True}
    assert demo.terminate() == 0
    log = demo.log()
    assert "unreachable; events wait in the outbox" in log
    assert "Traceback" not in log


def test_automation_refuses_bad_commands_and_keeps_serving(tmp_path, kiosks):
    demo = KioskProcess(write_config(tmp_path))
    kiosks.append(demo)
    for bad in ({"key": "no-such-key"}, {"tap": {"kind": "uid", "value": "not hex!"}}, {"fly": 1}):
        reply = demo.send(bad)
        assert reply["ok"] is False and reply["error"]
    assert demo.scene() == "attract"


@pytest.mark.parametrize(("line", "kind"), [
    (b'{"button": "spin"}', InjectButton),
    (b'{"tap": {"kind": "app", "value": "APP-1"}}', TapDetected),
    (b'{"query": "scene"}', SceneQuery),
    (b'{"command": {"name": "ping", "args": {}}}', CommandReceived),
])
def test_automation_commands(line, kind):
    assert isinstance(parse_command(line, SIZE), kind)


def test_automation_touches_and_keys_are_the_events_sdl_makes():
    pygame.init()
    down, up = parse_command(b'{"touch": [96, 270]}', SIZE)
    assert (down.type, up.type) == (pygame.FINGERDOWN, pygame.FINGERUP)
    assert (down.x, down.y) == (0.1, 0.5)
    [key] = parse_command(b'{"key": "1"}', SIZE)
    assert (key.type, key.key) == (pygame.KEYDOWN, pygame.K_1)


@pytest.mark.parametrize("line", [
    b"not json", b"[]", b'{"touch": [1]}', b'{"touch": ["a", 2]}', b'{"query": "time"}', b'{"key": ""}',
    b'{"tap": {"kind": "magic", "value": "x"}}', b'{"touch": [1, 2], "key": "a"}', b"\xff\xfe",
])
def test_automation_parse_errors(line):
    with pytest.raises(ValueError):
        parse_command(line, SIZE)

"""The command line as operators use it: one kiosk per state folder, options after the command, one-line errors,
and a demo banner that fits the mode it runs in."""

import json
import os
import subprocess
import sys

from kiosk import __version__
from kiosk.cli.demo import demo_settings
from kiosk.cli.main import _parser, main
from tests.helpers import REPO, KioskProcess, free_port, wait_for, write_config


def kiosk(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    env.pop("DISPLAY", None)
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_a_second_kiosk_on_the_same_state_folder_stops_naming_the_running_one(tmp_path, kiosks):
    first = KioskProcess(write_config(tmp_path))
    kiosks.append(first)
    assert first.scene() == "attract"
    # Another config (its own socket) on the same state folder: it must not open state.db or take the socket.
    other = tmp_path / "other"
    other.mkdir()
    config = write_config(other, kiosk={"state_dir": str(tmp_path / "state")})
    for command in ("run", "demo"):
        second = kiosk("--config", str(config), command)
        assert second.returncode == 2
        assert second.stderr == (f"kiosk: {tmp_path / 'state'}: another kiosk (PID {first.process.pid}) runs on "
                                 "this state directory; stop it first, or give this one its own [kiosk] state_dir\n")
        assert not (other / "in.sock").exists()
    assert first.scene() == "attract"

    first.kill()  # SIGKILL: the kernel drops the lock with the process; the next kiosk starts
    again = KioskProcess(config)
    kiosks.append(again)
    assert again.scene() == "attract"
    assert (tmp_path / "state" / "kiosk.lock").read_text() == f"{again.process.pid}\n"
    assert again.terminate() == 0


def test_global_options_work_after_the_command_too():
    parse = _parser().parse_args
    assert parse(["run", "--config", "a.toml"]).config == "a.toml"
    assert parse(["--config", "a.toml", "run"]).config == "a.toml"
    before = parse(["--config", "a.toml", "--trace", "t.jsonl", "-v", "demo", "--headless"])
    assert (before.config, str(before.trace), before.verbose, before.headless) == ("a.toml", "t.jsonl", True, True)
    after = parse(["demo", "--trace", "t.jsonl", "-v"])
    assert (after.config, str(after.trace), after.verbose) == (None, "t.jsonl", True)
    assert parse(["content", "validate", "bundle", "--config", "b.toml"]).config == "b.toml"
    assert parse(["ops", "watch", "--once", "--config", "c.toml"]).config == "c.toml"


def test_config_after_run_is_read(tmp_path):
    bad = write_config(tmp_path, display={"fps": 0})
    result = kiosk("run", "--config", str(bad))
    assert result.returncode == 2
    assert result.stderr == f"kiosk: {bad}: display.fps: expected frames per second from 1 to 120, got 0\n"


def test_demo_takes_trace_and_verbose_after_the_command(tmp_path):
    config = write_config(tmp_path)
    trace = tmp_path / "trace.jsonl"
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    env.pop("DISPLAY", None)
    with (tmp_path / "demo.log").open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "kiosk", "demo", "--config", str(config), "--trace",
                                    str(trace), "-v"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: trace.exists() and "frame.first" in trace.read_text(), 20, "the first frame in the trace")
    finally:
        process.terminate()
        assert process.wait(10) == 0
    assert f" DEBUG kiosk: kiosk {__version__}, Python " in (tmp_path / "demo.log").read_text()


def test_bad_tap_arguments_are_one_line(capsys):
    assert main(["tap", "--member", "", "--wait", "0.1"]) == 2
    assert capsys.readouterr().err == ("kiosk: tap: --member: expected a token of 1-128 letters, digits, '.', '_', "
                                       "':' or '-', got ''\n")
    assert main(["tap", "--app", "two words", "--wait", "0.1"]) == 2
    assert "kiosk: tap: --app: expected a token" in capsys.readouterr().err
    assert main(["tap", "--member", "M-1001", "--device", "udp:127.0.0.1:99999", "--wait", "0.1"]) == 2
    assert capsys.readouterr().err == ("kiosk: tap: --device: expected nfcpy's udp:HOST:PORT with a port from 1 to "
                                       "65535, got 'udp:127.0.0.1:99999'\n")


def test_an_unwritable_trace_is_one_line_and_starts_nothing(tmp_path):
    config = write_config(tmp_path)
    trace = tmp_path / "no-such-folder" / "trace.jsonl"
    result = kiosk("--config", str(config), "--trace", str(trace), "demo")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (f"kiosk: {trace}: --trace: expected a file this user can write "
                                              "(No such file or directory)")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "state").exists()


def test_headless_demo_banner_offers_no_keys_and_names_the_reader(tmp_path, kiosks):
    device = f"udp:127.0.0.1:{free_port()}"
    demo = KioskProcess(write_config(tmp_path, nfc={"device": device}))
    kiosks.append(demo)
    assert demo.scene() == "attract"
    banner = [line for line in demo.log().splitlines() if line.startswith("kiosk demo:")]
    assert banner[0].startswith("kiosk demo: headless 960x540 ")
    assert "keys" not in banner[0] and "Escape" not in banner[0]
    assert f"automation socket {tmp_path / 'in.sock'}" in banner[0]
    assert f"`kiosk tap --member M-1001 --device {device}`" in banner[1]
    assert f"`kiosk tap --phone --device {device}`" in banner[1]


def test_demo_hint_leaves_out_the_default_device(tmp_path, monkeypatch):
    from kiosk.cli.demo import banner

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    settings = demo_settings(str(write_config(tmp_path, nfc={"device": "auto"})), headless=False)
    lines = banner(settings)
    assert settings.nfc.device == "udp:127.0.0.1:54321"
    assert "`kiosk tap --member M-1001`" in lines[1] and "--device" not in lines[1]


def test_demo_window_from_a_config_fits_the_desktop(tmp_path, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":0")  # a desktop session; SDL's dummy driver reports a 1024x768 desktop
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    settings = demo_settings(str(write_config(tmp_path, display={"width": 1920, "height": 1080})), headless=False)
    assert (settings.display.mode, settings.display.width, settings.display.height) == ("window", 921, 518)
    small = demo_settings(str(write_config(tmp_path, display={"width": 800, "height": 480})), headless=False)
    assert (small.display.width, small.display.height) == (800, 480)


def test_trace_lines_are_json(tmp_path):
    from kiosk.cli.main import _tracer

    tracer = _tracer(tmp_path / "t.jsonl")
    tracer.mark("x")
    tracer.close()
    assert json.loads((tmp_path / "t.jsonl").read_text())["name"] == "x"

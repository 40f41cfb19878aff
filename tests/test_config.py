from pathlib import Path

import pytest

from kiosk import config
from kiosk.exc import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file(monkeypatch):
    monkeypatch.delenv(config.ENV_VAR, raising=False)
    settings = config.load()
    assert settings.source == "<defaults>"
    assert settings.kiosk.idle_timeout_s == 45
    assert settings.mqtt.topic_prefix == "loyalty/v1"
    assert settings.gpio.status_led == (17, 27, 22)
    assert settings.display.mode == "fullscreen"


def test_file_values_are_typed_and_relative_paths_follow_the_file(tmp_path):
    path = write(tmp_path, """
[kiosk]
id = "riga-01"
state_dir = "state"
idle_timeout_s = 30
[display]
mode = "headless"
width = 800
[gpio]
status_led = [5, 6, 13]
""")
    settings = config.load(path)
    assert settings.kiosk.id == "riga-01"
    assert settings.kiosk.state_dir == tmp_path / "state"
    assert settings.kiosk.idle_timeout_s == 30.0 and isinstance(settings.kiosk.idle_timeout_s, float)
    assert (settings.display.mode, settings.display.width, settings.display.height) == ("headless", 800, 1080)
    assert settings.gpio.status_led == (5, 6, 13)


def test_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(config.ENV_VAR, str(write(tmp_path, '[kiosk]\nstore = "oslo-3"\n')))
    assert config.load().kiosk.store == "oslo-3"


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('[kiosk]\ncolour = "red"\n', "kiosk.colour", "unknown key 'colour'"),
        ('[monitor]\nwidth = 1\n', "monitor", "one of the sections"),
        ('[screen]\nhours = "8-21"\n', "screen.hours", "store hours like '08:00-21:00'"),
        ('[screen]\nhours = "09:00-09:00"\n', "screen.hours", "store hours like '08:00-21:00'"),
        ("[screen]\ndim_after_s = 5\n", "screen.dim_after_s", "seconds from 10 to 86400, or 0 to never dim"),
        ("[screen]\ndim_brightness = 101\n", "screen.dim_brightness", "a backlight percentage from 0 to 100"),
        ('[screen]\nbacklight = "rpi_backlight"\n', "screen.backlight", "'auto', 'none' or a /sys/class"),
        ('[screen]\nmotion_wakes = "yes"\n', "screen.motion_wakes", "true or false"),
        ('[display]\nwidth = "wide"\n', "display.width", "pixels from 320 to 7680, got 'wide'"),
        ("[display]\nfps = 0\n", "display.fps", "frames per second from 1 to 120, got 0"),
        ('[display]\nmode = "tv"\n', "display.mode", "one of 'window', 'fullscreen', 'headless'"),
        ("[mqtt]\nenabled = 1\n", "mqtt.enabled", "true or false, got 1"),
        ('[mqtt]\ntopic_prefix = "loyalty/+/v1"\n', "mqtt.topic_prefix", "without '+'"),
        ('[mqtt]\nca_file = "/nonexistent/ca.pem"\n', "mqtt.ca_file", "not readable"),
        ('[kiosk]\nid = "a/b"\n', "kiosk.id", "letters, digits"),
        ('[kiosk]\nlanguage = "de"\n', "kiosk.language", "one of 'ru', 'en', 'nb'"),
        ('[nfc]\ndevice = "bluetooth"\n', "nfc.device", "an nfcpy device path"),
        ("[gpio]\nstatus_led = [17, 27]\n", "gpio.status_led", "three BCM GPIO numbers"),
        ("[gpio]\nbuzzer = 17\n", "gpio", "a different pin for every part"),
        ('[gpio]\npin_factory = "pigpio"\n', "gpio.pin_factory", "one of 'mock'"),
        ('[backend]\nkind = "http"\n', "backend.url", "the backend's URL"),
        ('[debug]\ninput_socket = "/tmp/x.sock"\n', "debug.input_socket", "empty in fullscreen mode"),
        ("kiosk = 3\n", "kiosk", "a [kiosk] table"),
    ],
)
def test_bad_values_name_file_key_and_expectation(tmp_path, text, key, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: expected ")
    assert expected in message
    assert caught.value.key == key


def test_broken_toml_names_the_file(tmp_path):
    path = write(tmp_path, "[kiosk\nid = 1")
    with pytest.raises(ConfigError, match=rf"^{path}: not valid TOML"):
        config.load(path)


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(ConfigError, match=r"missing\.toml: file not found"):
        config.load(tmp_path / "missing.toml")


def test_socket_allowed_in_fullscreen_when_asked(tmp_path):
    path = write(tmp_path, '[debug]\ninput_socket = "/tmp/x.sock"\nallow_in_fullscreen = true\n')
    assert config.load(path).debug.input_socket == "/tmp/x.sock"


def test_overrides_are_validated_like_a_file():
    settings = config.load(None)
    changed = config.with_overrides(settings, display={"mode": "headless"}, gpio={"pin_factory": "mock"})
    assert changed.display.mode == "headless" and changed.gpio.pin_factory == "mock"
    with pytest.raises(ConfigError, match=r"display\.fps"):
        config.with_overrides(settings, display={"fps": 1000})


def test_cli_reports_a_config_error_in_one_line(tmp_path, capsys):
    from kiosk.cli.main import main

    path = write(tmp_path, "[display]\nfps = -1\n")
    assert main(["--config", str(path), "run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"kiosk: {path}: display.fps: expected frames per second from 1 to 120, got -1"


def test_nfc_defaults():
    nfc = config.from_mapping({}, "x").nfc
    assert nfc.device == "auto"
    assert nfc.app_aid == "F04C4F59414C5459"
    assert "(?P<token>" in nfc.member_uri_pattern
    assert nfc.member_record_type == "loyalty.example.com:member"
    assert nfc.join_url == "https://loyalty.example.com/join?s={token}"
    assert nfc.join_tag is True


@pytest.mark.parametrize("device", ["auto", "usb", "usb:054c:06c3", "tty:AMA0:pn532", "tty:USB0:pn532",
                                    "udp:127.0.0.1:54321", "keyboard", "off"])
def test_nfc_device_paths(device):
    assert config.from_mapping({"nfc": {"device": device}}, "x").nfc.device == device


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("app_aid", "F04C", "5 to 16 bytes in hex"),
    ("app_aid", "not hex at all", "5 to 16 bytes in hex"),
    ("member_uri_pattern", "^https://x/(?P<id>.+)$", "(?P<token>...)"),
    ("member_uri_pattern", "^https://x/(?P<token>", "(?P<token>...)"),
    ("member_record_type", "member", "external type"),
    ("join_url", "https://x/join", "one {token}"),
    ("join_url", "ftp://x/{token}", "one {token}"),
    ("join_tag", "yes", "true or false"),
])
def test_bad_nfc_values(tmp_path, key, value, expected):
    import json

    path = write(tmp_path, f"[nfc]\n{key} = {json.dumps(value)}\n")
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert caught.value.key == f"nfc.{key}"
    assert expected in str(caught.value)


def test_empty_join_url_turns_phone_join_off():
    assert config.from_mapping({"nfc": {"join_url": ""}}, "x").nfc.join_url == ""


def test_screen_defaults_and_values(tmp_path, monkeypatch):
    monkeypatch.delenv(config.ENV_VAR, raising=False)
    assert config.load().screen == config.ScreenSettings(hours="", dim_after_s=180.0, motion_wakes=True,
                                                         dim_brightness=15, backlight="auto")
    path = write(tmp_path, '[screen]\nhours = "22:00-02:00"\ndim_after_s = 0\nbacklight = "none"\n')
    screen = config.load(path).screen
    assert (screen.hours, screen.dim_after_s, screen.backlight) == ("22:00-02:00", 0.0, "none")


def test_content_update_settings(tmp_path):
    key = "A" * 43 + "="  # 32 zero-ish bytes in base64
    path = write(tmp_path, f'[content]\npublic_key = "{key}"\nupdate_url = "http://127.0.0.1:8080/bundle/"\n'
                           "poll_interval_s = 0\ntrial_timeout_s = 3\n")
    content = config.load(path).content
    assert (content.public_key, content.update_url, content.poll_interval_s, content.trial_timeout_s) == (
        key, "http://127.0.0.1:8080/bundle/", 0.0, 3.0)
    defaults = config.from_mapping({}, "x").content
    assert (defaults.public_key, defaults.trial_timeout_s) == ("", 10.0)
    assert config.from_mapping({"content": {"poll_interval_s": 5}}, "x").content.poll_interval_s == 5.0


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("public_key", "c2hvcnQ=", "an Ed25519 public key"),
    ("update_url", "ftp://example.com/", "an http:// or https:// URL"),
    ("poll_interval_s", 4, "seconds from 5 to 604800, or 0"),
    ("trial_timeout_s", 0.5, "seconds from 1 to 600"),
])
def test_bad_content_values(tmp_path, key, value, expected):
    import json

    path = write(tmp_path, f"[content]\n{key} = {json.dumps(value)}\n")
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert caught.value.key == f"content.{key}"
    assert expected in str(caught.value)

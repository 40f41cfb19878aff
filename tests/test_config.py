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
        ("[display]\ndiagonal_inches = 0.5\n", "display.diagonal_inches", "the screen's diagonal in inches from 5"),
        ('[display]\ndiagonal_inches = "15"\n', "display.diagonal_inches", "inches from 5 to 100"),
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


def test_a_config_that_is_not_utf8_is_one_line_in_run_and_a_fail_in_doctor(tmp_path, capsys):
    from kiosk.cli.main import main

    path = tmp_path / "kiosk.toml"
    path.write_bytes('[kiosk]\nstore = "Tromsø"\n'.encode("latin-1"))
    assert main(["--config", str(path), "run"]) == 2
    assert capsys.readouterr().err == f"kiosk: {path}: not UTF-8 text (an undecodable byte at offset 22)\n"
    assert main(["--config", str(path), "doctor"]) == 1
    assert f"FAIL  config   {path}: not UTF-8 text" in capsys.readouterr().out


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate and its private key in PEM files, made with the cryptography package."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kiosk-test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_tls_files_are_loaded_when_the_config_is_read(tmp_path):
    cert, key = self_signed(tmp_path)
    settings = config.load(write(tmp_path, f'[mqtt]\ntls = true\nca_file = "cert.pem"\ncert_file = "{cert}"\n'
                                           f'key_file = "{key}"\n'))
    assert (settings.mqtt.ca_file, settings.mqtt.key_file) == (str(cert), str(key))
    (tmp_path / "both.pem").write_bytes(cert.read_bytes() + key.read_bytes())
    assert config.load(write(tmp_path, '[mqtt]\ncert_file = "both.pem"\n')).mqtt.cert_file == str(tmp_path / "both.pem")


@pytest.mark.parametrize(("text", "key", "expected"), [
    ('[kiosk]\nstate_dir = "/var/lib/ki\\u0000osk"\n', "kiosk.state_dir", "(a NUL byte in the path)"),
    ('[kiosk]\nstate_dir = "kiosk.toml"\n', "kiosk.state_dir", "(names a file, not a folder)"),
    ('[mqtt]\nca_file = "certs"\n', "mqtt.ca_file", "(names a folder, not a file)"),
    ('[mqtt]\nca_file = "notes.txt"\n', "mqtt.ca_file", "(no certificate in it"),
    ('[mqtt]\ncert_file = "cert.pem"\n', "mqtt.cert_file", "a client certificate with its private key"),
    ('[mqtt]\nkey_file = "key.pem"\n', "mqtt.cert_file", "the client certificate that goes with mqtt.key_file"),
    ('[mqtt]\nhost = "broker\\u0000.example.com"\n', "mqtt.host", "a host name or address"),
    ('[mqtt]\nhost = "broker example.com"\n', "mqtt.host", "a host name or address"),
    ('[nfc]\ndevice = "udp:127.0.0.1:99999"\n', "nfc.device", "got 'udp:127.0.0.1:99999'"),
    ('[display]\nmode = "window"\n[debug]\ninput_socket = "missing/in.sock"\n', "debug.input_socket",
     "(the folder missing does not exist)"),
    (f'[display]\nmode = "window"\n[debug]\ninput_socket = "/tmp/{"s" * 110}.sock"\n', "debug.input_socket",
     "(longer than the 107 bytes a socket path may have)"),
    ('[display]\nmode = "window"\n[debug]\ninput_socket = "/tmp"\n', "debug.input_socket", "(names a folder)"),
    ('[display]\nmode = "window"\n[debug]\ninput_socket = "notes.txt"\n', "debug.input_socket",
     "(names an existing file that is not a socket)"),
])
def test_paths_are_checked_on_disk_when_the_config_is_read(tmp_path, monkeypatch, capsys, text, key, expected):
    from kiosk.cli.main import main

    monkeypatch.chdir(tmp_path)  # the socket path is taken as the kiosk would bind it
    self_signed(tmp_path)
    (tmp_path / "certs").mkdir()
    (tmp_path / "notes.txt").write_text("no certificate here\n")
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert caught.value.key == key and expected in str(caught.value)
    assert main(["--config", str(path), "run"]) == 2
    assert capsys.readouterr().err == f"kiosk: {caught.value}\n"
    assert (tmp_path / "notes.txt").read_text() == "no certificate here\n"


def test_the_socket_may_sit_in_the_state_folder_the_kiosk_will_make(tmp_path):
    state = tmp_path / "state"
    path = write(tmp_path, f'[kiosk]\nstate_dir = "{state}"\n[display]\nmode = "window"\n'
                           f'[debug]\ninput_socket = "{state}/in.sock"\n')
    assert config.load(path).debug.input_socket == f"{state}/in.sock"
    assert not state.exists()

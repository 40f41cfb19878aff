"""TOML configuration -> typed, validated settings.

Every key has a default, so an empty file (or none) is a valid configuration. Unknown keys, wrong types
and bad values raise :class:`~kiosk.exc.ConfigError` naming the file, the key and what was expected::

    >>> settings = from_mapping({"display": {"mode": "headless", "width": 800}}, "example.toml")
    >>> settings.display.width, settings.display.height
    (800, 1080)
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

import phonenumbers

from kiosk import config_files, keys
from kiosk.core.screen_power import parse_hours
from kiosk.exc import ConfigError

ENV_VAR = "KIOSK_CONFIG"
LANGUAGES = ("ru", "en", "nb")
_TOPIC_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_NFC_PATH = re.compile(
    r"^(usb(:[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4})?)?|tty:[A-Za-z0-9]+(:[a-z0-9_]+)?|udp(:[^:]+(:(?P<port>\d+))?)?)$"
)


def _setting(default: Any, expect: str, check: Callable[[Any], bool] | None = None) -> Any:
    """A settings field: its default, a description of good values, and the check they must pass."""
    return field(default=default, metadata={"expect": expect, "check": check})


def _choice(default: str, *choices: str) -> Any:
    return _setting(default, "one of " + ", ".join(repr(c) for c in choices), lambda v: v in choices)


def _bcm_pin(default: int) -> Any:
    return _setting(default, "a BCM GPIO number from 2 to 27", lambda v: 2 <= v <= 27)


def valid_nfc_device(value: str) -> bool:
    """An ``[nfc] device`` value: a keyword, or an nfcpy path (a udp: port from 1 to 65535).

        >>> valid_nfc_device("udp:127.0.0.1:54321"), valid_nfc_device("udp:127.0.0.1:99999")
        (True, False)
    """
    if value in ("auto", "keyboard", "off"):
        return True
    path = _NFC_PATH.match(value)
    return bool(path) and (path["port"] is None or 1 <= int(path["port"]) <= 65535)


def _host(value: str) -> bool:
    """A host name or address: no spaces or control characters (a NUL would cut it short in the C library)."""
    return bool(value) and value.isprintable() and not any(c.isspace() for c in value)


def _topic_safe(value: str) -> bool:
    return bool(_TOPIC_SAFE.match(value))


def _topic_prefix(value: str) -> bool:
    parts = value.split("/")
    return all(part and not set(part) & set("+#") for part in parts)


def _aid(value: str) -> bool:
    """An ISO 7816-5 application identifier: 5 to 16 bytes in hex."""
    return bool(re.fullmatch(r"([0-9A-Fa-f]{2}){5,16}", value))


def _token_pattern(value: str) -> bool:
    try:
        return "token" in re.compile(value).groupindex
    except re.error:
        return False


def _join_url(value: str) -> bool:
    return value == "" or (value.startswith(("https://", "http://")) and value.count("{token}") == 1
                           and not set(value) & set(" \t\n"))


@dataclass(frozen=True)
class KioskSettings:
    id: str = _setting("kiosk-1", "1-64 letters, digits, '-' or '_'", _topic_safe)
    store: str = _setting("store-1", "1-64 letters, digits, '-' or '_'", _topic_safe)
    state_dir: Path = _setting(Path("/var/lib/kiosk"), "a directory path")
    language: str = _choice("en", *LANGUAGES)
    idle_timeout_s: float = _setting(45.0, "seconds from 5 to 3600", lambda v: 5 <= v <= 3600)
    region: str = _setting("RU", "a country code such as RU, NO or GB (numbers typed without +country code are "
                           "read as this country's)", lambda v: v in phonenumbers.SUPPORTED_REGIONS)


DEFAULT_DIAGONAL_INCHES = 15.6
"""A common size of touch monitor; a smaller screen of the same resolution needs more pixels per millimetre."""


@dataclass(frozen=True)
class DisplaySettings:
    mode: str = _choice("fullscreen", "window", "fullscreen", "headless")
    width: int = _setting(1920, "pixels from 320 to 7680", lambda v: 320 <= v <= 7680)
    height: int = _setting(1080, "pixels from 240 to 4320", lambda v: 240 <= v <= 4320)
    fps: int = _setting(30, "frames per second from 1 to 120", lambda v: 1 <= v <= 120)
    diagonal_inches: float = _setting(DEFAULT_DIAGONAL_INCHES,
                                      "the screen's diagonal in inches from 5 to 100 (it sizes the touch targets)",
                                      lambda v: 5 <= v <= 100)


def _store_hours(value: str) -> bool:
    try:
        parse_hours(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class ScreenSettings:
    hours: str = _setting("", "store hours like '08:00-21:00' (local time), or empty for always open", _store_hours)
    dim_after_s: float = _setting(180.0, "seconds from 10 to 86400, or 0 to never dim",
                                  lambda v: v == 0 or 10 <= v <= 86400)
    motion_wakes: bool = _setting(True, "true or false")
    dim_brightness: int = _setting(15, "a backlight percentage from 0 to 100", lambda v: 0 <= v <= 100)
    backlight: str = _setting("auto", "'auto', 'none' or a /sys/class/backlight/NAME folder",
                              lambda v: v in ("auto", "none") or v.startswith("/"))


@dataclass(frozen=True)
class NfcSettings:
    device: str = _setting(
        "auto",
        "'auto', 'keyboard', 'off' or an nfcpy device path such as 'usb', 'tty:AMA0:pn532' or 'udp:127.0.0.1:54321'",
        valid_nfc_device,
    )
    same_tap_delay_s: float = _setting(3.0, "seconds from 0 to 60", lambda v: 0 <= v <= 60)
    app_aid: str = _setting("F04C4F59414C5459", "the loyalty app's AID: 5 to 16 bytes in hex", _aid)
    member_uri_pattern: str = _setting(
        r"^https://loyalty\.example\.com/m/(?P<token>[A-Za-z0-9._:-]{1,128})$",
        "a regular expression with a (?P<token>...) group", _token_pattern,
    )
    member_record_type: str = _setting(
        "loyalty.example.com:member", "an NFC external type 'domain:type' (letters, digits, . - _ :)",
        lambda v: bool(re.fullmatch(r"[A-Za-z0-9.-]+:[A-Za-z0-9._:-]+", v)) and len(v) <= 255,
    )
    join_url: str = _setting(
        "https://loyalty.example.com/join?s={token}",
        "an http(s) URL with one {token} (the one-time session), or empty to turn phone join off", _join_url,
    )
    join_tag: bool = _setting(True, "true or false")
    join_wait_s: float = _setting(180.0, "seconds from 30 to 3600", lambda v: 30 <= v <= 3600)


@dataclass(frozen=True)
class GpioSettings:
    pin_factory: str = _choice("lgpio", "mock", "lgpio", "rpigpio", "native")
    status_led: tuple[int, int, int] = _setting(
        (17, 27, 22), "three BCM GPIO numbers from 2 to 27 (red, green, blue)", lambda v: all(2 <= p <= 27 for p in v)
    )
    buzzer: int = _bcm_pin(18)
    spin_button: int = _bcm_pin(23)
    motion_sensor: int = _bcm_pin(24)


@dataclass(frozen=True)
class MqttSettings:
    enabled: bool = _setting(True, "true or false")
    host: str = _setting("127.0.0.1", "a host name or address", _host)
    port: int = _setting(1883, "a TCP port from 1 to 65535", lambda v: 1 <= v <= 65535)
    tls: bool = _setting(False, "true or false")
    ca_file: str = _setting("", "a path to a readable file of CA certificates (PEM), or empty")
    cert_file: str = _setting("", "a path to a readable file, or empty")
    key_file: str = _setting("", "a path to a readable file, or empty")
    username: str = _setting("", "a string")
    password: str = _setting("", "a string")
    topic_prefix: str = _setting("loyalty/v1", "topic levels without '+', '#' or empty levels", _topic_prefix)
    telemetry_interval_s: float = _setting(60.0, "seconds from 5 to 86400", lambda v: 5 <= v <= 86400)
    command_keys: tuple[str, ...] = _setting(
        (), "a list of Ed25519 public keys, 32 bytes each in base64", lambda v: all(map(keys.is_public_key, v))
    )
    ha_discovery: bool = _setting(False, "true or false")


@dataclass(frozen=True)
class OutboxSettings:
    max_pending: int = _setting(200_000, "a number of events from 100 to 10000000", lambda v: 100 <= v <= 10_000_000)
    low_priority_ttl_s: float = _setting(3600.0, "seconds from 60 to 604800", lambda v: 60 <= v <= 604_800)
    retain_delivered_s: float = _setting(
        7 * 86400.0, "seconds from 0 to 31536000", lambda v: 0 <= v <= 31_536_000
    )
    retry_refused_s: float = _setting(600.0, "seconds from 1 to 86400", lambda v: 1 <= v <= 86_400)


@dataclass(frozen=True)
class BackendSettings:
    kind: str = _choice("local", "local", "http")
    url: str = _setting(
        "", "an http:// or https:// URL, or empty", lambda v: v == "" or v.startswith(("http://", "https://"))
    )
    token: str = _setting("", "a string")
    timeout_s: float = _setting(5.0, "seconds from 0.1 to 60", lambda v: 0.1 <= v <= 60)


@dataclass(frozen=True)
class ContentSettings:
    dir: str = _setting("", "a content bundle directory, or empty for the built-in content")
    # Remote bundles must be signed by this key; empty turns remote updates (and installed bundles) off.
    public_key: str = _setting("", "an Ed25519 public key, 32 bytes in base64, or empty",
                               lambda v: v == "" or keys.is_public_key(v))
    update_url: str = _setting("", "an http:// or https:// URL of a bundle folder, or empty",
                               lambda v: v == "" or v.startswith(("http://", "https://")))
    poll_interval_s: float = _setting(3600.0, "seconds from 5 to 604800, or 0 to never poll",
                                      lambda v: v == 0 or 5 <= v <= 604_800)
    # A switched bundle whose attract screen takes longer than this to show is rolled back.
    trial_timeout_s: float = _setting(10.0, "seconds from 1 to 600", lambda v: 1 <= v <= 600)


@dataclass(frozen=True)
class WheelSettings:
    allow_uid: bool = _setting(False, "true or false (cards known only by their UID can be cloned: no spins)")
    spin_s: float = _setting(7.0, "seconds a spin takes, from 0.5 to 20", lambda v: 0.5 <= v <= 20)


@dataclass(frozen=True)
class StylistSettings:
    # A request no associate acknowledged within this time is escalated (event, LED; the shopper is told).
    escalate_after_s: float = _setting(180.0, "seconds from 1 to 3600", lambda v: 1 <= v <= 3600)


@dataclass(frozen=True)
class DebugSettings:
    input_socket: str = _setting("", "a Unix socket path in an existing folder or the state folder, or empty to "
                                     "turn the automation socket off")
    allow_in_fullscreen: bool = _setting(False, "true or false")


@dataclass(frozen=True)
class Settings:
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    display: DisplaySettings = field(default_factory=DisplaySettings)
    screen: ScreenSettings = field(default_factory=ScreenSettings)
    nfc: NfcSettings = field(default_factory=NfcSettings)
    gpio: GpioSettings = field(default_factory=GpioSettings)
    mqtt: MqttSettings = field(default_factory=MqttSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    backend: BackendSettings = field(default_factory=BackendSettings)
    content: ContentSettings = field(default_factory=ContentSettings)
    wheel: WheelSettings = field(default_factory=WheelSettings)
    stylist: StylistSettings = field(default_factory=StylistSettings)
    debug: DebugSettings = field(default_factory=DebugSettings)
    source: str = "<defaults>"


_SECTIONS: dict[str, type] = {
    name: kind for name, kind in get_type_hints(Settings).items() if name != "source"
}
# Values naming things on disk, checked there once relative paths are resolved: what is wrong, or None.
_DISK_CHECKS: dict[tuple[str, str], Callable[[Any], str | None]] = {
    ("kiosk", "state_dir"): config_files.state_dir_problem,
    ("mqtt", "ca_file"): lambda v: v and config_files.ca_file_problem(Path(v)),
    ("mqtt", "cert_file"): lambda v: v and config_files.readable_file_problem(Path(v)),
    ("mqtt", "key_file"): lambda v: v and config_files.readable_file_problem(Path(v)),
}
_FILE_KEYS = {("mqtt", "ca_file"), ("mqtt", "cert_file"), ("mqtt", "key_file")}


def load(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read settings from ``path``, else from ``$KIOSK_CONFIG``, else the defaults."""
    chosen = path or os.environ.get(ENV_VAR) or None
    if chosen is None:
        return from_mapping({}, "<defaults>")
    source = str(chosen)
    try:
        with open(chosen, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(source, "", "file not found") from None
    except OSError as exc:
        raise ConfigError(source, "", f"cannot read the file ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "", f"not valid TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(source, "", f"not UTF-8 text (an undecodable byte at offset {exc.start})") from None
    return from_mapping(data, source, base_dir=Path(chosen).resolve().parent)


def from_mapping(data: Mapping[str, Any], source: str, base_dir: Path | None = None) -> Settings:
    """Validate a parsed TOML mapping; relative paths are taken from ``base_dir``."""
    sections = {}
    for name, value in data.items():
        if name not in _SECTIONS:
            raise ConfigError(source, name, "one of the sections " + ", ".join(f"[{s}]" for s in _SECTIONS))
        if not isinstance(value, Mapping):
            raise ConfigError(source, name, f"a [{name}] table")
    for name, cls in _SECTIONS.items():
        sections[name] = _section(cls, name, data.get(name, {}), source, base_dir)
    settings = Settings(**sections, source=source)
    _check_across(settings)
    return settings


def with_overrides(settings: Settings, **changes: Mapping[str, Any]) -> Settings:
    """A copy of ``settings`` with some keys replaced, validated like a file: ``display={"mode": "headless"}``."""
    replaced = {}
    for name, values in changes.items():
        current = dataclasses.asdict(getattr(settings, name))
        replaced[name] = _section(_SECTIONS[name], name, {**current, **values}, settings.source, None)
    result = dataclasses.replace(settings, **replaced)
    _check_across(result)
    return result


def _section(cls: type, name: str, values: Mapping[str, Any], source: str, base_dir: Path | None) -> Any:
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, raw in values.items():
        if key not in fields:
            known = ", ".join(fields)
            raise ConfigError(source, f"{name}.{key}", f"one of the keys {known} (unknown key {key!r})")
        meta = fields[key].metadata
        value = _coerce(raw, hints[key])
        if value is None:
            raise ConfigError(source, f"{name}.{key}", f"{meta['expect']}, got {raw!r}")
        check = meta["check"]
        if check is not None and not check(value):
            raise ConfigError(source, f"{name}.{key}", f"{meta['expect']}, got {raw!r}")
        if hints[key] is Path and base_dir is not None and not value.is_absolute():
            value = base_dir / value
        if (name, key) in _FILE_KEYS and value and base_dir is not None and not Path(value).is_absolute():
            value = str(base_dir / value)
        disk_check = _DISK_CHECKS.get((name, key))
        problem = disk_check(value) if disk_check else None
        if problem:
            raise ConfigError(source, f"{name}.{key}", f"{meta['expect']}, got {raw!r} ({problem})")
        kwargs[key] = value
    return cls(**kwargs)


def _coerce(raw: Any, kind: Any) -> Any:
    """``raw`` as ``kind``, or None when it cannot be: TOML already typed it, so only widen ints to floats."""
    if kind is bool:
        return raw if isinstance(raw, bool) else None
    if kind is int:
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if kind is float:
        return float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    if kind is str:
        return raw if isinstance(raw, str) else None
    if kind is Path:
        return Path(raw) if isinstance(raw, str | Path) and str(raw) else None
    if kind == tuple[str, ...]:
        ok = isinstance(raw, list | tuple) and all(isinstance(v, str) for v in raw)
        return tuple(raw) if ok else None
    if kind == tuple[int, int, int]:
        ok = isinstance(raw, list | tuple) and len(raw) == 3
        return tuple(raw) if ok and all(isinstance(p, int) and not isinstance(p, bool) for p in raw) else None
    raise TypeError(f"no coercion for {kind}")


def _check_across(settings: Settings) -> None:
    """Rules that involve more than one key."""
    source = settings.source
    gpio = settings.gpio
    pins = [*gpio.status_led, gpio.buzzer, gpio.spin_button, gpio.motion_sensor]
    if len(set(pins)) != len(pins):
        raise ConfigError(source, "gpio", f"a different pin for every part, got {pins}")
    mqtt = settings.mqtt
    if mqtt.key_file and not mqtt.cert_file:
        raise ConfigError(source, "mqtt.cert_file", "the client certificate that goes with mqtt.key_file")
    if mqtt.cert_file and (problem := config_files.client_certificate_problem(mqtt.cert_file, mqtt.key_file)):
        raise ConfigError(source, "mqtt.cert_file", f"a client certificate with its private key (in the file or "
                                                    f"in mqtt.key_file), got {mqtt.cert_file!r} ({problem})")
    if settings.backend.kind == "http" and not settings.backend.url:
        raise ConfigError(source, "backend.url", "the backend's URL when backend.kind is 'http'")
    debug = settings.debug
    if debug.input_socket and (problem := config_files.socket_problem(debug.input_socket, settings.kiosk.state_dir)):
        raise ConfigError(source, "debug.input_socket", f"a Unix socket path in an existing folder or the state "
                                                        f"folder, got {debug.input_socket!r} ({problem})")
    if debug.input_socket and settings.display.mode == "fullscreen" and not debug.allow_in_fullscreen:
        raise ConfigError(
            source, "debug.input_socket", "empty in fullscreen mode (set debug.allow_in_fullscreen = true to allow it)"
        )

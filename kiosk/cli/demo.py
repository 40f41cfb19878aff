"""``kiosk demo``: the configured kiosk with simulated parts, a window that fits the screen, and a banner that
says how to drive it in the mode it runs in."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk import config

DEMO_DEVICE = "udp:127.0.0.1:54321"  # where `kiosk demo` reads and `kiosk tap` presents its cards
DEFAULT_WINDOW = (1280, 720)
DESKTOP_SHARE = 0.9  # of the desktop a window may take: room for the panel and the window's title bar
TAP_EXAMPLES = ("--member M-1001", "--app APP-7F3A9C", "--uid 04A224B1C55E80", "--phone")


def demo_settings(config_path: str | None, headless: bool) -> config.Settings:
    """The configured settings with the demo's simulated parts: mock GPIO, keyboard taps, local backend.

    Without a config file the demo keeps its state apart from a real kiosk's and opens a 1280x720 window; any
    window is shrunk to fit the desktop it opens on.
    """
    from kiosk.ui.display import has_screen

    settings = config.load(config_path)
    mode = "window" if has_screen() and not headless else "headless"
    overrides: dict[str, dict] = {"display": {"mode": mode}, "gpio": {"pin_factory": "mock"},
                                  "nfc": {"device": demo_device(settings.nfc.device)}, "backend": {"kind": "local"}}
    state_dir = settings.kiosk.state_dir
    if settings.source == "<defaults>":
        state_dir = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "kiosk-demo"
        overrides["kiosk"] = {"state_dir": state_dir}
    if mode == "window":
        wanted = DEFAULT_WINDOW if settings.source == "<defaults>" else (settings.display.width,
                                                                          settings.display.height)
        width, height = fit_window(wanted, desktop_size())
        overrides["display"].update(width=width, height=height)
    if not settings.debug.input_socket:
        overrides["debug"] = {"input_socket": str(Path(state_dir) / "input.sock")}
    return config.with_overrides(settings, **overrides)


def demo_device(configured: str) -> str:
    """The demo reads `kiosk tap` on nfcpy's udp: driver (and keeps its keys); a configured udp: path, keyboard
    only or off stay as they are."""
    if configured in ("keyboard", "off") or configured.startswith("udp"):
        return configured
    return DEMO_DEVICE


def desktop_size() -> tuple[int, int] | None:
    """The size of the desktop SDL opens a window on (its first display), or None when it cannot tell."""
    import pygame

    try:
        pygame.display.init()
        sizes = pygame.display.get_desktop_sizes()
    except pygame.error:
        return None
    finally:
        pygame.display.quit()
    return sizes[0] if sizes else None


def fit_window(wanted: tuple[int, int], desktop: tuple[int, int] | None) -> tuple[int, int]:
    """``wanted``, scaled down (same shape) to fit in the desktop's usable share; never below the config's
    smallest screen.

        >>> fit_window((1920, 1080), (1366, 768))
        (1228, 691)
        >>> fit_window((1280, 720), (1920, 1080))
        (1280, 720)
    """
    if desktop is None:
        return wanted
    scale = min(1.0, desktop[0] * DESKTOP_SHARE / wanted[0], desktop[1] * DESKTOP_SHARE / wanted[1])
    return max(320, int(wanted[0] * scale)), max(240, int(wanted[1] * scale))


def banner(settings: config.Settings) -> list[str]:
    """What the demo prints at start: how to tap in this mode, and how to stop."""
    display, device = settings.display, settings.nfc.device
    socket = settings.debug.input_socket
    size = f"{display.width}x{display.height}"
    if display.mode == "window":
        lines = [f"kiosk demo: window {size}; keys 1-3 tap demo members, 4 an unknown card; Escape or Ctrl+C quits; "
                 f"automation socket {socket}"]
    else:
        lines = [f"kiosk demo: headless {size} (no window: no desktop, or --headless); Ctrl+C or SIGTERM stops; "
                 f"automation socket {socket} takes JSON lines such as {{\"key\": \"1\"}} (Anna's card)"]
    if device.startswith("udp"):
        where = "" if device == DEMO_DEVICE else f" --device {device}"
        tries = ", ".join(f"`kiosk tap {example}{where}`" for example in TAP_EXAMPLES)
        lines.append(f"kiosk demo: NFC reader on {device}: from another terminal try {tries}")
    if settings.backend.kind == "http":
        lines.append(f"kiosk demo: reference backend and phone pages at {settings.backend.url.removesuffix('/v1')} "
                     "(the join URL and QR code carry it: a phone on the same network can open them)")
    return lines

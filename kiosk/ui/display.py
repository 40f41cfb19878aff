"""Open the screen in one of the display modes: window, fullscreen (no cursor) or headless (SDL dummy)."""

from __future__ import annotations

import os

import pygame

from kiosk.exc import DeviceError

# Events the kiosk never reacts to: blocking them keeps a waiting main loop asleep.
_IGNORED = (pygame.MOUSEWHEEL, pygame.TEXTEDITING,
            pygame.JOYAXISMOTION, pygame.AUDIODEVICEADDED, pygame.AUDIODEVICEREMOVED)


def has_screen() -> bool:
    """Whether a desktop session is there to open a window on."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_display(mode: str, width: int, height: int) -> pygame.Surface:
    if mode == "headless":
        os.environ["SDL_VIDEODRIVER"] = "dummy"
    try:
        pygame.display.init()
        pygame.font.init()
        flags = pygame.FULLSCREEN if mode == "fullscreen" else 0
        screen = pygame.display.set_mode((width, height), flags)
    except pygame.error as exc:
        driver = os.environ.get("SDL_VIDEODRIVER", "SDL's choice")
        raise DeviceError(f"display.mode = {mode!r}: cannot open the screen with video driver {driver} ({exc}); "
                          "use mode = \"headless\" on a machine without a screen") from None
    pygame.display.set_caption("Loyalty kiosk")
    if mode == "fullscreen":
        pygame.mouse.set_visible(False)
    pygame.event.set_blocked(list(_IGNORED))
    return screen

"""The scene manager: shows one scene at a time, draws only what changed, falls back to the failsafe scene.

It draws what the session says; it owns no flow. When a scene fails to draw, :meth:`SceneManager.show` puts the
failsafe scene up and returns False, and the caller tells the flow (so the flow and the screen never disagree)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import pygame

from kiosk.ui.input import Input
from kiosk.ui.look import Look
from kiosk.ui.message import FailsafeScene
from kiosk.ui.scene import Scene, View

log = logging.getLogger(__name__)

LedColour = tuple[float, float, float]


class SceneManager:
    """Owns the screen surface and one instance of each scene; ``led`` (demo only) feeds a small on-screen copy
    of the status LED."""

    def __init__(self, screen: pygame.Surface, look: Look, scenes: Mapping[str, Callable[[Look], Scene]],
                 led: Callable[[], LedColour] | None = None) -> None:
        self.screen = screen
        self.look = look
        self.scenes: dict[str, Scene] = {name: build(look) for name, build in scenes.items()}
        self.scenes.setdefault(FailsafeScene.name, FailsafeScene(look))
        self.current: Scene = self.scenes[FailsafeScene.name]
        self._led = led
        self._led_shown: LedColour | None = None
        self._led_rect = pygame.Rect(0, 0, look.px(56), look.px(56))
        self._led_rect.topright = (look.size[0] - look.px(24), look.px(24))

    @property
    def name(self) -> str:
        return self.current.name

    def show(self, name: str, view: View, now: float) -> bool:
        """Enter scene ``name`` and put its first frame on the screen; False when it failed to draw and the
        failsafe scene shows instead."""
        scene = self.scenes.get(name)
        if scene is not self.current:
            self.current.leave()
        shown = True
        try:
            if scene is None:
                raise KeyError(f"no scene named {name!r}")
            scene.enter(view, now)
            scene.draw(self.screen, now)
            self.current = scene
        except Exception:
            log.exception("ui: scene %s failed to draw; showing the failsafe scene", name)
            shown = False
            if scene is not None:
                scene.leave()
            self.current = self.scenes[FailsafeScene.name]
            self.current.enter(View(language=view.language), now)
            self.current.draw(self.screen, now)
        self._draw_led(force=True)
        pygame.display.flip()
        return shown

    def animating(self, now: float) -> bool:
        """Whether the next frame draws anything: an animated scene, or a widget that changed or moves."""
        return self.current.animated or self.current.moving(now)

    def frame(self, now: float) -> None:
        """Draw the next frame of an animated scene, the widgets that changed, and whatever overlay changed."""
        rects = self.current.animate(self.screen, now) if self.current.animated else []
        rects += self.current.refresh(self.screen, now)
        led = self._draw_led(force=self._led_rect.collidelist(rects) >= 0)
        if led:
            rects.append(led)
        if rects:
            pygame.display.update(rects)

    def handle(self, event: Input, now: float) -> str | None:
        """The current scene's answer to the shopper's input: an action, or None. A widget it changed (a
        button pressed) is on the screen before the action runs."""
        action = self.current.handle(event)
        rects = self.current.refresh(self.screen, now)
        if rects:
            pygame.display.update(rects)
        return action

    def _draw_led(self, force: bool) -> pygame.Rect | None:
        if self._led is None:
            return None
        colour = self._led()
        if colour == self._led_shown and not force:
            return None
        self._led_shown = colour
        rgb = tuple(round(c * 255) for c in colour)
        rect = self._led_rect
        self.screen.blit(self.look.background(), rect, rect)
        pygame.draw.circle(self.screen, (20, 20, 30), rect.center, rect.width // 2)
        pygame.draw.circle(self.screen, rgb, rect.center, rect.width // 2 - self.look.px(6))
        return rect

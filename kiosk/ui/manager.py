"""The scene manager: shows one scene at a time, draws only what changed, falls back to the failsafe scene."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pygame

from kiosk.ui.look import Look
from kiosk.ui.scenes import Scene, SceneView, build_scenes

log = logging.getLogger(__name__)

LedColour = tuple[float, float, float]


class SceneManager:
    """Owns the screen surface; ``led`` (demo only) feeds a small on-screen copy of the status LED."""

    def __init__(self, screen: pygame.Surface, look: Look, led: Callable[[], LedColour] | None = None) -> None:
        self.screen = screen
        self.look = look
        self.scenes = build_scenes(look)
        self.current: Scene = self.scenes["failsafe"]
        self._led = led
        self._led_shown: LedColour | None = None
        self._led_rect = pygame.Rect(0, 0, look.px(56), look.px(56))
        self._led_rect.topright = (look.size[0] - look.px(24), look.px(24))

    @property
    def name(self) -> str:
        return self.current.name

    def show(self, name: str, view: SceneView, now: float) -> None:
        """Enter scene ``name`` and put its first frame on the screen."""
        scene = self.scenes[name]
        if scene is not self.current:
            self.current.leave()
        try:
            scene.enter(view, now)
            scene.draw(self.screen, now)
            self.current = scene
        except Exception:
            log.exception("ui: scene %s failed to draw; showing the failsafe scene", name)
            self.current = self.scenes["failsafe"]
            self.current.enter(SceneView(language=view.language), now)
            self.current.draw(self.screen, now)
        self._draw_led(force=True)
        pygame.display.flip()

    def frame(self, now: float) -> None:
        """Draw the next frame of an animated scene and whatever overlay changed."""
        rects = self.current.animate(self.screen, now) if self.current.animated else []
        led = self._draw_led(force=self._led_rect.collidelist(rects) >= 0)
        if led:
            rects.append(led)
        if rects:
            pygame.display.update(rects)

    def hit(self, pos: tuple[int, int]) -> str | None:
        return self.current.hit(pos)

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

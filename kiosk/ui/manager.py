"""The scene manager: shows one scene at a time, eases from one scene to the next, draws only what changed,
falls back to the failsafe scene.

It draws what the session says; it owns no flow. When a scene fails to draw, :meth:`SceneManager.show` puts the
failsafe scene up and returns False, and the caller tells the flow (so the flow and the screen never disagree);
when it fails in a later step of its drawing (below), the manager puts the failsafe scene up and tells ``failed``.

A new scene is drawn once, off screen, and crossfaded in over the theme's ``standard`` motion token
(kiosk/ui/motion.py). That drawing is spread over frames (:meth:`Scene.drawing`'s steps, BUILD_SLICE_S of them a
frame, frames at BUILD_FPS) while the outgoing scene stays on the screen, and the crossfade starts once the
incoming frame is whole: a scene drawn in one frame (texts to lay out, pictures to decode) took up to 40 ms of CPU,
where 16.7 ms is the budget. A scene whose ``transition`` is None (the tap's celebration) is cut to at
once, so its first frame is on the screen when :meth:`show` returns. Showing the scene that is up again (a
language switch, a refresh) redraws it without a transition.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator, Mapping

import pygame

from kiosk.ui.input import Input
from kiosk.ui.look import Colour, Look, mix
from kiosk.ui.message import FailsafeScene
from kiosk.ui.motion import Transition
from kiosk.ui.scene import Scene, View

log = logging.getLogger(__name__)

LedColour = tuple[float, float, float]
BUILD_SLICE_S = 0.005
"""Time a frame spends drawing an incoming scene off screen before it leaves the rest to the next frame; with the
longest single step after it (a widget, a grid cell, the comparison that starts the crossfade: 2-7 ms at 1080p)
the frame stays within 16.7 ms."""
BUILD_FPS = 60
"""The frame rate while an incoming scene is drawn over frames: its crossfade starts a few 16.7 ms frames late."""
_WHOLE = object()  # what an incoming scene's drawing gives when it has no step left


class SceneManager:
    """Owns the screen surface and one instance of each scene; ``led`` (demo only) feeds a small on-screen copy
    of the status LED; ``transitions`` False cuts from scene to scene (screenshots)."""

    def __init__(self, screen: pygame.Surface, look: Look, scenes: Mapping[str, Callable[[Look], Scene]],
                 led: Callable[[], LedColour] | None = None, *, transitions: bool = True,
                 failed: Callable[[float], None] | None = None) -> None:
        """``failed`` hears of an incoming scene that failed in a later step of its drawing, once the failsafe
        scene shows instead (one that fails in :meth:`show` is its answer, False)."""
        self.screen = screen
        self.look = look
        self.scenes: dict[str, Scene] = {name: build(look) for name, build in scenes.items()}
        self.scenes.setdefault(FailsafeScene.name, FailsafeScene(look))
        self.current: Scene = self.scenes[FailsafeScene.name]
        self.transition: Transition | None = None
        self._transitions = transitions
        self._incoming: pygame.Surface | None = None  # where an incoming scene is drawn: one buffer, reused
        self._build: Iterator[None] | None = None  # the rest of the incoming scene's drawing, while it lasts
        self._failed = failed
        self._shown = False  # nothing to ease from before the first scene
        self._led = led
        self._led_shown: LedColour | None = None
        self._led_rect = pygame.Rect(0, 0, look.px(56), look.px(56))
        self._led_rect.topright = (look.size[0] - look.px(28), look.px(28))

    @property
    def name(self) -> str:
        return self.current.name

    def show(self, name: str, view: View, now: float) -> bool:
        """Enter scene ``name`` and put its first frame on the screen (or start drawing it off screen, to ease to
        it); False when it failed to draw and the failsafe scene shows instead."""
        started = time.perf_counter()
        scene = self.scenes.get(name)
        ease = (self._transitions and self._shown and scene is not None and scene is not self.current
                and scene.transition is not None)
        if scene is not self.current:
            self.current.leave()
        self.transition = self._build = None
        shown = True
        try:
            if scene is None:
                raise KeyError(f"no scene named {name!r}")
            scene.enter(view, now)
            if ease:
                # Drawn as it will be when the transition ends, so an animated scene goes on from there without a jump.
                build = scene.drawing(self._incoming_buffer(), now + self._duration(scene))
                next(build)  # the background and what compose draws: a view the scene cannot show fails here
                self._build = build
            else:
                scene.draw(self.screen, now)
            self.current = scene
            if self._build is not None and time.perf_counter() < started + BUILD_SLICE_S:
                self._go_on_building(now, started + BUILD_SLICE_S)
        except Exception:
            log.exception("ui: scene %s failed to draw; showing the failsafe scene", name)
            shown = False
            if scene is not None:
                scene.leave()
            self._show_failsafe(view.language, now)
        self._shown = True
        if ease and shown:
            return shown  # the first blend is a later frame: the outgoing scene is still on the screen
        self._draw_led(force=True)
        pygame.display.flip()
        return shown

    @property
    def changing(self) -> bool:
        """Whether a new scene is on its way in: drawn off screen over frames, or crossfading."""
        return self._build is not None or self.transition is not None

    def frame_rate(self, configured: int, now: float) -> float:
        """Frames a second for what the next frame draws, from the ``configured`` rate: BUILD_FPS while an
        incoming scene is drawn over frames; the shown scene's ``fps`` if it needs more; its ``max_fps`` if its own
        slow motion is all that moves."""
        if self._build is not None:
            return max(configured, BUILD_FPS)
        scene = self.current
        rate = max(configured, scene.fps or 0)
        if scene.max_fps is not None and self.transition is None and not scene.moving(now):
            return min(rate, scene.max_fps)
        return rate

    def _go_on_building(self, now: float, until: float) -> None:
        """Draw more of the incoming scene off screen, a step and then more until ``until`` (a
        ``time.perf_counter()``); once it is whole, the crossfade starts from ``now`` (its first blend is the next
        frame)."""
        assert self._build is not None
        while next(self._build, _WHOLE) is not _WHOLE:
            if time.perf_counter() >= until:
                return
        self._build = None
        assert self._incoming is not None and self.current.transition is not None
        self.transition = Transition(self.screen, self._incoming, now, self.look, self.current.transition)

    def _show_failsafe(self, language: str, now: float) -> None:
        self._build = self.transition = None
        self.current = self.scenes[FailsafeScene.name]
        self.current.enter(View(language=language), now)
        self.current.draw(self.screen, now)

    def warm(self, name: str, view: View, now: float) -> bool:
        """Draw scene ``name`` once off screen and forget it again, so that what its first drawing opens or
        renders (fonts at the sizes shrink-to-fit picks, card faces, pictures scaled) is cached before a
        shopper's first entry, which then costs no more than later ones: for idle time. Not the scene shown, nor
        while a transition uses the off-screen buffer; False when nothing was drawn."""
        scene = self.scenes.get(name)
        if scene is None or scene is self.current or self.changing:
            return False
        try:
            scene.enter(view, now)
            scene.draw(self._incoming_buffer(), now)
        except Exception:  # the shopper's own entry reports it, with the shopper's data
            log.debug("ui: warming scene %s failed", name, exc_info=True)
            return False
        finally:
            scene.leave()
        return True

    def animating(self, now: float) -> bool:
        """Whether the next frame draws anything: a transition, an animated scene, or a widget that changed or
        moves."""
        return self.changing or self.current.animated or self.current.moving(now)

    def frame(self, now: float) -> None:
        """Draw the next frame of a transition, or of an animated scene and the widgets that changed, and
        whatever overlay changed; while the incoming scene is still drawn off screen, more of it (the outgoing
        frame stays on the screen)."""
        if self._build is not None:
            self._build_frame(now, time.perf_counter() + BUILD_SLICE_S)
            return
        if self.transition is not None:
            rects = self.transition.draw(self.screen, now)
            if self.transition.done(now):
                self.transition = None
            led = self._draw_led(force=self._led_rect.collidelist(rects) >= 0)
            if led:
                rects = [*rects, led]
            if rects:
                pygame.display.update(rects)
            return
        rects = self.current.animate(self.screen, now) if self.current.animated else []
        rects += self.current.refresh(self.screen, now)
        led = self._draw_led(force=self._led_rect.collidelist(rects) >= 0)
        if led:
            rects.append(led)
        if rects:
            pygame.display.update(rects)

    def close(self) -> None:
        """Drop the scenes and their laid-out texts, then the look's fonts, before pygame quits: pygame closes a
        font's file only while its font module runs, so a font freed after ``pygame.quit()`` (a scene's text
        block holds one) keeps its file descriptor for the rest of the process."""
        self.current.leave()
        self.scenes.clear()
        self.current = FailsafeScene(self.look)
        self.look.close()
        gc.collect()  # scenes and widgets refer to each other: free their fonts now, not at some later collection

    def handle(self, event: Input, now: float) -> str | None:
        """The current scene's answer to the shopper's input: an action, or None. A widget it changed (a
        button pressed) is on the screen before the action runs; a transition still running ends at once, so the
        button the finger is on is the one drawn (an incoming scene still drawn off screen is finished first)."""
        self.settle(now)
        action = self.current.handle(event)
        rects = self.current.refresh(self.screen, now)
        if rects:
            pygame.display.update(rects)
        return action

    def settle(self, now: float) -> None:
        """End the way into a new scene at once: the rest of its drawing, then its whole frame on the screen."""
        if self._build is not None:
            self._build_frame(now, float("inf"))
        if self.transition is not None:
            self.transition.draw(self.screen, self.transition.start + self._duration(self.current))
            self.transition = None
            self._draw_led(force=True)
            pygame.display.flip()

    def _build_frame(self, now: float, until: float) -> None:
        """A frame's share of the incoming scene's drawing (see :meth:`_go_on_building`); a failure puts the
        failsafe scene up and tells ``failed``."""
        try:
            self._go_on_building(now, until)
        except Exception:
            log.exception("ui: scene %s failed to draw; showing the failsafe scene", self.current.name)
            language = self.current.view.language
            self.current.leave()
            self._show_failsafe(language, now)
            self._draw_led(force=True)
            pygame.display.flip()
            if self._failed is not None:
                self._failed(now)

    def _duration(self, scene: Scene) -> float:
        return self.look.theme.durations_ms[scene.transition] / 1000 if scene.transition else 0.0

    def _incoming_buffer(self) -> pygame.Surface:
        if self._incoming is None:
            self._incoming = self.screen.copy()  # the screen's pixel format: blits need no conversion
        return self._incoming

    def _draw_led(self, force: bool) -> pygame.Rect | None:
        if self._led is None:
            return None
        colour = self._led()
        if colour == self._led_shown and not force:
            return None
        self._led_shown = colour
        rect = self._led_rect
        look = self.look
        look.paint_background(self.screen, rect)
        radius = rect.width // 2
        lit, halo = self._led_look(colour)
        if halo:
            pygame.draw.circle(self.screen, mix(look.colour["accent"], look.colour["background_top"], 0.6),
                               rect.center, radius)
        pygame.draw.circle(self.screen, look.colour["panel"], rect.center, radius - look.px(8))
        pygame.draw.circle(self.screen, look.colour["line"], rect.center, radius - look.px(8), width=look.px(2))
        pygame.draw.circle(self.screen, lit, rect.center, radius - look.px(16))
        return rect

    def _led_look(self, colour: LedColour) -> tuple[Colour, bool]:
        """The mirror in the theme's palette, not in the LED's raw RGB (the physical LED shows the theme's
        ``led_idle``/``led_celebrate``): the accent when the LED glows its idle colour, the accent with a halo
        when it flashes the celebration, the hairline colour when it is off, in between as it dims."""
        ink = self.look.colour
        rgb = tuple(round(c * 255) for c in colour)
        if rgb == ink["led_celebrate"]:
            return ink["accent"], True
        if rgb == ink["led_idle"]:
            return ink["accent"], False
        return mix(ink["line"], ink["accent"], max(colour, default=0.0)), False

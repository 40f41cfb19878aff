"""The kiosk's scenes, one module each; ``build_scenes`` makes one instance of each for a Look."""

from __future__ import annotations

from kiosk.ui.look import Look
from kiosk.ui.scenes.attract import AttractScene
from kiosk.ui.scenes.base import Scene, SceneView
from kiosk.ui.scenes.celebrate import CelebrateScene
from kiosk.ui.scenes.messages import (
    FailsafeScene,
    GoodbyeScene,
    JoinScene,
    MaintenanceScene,
    UnavailableScene,
)
from kiosk.ui.scenes.welcome import WelcomeScene

__all__ = ["Scene", "SceneView", "build_scenes"]


def build_scenes(look: Look) -> dict[str, Scene]:
    scenes = [AttractScene(look), CelebrateScene(look), WelcomeScene(look), JoinScene(look),
              UnavailableScene(look), GoodbyeScene(look), MaintenanceScene(look), FailsafeScene(look)]
    return {scene.name: scene for scene in scenes}

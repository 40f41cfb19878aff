"""``kiosk content preview``: every scene of a bundle in every language as PNGs, and one contact sheet of them
all, so a marketer sees a change before it ships. Renders headless, like ``kiosk screenshot``."""

from __future__ import annotations

import sys
from pathlib import Path

import pygame

from kiosk.cli.screenshot import draw, scene_manager
from kiosk.config import LANGUAGES, Settings
from kiosk.content.bundle import load_bundle
from kiosk.ui.display import open_display

THUMB_WIDTH = 320
LABEL_HEIGHT = 28


def preview(settings: Settings, folder: Path, out: Path) -> list[Path]:
    """Write ``out/{scene}-{language}.png`` for every scene and language and ``out/contact-sheet.png``;
    returns the files written, the sheet last. The bundle is checked first (ContentError if it fails)."""
    bundle = load_bundle(folder)
    try:
        screen = open_display("headless", settings.display.width, settings.display.height)
        ui = scene_manager(screen, bundle)
        out.mkdir(parents=True, exist_ok=True)
        shots: list[tuple[str, pygame.Surface, Path]] = []
        pairs = [(scene, language) for scene in ui.scenes for language in LANGUAGES]
        for done, (scene, language) in enumerate(pairs, 1):
            draw(ui, bundle, settings, scene, language)
            path = out / f"{scene}-{language}.png"
            pygame.image.save(screen, str(path))
            shots.append((f"{scene} {language}", screen.copy(), path))
            _progress(done, len(pairs))
        sheet = out / "contact-sheet.png"
        pygame.image.save(_sheet(shots, len(LANGUAGES)), str(sheet))
        return [path for _, _, path in shots] + [sheet]
    finally:
        pygame.quit()


def _sheet(shots: list[tuple[str, pygame.Surface, Path]], columns: int) -> pygame.Surface:
    """A grid of thumbnails, one row per scene, one column per language, each labelled."""
    width, height = shots[0][1].get_size()
    thumb = (THUMB_WIDTH, round(height * THUMB_WIDTH / width))
    rows = -(-len(shots) // columns)
    sheet = pygame.Surface((columns * thumb[0], rows * (thumb[1] + LABEL_HEIGHT)))
    sheet.fill((24, 24, 32))
    font = pygame.font.Font(None, LABEL_HEIGHT)
    for i, (label, surface, _) in enumerate(shots):
        x, y = (i % columns) * thumb[0], (i // columns) * (thumb[1] + LABEL_HEIGHT)
        sheet.blit(font.render(label, True, (230, 230, 240)), (x + 6, y + 4))
        sheet.blit(pygame.transform.smoothscale(surface, thumb), (x, y + LABEL_HEIGHT))
    return sheet


def _progress(done: int, total: int) -> None:
    """A one-line progress bar on stderr: rendering every scene in every language takes a few seconds."""
    filled = 30 * done // total
    sys.stderr.write(f"\rpreview [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()

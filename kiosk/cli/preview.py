"""``kiosk content preview``: every scene of every feature in every language as PNGs, and one contact sheet of
them all, so a marketer sees a change before it ships; for several bundles (themes) at once, one folder each.
Renders headless, like ``kiosk screenshot``.

The pictures are the same byte for byte on every run (demo data, a fixed join token, a fixed moment of each
animation, the seeded confetti), so re-rendering the README's gallery leaves the tree clean.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pygame

from kiosk.cli.screenshot import draw, scene_manager
from kiosk.config import LANGUAGES, Settings
from kiosk.content.bundle import DEFAULT_DIR, Bundle, load_bundle
from kiosk.exc import KioskError
from kiosk.ui.display import open_display
from kiosk.ui.look import Look

THUMB_WIDTH = 320
LABEL_HEIGHT = 28


def theme_name(folder: Path) -> str:
    """What a bundle's pictures are filed under: ``default`` for the built-in content, else its folder's name.

    >>> theme_name(DEFAULT_DIR), theme_name(Path("deploy/demo-content/evening"))
    ('default', 'evening')
    """
    return "default" if folder.resolve() == DEFAULT_DIR.resolve() else folder.resolve().name


def preview(settings: Settings, folders: list[Path], out: Path) -> list[Path]:
    """Write ``{scene}-{language}.png`` for every scene and language and ``contact-sheet.png`` into ``out``, for
    one bundle; into ``out/<theme>/`` for each of several (:func:`theme_name`; two of one name are refused). Returns
    the files written, each bundle's sheet after its scenes. Every bundle is checked first (ContentError if one
    fails)."""
    bundles = [load_bundle(folder) for folder in folders]
    targets = [out] if len(folders) == 1 else [out / theme_name(folder) for folder in folders]
    if len(set(targets)) != len(targets):
        raise KioskError(f"content preview: two bundles would write to the same folder: {', '.join(map(str, targets))}")
    try:
        screen = open_display("headless", settings.display.width, settings.display.height)
        return [path for bundle, target in zip(bundles, targets, strict=True)
                for path in _render(screen, settings, bundle, target)]
    finally:
        pygame.quit()


def _render(screen: pygame.Surface, settings: Settings, bundle: Bundle, out: Path) -> list[Path]:
    ui = scene_manager(screen, bundle)
    out.mkdir(parents=True, exist_ok=True)
    shots: list[tuple[str, pygame.Surface, Path]] = []
    pairs = [(scene, language) for scene in ui.scenes for language in LANGUAGES]
    for done, (scene, language) in enumerate(pairs, 1):
        draw(ui, bundle, settings, scene, language)
        path = out / f"{scene}-{language}.png"
        pygame.image.save(screen, str(path))
        shots.append((f"{scene} {language}", screen.copy(), path))
        _progress(out.name, done, len(pairs))
    sheet = out / "contact-sheet.png"
    pygame.image.save(_sheet(ui.look, shots, len(LANGUAGES)), str(sheet))
    return [path for _, _, path in shots] + [sheet]


def _sheet(look: Look, shots: list[tuple[str, pygame.Surface, Path]], columns: int) -> pygame.Surface:
    """A grid of thumbnails, one row per scene, one column per language, each labelled in the theme's type."""
    width, height = shots[0][1].get_size()
    thumb = (THUMB_WIDTH, round(height * THUMB_WIDTH / width))
    rows = -(-len(shots) // columns)
    sheet = pygame.Surface((columns * thumb[0], rows * (thumb[1] + LABEL_HEIGHT)))
    sheet.fill(look.colour["text"])
    font = look.font("caption", LABEL_HEIGHT * 2 // 3)
    for i, (label, surface, _) in enumerate(shots):
        x, y = (i % columns) * thumb[0], (i // columns) * (thumb[1] + LABEL_HEIGHT)
        sheet.blit(font.render(label, True, look.colour["background_top"]), (x + 6, y + 4))
        sheet.blit(pygame.transform.smoothscale(surface, thumb), (x, y + LABEL_HEIGHT))
    return sheet


def _progress(name: str, done: int, total: int) -> None:
    """A one-line progress bar on stderr: rendering every scene in every language takes a few seconds."""
    filled = 30 * done // total
    sys.stderr.write(f"\rpreview {name} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()

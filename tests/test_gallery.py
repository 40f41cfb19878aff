"""The gallery: `kiosk content preview` renders every scene of every feature in every language and theme, the
same byte for byte on every run (so re-rendering the README's screenshots leaves the tree clean). Real pygame
rendering (SDL dummy driver) with both shipped bundles."""

import filecmp
import subprocess
import sys

import pygame
import pytest

from kiosk import config
from kiosk.cli.preview import preview
from kiosk.config import LANGUAGES
from kiosk.content.bundle import DEFAULT_DIR, load_bundle
from kiosk.exc import KioskError
from kiosk.features import default_features
from kiosk.features.registry import FeatureSet
from tests.helpers import REPO, write_config

EVENING_DIR = REPO / "deploy" / "demo-content" / "evening"


def test_every_scene_of_every_feature_in_every_language_and_theme_the_same_twice(tmp_path):
    settings = config.load(write_config(tmp_path, display={"width": 640, "height": 360}))
    first = preview(settings, [DEFAULT_DIR, EVENING_DIR], tmp_path / "one")
    second = preview(settings, [DEFAULT_DIR, EVENING_DIR], tmp_path / "two")
    features = FeatureSet(default_features())
    for theme, folder in (("default", DEFAULT_DIR), ("evening", EVENING_DIR)):
        scenes = features.offered_scenes(load_bundle(folder).files)
        names = {path.name for path in first if path.parent.name == theme}
        assert names == {f"{scene}-{language}.png" for scene in scenes for language in LANGUAGES} | \
            {"contact-sheet.png"}, theme
    assert set(features.offered_scenes(load_bundle(DEFAULT_DIR).files)) == set(features.scenes)
    assert not any(name.startswith("stylist") for name in features.offered_scenes(load_bundle(EVENING_DIR).files))
    assert [path.relative_to(tmp_path / "one") for path in first] == \
        [path.relative_to(tmp_path / "two") for path in second]
    for one, two in zip(first, second, strict=True):
        assert filecmp.cmp(one, two, shallow=False), one.name  # byte for byte
    default, evening = (pygame.image.load(str(tmp_path / "one" / theme / "welcome-en.png"))
                        for theme in ("default", "evening"))
    assert default.get_size() == (640, 360) and default.get_at((5, 5)) != evening.get_at((5, 5))


def test_two_bundles_of_one_name_are_refused(tmp_path):
    settings = config.load(write_config(tmp_path))
    with pytest.raises(KioskError, match="two bundles would write to the same folder"):
        preview(settings, [EVENING_DIR, EVENING_DIR], tmp_path / "out")


def test_the_readme_gallery_is_rendered_by_the_preview():
    script = (REPO / "docs" / "screenshots" / "make.sh").read_text()
    assert "content preview" in script
    readme = (REPO / "README.md").read_text()
    for line in script.splitlines():
        if line.startswith("for shot in"):
            shots = line.removeprefix("for shot in").split(";")[0].split()
            for shot in shots:
                theme, name = shot.split("/")
                assert f"docs/screenshots/{theme}-{name}.png" in readme, shot
                assert (REPO / "docs" / "screenshots" / f"{theme}-{name}.png").is_file(), shot


def test_the_cli_previews_several_themes(tmp_path):
    config_file = write_config(tmp_path, display={"width": 640, "height": 360})
    result = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config_file), "content", "preview",
                             str(DEFAULT_DIR), str(EVENING_DIR), "--out", str(tmp_path / "out")], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "default" / "contact-sheet.png").is_file()
    assert (tmp_path / "out" / "evening" / "attract-nb.png").is_file()
    assert "contact sheets" in result.stdout

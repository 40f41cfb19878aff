"""Content bundle loading: the shipped bundle is valid; a broken one is named and replaced by the default."""

import json
import shutil

import pytest

from kiosk.config import LANGUAGES
from kiosk.content.bundle import DEFAULT_DIR, load_bundle, load_configured
from kiosk.exc import ContentError


@pytest.fixture
def bundle_dir(tmp_path):
    target = tmp_path / "bundle"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def edit(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_shipped_bundle_is_complete_in_every_language():
    bundle = load_bundle(DEFAULT_DIR)
    assert set(bundle.strings) == set(LANGUAGES)
    assert bundle.text("ru", "welcome.greeting", name="Анна") == "С возвращением, Анна!"
    assert [t.key for t in bundle.tiers] == ["silver", "gold", "platinum"]
    assert {m.key for m in bundle.demo_members} == {"1", "2", "3"}


@pytest.mark.parametrize(("file", "change", "message"), [
    ("strings.json", lambda d: d["nb"].pop("join.title"), "nb.join.title: expected a translation"),
    ("strings.json", lambda d: d["ru"].update({"welcome.greeting": "Привет!"}), "ru.welcome.greeting"),
    ("theme.json", lambda d: d.update({"accent": "pink"}), "accent: expected a colour"),
    ("tiers.json", lambda d: d.append({"key": "diamond", "threshold": 9000}), "no 'tier.diamond'"),
    ("demo_members.json", lambda d: d["members"][0].update({"key": "2"}), "a different key"),
])
def test_broken_files_are_named(bundle_dir, file, change, message):
    edit(bundle_dir / file, change)
    with pytest.raises(ContentError, match=message) as caught:
        load_bundle(bundle_dir)
    assert file in str(caught.value)


def test_unreadable_json_and_missing_folder(bundle_dir, tmp_path):
    (bundle_dir / "theme.json").write_text("{")
    with pytest.raises(ContentError, match=r"theme\.json: not readable JSON"):
        load_bundle(bundle_dir)
    with pytest.raises(ContentError, match="not a content folder"):
        load_bundle(tmp_path / "nothing")


def test_configured_bundle_falls_back_to_the_default_with_a_warning(tmp_path, caplog):
    bundle = load_configured(str(tmp_path / "nothing"))
    assert bundle.path == DEFAULT_DIR
    assert "using the built-in content" in caplog.text

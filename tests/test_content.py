"""Content bundle loading: the shipped bundle is valid; a broken one is named and replaced by the default."""

import io
import json
import shutil
import struct

import pygame
import pytest

from kiosk.config import LANGUAGES
from kiosk.content.bundle import DEFAULT_DIR, load_bundle, load_configured
from kiosk.content.images import IMAGE_CAP, MAX_SIDE, check_image
from kiosk.content.manifest import FILE_CAP
from kiosk.content.schemas import size_cap
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
    ("strings.json", lambda d: [table.pop("attract.title") for table in d.values()],
     "en.attract.title: expected a text the scenes show"),
    ("strings.json", lambda d: [table.update({"button.done": "Done {when}"}) for table in d.values()],
     r"en.button.done: expected only the placeholders the scene fills in, \[\]"),
    ("strings.json", lambda d: d["ru"].update({"welcome.greeting": "Привет!"}), "ru.welcome.greeting"),
    ("strings.json", lambda d: d["ru"]["welcome.points"].pop("few"),
     r"ru.welcome.points: expected the plural forms ru needs, .* \(missing \['few'\]\)"),
    ("strings.json", lambda d: d["en"]["welcome.points"].update({"plural": "count"}), "en.welcome.points.plural"),
    ("strings.json", lambda d: d["nb"]["welcome.points"].update({"several": "{points} poeng"}),
     "nb.welcome.points.several: expected a CLDR plural category"),
    ("theme.json", lambda d: d["colours"].update({"accent": "pink"}), "colours.accent: expected a colour"),
    ("theme.json", lambda d: d["fonts"].update({"regular": "Nowhere-Regular.otf"}),
     "fonts.regular: expected an installed font"),
    ("theme.json", lambda d: d["fonts"].update({"regular": "../fonts/Brand.otf"}), "a path inside the bundle"),
    ("theme.json", lambda d: d["fonts"].update({"regular": "fonts/Brand.otf"}), "a font file in the bundle"),
    ("theme.json", lambda d: d["type"]["body"].update({"font": "serif"}), "type.body.font: expected one of"),
    ("theme.json", lambda d: d["type"].pop("caption"), "type.caption.font"),
    ("theme.json", lambda d: d["space"].update({"m": -4}), "space.m: expected a whole number"),
    ("theme.json", lambda d: d["motion"]["easings"].update({"standard": [2, 0, 0, 1]}),
     "motion.easings.standard: expected cubic Bézier points"),
    ("theme.json", lambda d: d["motion"]["easings"].pop("enter"), "motion.easings.enter: expected cubic Bézier"),
    ("theme.json", lambda d: d["motion"]["durations_ms"].update({"standard": 400}),
     "motion.durations_ms.standard: expected a whole number of milliseconds from 0 to 250"),
    ("tiers.json", lambda d: d.append({"key": "diamond", "threshold": 9000}), "no 'tier.diamond'"),
    ("tiers.json", lambda d: d[1].update({"colour": "gold"}), r"\[1\].colour: expected a colour"),
    ("demo_members.json", lambda d: d["members"][0].update({"key": "2"}), "a different key"),
])
def test_broken_files_are_named(bundle_dir, file, change, message):
    edit(bundle_dir / file, change)
    with pytest.raises(ContentError, match=message) as caught:
        load_bundle(bundle_dir)
    assert file in str(caught.value)


def test_a_bundle_names_its_own_tiers(bundle_dir):
    """Tier names are the one kind of text the built-in bundle has that another bundle need not have."""
    edit(bundle_dir / "strings.json", lambda d: [table.pop("tier.platinum") for table in d.values()])
    edit(bundle_dir / "tiers.json", lambda d: d.pop())
    with pytest.raises(ContentError, match=r"offers\.json: \[3\]\.tiers: expected a list of tiers of tiers\.json"):
        load_bundle(bundle_dir)  # an offer for a tier the bundle no longer has
    edit(bundle_dir / "offers.json", lambda d: [o.update(tiers=[t for t in o.get("tiers", []) if t != "platinum"])
                                                for o in d])
    assert [t.key for t in load_bundle(bundle_dir).tiers] == ["silver", "gold"]


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


def png(width, height):
    surface = pygame.Surface((width, height))
    surface.fill((255, 79, 139))
    buffer = io.BytesIO()
    pygame.image.save(surface, buffer, "image.png")
    return buffer.getvalue()


def jpeg(width, height):
    buffer = io.BytesIO()
    pygame.image.save(pygame.Surface((width, height)), buffer, "image.jpg")
    return buffer.getvalue()


def test_images_anywhere_in_a_bundle_must_decode(bundle_dir):
    (bundle_dir / "media").mkdir()
    (bundle_dir / "media" / "logo.png").write_bytes(png(640, 200))
    (bundle_dir / "media" / "shelf.JPG").write_bytes(jpeg(1920, 1080))
    load_bundle(bundle_dir)
    assert check_image(bundle_dir / "media" / "shelf.JPG") == (1920, 1080)
    data = png(640, 200)
    (bundle_dir / "media" / "logo.png").write_bytes(data[:len(data) // 2])
    with pytest.raises(ContentError, match=r"media/logo\.png: does not decode as an image"):
        load_bundle(bundle_dir)
    assert load_bundle(bundle_dir, media=False).path == bundle_dir  # an installed bundle was checked already


@pytest.mark.parametrize(("name", "data", "message"), [
    ("wide.png", png(MAX_SIDE + 1, 2), r"4097 x 2 pixels, over the cap of 4096 x 4096"),
    ("tall.jpeg", jpeg(2, MAX_SIDE + 1), r"2 x 4097 pixels, over the cap"),
    ("fake.png", b"GIF89a" + bytes(100), "neither a PNG nor a JPEG"),
    ("big.png", png(8, 8) + bytes(IMAGE_CAP), "over the image cap"),
])
def test_images_over_their_caps_or_not_images_are_refused_before_decoding(bundle_dir, name, data, message):
    (bundle_dir / name).write_bytes(data)
    with pytest.raises(ContentError, match=message) as caught:
        load_bundle(bundle_dir)
    assert name in str(caught.value)


def test_a_png_claiming_a_huge_size_is_refused_from_its_header(bundle_dir):
    """A decompression bomb: 24 bytes that would decode to 40 GB of pixels."""
    data = bytearray(png(8, 8))
    data[16:24] = struct.pack(">II", 100_000, 100_000)
    (bundle_dir / "bomb.png").write_bytes(bytes(data))
    with pytest.raises(ContentError, match="100000 x 100000 pixels"):
        load_bundle(bundle_dir)


def test_an_image_is_capped_in_the_manifest_before_it_is_downloaded():
    assert size_cap("media/clip.png", FILE_CAP) == IMAGE_CAP
    assert size_cap("media/clip.bin", FILE_CAP) == FILE_CAP

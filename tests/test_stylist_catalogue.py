"""The catalogue file: the shipped one is complete; a broken entry is refused at validation with the entry named,
through the same bundle loading a kiosk and `kiosk content validate` use."""

import json
import shutil

import pytest

from kiosk.cli.main import main
from kiosk.content.bundle import DEFAULT_DIR, load_bundle
from kiosk.exc import ContentError
from kiosk.features.stylist.catalogue import SLOTS
from tests.helpers import REPO


@pytest.fixture
def bundle_dir(tmp_path):
    target = tmp_path / "bundle"
    shutil.copytree(DEFAULT_DIR, target)
    for name in ("manifest.json", "manifest.sig"):
        (target / name).unlink()
    return target


def edit(folder, change):
    path = folder / "catalogue.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def product(data, sku):
    return next(p for p in data["products"] if p["sku"] == sku)


def test_the_shipped_catalogue_is_small_but_complete():
    catalogue = load_bundle(DEFAULT_DIR).files["catalogue.json"]
    assert len(catalogue.products) >= 24 and len(catalogue.looks) >= 4
    assert [c.slot for c in catalogue.categories] == list(SLOTS)
    assert all(len(catalogue.in_category(c.key)) >= 6 for c in catalogue.categories)
    images = sorted((DEFAULT_DIR / p.image) for p in catalogue.products.values())
    assert all(path.stat().st_size < 8 * 1024 for path in images), "product images stay a few KB each"


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: product(d, "TOP-03").update({"image": "catalogue/nowhere.png"}),
     r"products\[2\] \(TOP-03\)\.image: expected an image in the bundle \(catalogue/nowhere.png is missing\)"),
    (lambda d: product(d, "BOT-02")["sizes"].update({"XXXL": 2}),
     r"products\[7\] \(BOT-02\)\.sizes\.XXXL: expected a size of the category bottoms .*\(unknown size\)"),
    (lambda d: product(d, "SHO-04")["name"].pop("nb"),
     r"products\[15\] \(SHO-04\)\.name\.nb: expected a translation \(missing\)"),
    (lambda d: product(d, "ACC-02")["description"].update({"ru": " "}),
     r"products\[19\] \(ACC-02\)\.description\.ru: expected a translation"),
    (lambda d: d["looks"][1]["name"].pop("ru"), r"looks\[1\] \(weekend\)\.name\.ru: expected a translation"),
    (lambda d: d["looks"][0]["items"].append("TOP-99"), r"looks\[0\] \(office\)\.items: .*unknown: \['TOP-99'\]"),
    (lambda d: d["looks"][0]["items"].pop(), r"looks\[0\] \(office\)\.items: expected one product for each slot"),
    (lambda d: product(d, "TOP-01").update({"colours": ["teal"]}), r"products\[0\] \(TOP-01\)\.colours"),
    (lambda d: product(d, "TOP-01").update({"styles": ["grunge"]}), r"products\[0\] \(TOP-01\)\.styles"),
    (lambda d: product(d, "TOP-02").update({"sku": "TOP-01"}), r"products\[1\] \(TOP-01\)\.sku: expected a SKU no"),
    (lambda d: product(d, "TOP-01").update({"price": "4990"}), r"products\[0\] \(TOP-01\)\.price"),
    (lambda d: product(d, "TOP-01").update({"image": "../outside.png"}),
     r"products\[0\] \(TOP-01\)\.image: expected a PNG"),
    (lambda d: d["colours"]["navy"].update({"family": "cold"}), r"colours\.navy\.family"),
    (lambda d: d["categories"][3]["name"].pop("en"), r"categories\[3\] \(accessories\)\.name\.en: expected a trans"),
    (lambda d: d["occasions"]["work"].pop("nb"), r"occasions\.work\.nb: expected a translation"),
])
def test_a_broken_entry_is_refused_naming_it(bundle_dir, change, message):
    edit(bundle_dir, change)
    with pytest.raises(ContentError, match=rf"catalogue\.json: {message}"):
        load_bundle(bundle_dir)


def test_every_fault_is_named_in_one_round(bundle_dir):
    def two_faults(data):
        product(data, "TOP-03").update({"image": "catalogue/nowhere.png"})
        product(data, "SHO-04")["name"].pop("nb")
    edit(bundle_dir, two_faults)
    with pytest.raises(ContentError) as refused:
        load_bundle(bundle_dir)
    assert [fault.split(": ")[1] for fault in refused.value.faults] == [
        "products[2] (TOP-03).image", "products[15] (SHO-04).name.nb"]


def test_content_validate_names_the_entry(bundle_dir, capsys):
    edit(bundle_dir, lambda d: product(d, "BOT-02")["sizes"].update({"XXXL": 2}))
    assert main(["content", "validate", str(bundle_dir), "--public-key", ""]) != 0
    assert "(BOT-02).sizes.XXXL" in capsys.readouterr().err


def test_the_product_images_are_the_ones_the_committed_script_draws():
    import importlib.util

    import pygame

    spec = importlib.util.spec_from_file_location("draw_catalogue", REPO / "deploy" / "draw-catalogue.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    pygame.display.init()
    data = json.loads((DEFAULT_DIR / "catalogue.json").read_text())
    assert set(script.SHAPES) == {p["sku"] for p in data["products"]}
    for item in data["products"][::7]:
        drawn = script.draw(item, data["colours"])
        shipped = pygame.image.load(DEFAULT_DIR / item["image"])
        assert pygame.image.tobytes(drawn, "RGB") == pygame.image.tobytes(shipped, "RGB"), item["sku"]


def test_a_brand_font_without_a_glyph_the_catalogue_shows_is_refused(tmp_path):
    """The evening demo theme's serif has no rouble sign: its bundle with the catalogue in roubles is refused
    (the same catalogue in euros shows)."""
    bundle = tmp_path / "evening"
    shutil.copytree(REPO / "deploy" / "demo-content" / "evening", bundle)
    for name in ("manifest.json", "manifest.sig"):
        (bundle / name).unlink()
    shutil.copy(DEFAULT_DIR / "catalogue.json", bundle)
    shutil.copytree(DEFAULT_DIR / "catalogue", bundle / "catalogue")
    with pytest.raises(ContentError, match=r"catalogue\.json: fonts\.\w+: expected a font with every character .*₽"):
        load_bundle(bundle)
    edit(bundle, lambda d: d.update({"currency": "EUR"}))
    assert load_bundle(bundle).files["catalogue.json"].currency == "EUR"

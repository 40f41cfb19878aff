"""The store's catalogue (``catalogue.json`` in the content bundle): products, colours, categories (one per slot
of a look) and the looks the store curated. Checked whole at validation, every fault naming its entry.

    >>> from kiosk.content.bundle import load_bundle
    >>> from kiosk.content.schemas import DEFAULT_DIR, read_json
    >>> file = DEFAULT_DIR / "catalogue.json"
    >>> theme = load_bundle(DEFAULT_DIR, media=False).theme
    >>> catalogue = check_catalogue(read_json(file, 1 << 20), file, {"theme.json": theme})
    >>> [category.slot for category in catalogue.categories]
    ['top', 'bottom', 'shoes', 'accessory']
    >>> product = catalogue.products["TOP-01"]
    >>> product.name["en"], product.category, product.in_stock("M")
    ('Linen shirt', 'tops', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kiosk.config import LANGUAGES
from kiosk.content.images import is_image
from kiosk.content.messages import format_price
from kiosk.content.schemas import Faults, Parsed
from kiosk.content.theme import Theme, check_glyphs

SLOTS = ("top", "bottom", "shoes", "accessory")
"""The slots of a complete look, in the order the look builder shows them."""
FAMILIES = ("neutral", "warm", "cool")
"""Colour families: the colour harmony rules work on them (see :mod:`kiosk.features.stylist.looks`)."""
MAX_STOCK = 100_000

Translated = MappingProxyType  # language -> text


@dataclass(frozen=True)
class Colour:
    key: str
    rgb: tuple[int, int, int]
    family: str
    name: Translated


@dataclass(frozen=True)
class Category:
    key: str
    slot: str
    sizes: tuple[str, ...]
    """The size scale of the category, smallest first; a product's sizes come from it."""
    name: Translated


@dataclass(frozen=True)
class Product:
    sku: str
    category: str
    slot: str
    name: Translated
    description: Translated
    colours: tuple[str, ...]
    styles: frozenset[str]
    occasions: frozenset[str]
    stock: MappingProxyType  # size -> pieces in the store, in the category's size order
    price: int
    """In the catalogue's currency, whole units (kopecks and øre are not shown on a shop floor)."""
    image: str
    """The image's path in the bundle."""

    def in_stock(self, size: str) -> bool:
        return self.stock.get(size, 0) > 0


@dataclass(frozen=True)
class CuratedLook:
    key: str
    name: Translated
    skus: tuple[str, ...]  # one per slot, in SLOTS order


@dataclass(frozen=True)
class Catalogue:
    currency: str
    colours: MappingProxyType  # key -> Colour
    categories: tuple[Category, ...]
    products: MappingProxyType  # sku -> Product, in the file's order
    looks: tuple[CuratedLook, ...]
    styles: MappingProxyType  # style tag -> Translated name, as the quiz offers them
    occasions: MappingProxyType  # occasion tag -> Translated name

    def in_category(self, key: str) -> list[Product]:
        return [p for p in self.products.values() if p.category == key]

    def category(self, key: str) -> Category:
        return next(c for c in self.categories if c.key == key)


def _translated(faults: Faults, value: Any, key: str) -> Translated | None:
    """A text in every language, or a fault naming the first language missing."""
    if not isinstance(value, dict):
        faults.add(key, f"a text in each of {list(LANGUAGES)}")
        return None
    missing = [lang for lang in LANGUAGES if not isinstance(value.get(lang), str) or not value[lang].strip()]
    if missing:
        faults.add(f"{key}.{missing[0]}", "a translation (missing)")
        return None
    return MappingProxyType({lang: value[lang] for lang in LANGUAGES})


def _keys(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _colours(data: dict, faults: Faults) -> dict[str, Colour]:
    colours = {}
    for key, item in (data.get("colours") or {}).items():
        where = f"colours.{key}"
        if not isinstance(item, dict):
            faults.add(where, "an object with hex, family and name")
            continue
        hex_ = item.get("hex")
        if not isinstance(hex_, str) or len(hex_) != 7 or hex_[0] != "#":
            faults.add(f"{where}.hex", "a colour as #rrggbb")
            continue
        try:
            rgb = tuple(int(hex_[i:i + 2], 16) for i in (1, 3, 5))
        except ValueError:
            faults.add(f"{where}.hex", "a colour as #rrggbb")
            continue
        if item.get("family") not in FAMILIES:
            faults.add(f"{where}.family", f"one of {list(FAMILIES)}")
            continue
        name = _translated(faults, item.get("name"), f"{where}.name")
        if name is not None:
            colours[key] = Colour(key, rgb, item["family"], name)  # type: ignore[arg-type]
    if not colours:
        faults.add("colours", "an object of colours")
    return colours


def _categories(data: dict, faults: Faults) -> list[Category]:
    categories = []
    for i, item in enumerate(data.get("categories") or []):
        where = f"categories[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            faults.add(f"{where}.key", "a category key")
            continue
        where = f"categories[{i}] ({item['key']})"
        if item.get("slot") not in SLOTS:
            faults.add(f"{where}.slot", f"one of {list(SLOTS)}")
            continue
        sizes = item.get("sizes")
        if not _keys(sizes) or len(set(sizes)) != len(sizes):
            faults.add(f"{where}.sizes", "a list of distinct size names")
            continue
        name = _translated(faults, item.get("name"), f"{where}.name")
        if name is not None:
            categories.append(Category(item["key"], item["slot"], tuple(sizes), name))
    if sorted(c.slot for c in categories) != sorted(SLOTS) and not faults.found:
        faults.add("categories", f"one category for each slot {list(SLOTS)}")
    return categories


def _tags(data: dict, faults: Faults, key: str) -> dict[str, Translated]:
    """The named tags of ``key`` (styles, occasions): tag -> its name in every language."""
    tags = {}
    if not isinstance(data.get(key), dict) or not data[key]:
        faults.add(key, "an object of tag -> name in every language")
        return tags
    for tag, name in data[key].items():
        translated = _translated(faults, name, f"{key}.{tag}")
        if translated is not None:
            tags[tag] = translated
    return tags


def _product(item: Any, i: int, faults: Faults, folder: Path, colours: dict, categories: dict,
             styles: dict, occasions: dict) -> Product | None:
    if not isinstance(item, dict) or not isinstance(item.get("sku"), str) or not item["sku"]:
        faults.add(f"products[{i}].sku", "a SKU")
        return None
    where = f"products[{i}] ({item['sku']})"
    before = len(faults.found)
    category = categories.get(item.get("category"))
    if category is None:
        faults.add(f"{where}.category", f"one of the categories {sorted(categories)}")
    name = _translated(faults, item.get("name"), f"{where}.name")
    description = _translated(faults, item.get("description"), f"{where}.description")
    if not _keys(item.get("colours")) or not item["colours"] or not set(item["colours"]) <= set(colours):
        faults.add(f"{where}.colours", f"a list of colours named in colours {sorted(colours)}")
    for field, known in (("styles", styles), ("occasions", occasions)):
        if not _keys(item.get(field)) or not item[field] or not set(item[field]) <= set(known):
            faults.add(f"{where}.{field}", f"a non-empty list of tags named in {field} {sorted(known)}")
    price = item.get("price")
    if not isinstance(price, int) or isinstance(price, bool) or price <= 0:
        faults.add(f"{where}.price", "a whole price above 0")
    image = item.get("image")
    if not isinstance(image, str) or not is_image(image) or ".." in Path(image).parts or Path(image).is_absolute():
        faults.add(f"{where}.image", "a PNG or JPEG path inside the bundle")
    elif not (folder / image).is_file():
        faults.add(f"{where}.image", f"an image in the bundle ({image} is missing)")
    stock = item.get("sizes")
    if not isinstance(stock, dict) or not stock:
        faults.add(f"{where}.sizes", "an object of size -> pieces in stock")
    elif category is not None:
        for size, pieces in stock.items():
            if size not in category.sizes:
                faults.add(f"{where}.sizes.{size}", f"a size of the category {category.key} {list(category.sizes)} "
                                                    "(unknown size)")
            elif not isinstance(pieces, int) or isinstance(pieces, bool) or not 0 <= pieces <= MAX_STOCK:
                faults.add(f"{where}.sizes.{size}", f"pieces in stock, 0 to {MAX_STOCK}")
    if len(faults.found) > before or category is None:
        return None
    ordered = MappingProxyType({size: stock[size] for size in category.sizes if size in stock})
    return Product(item["sku"], category.key, category.slot, name, description, tuple(item["colours"]),
                   frozenset(item["styles"]), frozenset(item["occasions"]), ordered, price, image)


def _looks(data: dict, faults: Faults, products: dict[str, Product], refused: set[str]) -> list[CuratedLook]:
    """The curated looks; a look naming a product refused for its own faults is left out (that fault is named)."""
    looks = []
    for i, item in enumerate(data.get("looks") or []):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            faults.add(f"looks[{i}].key", "a look key")
            continue
        where = f"looks[{i}] ({item['key']})"
        name = _translated(faults, item.get("name"), f"{where}.name")
        skus = item.get("items")
        if not _keys(skus):
            faults.add(f"{where}.items", "a list of SKUs")
            continue
        unknown = [sku for sku in skus if sku not in products and sku not in refused]
        if set(skus) & refused:
            continue
        if unknown:
            faults.add(f"{where}.items", f"SKUs of the catalogue (unknown: {unknown})")
            continue
        slots = [products[sku].slot for sku in skus]
        if sorted(slots) != sorted(SLOTS):
            faults.add(f"{where}.items", f"one product for each slot {list(SLOTS)}")
            continue
        if name is not None:
            ordered = tuple(sorted(skus, key=lambda sku: SLOTS.index(products[sku].slot)))
            looks.append(CuratedLook(item["key"], name, ordered))
    return looks


def _check_glyphs(file: Path, theme: Theme, currency: str, entries: list, tags: list[dict]) -> None:
    """Every theme font has every character the catalogue shows in every language, prices in its currency
    included (a brand font without the rouble sign would draw boxes)."""
    texts: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
    for i, entry in enumerate(entries):
        for field in ("name", "description"):
            translated = getattr(entry, field, None)
            for language in LANGUAGES if translated else ():
                texts[language][f"{i}.{field}"] = translated[language]
    for i, table in enumerate(tags):
        for tag, name in table.items():
            for language in LANGUAGES:
                texts[language][f"{i}.{tag}"] = name[language]
    for language in LANGUAGES:
        texts[language]["price"] = format_price(language, 1234567, currency)
    check_glyphs(theme.fonts, texts, file)


def check_catalogue(data: Any, file: Path, parsed: Parsed) -> Catalogue:
    """The catalogue in ``data``; every fault found (missing image, unknown size, missing translation, ...)
    is named with its entry, in one :class:`~kiosk.content.schemas.FileFaults`."""
    faults = Faults(file)
    if not isinstance(data, dict):
        faults.add("(top)", "an object with currency, colours, categories, products and looks")
        faults.raise_any()
    currency = data.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        faults.add("currency", "an ISO 4217 code such as RUB")
    colours = _colours(data, faults)
    categories = _categories(data, faults)
    by_key = {c.key: c for c in categories}
    styles, occasions = _tags(data, faults, "styles"), _tags(data, faults, "occasions")
    products: dict[str, Product] = {}
    items = data.get("products")
    if not isinstance(items, list) or not items:
        faults.add("products", "a non-empty list of products")
        items = []
    refused: set[str] = set()
    for i, item in enumerate(items):
        product = _product(item, i, faults, file.parent, colours, by_key, styles, occasions)
        if product is None:
            if isinstance(item, dict) and isinstance(item.get("sku"), str):
                refused.add(item["sku"])
            continue
        if product.sku in products:
            faults.add(f"products[{i}] ({product.sku}).sku", "a SKU no other product has")
            continue
        products[product.sku] = product
    looks = _looks(data, faults, products, refused)
    faults.raise_any()
    _check_glyphs(file, parsed["theme.json"], currency, [*colours.values(), *categories, *products.values(), *looks],
                  [styles, occasions])
    return Catalogue(currency, MappingProxyType(colours), tuple(sorted(categories, key=lambda c: SLOTS.index(c.slot))),
                     MappingProxyType(products), tuple(looks), MappingProxyType(styles), MappingProxyType(occasions))

"""Building a look, pure: one product per slot with a size, suggestions that go with what is chosen, and the
style quiz as a way in. Deterministic: the same catalogue, look, answers and history give the same result.

Suggestions for a slot rank the products with stock by

- style: +2 for each style tag shared with each chosen product,
- colour harmony with each chosen product (:func:`harmony`, x3),
- the quiz's answers: +4 for the occasion, +4 for the style, +2 for the colour family (+1 for a neutral),
- the member's history where the backend provides it: + each of their tag weights (capped at 3),

ties broken by SKU.

    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> catalogue = load_bundle(DEFAULT_DIR, media=False).files["catalogue.json"]
    >>> look = Look().choose(catalogue.products["TOP-06"], "M")
    >>> [p.sku for p in suggestions(catalogue, look, "bottom", limit=2)]
    ['BOT-01', 'BOT-04']
    >>> quiz_look(catalogue, Answers("work", "classic", "neutral")).skus()
    ('TOP-01', 'BOT-04', 'SHO-01', 'ACC-04')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from kiosk.features.stylist.catalogue import SLOTS, Catalogue, CuratedLook, Product

HISTORY_CAP = 3
"""The most one tag of the member's history adds: history nudges, it does not decide."""


@dataclass(frozen=True)
class Pick:
    sku: str
    size: str | None  # None until the shopper picks one


@dataclass(frozen=True)
class Look:
    """The look being built: at most one pick per slot."""

    picks: Mapping[str, Pick] = field(default_factory=lambda: MappingProxyType({}))

    def choose(self, product: Product, size: str | None = None) -> Look:
        """``product`` in its slot (replacing what was there); a single-size product gets its size at once."""
        if size is None and len(product.stock) == 1:
            size = next(iter(product.stock))
        return Look(MappingProxyType({**self.picks, product.slot: Pick(product.sku, size)}))

    def size(self, slot: str, size: str) -> Look:
        return Look(MappingProxyType({**self.picks, slot: replace(self.picks[slot], size=size)}))

    def without(self, slot: str) -> Look:
        return Look(MappingProxyType({k: v for k, v in self.picks.items() if k != slot}))

    def skus(self) -> tuple[str, ...]:
        return tuple(self.picks[slot].sku for slot in SLOTS if slot in self.picks)

    def ready(self, catalogue: Catalogue) -> bool:
        """Something is picked, and every pick has a size in stock: the look may be sent to an associate."""
        return bool(self.picks) and all(
            pick.size is not None and catalogue.products[pick.sku].in_stock(pick.size) for pick in self.picks.values())

    def total(self, catalogue: Catalogue) -> int:
        return sum(catalogue.products[pick.sku].price for pick in self.picks.values())

    def items(self) -> list[dict]:
        """The picks as a request carries them, in slot order."""
        return [{"slot": slot, "sku": self.picks[slot].sku, "size": self.picks[slot].size}
                for slot in SLOTS if slot in self.picks]


@dataclass(frozen=True)
class Answers:
    """The style quiz: an occasion tag, a style tag and a colour family; None where skipped."""

    occasion: str | None = None
    style: str | None = None
    family: str | None = None


def curated(catalogue: Catalogue, look: CuratedLook) -> Look:
    """A curated look as a starting point (sizes still to pick, but for single-size products)."""
    built = Look()
    for sku in look.skus:
        built = built.choose(catalogue.products[sku])
    return built


def harmony(catalogue: Catalogue, a: Product, b: Product) -> int:
    """How well two products' colours go together, 0 to 2: a neutral goes with anything and colours of one
    family go together (2), the same colour twice is tonal (1), warm against cool clashes (0); the best pair
    of their colours counts.

        >>> from types import SimpleNamespace as P
        >>> from kiosk.features.stylist.catalogue import Colour
        >>> colours = {k: Colour(k, (0, 0, 0), f, {}) for k, f in [("navy", "neutral"), ("rust", "warm"),
        ...            ("camel", "warm"), ("sage", "cool")]}
        >>> cat = P(colours=colours)
        >>> [harmony(cat, P(colours=(x,)), P(colours=(y,))) for x, y in
        ...  [("rust", "navy"), ("rust", "camel"), ("rust", "rust"), ("rust", "sage")]]
        [2, 2, 1, 0]
    """
    best = 0
    for x in a.colours:
        for y in b.colours:
            fx, fy = catalogue.colours[x].family, catalogue.colours[y].family
            if x == y:
                score = 2 if fx == "neutral" else 1
            elif "neutral" in (fx, fy) or fx == fy:
                score = 2
            else:
                score = 0
            best = max(best, score)
    return best


def score(catalogue: Catalogue, product: Product, chosen: list[Product], answers: Answers,
          history: Mapping[str, int]) -> int:
    """How well ``product`` goes with the ``chosen`` products, the quiz's answers and the member's history."""
    total = 0
    for other in chosen:
        total += 2 * len(product.styles & other.styles) + 3 * harmony(catalogue, product, other)
    if answers.occasion in product.occasions:
        total += 4
    if answers.style in product.styles:
        total += 4
    families = {catalogue.colours[c].family for c in product.colours}
    if answers.family is not None:
        total += 2 if answers.family in families else 1 if "neutral" in families else 0
    for tag in sorted(product.styles | families):
        total += min(HISTORY_CAP, max(0, history.get(tag, 0)))
    return total


def suggestions(catalogue: Catalogue, look: Look, slot: str, answers: Answers = Answers(),
                history: Mapping[str, int] = MappingProxyType({}), limit: int = 6) -> list[Product]:
    """The products with stock for ``slot`` that go best with the rest of ``look``, best first."""
    chosen = [catalogue.products[pick.sku] for other, pick in look.picks.items() if other != slot]
    candidates = [p for p in catalogue.products.values() if p.slot == slot and any(p.stock.values())]
    ranked = sorted(candidates, key=lambda p: (-score(catalogue, p, chosen, answers, history), p.sku))
    return ranked[:limit]


def quiz_look(catalogue: Catalogue, answers: Answers,
              history: Mapping[str, int] = MappingProxyType({})) -> Look:
    """A whole look from the quiz's answers: each slot in turn gets its best suggestion given the earlier ones."""
    look = Look()
    for slot in SLOTS:
        best = suggestions(catalogue, look, slot, answers, history, limit=1)
        if best:
            look = look.choose(best[0])
    return look


def history_weights(skus: list[str], catalogue: Catalogue) -> dict[str, int]:
    """Tag weights from the SKUs a member asked for or bought before: each product's style tags and colour
    families count once per appearance; SKUs the catalogue no longer has are skipped.

        >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
        >>> history_weights(["ACC-04", "GONE-1"], load_bundle(DEFAULT_DIR, media=False).files["catalogue.json"])
        {'classic': 1, 'neutral': 1, 'smart': 1}
    """
    weights: dict[str, int] = {}
    for sku in skus:
        product = catalogue.products.get(sku)
        if product is None:
            continue
        for tag in product.styles | {catalogue.colours[c].family for c in product.colours}:
            weights[tag] = weights.get(tag, 0) + 1
    return dict(sorted(weights.items()))

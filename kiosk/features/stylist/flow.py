"""The shopper's way through the stylist, pure: which scene an action leads to and what it changes in the look
being built. The feature (kiosk/features/stylist/__init__.py) applies the answer.

Actions are ``stylist:<verb>[:<argument>]``:

    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> catalogue = load_bundle(DEFAULT_DIR, media=False).files["catalogue.json"]
    >>> shopper = Shopper("S1")
    >>> [act(shopper, catalogue, action.split(":")).scene for action in
    ...  ("open", "category:tops", "product:TOP-05", "size:M", "add")]
    ['stylist', 'stylist_grid', 'stylist_product', 'stylist_product', 'stylist_look']
    >>> shopper.look.skus(), shopper.look.picks["top"].size
    (('TOP-05',), 'M')
    >>> act(shopper, catalogue, ["submit"]).submit
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.flow import Call
from kiosk.features.stylist.catalogue import SLOTS, Catalogue
from kiosk.features.stylist.looks import Answers, Look, curated, quiz_look
from kiosk.features.stylist.requests import DELIVER_TO


@dataclass(frozen=True)
class HistoryLoaded:
    """The backend's style history of the member of ``session_id`` (SKUs; empty when it has none or failed)."""

    session_id: str
    skus: tuple[str, ...]


def fetch_history(session_id: str, member_ref: str) -> Call:
    """The member's style history, on a worker; a failure is no history (suggestions go on without it)."""
    return Call(run=lambda backend: backend.style_history(member_ref),
                reply=lambda result, error: HistoryLoaded(session_id, tuple(result or ()) if not error else ()))


HOME, GRID, PRODUCT, LOOK, QUIZ, STATUS = ("stylist", "stylist_grid", "stylist_product", "stylist_look",
                                           "stylist_quiz", "stylist_status")
SCENES = (HOME, GRID, PRODUCT, LOOK, QUIZ, STATUS)
QUESTIONS = ("occasion", "style", "family")
"""The style quiz, in order: an occasion, a style, a colour family."""


@dataclass
class Shopper:
    """What the shopper in front of the kiosk is doing in the stylist; dropped whole when they leave."""

    session_id: str
    category: str | None = None
    product: str | None = None  # the SKU shown in detail
    size: str | None = None  # the size picked in the detail, before "add to look"
    look: Look = field(default_factory=Look)
    answers: Answers = field(default_factory=Answers)
    question: int = 0
    deliver_to: str = DELIVER_TO[0]
    request_id: str | None = None  # the request sent, whose status the shopper sees
    came_from: str | None = None  # the scene "back" on the stylist's start returns to (the profile)
    member_ref: str | None = None  # the member whose style history was asked for
    history: dict[str, int] = field(default_factory=dict)  # the member's style tags, from the backend


@dataclass(frozen=True)
class Next:
    """Where an action leads: a scene to show (the same one is drawn again), the look to submit, or out of the
    stylist (back where the shopper opened it)."""

    scene: str | None = None
    submit: bool = False
    leave: bool = False


def act(shopper: Shopper, catalogue: Catalogue, words: list[str]) -> Next:
    """Apply one action; an action that does not fit the catalogue (a SKU it no longer has) changes nothing."""
    verb, arg = words[0], words[1] if len(words) > 1 else ""
    products = catalogue.products
    if verb in ("open", "home"):
        return Next(HOME)
    if verb == "leave":
        return Next(leave=True)
    if verb == "category" and any(c.key == arg for c in catalogue.categories):
        shopper.category = arg
        return Next(GRID)
    if verb == "product" and arg in products:
        product = products[arg]
        shopper.product, shopper.category = arg, product.category
        picked = shopper.look.picks.get(product.slot)
        shopper.size = picked.size if picked and picked.sku == arg else None
        if shopper.size is None and len(product.stock) == 1:
            shopper.size = next(iter(product.stock))
        return Next(PRODUCT)
    if verb == "pick" and arg.isdigit() and shopper.category is not None:  # a cell of the category's grid
        shown = catalogue.in_category(shopper.category)
        if int(arg) < len(shown):
            return act(shopper, catalogue, ["product", shown[int(arg)].sku])
    if verb == "size" and shopper.product in products and products[shopper.product].in_stock(arg):
        shopper.size = arg
        return Next(PRODUCT)
    if verb == "add" and shopper.product in products and shopper.size is not None:
        shopper.look = shopper.look.choose(products[shopper.product], shopper.size)
        return Next(LOOK)
    if verb == "back":
        return Next(GRID if shopper.category else HOME)
    if verb == "look":
        return Next(LOOK)
    if verb == "remove" and arg in SLOTS:
        shopper.look = shopper.look.without(arg)
        return Next(LOOK)
    if verb == "curated":
        chosen = next((look for look in catalogue.looks if look.key == arg), None)
        if chosen is not None:
            shopper.look = curated(catalogue, chosen)
            return Next(LOOK)
    if verb == "quiz":
        shopper.answers, shopper.question = Answers(), 0
        return Next(QUIZ)
    if verb == "answer" and shopper.question < len(QUESTIONS):
        fields = {QUESTIONS[shopper.question]: arg or None}
        shopper.answers = Answers(**{**shopper.answers.__dict__, **fields})
        shopper.question += 1
        if shopper.question < len(QUESTIONS):
            return Next(QUIZ)
        shopper.look = quiz_look(catalogue, shopper.answers, shopper.history)
        return Next(LOOK)
    if verb == "deliver" and arg in DELIVER_TO:
        shopper.deliver_to = arg
        return Next(LOOK)
    if verb == "submit" and shopper.look.ready(catalogue):
        return Next(submit=True)
    if verb == "status" and shopper.request_id:
        return Next(STATUS)
    return Next()

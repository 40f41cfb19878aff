"""The stylist's scenes and the view model each one draws, built from the feature's state of the shopper."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.features.base import SceneSpec, ViewSource
from kiosk.features.stylist import flow
from kiosk.features.stylist.requests import ACKNOWLEDGED, Request
from kiosk.features.stylist.scenes.base import StylistView
from kiosk.features.stylist.scenes.grid import GridScene, GridView
from kiosk.features.stylist.scenes.home import HomeScene
from kiosk.features.stylist.scenes.look import LookScene, LookView
from kiosk.features.stylist.scenes.product import ProductScene, ProductView
from kiosk.features.stylist.scenes.quiz import QuizScene, QuizView
from kiosk.features.stylist.scenes.status import StatusScene, StatusView

if TYPE_CHECKING:
    from kiosk.features.stylist import Stylist

SAMPLE = Request("01JDQ7Z5X3K9M2N4P6R8T0V1W2", None, ACKNOWLEDGED, {
    "items": [{"slot": "top", "sku": "TOP-06", "size": "M"}, {"slot": "bottom", "sku": "BOT-01", "size": "M"},
              {"slot": "shoes", "sku": "SHO-02", "size": "39"}, {"slot": "accessory", "sku": "ACC-04", "size": "one"}],
    "deliver_to": "kiosk", "total": 35960, "currency": "RUB"}, 0.0, "Olga", 3)
"""The request a preview of the status scene shows."""


def build_scenes(feature: Stylist) -> list[SceneSpec]:
    """The stylist's scenes; their views read the feature's state of the shopper when the app shows them."""

    def base(source: ViewSource) -> dict:
        shopper = feature.shopper
        return {"language": source.language, "count": len(shopper.look.picks) if shopper else 0}

    def home(source: ViewSource) -> StylistView:
        return StylistView(**base(source))

    def grid(source: ViewSource) -> GridView:
        return GridView(**base(source), category=feature.shopper.category if feature.shopper else None)

    def product(source: ViewSource) -> ProductView:
        shopper = feature.shopper
        return ProductView(**base(source), sku=shopper.product if shopper else None,
                           size=shopper.size if shopper else None)

    def look(source: ViewSource) -> LookView:
        shopper = feature.shopper
        if shopper is None:  # a preview: an empty look, every slot suggesting
            return LookView(**base(source))
        return LookView(**base(source), look=shopper.look, answers=shopper.answers, history=shopper.history,
                        deliver_to=shopper.deliver_to)

    def quiz(source: ViewSource) -> QuizView:
        return QuizView(**base(source), question=feature.shopper.question if feature.shopper else 0)

    def status(source: ViewSource) -> StatusView:
        if feature.shopper is None:  # a preview (the app shows this scene only after a request was sent)
            return StatusView(**base(source), request=SAMPLE, delivered=True, member=source.member is not None)
        request = feature.request(feature.shopper.request_id)
        return StatusView(**base(source), request=request,
                          delivered=request is not None and feature.delivered(request.request_id),
                          member=source.member is not None)

    return [
        SceneSpec(flow.HOME, HomeScene, home),
        SceneSpec(flow.GRID, GridScene, grid),
        SceneSpec(flow.PRODUCT, ProductScene, product),
        SceneSpec(flow.LOOK, LookScene, look),
        SceneSpec(flow.QUIZ, QuizScene, quiz),
        SceneSpec(flow.STATUS, StatusScene, status),
    ]

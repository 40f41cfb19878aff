"""Building a look, pure: one item per slot, sizes, suggestions on style and colour harmony, the quiz, history."""

import pytest

from kiosk.content.bundle import DEFAULT_DIR, load_bundle
from kiosk.features.stylist.catalogue import SLOTS
from kiosk.features.stylist.looks import Answers, Look, curated, harmony, history_weights, quiz_look, suggestions


@pytest.fixture(scope="module")
def catalogue():
    return load_bundle(DEFAULT_DIR, media=False).files["catalogue.json"]


def test_one_item_per_slot_the_new_one_replaces_the_old(catalogue):
    look = Look().choose(catalogue.products["TOP-01"], "M").choose(catalogue.products["TOP-06"])
    assert look.skus() == ("TOP-06",)
    assert look.picks["top"].size is None  # a new product, its size to pick again
    look = look.choose(catalogue.products["BOT-02"], "S").without("top")
    assert look.skus() == ("BOT-02",)


def test_a_look_is_ready_when_every_pick_has_a_size_in_stock(catalogue):
    look = Look().choose(catalogue.products["ACC-04"])
    assert look.picks["accessory"].size == "one" and look.ready(catalogue)  # one size: chosen at once
    look = look.choose(catalogue.products["TOP-05"])
    assert not look.ready(catalogue)
    assert not look.size("top", "XS").ready(catalogue)  # TOP-05 XS: none in the store
    assert look.size("top", "M").ready(catalogue)
    assert not Look().ready(catalogue)
    assert look.size("top", "M").total(catalogue) == 2990 + 7490
    assert look.size("top", "M").items() == [{"slot": "top", "sku": "TOP-05", "size": "M"},
                                             {"slot": "accessory", "sku": "ACC-04", "size": "one"}]


def test_colour_harmony_neutral_goes_with_anything_warm_clashes_with_cool(catalogue):
    p = catalogue.products
    assert harmony(catalogue, p["BOT-05"], p["TOP-06"]) == 2  # rust and black
    assert harmony(catalogue, p["BOT-05"], p["TOP-02"]) == 2  # rust and camel, both warm
    assert harmony(catalogue, p["BOT-05"], p["TOP-05"]) == 0  # rust and denim
    assert harmony(catalogue, p["TOP-04"], p["BOT-02"]) == 2  # the striped tee's white goes with denim


def test_suggestions_go_with_what_is_chosen_and_have_stock(catalogue):
    smart = Look().choose(catalogue.products["TOP-06"], "M")  # black wool blazer
    bottoms = [p.sku for p in suggestions(catalogue, smart, "bottom")]
    assert bottoms[0] == "BOT-01"  # tailored black trousers: smart, classic, neutral
    assert bottoms.index("BOT-01") < bottoms.index("BOT-06")  # before street cargo trousers
    warm = Look().choose(catalogue.products["BOT-05"], "S")  # rust wide trousers
    tops = [p.sku for p in suggestions(catalogue, warm, "top")]
    assert tops.index("TOP-03") < tops.index("TOP-05")  # burgundy silk before the denim jacket
    accessories = [p.sku for p in suggestions(catalogue, Look(), "accessory", limit=10)]
    assert "ACC-05" not in accessories  # sold out in every size
    assert len(suggestions(catalogue, Look(), "shoes", limit=3)) == 3


def test_suggestions_are_deterministic_and_ignore_the_slot_they_fill(catalogue):
    look = Look().choose(catalogue.products["SHO-03"], "38").choose(catalogue.products["TOP-04"], "M")
    first = [p.sku for p in suggestions(catalogue, look, "top", Answers("weekend"))]
    assert first == [p.sku for p in suggestions(catalogue, look, "top", Answers("weekend"))]
    assert first == [p.sku for p in suggestions(catalogue, look.without("top"), "top", Answers("weekend"))]


def test_the_quiz_builds_a_whole_look_that_follows_its_answers(catalogue):
    evening = quiz_look(catalogue, Answers("evening", "romantic", "warm"))
    weekend = quiz_look(catalogue, Answers("weekend", "street", "cool"))
    assert set(evening.picks) == set(weekend.picks) == set(SLOTS)
    assert evening.skus() != weekend.skus()
    assert evening.skus() == quiz_look(catalogue, Answers("evening", "romantic", "warm")).skus()
    for sku in evening.skus():
        assert "evening" in catalogue.products[sku].occasions, sku
    assert "street" in catalogue.products[weekend.picks["bottom"].sku].styles
    assert set(quiz_look(catalogue, Answers()).picks) == set(SLOTS)  # every question skipped


def test_the_members_history_nudges_the_order(catalogue):
    plain = [p.sku for p in suggestions(catalogue, Look(), "shoes")]
    street = [p.sku for p in suggestions(catalogue, Look(), "shoes", history={"street": 3, "cool": 3})]
    assert plain != street and street[0] == "SHO-05"  # sky-blue running trainers
    capped = [p.sku for p in suggestions(catalogue, Look(), "shoes", history={"street": 300, "cool": 300})]
    assert capped == street  # a tag adds at most 3: history nudges, it does not decide
    assert history_weights(["SHO-05", "SHO-05"], catalogue) == {"casual": 2, "cool": 2, "street": 2}


def test_a_curated_look_is_a_starting_point(catalogue):
    office = next(look for look in catalogue.looks if look.key == "office")
    look = curated(catalogue, office)
    assert look.skus() == office.skus == ("TOP-06", "BOT-01", "SHO-02", "ACC-04")
    assert not look.ready(catalogue)  # the shopper picks the sizes

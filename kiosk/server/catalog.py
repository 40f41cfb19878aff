"""The reference backend's program: tiers, in-store offers and the fortune wheel's prizes, in ru, en and nb."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.core.member import Tier
from kiosk.core.offers import OfferRule

TIERS = (Tier("silver", 0), Tier("gold", 1000), Tier("platinum", 5000))
TIER_NAMES = {
    "silver": {"ru": "Серебро", "en": "Silver", "nb": "Sølv"},
    "gold": {"ru": "Золото", "en": "Gold", "nb": "Gull"},
    "platinum": {"ru": "Платина", "en": "Platinum", "nb": "Platina"},
}


def offers(start: date) -> list[OfferRule]:
    """The program's offers, by tier and occasion (kiosk/core/offers.py); the campaigns run from ``start``, the
    day the server's database was created."""
    return [
        OfferRule("welcome-10", "welcome", (), {"ru": "−10 % на первую покупку", "en": "10 % off your first purchase",
                                                "nb": "10 % rabatt på første kjøp"}, days=30),
        OfferRule("birthday-gift", "birthday", (), {"ru": "Подарок ко дню рождения на кассе",
                                                    "en": "A birthday gift at the till",
                                                    "nb": "En bursdagsgave i kassen"}),
        OfferRule("double-points", "always", (), {"ru": "Двойные баллы на новую коллекцию",
                                                  "en": "Double points on the new collection",
                                                  "nb": "Dobbel poeng på den nye kolleksjonen"},
                  starts=start, ends=start + timedelta(days=13)),
        OfferRule("gold-evening", "always", ("gold", "platinum"), {"ru": "Закрытый вечер для Золота и Платины",
                                                                   "en": "A private evening for Gold and Platinum",
                                                                   "nb": "En privat kveld for Gull og Platina"},
                  starts=start, ends=start + timedelta(days=364)),
    ]


@dataclass(frozen=True)
class Segment:
    """A wheel segment: ``weight`` out of the wheel's total; ``prize`` False for the no-win segments; ``stock``
    the prizes there are in all (None: unlimited)."""

    key: str
    labels: dict[str, str]
    weight: int
    prize: bool = True
    stock: int | None = None


# At least a 25 % chance to win (loyalty-program advice); here 60 %.
WHEEL = (
    Segment("ten-off", {"ru": "−10 % на покупку", "en": "10 % off", "nb": "10 % rabatt"}, 30),
    Segment("coffee", {"ru": "Кофе в подарок", "en": "A free coffee", "nb": "Gratis kaffe"}, 15, stock=200),
    Segment("double-points", {"ru": "Двойные баллы", "en": "Double points", "nb": "Dobbel poeng"}, 15),
    Segment("none", {"ru": "В этот раз без приза", "en": "No prize this time", "nb": "Ingen premie denne gangen"},
            40, prize=False),
)
SPINS_PER_DAY = 3  # per member, whichever kiosk they spin at (``kiosk backend serve``)
DRAW_TTL_S = 600
CODE_TTL_S = 30 * 86400

"""A member's tier as a medal in the tier's colour beside its name (the celebration, the profile)."""

from __future__ import annotations

import pygame

from kiosk.core.member import Tier
from kiosk.ui.look import Colour, Look, mix
from kiosk.ui.text import Block


def tier_colour(look: Look, tier: Tier | None) -> Colour:
    """The tier's own colour from tiers.json, else the theme's accent."""
    return tier.colour if tier is not None and tier.colour is not None else look.colour["accent"]


def draw_badge(screen: pygame.Surface, look: Look, label: Block, colour: Colour, left: int, top: int) -> pygame.Rect:
    """The medal and ``label`` beside it, from (``left``, ``top``); returns what they cover."""
    medal = label.font.get_height() // 2
    gap = look.space("s")
    centre = (left + medal, top + label.size[1] // 2)
    pygame.draw.circle(screen, colour, centre, medal)
    pygame.draw.circle(screen, mix(colour, look.colour["panel"], 0.45), centre, medal // 2)
    text = label.draw(screen, pygame.Rect(left + 2 * medal + gap, top, label.size[0], label.size[1]),
                      look.colour["text"])
    return text.union(pygame.Rect(left, centre[1] - medal, 2 * medal, 2 * medal))


def badge_width(look: Look, label: Block) -> int:
    return 2 * (label.font.get_height() // 2) + look.space("s") + label.size[0]

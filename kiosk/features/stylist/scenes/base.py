"""What the stylist's scenes share: the frame (back, title, "my look", language, Done) and product tiles.

:class:`Tile` is a pressable card with a picture and two lines under it (or beside it); the widget kit has no
card with a picture yet, so it lives here until it does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pygame

from kiosk.features.stylist.catalogue import Catalogue, Product
from kiosk.ui.kit import Button, done_button, language_switch
from kiosk.ui.kit.card import Card
from kiosk.ui.kit.widget import shade
from kiosk.ui.look import Look
from kiosk.ui.scene import Scene, View

IMAGE_RATIO = 1.25
"""Product pictures are 4:5 (height over width)."""
Picture = Callable[[], pygame.Surface]
"""Makes a tile's picture when the tile is first drawn: a scene drawn over frames decodes its pictures a tile a
step (the stylist's start decodes 20 in one go)."""


@dataclass(frozen=True)
class StylistView(View):
    count: int = 0  # items in the shopper's look, for the "my look" button


class StylistScene(Scene):
    """A stylist scene: ``compose`` draws the frame with :meth:`frame`, then its own content below
    :attr:`top`."""

    view: StylistView
    back_action = "stylist:home"
    with_look_button = True

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue of the bundle the scene draws with (a bundle without one never shows the stylist)."""
        catalogue = self.look.bundle.files.get("catalogue.json")
        if catalogue is None:
            raise ValueError(f"the {self.name} scene needs a catalogue in the content bundle")
        return catalogue

    @property
    def top(self) -> int:
        """Where the scene's content starts, below the title bar."""
        return self.look.px(190)

    @property
    def bottom(self) -> int:
        """Where the scene's content ends, above the language switch and Done."""
        return self.look.size[1] - self.look.px(150)

    def frame(self, screen: pygame.Surface, title: str) -> None:
        look = self.look
        margin = look.space("l")
        back = Button(look, pygame.Rect(margin, look.px(50), look.px(200), look.px(90)), self.t("stylist.back"),
                      self.back_action, "secondary")
        self.buttons = [back, *language_switch(look, self.view.language), done_button(look, self.view.language)]
        right = look.size[0] - margin
        if self.with_look_button:
            label = self.t("stylist.my_look", count=self.view.count)
            width = min(look.px(520), max(look.px(300), look.font("label").size(label)[0] + look.space("l")))
            mine = Button(look, pygame.Rect(right - width, look.px(50), width, look.px(90)), label, "stylist:look",
                          "primary" if self.view.count else "secondary")
            self.buttons.append(mine)
            right = mine.rect.left - look.space("m")
        left = back.rect.right + look.space("m")
        box = pygame.Rect(left, look.px(40), right - left, look.px(110))
        look.fit(title, "title", box.size, max_lines=1, min_scale=0.6).draw(screen, box, look.colour["text"],
                                                                             valign="middle")

    def picture(self, product: Product, box: tuple[int, int]) -> pygame.Surface:
        """The product's image fitted in ``box``, from the look's image cache (scaled once, within its budget)."""
        return self.look.images.get(self.look.bundle.path / product.image, box, "fit")

    def picture_of(self, product: Product, box: tuple[int, int]) -> Picture:
        """:meth:`picture`, made when a tile draws it."""
        return lambda: self.picture(product, box)

    def price(self, amount: int) -> str:
        return self.look.price(self.view.language, amount, self.catalogue.currency)


class Tile(Button):
    """A kit button drawn as a card: a picture over (or beside) a title and a caption. Pressed, lifted over it,
    it fires its action as any button does; :meth:`paint` also draws a grid's cell. Its face is rendered in a
    step of its own (:meth:`preparing`) when a scene is drawn over frames."""

    def __init__(self, look: Look, rect: pygame.Rect, action: str, picture: Picture | None, title: str,
                 caption: str = "", muted: bool = False, beside: bool = False) -> None:
        """``beside``: the picture at the left and the text beside it (a small tile in a list)."""
        super().__init__(look, rect, title, action, "secondary")
        self.picture, self.title, self.caption, self.muted, self.beside = picture, title, caption, muted, beside

    def preparing(self, now: float) -> Iterator[None]:
        if self.pressed not in self._faces:
            self._faces[self.pressed] = self._face(self.pressed)
            yield

    def _face(self, pressed: bool) -> pygame.Surface:
        return self.paint(pygame.Surface(self.rect.size, pygame.SRCALPHA), pressed)

    def paint(self, face: pygame.Surface, pressed: bool = False) -> pygame.Surface:
        """Draw the tile on ``face`` (its size): a transparent one for a widget, or an opaque one already
        filled with what is under it (a grid's cell)."""
        look = self.look
        box = face.get_rect()
        radius = look.radius("l")
        pygame.draw.rect(face, shade(look, "panel", 0.06) if pressed else look.colour["panel"], box,
                         border_radius=radius)
        pygame.draw.rect(face, look.colour["line"], box, width=look.px(2), border_radius=radius)
        pad = look.space("s")
        text_height = look.px(110) if self.caption else look.px(70)
        if self.beside:
            area = pygame.Rect(pad, pad, box.height - 2 * pad, box.height - 2 * pad)
            text = pygame.Rect(area.right + 2 * pad, (box.height - text_height) // 2, box.width - area.right - 3 * pad,
                               text_height)
        else:
            area = pygame.Rect(pad, pad, box.width - 2 * pad, box.height - text_height - 2 * pad)
            text = pygame.Rect(pad * 2, box.height - text_height - pad, box.width - 4 * pad, text_height)
        if self.picture is not None:
            image = self.picture()
            if self.muted:
                image = image.copy()
                image.set_alpha(110)
            face.blit(image, image.get_rect(center=area.center))
        # Beside a small picture the name may take two lines rather than lose its end.
        lines, room = (2, look.px(64)) if self.beside else (1, look.px(50))
        title = look.fit(self.title, "caption" if self.beside else "label", (text.width, room), max_lines=lines,
                         min_scale=0.6)
        covered = title.draw(face, pygame.Rect(text.left, text.top, text.width, room),
                             look.colour["muted" if self.muted else "text"], valign="bottom" if self.beside else "top")
        if self.caption:
            top = covered.bottom + look.px(6) if self.beside else text.top + look.px(56)
            caption = look.fit(self.caption, "caption", (text.width, look.px(46)), max_lines=1, min_scale=0.6)
            caption.draw(face, pygame.Rect(text.left, top, text.width, look.px(46)), look.colour["muted"])
        return face


def card(look: Look, rect: pygame.Rect, screen: pygame.Surface) -> pygame.Rect:
    """A kit card drawn at ``rect``; returns where its content goes."""
    panel = Card(look, rect, elevated=False)
    panel.draw(screen, 0.0)
    return panel.inner

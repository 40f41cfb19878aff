"""The widget kit: buttons, the language switch, cards, progress, modal and toast, the consent checkbox, text
fields with the on-screen keyboard and the phone pad, a scrolling and paging grid, QR codes. Images come from
``look.images`` (:mod:`kiosk.ui.images`: scaled once, within a memory budget).

Every widget takes the :class:`~kiosk.ui.look.Look` and a rectangle, draws itself from the theme's tokens
(colours, type styles, spacing, radii, motion) and, if interactive, has touch targets of at least 9 mm on
the configured screen (``[display] diagonal_inches``). A scene puts its widgets in ``self.buttons`` in
``compose``; the base :class:`~kiosk.ui.scene.Scene` draws them, gives them input and redraws only those that
changed. A press shows a button pressed; lifting the finger over it fires its action.

    >>> import pygame; _ = pygame.init(); _ = pygame.display.set_mode((1, 1))
    >>> from kiosk.content.bundle import DEFAULT_DIR, load_bundle
    >>> from kiosk.ui.input import Press, Release
    >>> from kiosk.ui.look import Look
    >>> from kiosk.ui.scene import Scene
    >>> class Hello(Scene):
    ...     name = "hello"
    ...     def compose(self, screen, now):
    ...         card = Card(self.look, pygame.Rect(200, 200, 800, 400))
    ...         card.draw(screen, now)
    ...         ProgressBar(self.look, pygame.Rect(card.inner.left, card.inner.bottom - 24, card.inner.width, 24),
    ...                     0.02).draw(screen, now)
    ...         self.buttons = [*language_switch(self.look, self.view.language), done_button(self.look, "en")]
    >>> screen = pygame.Surface((1920, 1080))
    >>> scene = Hello(Look(load_bundle(DEFAULT_DIR), (1920, 1080)))
    >>> scene.draw(screen, now=0.0)
    >>> done = scene.buttons[-1]
    >>> scene.handle(Press(done.rect.center)), done.pressed, len(scene.refresh(screen, now=0.1))
    (None, True, 1)
    >>> scene.handle(Release(done.rect.center))
    'done'
"""

from kiosk.ui.kit.button import Button, Separator, done_button, language_switch
from kiosk.ui.kit.card import Card
from kiosk.ui.kit.consent import ConsentCheckbox
from kiosk.ui.kit.field import PHONE_CHARACTERS, TextField
from kiosk.ui.kit.keyboard import Keyboard, phone_pad
from kiosk.ui.kit.overlay import Modal, Toast
from kiosk.ui.kit.progress import ProgressBar, ProgressRing
from kiosk.ui.kit.qrcode import QrCode
from kiosk.ui.kit.scroll import Grid
from kiosk.ui.kit.widget import Label, Widget, grow

__all__ = ["PHONE_CHARACTERS", "Button", "Card", "ConsentCheckbox", "Grid", "Keyboard", "Label", "Modal",
           "ProgressBar", "ProgressRing", "QrCode", "Separator", "TextField", "Toast", "Widget", "done_button", "grow",
           "language_switch", "phone_pad"]

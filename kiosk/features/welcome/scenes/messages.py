"""The session's message scenes: backend unavailable, goodbye."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.ui.kit import Button
from kiosk.ui.message import MessageScene
from kiosk.ui.scene import View

JOIN_ACTION = "join:form"  # the joining feature's form, which keeps a sign-up until the backend is back


@dataclass(frozen=True)
class UnavailableView(View):
    can_join: bool = False  # the joining feature is installed: a new face may still join on the kiosk


class UnavailableScene(MessageScene):
    """The backend did not say who tapped: a member is asked to try again, a new face may join on the kiosk."""

    name = "unavailable"
    title_key = "unavailable.title"
    body_keys = ("unavailable.body",)
    icon = "cloud"
    staff = True
    view_model = UnavailableView
    view: UnavailableView

    def compose(self, screen: pygame.Surface, now: float) -> None:
        super().compose(screen, now)
        if self.view.can_join:
            look = self.look
            rect = pygame.Rect(0, 0, look.px(620), max(look.px(100), look.min_target))
            rect.midbottom = (look.size[0] // 2, look.size[1] - look.space("xxl"))
            self.buttons.append(Button(look, rect, self.t("unavailable.join"), JOIN_ACTION, "secondary"))


class GoodbyeScene(MessageScene):
    name = "goodbye"
    title_key = "goodbye.title"
    body_keys = ("goodbye.body",)
    icon = "bag"
    with_buttons = False

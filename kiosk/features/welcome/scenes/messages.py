"""The session's message scenes: backend unavailable, goodbye."""

from __future__ import annotations

from dataclasses import dataclass

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

    def actions(self) -> list[tuple[str, str]]:
        return [("unavailable.join", JOIN_ACTION)] if self.view.can_join else []


class GoodbyeScene(MessageScene):
    name = "goodbye"
    title_key = "goodbye.title"
    body_keys = ("goodbye.body",)
    icon = "bag"
    with_buttons = False

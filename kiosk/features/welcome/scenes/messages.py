"""The session's message scenes: backend unavailable, goodbye."""

from __future__ import annotations

from kiosk.ui.message import MessageScene


class UnavailableScene(MessageScene):
    name = "unavailable"
    title_key = "unavailable.title"
    body_keys = ("unavailable.body",)
    icon = "cloud"
    staff = True


class GoodbyeScene(MessageScene):
    name = "goodbye"
    title_key = "goodbye.title"
    body_keys = ("goodbye.body",)
    icon = "bag"
    with_buttons = False

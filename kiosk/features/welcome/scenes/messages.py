"""The session's message scenes: join (a new face), backend unavailable, goodbye."""

from __future__ import annotations

from kiosk.ui.message import MessageScene


class JoinScene(MessageScene):
    name = "join"
    title_key = "join.title"
    body_keys = ("join.body",)
    highlight_key = "join.bonus"


class UnavailableScene(MessageScene):
    name = "unavailable"
    title_key = "unavailable.title"
    body_keys = ("unavailable.body",)


class GoodbyeScene(MessageScene):
    name = "goodbye"
    title_key = "goodbye.title"
    with_buttons = False

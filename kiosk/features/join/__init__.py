"""Joining the club: the join screen hands the sign-up to the shopper's phone (QR code, join tag) and waits
for it; the join token it shows is offered to the backend for the session on screen, single use, alive
``[nfc] join_wait_s``, and replaced before it expires while a screen shows it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from kiosk.core import session
from kiosk.core.messages import JoinOffered
from kiosk.features.base import Context, Feature, SceneSpec, ViewSource
from kiosk.features.join.scenes.join import JoinScene, JoinView

log = logging.getLogger(__name__)

JOIN = "join"
RENEW_BEFORE_S = 10.0
"""A token is replaced this long before it expires: a phone that scans it at the last moment still gets in."""
SHOWS_TOKEN = (session.ATTRACT, JOIN)


def _join_view(source: ViewSource) -> JoinView:
    return JoinView(source.language, join_url=source.join_url, phone_tapped=source.credential_kind == "phone_join",
                    waits_until=source.held_until)


def _on_join(ctx: Context) -> None:
    """The screen waits for the shopper's phone as long as the join token lives; a phone that read the join tag
    goes on with the token it has, anybody else gets a token of this session."""
    if ctx.machine.credential is None or ctx.machine.credential.kind != "phone_join":
        ctx.new_join_token()
    ctx.machine.hold(time.monotonic() + ctx.settings.nfc.join_wait_s)


class Join(Feature):
    name = "join"

    def scenes(self) -> list[SceneSpec]:
        return [SceneSpec(JOIN, JoinScene, _join_view, on_enter=_on_join)]

    def messages(self) -> Mapping[type, Callable[[Any], None]]:
        return {JoinOffered: self._on_offered}

    def tick(self, now: float) -> None:
        ctx = self.ctx
        renew = ctx.settings.nfc.join_url and now >= ctx.join_expires_at - RENEW_BEFORE_S
        if not renew or ctx.machine.scene not in SHOWS_TOKEN:
            return
        if ctx.machine.scene == JOIN:
            _on_join(ctx)  # a shopper still busy on the join screen gets a fresh token and wait
        else:
            ctx.new_join_token()
        ctx.refresh(now)

    def _on_offered(self, offered: JoinOffered) -> None:
        ctx = self.ctx
        if offered.ok or offered.token != ctx.join_token:
            return
        log.warning("join: the backend did not take the join token; the QR code is hidden until the next one")
        ctx.join_failed = True
        if ctx.machine.scene in SHOWS_TOKEN:
            ctx.refresh(time.monotonic())

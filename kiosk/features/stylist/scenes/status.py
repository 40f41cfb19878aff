"""The request sent: who is coming and when, said honestly (saved but not yet sent, waiting longer than it
should, cancelled and why), with the look beside it."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.features.stylist.flow import STATUS
from kiosk.features.stylist.requests import ACKNOWLEDGED, CANCELLED, DONE, ESCALATED, Request
from kiosk.features.stylist.scenes.base import IMAGE_RATIO, StylistScene, StylistView, card
from kiosk.ui.kit import Button


@dataclass(frozen=True)
class StatusView(StylistView):
    request: Request | None = None
    delivered: bool = False  # the broker has it (else it waits in the outbox)
    member: bool = False  # a member follows it on their phone too


def texts(view: StatusView) -> tuple[str, str, dict]:
    """The title and body keys of the request's state, and their values.

        >>> texts(StatusView("en", request=Request("R", None, "acknowledged", {"deliver_to": "kiosk"}, 0.0, "Anna", 3),
        ...                  delivered=True))
        ('stylist.status.acknowledged', 'stylist.status.eta', {'name': 'Anna', 'eta': 3})
    """
    request = view.request
    assert request is not None
    where = request.look.get("deliver_to", "kiosk")
    if request.status == ACKNOWLEDGED:
        body = "stylist.status.eta" if request.eta_min else "stylist.status.eta_now"
        return "stylist.status.acknowledged", body, {"name": request.associate, "eta": request.eta_min or 0}
    if request.status == DONE:
        return "stylist.status.done", "stylist.status.done_body", {}
    if request.status == CANCELLED:
        reason = "out_of_stock" if request.reason == "out_of_stock" else "other"
        return "stylist.status.cancelled", f"stylist.status.cancelled.{reason}", {}
    if request.status == ESCALATED:
        return "stylist.status.escalated", "stylist.status.escalated_body", {}
    if not view.delivered:
        return "stylist.status.saved", "stylist.status.saved_body", {}
    return "stylist.status.open", f"stylist.status.open.{where}", {}


class StatusScene(StylistScene):
    name = STATUS
    view_model = StatusView
    view: StatusView
    back_action = "stylist:home"
    with_look_button = False

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look, catalogue = self.look, self.catalogue
        request = self.view.request
        if request is None:
            raise ValueError("the stylist status scene needs a request")
        self.frame(screen, self.t("stylist.title"))
        margin = look.space("l")
        title_key, body_key, values = texts(self.view)
        width = look.size[0] * 11 // 20
        box = pygame.Rect(margin, self.top + look.space("l"), width, look.px(260))
        covered = look.fit(self.t(title_key, **{k: v for k, v in values.items() if k == "name"}), "headline",
                           box.size, max_lines=2).draw(screen, box, look.colour["text"])
        box = pygame.Rect(margin, covered.bottom + look.space("m"), width, look.px(200))
        body = self.t(body_key, **{k: v for k, v in values.items() if k == "eta"})
        covered = look.fit(body, "lead", box.size, max_lines=3).draw(
            screen, box, look.colour["highlight" if request.status == ESCALATED else "muted"])
        y = covered.bottom + look.space("m")
        if self.view.member:
            box = pygame.Rect(margin, y, width, look.px(60))
            covered = look.fit(self.t("stylist.status.phone"), "body", box.size, max_lines=1).draw(
                screen, box, look.colour["muted"])
            y = covered.bottom + look.space("m")
        more = Button(look, pygame.Rect(margin, y + look.space("m"), look.px(460), look.px(100)),
                      self.t("stylist.browse_more"), "stylist:home", "secondary")
        self.buttons = [*self.buttons, more]

        panel = pygame.Rect(margin + width + look.space("l"), self.top, 0, self.bottom - self.top)
        panel.width = look.size[0] - margin - panel.left
        inner = card(look, panel, screen)
        items = request.look.get("items", [])
        if not items:
            return
        each = inner.width // 2
        size = (each - look.space("s"), min(round((each - look.space("s")) * IMAGE_RATIO), inner.height // 2))
        for i, item in enumerate(items):
            product = catalogue.products.get(item["sku"])
            if product is None:  # a newer catalogue no longer has it
                continue
            picture = self.picture(product, size)
            cell = pygame.Rect(inner.left + (i % 2) * each, inner.top + (i // 2) * (inner.height // 2), each,
                               inner.height // 2)
            screen.blit(picture, picture.get_rect(center=cell.center))

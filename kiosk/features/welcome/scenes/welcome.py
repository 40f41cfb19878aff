"""A member's welcome: name, points, tier and the way to the next tier."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.core.member import Member, TierProgress
from kiosk.ui.kit import done_button, language_switch
from kiosk.ui.scene import Scene, View


@dataclass(frozen=True)
class WelcomeView(View):
    member: Member | None = None
    progress: TierProgress | None = None


class WelcomeScene(Scene):
    name = "welcome"
    view_model = WelcomeView
    view: WelcomeView

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        member, progress = self.view.member, self.view.progress
        if member is None or progress is None:
            raise ValueError("the welcome scene needs a member and their tier progress")
        width = look.size[0]
        self.buttons = [*language_switch(look, self.view.language), done_button(look, self.view.language)]
        ink = look.colour
        greeting = look.fit(self.t("welcome.greeting", name=member.name), "headline",
                            (int(width * 0.86), look.px(130)), max_lines=1, min_scale=0.4)
        greeting.draw(screen, pygame.Rect(0, look.px(110), width, look.px(130)), ink["text"], align="centre",
                      valign="middle")

        panel = pygame.Rect(0, 0, int(width * 0.62), look.px(560))
        panel.midtop = (width // 2, look.px(270))
        pygame.draw.rect(screen, ink["panel"], panel, border_radius=look.radius("l"))
        inner = panel.inflate(-2 * look.space("l"), 0)
        points = look.fit(self.t("welcome.points", points=member.points), "figure", (inner.width, look.px(190)),
                          max_lines=1)
        points.draw(screen, pygame.Rect(inner.left, panel.top + look.px(40), inner.width, look.px(190)),
                    ink["highlight"], align="centre", valign="middle")
        tier = look.fit(self.t("welcome.tier", tier=self.t(f"tier.{progress.current.key}")), "title",
                        (inner.width, look.px(80)), max_lines=1)
        tier.draw(screen, pygame.Rect(inner.left, panel.top + look.px(230), inner.width, look.px(80)), ink["text"],
                  align="centre", valign="middle")

        bar = pygame.Rect(0, 0, int(panel.width * 0.8), look.px(36))
        bar.midtop = (panel.centerx, panel.top + look.px(330))
        pygame.draw.rect(screen, look.colour["line"], bar, border_radius=bar.height // 2)
        filled = bar.copy()
        filled.width = max(bar.height, int(bar.width * progress.fraction))
        pygame.draw.rect(screen, look.colour["accent"], filled, border_radius=bar.height // 2)
        if progress.next is None:
            note = self.t("welcome.top")
        else:
            note = self.t("welcome.to_next", points=progress.points_to_next, tier=self.t(f"tier.{progress.next.key}"))
        note_box = pygame.Rect(inner.left, panel.top + look.px(400), inner.width, look.px(130))
        look.fit(note, "lead", note_box.size, max_lines=2).draw(screen, note_box, look.colour["muted"], align="centre")

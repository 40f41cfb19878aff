"""A member's welcome: name, points, tier and the way to the next tier."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.core.member import Member, TierProgress
from kiosk.ui.scene import Scene, View
from kiosk.ui.widgets import done_button, language_chips


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
        self.buttons = [*language_chips(look, self.view.language), done_button(look, self.view.language)]
        self.blit_centered(screen, look.render(self.t("welcome.greeting", name=member.name), 96), look.px(120))

        panel = pygame.Rect(0, 0, int(width * 0.62), look.px(560))
        panel.midtop = (width // 2, look.px(270))
        pygame.draw.rect(screen, look.colour["panel"], panel, border_radius=look.px(36))
        tier_name = self.t(f"tier.{progress.current.key}")
        self.blit_centered(screen, look.render(self.t("welcome.points", points=f"{member.points:,}".replace(",", " ")),
                                               150, look.colour["highlight"]), panel.top + look.px(60))
        self.blit_centered(screen, look.render(self.t("welcome.tier", tier=tier_name), 64), panel.top + look.px(220))

        bar = pygame.Rect(0, 0, int(panel.width * 0.8), look.px(36))
        bar.midtop = (panel.centerx, panel.top + look.px(330))
        pygame.draw.rect(screen, look.colour["background_top"], bar, border_radius=bar.height // 2)
        filled = bar.copy()
        filled.width = max(bar.height, int(bar.width * progress.fraction))
        pygame.draw.rect(screen, look.colour["accent"], filled, border_radius=bar.height // 2)
        if progress.next is None:
            note = self.t("welcome.top")
        else:
            note = self.t("welcome.to_next", points=progress.points_to_next, tier=self.t(f"tier.{progress.next.key}"))
        self.blit_centered(screen, look.render(note, 48, look.colour["muted"]), panel.top + look.px(410))

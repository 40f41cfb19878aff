"""The style quiz, one question a screen: the occasion, the style, the colours; each can be skipped."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.features.stylist.catalogue import FAMILIES
from kiosk.features.stylist.flow import QUESTIONS, QUIZ
from kiosk.features.stylist.scenes.base import StylistScene, StylistView
from kiosk.ui.kit import Button, ProgressBar


@dataclass(frozen=True)
class QuizView(StylistView):
    question: int = 0


class QuizScene(StylistScene):
    name = QUIZ
    view_model = QuizView
    view: QuizView
    with_look_button = False

    def options(self) -> list[tuple[str, str]]:
        """The answers to the current question: (tag, what the shopper reads)."""
        catalogue, language = self.catalogue, self.view.language
        question = QUESTIONS[self.view.question]
        if question == "occasion":
            return [(tag, name[language]) for tag, name in catalogue.occasions.items()]
        if question == "style":
            return [(tag, name[language]) for tag, name in catalogue.styles.items()]
        return [(family, self.t(f"stylist.family.{family}")) for family in FAMILIES]

    def compose(self, screen: pygame.Surface, now: float) -> None:
        look = self.look
        question = QUESTIONS[self.view.question]
        self.frame(screen, self.t("stylist.quiz"))
        width = look.size[0]
        bar = pygame.Rect(width // 4, self.top, width // 2, look.px(16))
        ProgressBar(look, bar, (self.view.question + 1) / len(QUESTIONS)).draw(screen, now)
        step = self.t("stylist.quiz.step", step=self.view.question + 1, count=len(QUESTIONS))
        box = pygame.Rect(0, bar.bottom + look.space("s"), width, look.px(50))
        look.fit(step, "caption", box.size, max_lines=1).draw(screen, box, look.colour["muted"], align="centre")
        box = pygame.Rect(width // 8, box.bottom + look.space("m"), width * 3 // 4, look.px(130))
        look.fit(self.t(f"stylist.quiz.{question}"), "headline", box.size, max_lines=1, min_scale=0.5).draw(
            screen, box, look.colour["text"], align="centre", valign="middle")
        options = self.options()
        columns = 3
        button_w, button_h, gap = look.px(460), look.px(120), look.space("m")
        rows = (len(options) + columns - 1) // columns
        left = (width - columns * button_w - (columns - 1) * gap) // 2
        top = box.bottom + look.space("l")
        buttons = []
        for i, (tag, label) in enumerate(options):
            rect = pygame.Rect(left + (i % columns) * (button_w + gap), top + (i // columns) * (button_h + gap),
                               button_w, button_h)
            buttons.append(Button(look, rect, label, f"stylist:answer:{tag}", "secondary"))
        skip_top = top + rows * (button_h + gap)
        buttons.append(Button(look, pygame.Rect(width // 2 - look.px(160), skip_top, look.px(320), look.px(90)),
                              self.t("stylist.quiz.skip"), "stylist:answer:", "quiet"))
        self.buttons = [*self.buttons, *buttons]

"""Joining on the kiosk: the phone number (with the phone pad), optional name, e-mail and birthday (with the
keyboard), the two consent boxes, unticked, their full texts a tap away, and "Join".

The form's values live in the join feature's :class:`~kiosk.features.join.flow.JoinForm`, which the view hands
over: the scene writes what is typed into it after every input, the feature reads it on "Join" and writes the
messages that come back beside the fields. Text a field refuses whole (control characters and direction marks
from a USB keyboard or the automation socket, or more than the field takes) leaves the value as it was and
puts its message beside the field at once (``TYPED``: the feature draws the scene again). Leaving the scene
clears every field (nothing typed stays).
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.features.join.details import NAME_MAX, TYPED_MAX
from kiosk.features.join.flow import JoinForm
from kiosk.ui.input import Input
from kiosk.ui.kit import Button, ConsentCheckbox
from kiosk.ui.kit.field import PHONE_CHARACTERS, TOO_LONG, UNPRINTABLE, TextField
from kiosk.ui.kit.keyboard import Keyboard, phone_pad
from kiosk.ui.scene import Scene, View

SUBMIT, BACK, FOCUS, CONSENT, TYPED = "join:submit", "join:back", "join:focus", "join:consent", "join:typed"
LAYOUT = {"phone": (0, 0), "email": (1, 0), "name": (0, 1), "birthday": (1, 1)}  # (column, row)
MAX_LENGTH = {"phone": 20, "name": NAME_MAX, "email": TYPED_MAX, "birthday": 10}
"""What a field takes; more is refused with a message beside it, never cut silently."""
REFUSALS = (UNPRINTABLE, TOO_LONG)


@dataclass(frozen=True)
class FormView(View):
    form: JoinForm | None = None


class FormScene(Scene):
    name = "join_form"
    view_model = FormView
    view: FormView

    def __init__(self, look) -> None:
        super().__init__(look)
        self.fields: dict[str, TextField] = {}
        self.consents: dict[str, ConsentCheckbox] = {}

    def compose(self, screen: pygame.Surface, now: float) -> None:
        form = self.view.form
        if form is None:
            raise ValueError("the join form scene needs the form of the session")
        look = self.look
        width, height = look.size
        ink = look.colour
        margin = look.space("xl")
        column = (width - 2 * margin - look.space("l")) // 2
        title = look.fit(self.t("form.title"), "title", (column, look.px(100)), max_lines=1)
        title.draw(screen, pygame.Rect(margin, look.px(30), column, look.px(100)), ink["text"], valign="middle")
        back = Button(look, pygame.Rect(width - margin - look.px(300), look.px(30), look.px(300), look.px(90)),
                      self.t("form.back"), BACK, "secondary")
        self.fields = {}
        for name, (col, row) in LAYOUT.items():
            left, top = margin + col * (column + look.space("l")), look.px(140 + row * 172)
            label = look.fit(self.t(f"form.{name}"), "caption", (column, look.px(38)), max_lines=1)
            label.draw(screen, pygame.Rect(left, top, column, look.px(38)), ink["muted"])
            field = TextField(look, pygame.Rect(left, top + look.px(40), column, look.px(92)), "", f"{FOCUS}:{name}",
                              allowed=PHONE_CHARACTERS if name == "phone" else None, max_length=MAX_LENGTH[name],
                              focused=name == form.focus)
            field.insert(form.values[name])
            self.fields[name] = field
            self._error(screen, form.errors.get(name), pygame.Rect(left, top + look.px(134), column, look.px(34)),
                        max=MAX_LENGTH[name])
        top = look.px(484)
        self.consents = {}
        for i, term in enumerate(form.terms):
            left = margin + i * (column + look.space("l"))
            box = pygame.Rect(left, top, column - (look.px(330) if i else 0), look.px(130))
            label, text = term.label[self.view.language], term.text[self.view.language]
            consent = ConsentCheckbox(look, box, label, f"{CONSENT}:{term.purpose}", self.t("form.terms"), label, text,
                                      self.t("form.close"), checked=form.consents[term.purpose])
            self.consents[term.purpose] = consent
            self._error(screen, form.errors.get(term.purpose), pygame.Rect(box.left + look.px(72), box.bottom,
                                                                          box.width - look.px(72), look.px(34)))
        sending = form.signup_id is not None
        submit = Button(look, pygame.Rect(width - margin - look.px(300), top + look.px(10), look.px(300),
                                          look.px(110)), self.t("form.sending" if sending else "form.submit"),
                        None if sending else SUBMIT)
        self._error(screen, form.errors.get("form"), pygame.Rect(width - margin - column // 2, top + look.px(124),
                                                                 column // 2, look.px(34)), align="right")
        focused = self.fields[form.focus]
        pad = pygame.Rect(margin, look.px(664), width - 2 * margin, height - look.px(664) - look.space("s"))
        keyboard = phone_pad(look, pad, focused) if form.focus == "phone" else Keyboard(
            look, pad, focused, language=self.view.language)
        self.buttons = [back, *self.fields.values(), *self.consents.values(), submit, keyboard]

    def _error(self, screen: pygame.Surface, code: str | None, box: pygame.Rect, align: str = "left",
               **values: object) -> None:
        if code:
            message = self.look.fit(self.t(f"form.error.{code}", **values), "caption", box.size, max_lines=1)
            message.draw(screen, box, self.look.colour["accent"], align=align, valign="middle")

    def handle(self, event: Input) -> str | None:
        """Widgets first (a key types into the focused field, a box toggles); then what is typed goes into the
        form, where the feature reads it, with the message of text a field refused (or none, once it takes
        text again): ``TYPED`` when that message changed, so that the feature draws it."""
        before = {name: field.text for name, field in self.fields.items()}
        action = super().handle(event)
        form = self.view.form
        if form is None:
            return action
        changed = False
        for name, field in self.fields.items():
            form.values[name] = field.text
            shown = form.errors.get(name)
            if field.refused is not None and shown != field.refused:
                form.errors[name], changed = field.refused, True
            elif field.refused is None and shown in REFUSALS and field.text != before[name]:
                del form.errors[name]  # the field took text again
                changed = True
        return action or (TYPED if changed else None)

    def leave(self) -> None:
        for field in self.fields.values():
            field.clear()
        self.fields, self.consents = {}, {}
        super().leave()

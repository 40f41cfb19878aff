"""Joining on the kiosk with real parts: the app in-process (SDL dummy driver, touches as SDL events), the
reference backend over HTTP on a free port, and a relay in front of it that fails requests at random (the
store's network). Every sign-up registers once; the shopper never waits on the network to be welcomed."""

import json
import os
import random
import socket
import threading

import pygame
import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.core.credential import Credential
from kiosk.features import join
from kiosk.server.serve import BackendServer, build
from tests.helpers import free_port, write_config
from tests.test_app_flow import assert_celebrated_until_welcome, step_until, tap, touch

TOKEN = "form-token"
CARD = Credential("uid", "d00d" * 16)
PHONE = "912 34 567"


@pytest.fixture
def server(tmp_path):
    backend = BackendServer(build(str(tmp_path / "backend.db"), token=TOKEN).app, "127.0.0.1", 0)
    backend.start()
    yield backend
    backend.stop()


def kiosk_for(tmp_path, url: str, **sections) -> KioskApp:
    path = write_config(tmp_path, debug={"input_socket": ""}, kiosk={"region": "NO", "idle_timeout_s": 60,
                                                                     "state_dir": str(tmp_path / "state")},
                        nfc={"join_url": ""}, backend={"kind": "http", "url": url, "token": TOKEN, "timeout_s": 2},
                        **sections)
    app = KioskApp(config.load(path))
    app.start()
    return app


@pytest.fixture
def app(tmp_path, server):
    kiosk = kiosk_for(tmp_path, server.url)
    yield kiosk
    kiosk.stop()


def button(app: KioskApp, action: str):
    return next(widget for widget in app.rt.ui.current.buttons if getattr(widget, "action", None) == action)


def press(app: KioskApp, action: str) -> None:
    touch(app, *button(app, action).rect.center)
    app.run_once()


def to_the_form(app: KioskApp, credential: Credential = CARD, via: str = "join") -> None:
    tap(app, credential)
    step_until(app, lambda: app.rt.ui.name == via)
    press(app, "join:form")
    step_until(app, lambda: app.rt.ui.name == "join_form")


def type_on_the_pad(app: KioskApp, digits: str) -> None:
    """Finger taps on the on-screen phone pad, key by key."""
    pad = app.rt.ui.current.buttons[-1]
    for digit in digits.replace(" ", ""):
        touch(app, *pad.key(digit).rect.center)
        app.run_once()


def focus(app: KioskApp, field: str) -> None:
    press(app, f"join:focus:{field}")
    step_until(app, lambda: app.rt.ui.current.view.form.focus == field)


def type_text(app: KioskApp, text: str) -> None:
    """What a USB keyboard (or SDL's text input) sends: the text into the focused field."""
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=text))
    app.run_once()


def tick_consent(app: KioskApp, purpose: str = "personal_data") -> None:
    consent = app.rt.ui.current.consents[purpose]
    touch(app, *consent.box.center)
    app.run_once()


def form(app: KioskApp):
    return app.rt.ui.current.view.form


def outbox(app: KioskApp, kind: str) -> list[dict]:
    return [json.loads(row["payload"])["data"] for row in app.store.query(
        "SELECT payload FROM outbox WHERE type = ? ORDER BY seq", (kind,))]


def members(tmp_path) -> list:
    import sqlite3
    with sqlite3.connect(tmp_path / "backend.db") as db:
        return db.execute("SELECT member_ref, name, phone, email, birthday FROM members").fetchall()


def test_a_shopper_joins_on_the_kiosk_and_sees_their_profile(app, tmp_path):
    to_the_form(app)
    type_on_the_pad(app, PHONE)
    focus(app, "name")
    type_text(app, "Åse Nordmann")
    tick_consent(app)
    press(app, "join:submit")
    step_until(app, lambda: app.rt.ui.name == "celebrate")  # the new member is celebrated by name first
    assert app.rt.ui.current.view.member.name == "Åse Nordmann"
    step_until(app, lambda: app.rt.ui.name == "welcome")
    member = app.rt.machine.member
    assert (member.name, member.points, member.tier) == ("Åse Nordmann", 0, "silver")
    assert app.rt.ui.current.view.joined  # "welcome to the club", with the new member's offers
    assert "welcome-10" in {offer.offer_id for offer in app.rt.ui.current.view.offers}
    assert [(m[1], m[2]) for m in members(tmp_path)] == [("Åse Nordmann", "+4791234567")]
    signup, = outbox(app, "signup")
    assert signup["channel"] == "kiosk" and signup["consents"] == {"personal_data": "2026-11", "marketing": "2026-11"}
    assert outbox(app, "consent_recorded")[0]["consents"]["marketing"] == {"version": "2026-11", "granted": False}
    assert outbox(app, "signup_synced") == [{"signup_id": signup["signup_id"], "outcome": "registered",
                                             "member_ref": member.ref}]
    row, = app.store.query("SELECT registration, outcome FROM signups")
    assert row["registration"] is None and row["outcome"] == "registered"  # the contact details are gone
    # The card they came with is theirs now: the next tap welcomes them back.
    press(app, "done")
    tap(app, CARD)
    step_until(app, lambda: app.rt.ui.name == "welcome" and app.rt.machine.member is not None)
    assert app.rt.machine.member.ref == member.ref


def test_a_sign_up_on_the_form_lights_the_led_celebration_as_one_on_the_phone_does(app):
    to_the_form(app)
    idle = tuple(c / 255 for c in app.rt.bundle.theme.colours["led_idle"])
    app.rt.parts.glow(idle)  # the tap's own celebration is over: what lights now is the sign-up's
    app.rt.parts.buzzer.off()
    type_on_the_pad(app, PHONE)
    tick_consent(app)
    press(app, "join:submit")
    assert_celebrated_until_welcome(app)


@pytest.mark.parametrize(("field", "typed", "code"), [
    ("phone", "12", "phone_invalid"),
    ("email", "anna@", "email_invalid"),
    ("email", "anna example.com", "email_invalid"),
    ("name", "Anna 🌸", "letters_only"),
    ("name", "שרה", "letters_only"),
    ("birthday", "31.02.1990", "birthday_invalid"),
])
def test_bad_input_gets_a_message_beside_its_field_and_sends_nothing(app, tmp_path, field, typed, code):
    to_the_form(app)
    if field != "phone":
        type_on_the_pad(app, PHONE)
    focus(app, field)
    type_text(app, typed)
    tick_consent(app)
    press(app, "join:submit")
    step_until(app, lambda: form(app).errors)
    assert form(app).errors == {field: code}
    assert app.rt.ui.name == "join_form" and outbox(app, "signup") == [] and members(tmp_path) == []
    assert app.rt.ui.current.t(f"form.error.{code}")  # a message the scene can show


def automation_text(app: KioskApp, text: str) -> None:
    """What the automation socket's ``{"text": ...}`` sends (a test rig or demo typing)."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(app.settings.debug.input_socket)
    with client, client.makefile("rwb") as line:
        line.write(json.dumps({"text": text}).encode() + b"\n")
        line.flush()
        assert json.loads(line.readline()) == {"ok": True}
    step_until(app, lambda: form(app).values["name"] != "Anna" or form(app).errors)


@pytest.mark.parametrize("typing", [type_text, automation_text], ids=["usb_keyboard", "automation_socket"])
def test_control_characters_and_direction_marks_are_refused_with_a_message_beside_the_field(tmp_path, server,
                                                                                             typing):
    path = write_config(tmp_path, debug={"input_socket": str(tmp_path / "in.sock")}, kiosk={
        "region": "NO", "state_dir": str(tmp_path / "state")}, nfc={"join_url": ""},
        backend={"kind": "http", "url": server.url, "token": TOKEN})
    app = KioskApp(config.load(path))
    app.start()
    try:
        to_the_form(app)
        focus(app, "name")
        type_text(app, "Anna")
        shown = app.rt.ui.current.fields["name"]
        typing(app, "An\u202ena\x00\u200f")
        step_until(app, lambda: app.rt.ui.current.fields["name"] is not shown)  # drawn again, with the message
        assert form(app).values["name"] == "Anna" and form(app).errors == {"name": "unprintable"}
        assert app.rt.ui.current.fields["name"].text == "Anna"
        type_text(app, "-Åse")  # the field takes text again: the message goes
        assert form(app).values["name"] == "Anna-Åse" and form(app).errors == {}
    finally:
        app.stop()


def test_a_500_character_name_is_refused_with_a_message_not_cut(app):
    to_the_form(app)
    focus(app, "name")
    type_text(app, "A" * 500)
    step_until(app, lambda: form(app).errors)
    assert form(app).errors == {"name": "too_long"} and form(app).values["name"] == ""
    assert "64" in app.rt.ui.current.t("form.error.too_long", max=64)
    type_text(app, "A" * 64)  # exactly as much as a name may have is taken
    assert form(app).values["name"] == "A" * 64 and form(app).errors == {}


@pytest.mark.parametrize("language", ["ru", "en", "nb"])
def test_the_refusals_have_messages_in_every_language(app, language):
    app.rt.machine.set_language(language)
    to_the_form(app)
    scene = app.rt.ui.current
    assert scene.view.language == language
    for code in ("unprintable", "too_long"):
        text = scene.t(f"form.error.{code}", max=21)
        assert text and f"form.error.{code}" not in text


def test_an_unticked_required_consent_sends_nothing_and_says_why(app, tmp_path):
    to_the_form(app)
    type_on_the_pad(app, PHONE)
    tick_consent(app, "marketing")  # the optional one alone is not enough
    press(app, "join:submit")
    step_until(app, lambda: form(app).errors)
    assert form(app).errors == {"personal_data": "consent_required"}
    assert outbox(app, "signup") == [] and members(tmp_path) == []


def test_a_double_tap_on_join_registers_once(app, tmp_path):
    to_the_form(app)
    type_on_the_pad(app, PHONE)
    tick_consent(app)
    submit = button(app, "join:submit").rect.center
    touch(app, *submit)
    touch(app, *submit)
    step_until(app, lambda: app.rt.ui.name == "welcome")
    assert len(members(tmp_path)) == 1 and len(outbox(app, "signup")) == 1


def test_a_number_already_a_member_leads_to_the_log_in_path(app, server, tmp_path):
    to_the_form(app)
    type_on_the_pad(app, PHONE)
    tick_consent(app)
    press(app, "join:submit")
    step_until(app, lambda: app.rt.ui.name == "welcome")
    press(app, "done")
    to_the_form(app, Credential("uid", "beef" * 16))  # another shopper with the same number
    type_on_the_pad(app, PHONE)
    tick_consent(app)
    press(app, "join:submit")
    step_until(app, lambda: app.rt.ui.name == "join" and app.rt.ui.current.view.already_member)
    assert outbox(app, "signup_synced")[-1]["outcome"] == "already_member"
    assert len(members(tmp_path)) == 1


def test_the_idle_timeout_in_the_middle_of_typing_forgets_everything(app):
    app.rt.machine.idle_timeout_s = 2.0
    to_the_form(app)
    type_on_the_pad(app, "912")
    focus(app, "name")
    type_text(app, "Ingrid")
    scene = app.rt.ui.current
    fields = dict(scene.fields)
    the_form = form(app)
    step_until(app, lambda: app.rt.ui.name == "attract", timeout=10)
    assert all(field.text == "" for field in fields.values())
    assert the_form.values == dict.fromkeys(the_form.values, "") and the_form.consents["personal_data"] is False
    assert app.features["join"].form is None and scene.view.form is None
    assert app.store.query("SELECT COUNT(*) AS n FROM signups")[0]["n"] == 0


def read_answer(upstream: socket.socket) -> bytes:
    """One HTTP answer: its head, then as many bytes of body as its Content-Length says."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += upstream.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        body += upstream.recv(65536)
    return answer


class FlakyRelay:
    """A TCP relay in front of the backend that fails at random: it refuses a connection, cuts it before the
    request reaches the backend, or (the worst case, always the first answer) lets the request through and cuts
    the answer, so the backend registered the shopper and the kiosk does not know it."""

    def __init__(self, target_port: int, rng: random.Random, failure: float) -> None:
        self.target_port, self.rng, self.failure = target_port, rng, failure
        self.up = False
        self.cuts = {"refused": 0, "request": 0, "answer": 0}
        self._server = socket.create_server(("127.0.0.1", free_port()))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            fate = self.rng.random() if self.up else 0.0
            if not self.up or fate < self.failure / 3:
                self.cuts["refused"] += 1
                return
            request = client.recv(65536)
            if fate < 2 * self.failure / 3:
                self.cuts["request"] += 1
                return
            with socket.create_connection(("127.0.0.1", self.target_port)) as upstream:
                upstream.sendall(request)
                answer = read_answer(upstream)
            if fate < self.failure or not self.cuts["answer"]:  # the first answer is always lost
                self.cuts["answer"] += 1
                return
            client.sendall(answer)

    def close(self) -> None:
        self._server.close()


def test_offline_sign_ups_are_kept_welcomed_and_synced_exactly_once_while_the_backend_fails_at_random(
        tmp_path, server, monkeypatch):
    monkeypatch.setattr(join, "RETRY_FIRST_S", 0.2)  # the kiosk's backoff, shortened: the test waits for it
    monkeypatch.setattr(join, "RETRY_MAX_S", 1.0)
    seed = int(os.environ.get("KIOSK_TEST_SEED") or random.SystemRandom().randrange(2**32))
    print(f"relay seed {seed}")
    relay = FlakyRelay(int(server.url.split(":")[2].split("/")[0]), random.Random(seed), failure=0.6)
    app = kiosk_for(tmp_path, f"http://127.0.0.1:{relay.port}/v1")
    try:
        phones = ["912 34 567", "412 34 567", "934 56 789"]
        for i, phone in enumerate(phones):
            to_the_form(app, Credential("uid", f"{i:02d}" * 32), via="unavailable")  # the lookup failed too
            type_on_the_pad(app, phone)
            tick_consent(app)
            press(app, "join:submit")
            step_until(app, lambda: app.rt.ui.name == "welcome")  # welcomed with what is known
            assert app.rt.machine.member.points == 0 and app.rt.machine.member.pending
            press(app, "done")
        assert app.store.query("SELECT COUNT(*) AS n FROM signups WHERE outcome IS NULL")[0]["n"] == 3
        relay.up = True  # the backend is back, on a bad line
        app.features["join"]._retry = {}  # as after a restart: every kept sign-up is due
        step_until(app, lambda: len(outbox(app, "signup_synced")) == 3, timeout=120)
        assert sorted(m[2] for m in members(tmp_path)) == ["+4741234567", "+4791234567", "+4793456789"]
        assert {e["outcome"] for e in outbox(app, "signup_synced")} == {"registered"}
        assert app.store.query("SELECT COUNT(*) AS n FROM signups WHERE registration IS NOT NULL")[0]["n"] == 0
        assert relay.cuts["answer"] >= 1  # a registration whose answer was lost was sent again, not doubled
        print("relay cuts", relay.cuts)
    finally:
        app.stop()
        relay.close()

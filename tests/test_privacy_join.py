"""Personal data of joining, proven absent, with real parts: a kiosk process (`kiosk run`, driven by touches on
its automation socket as a finger would), a private mosquitto with a listener on ``#`` (every byte any client
published), the reference backend over HTTP telling the kiosk ``session_joined`` over the broker, and headless
Chromium as the phone. Distinctive values go in through the kiosk's form (name, phone, e-mail) and the phone's
page (phone); afterwards none of them is in the kiosk's log, its trace, the broker traffic, a screenshot the
``screenshot`` command gives, or any file of the state folder (the sign-up synced)."""

import base64
import sqlite3
from pathlib import Path

import paho.mqtt.client as mqtt
import pygame

from kiosk.content.bundle import load_bundle
from kiosk.content.schemas import DEFAULT_DIR
from kiosk.features.join.flow import JoinForm
from kiosk.features.join.scenes.form import FormScene, FormView
from kiosk.features.join.scenes.join import JoinScene, JoinView
from kiosk.ui.kit import done_button
from kiosk.ui.look import Look
from tests import test_backend_phone_pages as pages
from tests.browser import Chromium
from tests.helpers import KioskProcess, wait_for, write_config

SIZE = (960, 540)
TOKEN = pages.TOKEN
backend = pages.backend_server  # the reference backend, telling the kiosk session_joined over the broker
NAME = "yxqvorn zelmipatt"
EMAIL = "zelmipatt.q@exmplqz.no"
KIOSK_PHONE = "93481726"  # typed on the kiosk's pad; +4793481726 to the backend
PHONE_PAGE_PHONE = "41293857"  # typed on the phone's page
SECRETS = ["yxqvorn", "zelmipatt", "Zelmipatt", "Yxqvorn", EMAIL, KIOSK_PHONE, "934 81 726", PHONE_PAGE_PHONE,
           "412 93 857"]


class Wiretap:
    """A client subscribed to ``#``: every message anybody publishes on the broker, raw."""

    def __init__(self, port: int) -> None:
        self.traffic: list[bytes] = []
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self._client.on_connect = lambda client, *_: client.subscribe("#", qos=1)
        self._client.on_message = lambda client, userdata, message: self.traffic.append(
            message.topic.encode() + b" " + message.payload)
        self._client.connect("127.0.0.1", port)
        self._client.loop_start()

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()


def found_in(data: bytes) -> list[str]:
    lowered = data.lower()
    return [secret for secret in SECRETS if secret.lower().encode() in lowered]


class Screen:
    """The kiosk's layouts, drawn here with the same content and size, to know where a finger must go."""

    def __init__(self) -> None:
        pygame.init()  # again: an earlier test may have quit pygame
        pygame.display.set_mode((1, 1))
        self.look = Look(load_bundle(DEFAULT_DIR), SIZE)
        self.surface = pygame.Surface(SIZE)

    def join_button(self) -> tuple[int, int]:
        scene = JoinScene(self.look)
        scene.enter(JoinView("en", join_url="http://127.0.0.1/join?s=x", waits_until=60.0), 0.0)
        scene.draw(self.surface, 0.0)
        return next(b for b in scene.buttons if getattr(b, "action", None) == "join:form").rect.center

    def done(self) -> list[int]:
        return list(done_button(self.look, "en").rect.center)

    def form(self, focus: str) -> FormScene:
        terms = load_bundle(DEFAULT_DIR).files["consents.json"]
        form = JoinForm("S", terms)
        form.focus = focus
        scene = FormScene(self.look)
        scene.enter(FormView("en", form=form), 0.0)
        scene.draw(self.surface, 0.0)
        return scene


def type_keys(kiosk: KioskProcess, scene: FormScene, text: str) -> None:
    keyboard = scene.buttons[-1]
    for char in text:
        value = {" ": "space"}.get(char, char)
        if value not in [key.value for key in keyboard.keys]:
            layout = next(name for name in keyboard.layouts if value in [k.spec.value for k in keyboard._keys[name]])
            kiosk.send({"touch": list(keyboard.key(layout).rect.center)})
            keyboard.layout = layout
        assert kiosk.send({"touch": list(keyboard.key(value).rect.center)}) == {"ok": True}


def latest_join_token(tmp_path: Path) -> str:
    """What the phone reads from the QR code on the kiosk's join screen: its newest join token."""
    with sqlite3.connect(tmp_path / "backend.db") as db:
        row = db.execute("SELECT join_token FROM join_sessions ORDER BY rowid DESC LIMIT 1").fetchone()
    return row[0]


def test_what_a_shopper_types_to_join_leaves_no_trace_at_the_kiosk(tmp_path, broker, backend, kiosks):
    wiretap = Wiretap(broker.port)
    base = backend.url.removesuffix("/v1")
    path = write_config(tmp_path, mqtt_port=broker.port, kiosk={"region": "NO", "state_dir": str(tmp_path / "state")},
                        display={"mode": "headless", "width": SIZE[0], "height": SIZE[1]},
                        nfc={"device": "keyboard", "same_tap_delay_s": 0, "join_url": base + "/join?s={token}"},
                        backend={"kind": "http", "url": backend.url, "token": TOKEN, "timeout_s": 3})
    kiosk = KioskProcess(path, "run", trace=tmp_path / "trace.jsonl")
    kiosks.append(kiosk)
    screen = Screen()
    try:
        # On the kiosk: the form, typed key by key on the on-screen pad and keyboard.
        kiosk.tap("uid", "ab" * 32)
        kiosk.wait_scene("join")
        kiosk.send({"touch": list(screen.join_button())})
        kiosk.wait_scene("join_form")
        form = screen.form("phone")
        type_keys(kiosk, form, KIOSK_PHONE)
        refused = kiosk.send({"command": {"name": "screenshot", "args": {}}})
        assert refused["ok"] is False  # the screen shows what the shopper typed: it never leaves the kiosk
        kiosk.send({"touch": list(form.fields["name"].rect.center)})
        type_keys(kiosk, screen.form("name"), NAME)
        kiosk.send({"touch": list(form.fields["email"].rect.center)})
        type_keys(kiosk, screen.form("email"), EMAIL)
        kiosk.send({"touch": list(form.consents["personal_data"].box.center)})
        kiosk.send({"touch": list(next(b for b in form.buttons if b.action == "join:submit").rect.center)})
        kiosk.wait_scene("welcome", timeout=15)
        kiosk.send({"command": {"name": "screenshot", "args": {}}})
        kiosk.send({"touch": screen.done()})
        kiosk.wait_scene("goodbye")

        # On the phone: the join page of the next shopper's join screen.
        kiosk.tap("uid", "cd" * 32)
        kiosk.wait_scene("join")
        browser = Chromium(tmp_path / "chromium")
        try:
            tab = browser.open(f"{base}/join?s={latest_join_token(tmp_path)}")
            browser.wait_until(tab, "!!document.getElementById('phone')")
            browser.evaluate(tab, f"document.getElementById('phone').value = '+47 {PHONE_PAGE_PHONE}';"
                                  "document.getElementById('consent_personal').checked = true;"
                                  "document.getElementById('join').click()")
            browser.wait_until(tab, "!!document.getElementById('welcome')")
        finally:
            browser.close()
        kiosk.wait_scene("welcome", timeout=15)
        kiosk.send({"touch": screen.done()})
        kiosk.wait_scene("attract", timeout=15)
        shot = kiosk.send({"command": {"name": "screenshot", "args": {}}})
        assert shot["ok"] is True

        with sqlite3.connect(tmp_path / "backend.db") as db:  # the backend has them: they did reach it
            assert {row for row in db.execute("SELECT phone, name, email FROM members")} == {
                ("+47" + KIOSK_PHONE, NAME, EMAIL), ("+47" + PHONE_PAGE_PHONE, "", None)}
        state = tmp_path / "state"

        def state_clean() -> list[str]:
            return [f"{p.name}: {found_in(p.read_bytes())}" for p in state.rglob("*")
                    if p.is_file() and found_in(p.read_bytes())]
        wait_for(lambda: not state_clean(), 30, "the state folder without the typed values")
        assert found_in(base64.b64decode(shot["data"]["png_base64"])) == []
        assert found_in(b"\n".join(wiretap.traffic)) == [], "broker traffic"
        assert len(wiretap.traffic) > 10  # the listener heard the kiosk's events, commands and results
        assert kiosk.terminate() == 0
        assert state_clean() == [], "after the kiosk stopped"
        assert found_in(kiosk.output.read_bytes()) == [], "the kiosk's log"
        assert found_in((tmp_path / "trace.jsonl").read_bytes()) == [], "the trace"
    finally:
        wiretap.close()

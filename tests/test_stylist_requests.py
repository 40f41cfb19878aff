"""The stylist request's life with a real mosquitto and the kiosk app in-process: submitted, seen by the
associates on the store's topic, acknowledged, done; escalated when nobody answers; duplicate and out-of-order
answers; a request made while the broker is down; the shopper leaving before anyone answered."""

import json
import time

import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.bus import post
from kiosk.core.credential import Credential
from kiosk.core.events import new_ulid
from kiosk.core.messages import TapDetected
from kiosk.features.stylist.flow import STATUS
from tests.helpers import Commander, Listener, command_body, wait_for, write_config

ANNA = Credential("ndef", "M-1001")
STORE_TOPIC = "loyalty/v1/stores/store-1/stylist/"
AMBER = (1.0, 0.55, 0.0)


@pytest.fixture
def kiosk(tmp_path, broker):
    """The app in-process (MQTT to the test's broker), a listener on everything, and a commander."""
    def start(escalate_after_s=600):
        path = write_config(tmp_path, mqtt_port=broker.port, debug={"input_socket": ""},
                            stylist={"escalate_after_s": escalate_after_s})
        app = KioskApp(config.load(path), demo=True)
        app.start()
        started.append(app)
        return app
    started: list[KioskApp] = []
    listener = Listener(broker.port, "loyalty/v1/#")
    wait_for(lambda: listener.subscriptions, 10, "the listener's subscription")
    commander = Commander(broker.port)
    yield start, listener, commander, started
    commander.close()
    listener.close()
    for app in started:
        app.stop()


def step_until(app, predicate, what="the expected state", timeout=15.0):
    def stepped():  # the loop sleeps until something happens: look first
        return predicate() or app.run_once() or predicate()
    return wait_for(stepped, timeout, what)


def act(app, *actions):
    for action in actions:
        assert app.features.handle_action(f"stylist:{action}", time.monotonic()), action


def build_and_submit(app, where="kiosk"):
    act(app, "open", "category:tops", "product:TOP-05", "size:M", "add", "product:ACC-04", "add",
        f"deliver:{where}", "submit")
    assert app.rt.ui.name == STATUS
    return app.features["stylist"].shopper.request_id


def command(app, commander, name, args, cmd_id=None):
    """Send a command over the broker and run the app until its result comes back."""
    body = command_body(cmd_id or new_ulid(), args)
    skip = len(commander.results.on("/result"))
    commander.send_raw(name, json.dumps(body).encode())

    def result():
        for payload in commander.results.on("/result")[skip:]:
            answer = json.loads(payload)
            if answer["cmd_id"] == body["cmd_id"]:
                return answer
        return None
    return step_until(app, result, f"the result of {name}")


def queue(listener, request_id):
    """The messages on the request's store-level topic, in order (b"" once it is closed)."""
    return [payload for topic, payload, _ in list(listener.messages) if topic == STORE_TOPIC + request_id]


def events(listener, type_):
    return [e for e in listener.events() if e["type"] == type_]


def status_text(app):
    """The title key the status scene shows (what the shopper reads)."""
    from kiosk.features.stylist.scenes.status import texts
    return texts(app.rt.ui.current.view)[0]


def test_a_member_sends_a_look_an_associate_acknowledges_and_brings_it(kiosk, broker):
    start, listener, commander, _ = kiosk
    app = start()
    post(TapDetected(ANNA, "test", time.monotonic()))
    step_until(app, lambda: app.rt.ui.name == "welcome")
    request_id = build_and_submit(app, "fitting_room")
    step_until(app, lambda: queue(listener, request_id), "the request on the store's topic")
    request = events(listener, "stylist_request")[0]["data"]
    assert request["member_ref"] == "M-1001" and request["session_id"] == app.rt.machine.session_id
    assert request["look"] == {"items": [{"slot": "top", "sku": "TOP-05", "size": "M"},
                                         {"slot": "accessory", "sku": "ACC-04", "size": "one"}],
                               "deliver_to": "fitting_room", "total": 7490 + 2990, "currency": "RUB"}
    entry = json.loads(queue(listener, request_id)[0])
    assert (entry["status"], entry["kiosk_id"], entry["look"]) == ("open", "kiosk-1", request["look"])
    assert "member_ref" not in entry  # the associates' queue carries no member
    step_until(app, lambda: status_text(app) == "stylist.status.open", "the shopper told an associate is called")

    late = Listener(broker.port, STORE_TOPIC + "+")  # an associate's device that connects now sees it retained
    wait_for(lambda: late.messages, 10, "the retained request")
    assert late.messages[0][2] is True and json.loads(late.messages[0][1])["request_id"] == request_id
    late.close()

    answer = command(app, commander, "stylist_ack", {"request_id": request_id, "associate": "Olga", "eta_min": 3})
    assert answer["ok"] and answer["data"] == {"status": "acknowledged", "associate": "Olga"}
    assert status_text(app) == "stylist.status.acknowledged"
    assert app.rt.ui.current.t("stylist.status.eta", eta=3) == "In about 3 minutes"
    wait_for(lambda: len(queue(listener, request_id)) == 2, 10, "the acknowledgement on the store's topic")
    assert json.loads(queue(listener, request_id)[1])["associate"] == "Olga"

    assert command(app, commander, "stylist_done", {"request_id": request_id})["ok"]
    assert status_text(app) == "stylist.status.done"
    wait_for(lambda: queue(listener, request_id)[-1:] == [b""], 10, "the request cleared from the store's topic")
    statuses = [e["data"]["status"] for e in events(listener, "stylist_status")]
    assert statuses == ["acknowledged", "done"]
    row = app.store.query("SELECT status, associate FROM stylist_requests WHERE request_id = ?", (request_id,))[0]
    assert (row["status"], row["associate"]) == ("done", "Olga")
    after = Listener(broker.port, STORE_TOPIC + "+")
    time.sleep(0.5)
    assert after.messages == []  # nothing retained for a closed request
    after.close()


def test_a_request_nobody_acknowledges_is_escalated_and_the_shopper_told(kiosk):
    start, listener, commander, _ = kiosk
    app = start(escalate_after_s=1)
    request_id = build_and_submit(app)  # no tap: a session of the shopper's own, without a member reference
    step_until(app, lambda: status_text(app) == "stylist.status.escalated", "the escalation on screen")
    colours = set()
    step_until(app, lambda: colours.add(app.rt.parts.led_colour) or AMBER in colours, "the LED blinking amber")
    wait_for(lambda: events(listener, "stylist_status"), 10, "the escalation event")
    escalated = events(listener, "stylist_status")[0]["data"]
    assert (escalated["status"], escalated["escalated"]) == ("escalated", True)
    request = events(listener, "stylist_request")[0]["data"]
    assert request["member_ref"] is None and request["session_id"] == app.rt.machine.session_id
    wait_for(lambda: json.loads(queue(listener, request_id)[-1] or b"{}").get("status") == "escalated", 10,
             "the escalation on the store's topic")
    assert command(app, commander, "stylist_ack", {"request_id": request_id, "associate": "Ivan",
                                                   "eta_min": 0})["ok"]
    assert status_text(app) == "stylist.status.acknowledged"
    idle = tuple(c / 255 for c in app.rt.bundle.theme.colours["led_idle"])
    step_until(app, lambda: app.rt.parts.led_colour == pytest.approx(idle), "the LED back to its idle glow")


def test_duplicate_and_out_of_order_answers(kiosk):
    start, listener, commander, _ = kiosk
    app = start()
    request_id = build_and_submit(app)
    ack = {"request_id": request_id, "associate": "Olga", "eta_min": 4}
    assert command(app, commander, "stylist_ack", ack, cmd_id="ack-1")["ok"]
    again = command(app, commander, "stylist_ack", ack, cmd_id="ack-1")  # the same message delivered twice
    assert not again["ok"] and "duplicate" in again["error"]
    assert command(app, commander, "stylist_ack", ack)["ok"]  # Olga presses again: nothing changes
    other = command(app, commander, "stylist_ack", {**ack, "associate": "Ivan"})
    assert not other["ok"] and other["error"] == f"request {request_id} is already acknowledged by Olga"
    assert command(app, commander, "stylist_ack", {**ack, "eta_min": 7})["ok"]  # a new ETA from Olga
    assert command(app, commander, "stylist_done", {"request_id": request_id})["ok"]
    assert command(app, commander, "stylist_done", {"request_id": request_id})["ok"]  # done twice: done
    late = command(app, commander, "stylist_ack", ack)
    assert not late["ok"] and "is done" in late["error"]
    cancel = command(app, commander, "stylist_cancel", {"request_id": request_id, "reason": "other"})
    assert not cancel["ok"] and "is done" in cancel["error"]
    unknown = command(app, commander, "stylist_done", {"request_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"})
    assert unknown == {"cmd_id": unknown["cmd_id"], "ok": False, "error": "unknown request 01ARZ3NDEKTSV4RRFFQ69G5FAV"}
    bad = command(app, commander, "stylist_cancel", {"request_id": request_id, "reason": "bored"})
    assert not bad["ok"] and "reason" in bad["error"]
    wait_for(lambda: len(events(listener, "stylist_status")) == 3, 10, "three status events")
    statuses = [(e["data"]["status"], e["data"]["eta_min"]) for e in events(listener, "stylist_status")]
    assert statuses == [("acknowledged", 4), ("acknowledged", 7), ("done", 7)]


def test_a_request_made_while_the_broker_is_down_goes_out_when_it_is_back(kiosk, broker):
    start, _, _, _ = kiosk
    app = start()
    step_until(app, lambda: app.link.connected, "the kiosk connected")
    broker.stop()
    step_until(app, lambda: not app.link.connected, "the kiosk to notice the broker is gone")
    request_id = build_and_submit(app)
    assert status_text(app) == "stylist.status.saved"  # honest: it has not left the kiosk yet
    broker.start()
    step_until(app, lambda: status_text(app) == "stylist.status.open", "the request delivered after the outage",
               timeout=40)
    listener_back = Listener(broker.port, STORE_TOPIC + "+")
    wait_for(lambda: listener_back.messages, 10, "the request on the store's topic after the outage")
    assert json.loads(listener_back.messages[0][1])["request_id"] == request_id
    listener_back.close()
    back = Commander(broker.port)
    try:
        assert command(app, back, "stylist_ack", {"request_id": request_id, "associate": "Olga", "eta_min": 2},
                       )["ok"]
    finally:
        back.close()
    assert status_text(app) == "stylist.status.acknowledged"


def test_the_shopper_leaves_before_an_associate_answers(kiosk):
    start, listener, commander, _ = kiosk
    app = start()
    post(TapDetected(ANNA, "test", time.monotonic()))
    step_until(app, lambda: app.rt.ui.name == "welcome")
    request_id = build_and_submit(app)
    assert app.features.handle_action("done", time.monotonic())
    step_until(app, lambda: app.rt.ui.name == "attract", "the attract screen after the goodbye")
    assert app.features["stylist"].shopper is None  # nothing of their look is kept
    answer = command(app, commander, "stylist_ack", {"request_id": request_id, "associate": "Olga", "eta_min": 5})
    assert answer["ok"] and app.rt.ui.name == "attract"  # the next shopper sees nothing of it
    assert command(app, commander, "stylist_cancel", {"request_id": request_id, "reason": "shopper_left"})["ok"]
    wait_for(lambda: queue(listener, request_id)[-1:] == [b""], 10, "the request cleared")
    assert [e["data"]["reason"] for e in events(listener, "stylist_status")] == [None, "shopper_left"]


def test_open_requests_survive_a_restart(kiosk):
    start, _, commander, started = kiosk
    app = start()
    request_id = build_and_submit(app)
    app.stop()
    started.remove(app)
    app = start()
    assert request_id in app.features["stylist"].open
    assert command(app, commander, "stylist_done", {"request_id": request_id})["ok"]

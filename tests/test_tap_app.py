"""The kiosk app in-process with its nfcpy reader on the udp: driver and the tap emulator on the other side."""

import json
import threading
import time

import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.server.serve import BackendServer, build
from kiosk.tap.emulator import Card, CardEmulator, bare_tag, member_card, read_join_tag
from kiosk.trace import Tracer
from tests.helpers import free_port, wait_for, write_config

UID = bytes.fromhex("04A224B1C55E80")


@pytest.fixture
def device() -> str:
    return f"udp:127.0.0.1:{free_port()}"


@pytest.fixture
def app(tmp_path, device):
    settings = config.load(write_config(tmp_path, debug={"input_socket": ""}, nfc={"device": device}))
    kiosk = KioskApp(settings, demo=True, tracer=Tracer(tmp_path / "trace.jsonl"))
    kiosk.start()
    yield kiosk
    if kiosk.rt.running:
        kiosk.stop()


def run_until(app: KioskApp, predicate, timeout: float = 15.0) -> None:
    def stepped():
        app.run_once()
        return predicate()
    wait_for(stepped, timeout, "the app to reach the expected state")


def in_background(target, *args, **kwargs) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, kwargs=kwargs, daemon=True)
    thread.start()
    return thread


def events(app: KioskApp) -> list[dict]:
    return [json.loads(r["payload"]) for r in app.store.query("SELECT payload FROM outbox ORDER BY seq")]


def test_a_card_on_the_udp_reader_celebrates_then_welcomes(app, device):
    run_until(app, lambda: app.rt.reader_ok)
    in_background(CardEmulator(member_card("M-1001"), device).present)
    run_until(app, lambda: app.rt.ui.name == "celebrate")
    run_until(app, lambda: app.rt.ui.name == "welcome")
    assert app.rt.ui.current.view.member.name == "Anna"
    types = [e["type"] for e in events(app)]
    assert types[0] == "reader_status" and types[1:] == ["tap", "member_identified"]
    assert events(app)[0]["data"] == {"ok": True, "error": None, "can_emulate": True}


def test_bad_tag_is_an_event_and_nothing_else(app, device):
    run_until(app, lambda: app.rt.reader_ok)
    in_background(CardEmulator(Card(UID, ndef=b"\xd1\x01\x30\x55"), device).present)
    run_until(app, lambda: "tap_rejected" in [e["type"] for e in events(app)])
    assert app.rt.ui.name == "attract" and app.rt.machine.session_id is None
    rejected = [e for e in events(app) if e["type"] == "tap_rejected"]
    assert rejected[0]["data"] == {"reason": "ndef_malformed", "source": "nfc"}


def test_no_raw_uid_in_any_event(app, device, caplog):
    run_until(app, lambda: app.rt.reader_ok)
    in_background(CardEmulator(bare_tag(UID), device).present)
    run_until(app, lambda: app.rt.ui.name == "join")
    payloads = json.dumps(events(app)).lower()
    assert "tap" in payloads and UID.hex() not in payloads and UID.hex() not in caplog.text.lower()


@pytest.fixture
def backend():
    """The reference backend, which takes the join tokens the kiosk offers (the local one serves no phone page)."""
    server = BackendServer(build(":memory:", token="").app, "127.0.0.1", 0)
    server.start()
    yield server
    server.stop()


def with_backend(tmp_path, server: BackendServer, device: str) -> config.Settings:
    join_url = server.url.removesuffix("/v1") + "/join?s={token}"
    return config.load(write_config(tmp_path, debug={"input_socket": ""}, backend={"kind": "http", "url": server.url},
                                    nfc={"device": device, "join_url": join_url}))


@pytest.fixture
def joinable(tmp_path, device, backend):
    kiosk = KioskApp(with_backend(tmp_path, backend, device), demo=True)
    kiosk.start()
    yield kiosk
    kiosk.stop()


def test_phone_join_celebrates_and_reports_the_offer(joinable, device):
    app = joinable
    run_until(app, lambda: app.rt.reader_ok)
    first_url = app.rt.join_url()
    assert app.rt.ui.current.view.join_url == first_url  # the QR code on the attract screen shows the same URL
    phone = {}
    in_background(lambda: phone.update(url=read_join_tag(device, 20)))
    run_until(app, lambda: "phone_join_offered" in [e["type"] for e in events(app)], timeout=25)
    assert phone.get("url") in (None, first_url)  # the phone may still be closing its side
    offered = next(e for e in events(app) if e["type"] == "phone_join_offered")
    tap = next(e for e in events(app) if e["type"] == "tap")
    assert tap["data"]["credential"]["kind"] == "phone_join"
    assert offered["data"]["join_token"] == tap["data"]["credential"]["ref"]
    assert offered["data"]["session_id"] == tap["data"]["session_id"]
    assert app.rt.join_url() != first_url  # one-time: the next phone gets a fresh token


def test_reader_down_shows_the_qr_path_and_stop_closes_nfcpy_in_time(tmp_path, backend):
    settings = with_backend(tmp_path, backend, "tty:KIOSKTEST0:pn532")
    kiosk = KioskApp(settings, demo=True)
    kiosk.start()
    run_until(kiosk, lambda: kiosk.rt.reader_ok is False)
    assert kiosk.rt.ui.name == "attract" and not kiosk.rt.ui.current.animated  # the QR code replaces "tap here"
    run_until(kiosk, lambda: kiosk.rt.vitals["reader_ok"] is False)  # published for telemetry within a second
    status = next(e for e in events(kiosk) if e["type"] == "reader_status")
    assert status["data"]["ok"] is False and "KIOSKTEST0" in status["data"]["error"]
    started = time.monotonic()
    kiosk.stop()
    assert time.monotonic() - started < 5
    assert not kiosk.rt.reader._thread.is_alive()

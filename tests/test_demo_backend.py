"""`kiosk demo` with its reference backend: the join URL carries the machine's LAN address (loopback, said so,
without a network), and with no broker the backend's `session_joined` reaches the kiosk through its main loop.
Real parts: the Flask server on a socket, headless Chromium, the kiosk in-process and as a subprocess, and a
network namespace of its own (unshare) for a machine without a LAN."""

import ipaddress
import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
import requests

from kiosk import config
from kiosk.app import KioskApp
from kiosk.cli.demo_backend import lan_address, reference_backend
from kiosk.core.credential import Credential
from kiosk.tap.emulator import read_join_tag
from tests.browser import Chromium
from tests.helpers import REPO, KioskProcess, free_port, wait_for, write_config
from tests.test_app_flow import step_until, tap

NO_NETWORK = ("unshare", "--map-root-user", "--net")  # a network namespace of its own: only a loopback, down
NO_LAN = (*NO_NETWORK, "sh", "-c", 'ip link set lo up && exec "$@"', "no-lan")  # the loopback up, no LAN


def banner_url(demo: KioskProcess) -> str:
    return re.search(r"phone pages at (http://\S+) ", demo.log()).group(1)


def sign_up(browser: Chromium, url: str, phone: str) -> None:
    """Open the join URL as a phone would and sign up with ``phone`` and the required consent."""
    tab = browser.open(url)
    browser.wait_until(tab, "!!document.getElementById('phone')")
    browser.evaluate(tab, f"document.getElementById('phone').value = '{phone}';"
                          "document.getElementById('consent_personal').checked = true;"
                          "document.getElementById('join').click()")
    assert browser.wait_until(tab, "document.getElementById('welcome') && "
                                   "document.getElementById('welcome').textContent").startswith("Welcome")


def test_the_lan_address_is_the_default_routes_source_and_none_without_a_network():
    address = lan_address()
    assert address is None or not ipaddress.ip_address(address).is_loopback
    alone = subprocess.run([*NO_NETWORK, sys.executable, "-c",
                            "from kiosk.cli.demo_backend import lan_address; print(lan_address())"],
                           cwd=REPO, capture_output=True, text=True, timeout=60)
    assert alone.stdout.strip() == "None", alone.stderr


def test_the_demos_backend_tells_the_kiosk_session_joined_without_a_broker(tmp_path):
    settings = config.load(write_config(tmp_path, mqtt={"enabled": True, "port": 1},  # nothing listens there
                                        debug={"input_socket": ""}))
    with reference_backend(settings, "127.0.0.1") as demo:
        assert demo.backend.kind == "http" and demo.nfc.join_url == demo.backend.url[:-3] + "/join?s={token}"
        app = KioskApp(demo, demo=True)
        app.start()
        browser = Chromium(tmp_path / "chromium", accept_language="en")
        try:
            tap(app, Credential("uid", "a1b2c3d4e5"))
            step_until(app, lambda: app.rt.ui.name == "join")
            url = app.rt.join_url()
            wait_for(lambda: requests.get(url, timeout=3).status_code == 200, 10, "the kiosk's offer of its token")
            sign_up(browser, url, "+47 912 34 567")
            step_until(app, lambda: app.rt.ui.name == "welcome", timeout=15)
            assert app.rt.machine.member.points == 0
        finally:
            browser.close()
            app.stop()
    with pytest.raises(requests.ConnectionError):  # the block's end stopped the server
        requests.get(demo.backend.url + "/members/lookup?kind=ndef&value=M-1001", timeout=3)


def test_a_phone_on_the_lan_signs_up_at_the_demo_without_a_broker(tmp_path, kiosks):
    device = f"udp:127.0.0.1:{free_port()}"
    demo = KioskProcess(write_config(tmp_path, mqtt={"enabled": True, "port": 1},  # nothing listens there
                                     nfc={"device": device}))
    kiosks.append(demo)
    url = banner_url(demo)
    assert urlsplit(url).hostname == (lan_address() or "127.0.0.1")
    phone = read_join_tag(device, 15)  # a phone reads the kiosk's join tag on the attract screen: its URL
    assert phone.startswith(url + "/join?s=")
    browser = Chromium(tmp_path / "chromium", accept_language="en")
    try:
        sign_up(browser, phone, "+47 412 34 567")
    finally:
        browser.close()
    demo.wait_scene("welcome", timeout=15)  # the member who just signed up, told without MQTT
    assert demo.terminate() == 0


def test_without_a_network_the_demo_says_so_and_uses_loopback(tmp_path, kiosks):
    demo = KioskProcess(write_config(tmp_path, mqtt={"enabled": True, "port": 1}), wrapper=NO_LAN)
    kiosks.append(demo)
    assert urlsplit(banner_url(demo)).hostname == "127.0.0.1"
    assert "this machine has no LAN address" in demo.log()
    assert demo.send({"key": "1"}) == {"ok": True}  # Anna's card, looked up in the demo's backend
    demo.wait_scene("welcome")

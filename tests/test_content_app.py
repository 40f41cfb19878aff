"""Remote content updates on a running kiosk: the `update_content` command over a real broker, a bundle served
over real HTTP, the switch on the attract screen, the events, and the automatic rollback."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.content.serve import serve_in_background
from tests.bundles import make_bundle
from tests.helpers import Commander, KioskProcess, Listener, command_body, wait_for, write_config

ROOT = "loyalty/v1/kiosk-1"


@pytest.fixture
def setup(tmp_path, broker, kiosks):
    """A kiosk trusting a fresh key, a site to publish bundles on, a commander and a listener."""
    key = Ed25519PrivateKey.generate()
    site = tmp_path / "site"
    site.mkdir()
    server, url = serve_in_background(site)
    public = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    listener = Listener(broker.port, "#")
    config = write_config(tmp_path, mqtt_port=broker.port, mqtt={"telemetry_interval_s": 5},
                          content={"public_key": public})
    kiosk = KioskProcess(config)
    kiosks.append(kiosk)
    wait_for(lambda: listener.on(f"{ROOT}/status") == [b"online"], 10, "status online")
    commander = Commander(broker.port)
    yield key, site, url, kiosk, commander, listener, tmp_path / "state" / "content"
    commander.close()
    listener.close()
    server.shutdown()
    server.server_close()


def stages(listener):
    return [(e["data"]["stage"], e["data"]["version"], e["data"]["reason"])
            for e in listener.events() if e["type"] == "content_update"]


def test_a_good_update_shows_without_a_restart_and_survives_one(setup):
    key, site, url, kiosk, commander, listener, content = setup
    birth = json.loads(wait_for(lambda: listener.on(f"{ROOT}/birth"), 10, "birth")[0])
    assert birth["content_version"] == 1  # the built-in bundle
    make_bundle(site / "v2", key, 2, greeting="Finished")
    answer = commander.send("update_content", command_body("u-1", {"url": url + "v2/"}))
    assert answer["ok"] is True and answer["data"]["content_version"] == 1
    wait_for(lambda: ("switched", 2, None) in stages(listener), 20, "the switch to version 2")
    assert stages(listener) == [("accepted", None, None), ("downloading", 2, None), ("ready", 2, None),
                                ("switched", 2, None)]
    assert (content / "current").readlink().as_posix() == "versions/2"
    assert kiosk.scene() == "attract"
    wait_for(lambda: any(json.loads(t)["content_version"] == 2 for t in listener.on(f"{ROOT}/telemetry")),
             15, "telemetry with version 2")
    again = commander.send("update_content", command_body("u-2", {"url": url + "v2/"}))
    assert again["ok"] is True
    wait_for(lambda: ("refused", 2, "not_newer") in stages(listener), 20, "the replay refused")
    assert commander.send("restart", command_body("r-1"))["ok"]
    births = wait_for(lambda: [json.loads(b) for b in listener.on(f"{ROOT}/birth")][1:], 20, "a second birth")
    assert births[0]["content_version"] == 2


def test_a_bundle_that_fails_to_show_is_rolled_back(setup):
    key, site, url, kiosk, commander, listener, content = setup
    # Complete in every language, so it validates; but the attract scene needs that text.
    make_bundle(site / "v3", key, 3, drop_text="attract.title")
    assert commander.send("update_content", command_body("u-3", {"url": url + "v3/"}))["ok"]
    wait_for(lambda: any(s[0] == "rolled_back" for s in stages(listener)), 20, "the rollback")
    assert ("rolled_back", 3, "load_failed") in stages(listener)
    assert kiosk.scene() == "attract"
    assert not (content / "current").exists() and not (content / "versions" / "3").exists()
    assert (content / "rejected").read_text() == "3"
    ping = commander.send("ping", command_body("p-1"))
    assert ping["ok"] and ping["data"]["scene"] == "attract"


def test_updates_are_refused_without_a_pinned_key(tmp_path, broker, kiosks):
    kiosk = KioskProcess(write_config(tmp_path, mqtt_port=broker.port))
    kiosks.append(kiosk)
    commander = Commander(broker.port)
    try:
        answer = commander.send("update_content", command_body("u-1", {"url": "http://127.0.0.1:9/b/"}), 20)
        assert answer == {"cmd_id": "u-1", "ok": False,
                          "error": "remote content updates are off: no [content] public_key configured"}
    finally:
        commander.close()

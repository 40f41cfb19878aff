"""The prize wheel (kiosk/features/wheel): fair draws (chi-square), stock-following odds, caps and member limits,
the landing inside the drawn segment (in numbers and in pixels), the wheel file's checks, and spins driven end to
end through a real app (SDL dummy driver, MockFactory GPIO, the real SQLite store and LocalBackend)."""

import json
import logging
import random
import shutil
import time
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import pairwise

import pygame
import pytest

from kiosk import config
from kiosk.app import KioskApp
from kiosk.backend.errors import BackendRefused
from kiosk.backend.local import LocalBackend
from kiosk.content.bundle import Bundle, load_bundle, load_configured
from kiosk.content.schemas import DEFAULT_DIR
from kiosk.core.credential import Credential
from kiosk.core.messages import TapDetected
from kiosk.core.prizes import Awarded, Limits, Prize, Segment, Wheel, odds, pick, weights
from kiosk.exc import ContentError
from kiosk.features.wheel import events as ledger
from kiosk.features.wheel import flow
from kiosk.features.wheel.spin import OFFSET_MARGIN, plan_spin, segment_at
from kiosk.features.wheel.wheel_scene import WheelScene, WheelView
from kiosk.storage.prizes import awarded, count_award, today
from kiosk.storage.store import Store
from kiosk.ui.display import open_display
from kiosk.ui.look import Look
from tests.helpers import wait_for, write_config

CHI2_CRITICAL_P001 = {5: 20.515}  # the chi-square distribution's 0.999 quantile, by degrees of freedom
SEED = 20261128  # seeds this test's generator only; the kiosk draws with secrets.SystemRandom


def shipped_bundle() -> Bundle:
    return load_bundle(DEFAULT_DIR, media=False)


def shipped_wheel() -> Wheel:
    return shipped_bundle().files["wheel.json"]


def chi_square(counts: Counter, keys: list[str], probabilities: list[float]) -> float:
    total = sum(counts.values())
    return sum((counts[k] - total * p) ** 2 / (total * p) for k, p in zip(keys, probabilities, strict=True))


# Fairness, stock and limits: the pure draw.

def test_100000_draws_follow_the_weights():
    wheel = shipped_wheel()
    rng = random.Random(SEED)
    counts = Counter(pick(wheel, Awarded(), rng).key for _ in range(100_000))
    keys = [s.key for s in wheel.segments]
    statistic = chi_square(counts, keys, odds(wheel, Awarded()))
    assert statistic < CHI2_CRITICAL_P001[len(keys) - 1], (statistic, counts)
    # The same counts are far off a wheel whose segments were all alike: the test can tell a wrong table.
    assert chi_square(counts, keys, [1 / len(keys)] * len(keys)) > 100 * CHI2_CRITICAL_P001[len(keys) - 1]


def test_in_stock_mode_the_odds_follow_the_remaining_stock_and_stock_never_runs_below_zero():
    wheel = Wheel((Segment("gift", {}, 1, Prize("item", 1), stock=400), Segment("none", {}, 1)), odds="stock")
    assert odds(wheel, Awarded()) == [0.5, 0.5]
    assert odds(wheel, Awarded(total={"gift": 200})) == pytest.approx([1 / 3, 2 / 3])  # half the stock: half weight
    rng, given = random.Random(SEED), Counter()
    for _ in range(20_000):
        segment = pick(wheel, Awarded(total=dict(given)), rng)
        if segment.prize:
            given[segment.key] += 1
        assert given["gift"] <= 400
    assert given["gift"] == 400  # all given away in the end, never one more
    assert weights(wheel, Awarded(total={"gift": 400})) == [0.0, 1.0]


def test_a_daily_cap_closes_a_segment_for_the_day_only(tmp_path):
    wheel = Wheel((Segment("coffee", {}, 5, Prize("item", 1), stock=100, daily_cap=2), Segment("none", {}, 1)))
    store = Store(tmp_path / "state.db")
    with store.transaction() as tx:
        count_award(tx, "coffee", "2026-11-28")
        count_award(tx, "coffee", "2026-11-28")
    assert weights(wheel, awarded(store, "2026-11-28")) == [0.0, 1.0]
    assert weights(wheel, awarded(store, "2026-11-29")) == [5.0, 1.0]  # a new day, the same stock counter
    with store.transaction() as tx:
        count_award(tx, "coffee", "2026-11-29")
    assert awarded(store, "2026-11-29") == Awarded(total={"coffee": 3}, today={"coffee": 1})


def test_member_limits_per_day_week_and_campaign_and_the_cooldown():
    now = datetime(2026, 11, 28, 15, 0).timestamp()
    yesterday = now - 86400
    day = Limits(spins=2, period="day")
    assert flow.refusal(day, [yesterday, yesterday], now) is None  # yesterday's spins do not count today
    refused = flow.refusal(day, [now - 60, now - 30], now)
    assert refused.reason == "limit_day" and refused.next_at == datetime(2026, 11, 29).timestamp()
    week = Limits(spins=2, period="week")
    assert flow.refusal(week, [now - 8 * 86400, now - 60], now) is None
    assert flow.refusal(week, [now - 3 * 86400, now - 60], now).next_at == now - 3 * 86400 + 7 * 86400
    campaign = Limits(spins=3, period="campaign", until=date(2026, 11, 28))
    assert flow.refusal(campaign, [1.0, 2.0, 3.0], now).reason == "limit_campaign"
    assert flow.refusal(campaign, [1.0], now) is None  # the campaign's last day runs to the store's midnight
    assert flow.refusal(campaign, [], datetime(2026, 11, 29, 0, 0).timestamp()).reason == "campaign_over"
    cooldown = Limits(spins=10, period="day", cooldown_s=600)
    assert flow.refusal(cooldown, [now - 100], now) == flow.Refusal("cooldown", now + 500)
    assert flow.refusal(cooldown, [now - 700], now) is None


def test_the_local_backend_plays_a_draw_once_and_answers_a_retry_with_the_same_result(tmp_path):
    store = Store(tmp_path / "state.db")
    backend = LocalBackend(store, shipped_bundle)
    draw = backend.issue_draw("M-1001", "kiosk-1", "spin-1:issue")
    assert backend.issue_draw("M-1001", "kiosk-1", "spin-1:issue") == draw  # after a crash: the same draw
    result = backend.play_draw(draw.draw_id, "spin-1:play")
    assert backend.play_draw(draw.draw_id, "spin-1:play") == result  # the same result, no second draw
    with pytest.raises(BackendRefused, match="already-played"):
        backend.play_draw(draw.draw_id, "spin-2:play")
    with pytest.raises(BackendRefused, match="not-found"):
        backend.play_draw("no-such-draw-1", "spin-3:play")
    assert store.query("SELECT COUNT(*) AS n FROM local_draws")[0]["n"] == 1


# Landing: the drawn segment, every time.

@pytest.mark.parametrize("count", range(2, 17))
def test_the_spin_rests_inside_the_drawn_segment_for_every_segment(count):
    rng = random.Random(SEED + count)
    start_angle = 0.0
    for index in range(count):
        for offset in (0.0, 0.5, 1.0, rng.random()):
            plan = plan_spin(start=0.0, from_angle=start_angle, segments=count, index=index, offset=offset,
                             turns=rng.randint(5, 7), duration=7.0)
            rest = plan.angle(plan.end)
            assert segment_at(rest, count) == index, (count, index, offset)
            inside = ((-rest) % 360) / (360 / count) - index  # where in the segment, 0..1
            assert OFFSET_MARGIN - 1e-9 <= inside <= 1 - OFFSET_MARGIN + 1e-9
            assert rest - start_angle >= 5 * 360
            start_angle = rest % 360


def test_the_spin_starts_fast_decelerates_long_and_overshoots_a_little():
    plan = plan_spin(start=0.0, from_angle=0.0, segments=6, index=3, offset=0.4, turns=6, duration=7.0)
    times = [i / 240 * plan.duration for i in range(241)]
    angles = [plan.angle(t) for t in times]
    distance = plan.to_angle - plan.from_angle
    peak = max(range(len(angles)), key=angles.__getitem__)
    assert all(b >= a for a, b in pairwise(angles[:peak + 1]))  # forward, then
    assert all(b <= a for a, b in pairwise(angles[peak:]))  # back onto the rest
    assert 0 < angles[peak] - plan.to_angle <= 4.0  # a small overshoot
    half = next(t for t, a in zip(times, angles, strict=True) if a >= distance / 2)
    last_tenth = next(t for t, a in zip(times, angles, strict=True) if a >= distance * 0.9)
    assert half < 0.25 * plan.duration  # fast start
    assert plan.end - last_tenth > 0.35 * plan.duration  # long deceleration


def test_the_pointer_shows_the_drawn_segment_on_the_rendered_wheel():
    screen = open_display("headless", 1920, 1080)
    try:
        look = Look(load_bundle(DEFAULT_DIR), (1920, 1080))
        wheel = look.bundle.files["wheel.json"]
        scene = WheelScene(look)
        for index, segment in enumerate(wheel.segments):
            plan = plan_spin(start=0.0, from_angle=17.0 * index, segments=len(wheel.segments), index=index,
                             offset=random.Random(index).random(), turns=5, duration=7.0)
            scene.enter(WheelView("en", plan=plan), 0.0)
            scene.draw(screen, 0.0)
            scene.animate(screen, plan.end)
            disc = scene.disc()
            under_pointer = (disc.centre[0], disc.centre[1] - int(disc.radius * 0.93))  # below its tip
            assert screen.get_at(under_pointer)[:3] == segment.colour, segment.key
            scene.leave()
    finally:
        pygame.quit()


# The wheel file.

def wheel_file(**changes):
    data = json.loads((DEFAULT_DIR / "wheel.json").read_text())
    for path, value in changes.items():
        target, *keys = path.split("__")
        node = data
        for key in [target, *keys][:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        last = [target, *keys][-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data


@pytest.mark.parametrize(("changes", "fault"), [
    ({"segments": []}, "segments: expected a non-empty list of segments"),
    ({"segments__0__weight": -3}, "segments[0].weight: expected a number >= 0"),
    ({"segments__1__label": {"en": "No", "ru": "Нет"}}, "segments[1].label.nb: expected a text"),
    ({"segments__2__colour": "gold"}, "segments[2].colour: expected a colour"),
    ({"segments__0__prize": {"type": "car", "value": 1}}, "segments[0].prize.type: expected one of"),
    ({"segments__2__stock": -1}, "segments[2].stock: expected a whole number >= 0"),
    ({"limits": {"spins": 0, "period": "day"}}, "limits.spins: expected spins per member"),
    ({"limits": {"spins": 1, "period": "month"}}, "limits.period: expected one of day, week, campaign"),
    ({"limits": {"spins": 5, "period": "campaign"}}, "limits.until: expected the campaign's last day as YYYY-MM-DD"),
    ({"limits": {"spins": 5, "period": "campaign", "until": "2027-02-30"}}, "limits.until: expected the campaign's"),
    ({"limits": {"spins": 1, "period": "day", "until": "2027-01-31"}}, "limits.until: expected no value"),
    ({"odds": "luck"}, "odds: expected 'weights' or 'stock'"),
])
def test_a_broken_wheel_file_is_refused_naming_the_key(tmp_path, changes, fault):
    folder = tmp_path / "bundle"
    shutil.copytree(DEFAULT_DIR, folder)
    (folder / "wheel.json").write_text(json.dumps(wheel_file(**changes)))
    with pytest.raises(ContentError, match="wheel.json: " + fault.replace("[", r"\[").replace("]", r"\]")
                       .replace(".", r"\.").replace("(", r"\(")):
        load_bundle(folder, media=False)


def test_a_wheel_that_can_run_dry_is_refused_and_the_previous_content_kept(tmp_path, caplog):
    folder = tmp_path / "bundle"
    shutil.copytree(DEFAULT_DIR, folder)
    data = wheel_file()
    for segment in data["segments"]:  # every segment a prize with a stock: nothing left to land on one day
        segment.update(prize={"type": "item", "value": 1}, stock=10, redeem=data["segments"][0]["redeem"])
    (folder / "wheel.json").write_text(json.dumps(data))
    with pytest.raises(ContentError, match="a segment to fall back on when every stock is gone"):
        load_bundle(folder, media=False)
    with caplog.at_level(logging.WARNING):
        kept = load_configured(str(folder))
    assert kept.path == DEFAULT_DIR and "fall back on" in caplog.text


def test_a_low_chance_to_win_is_warned_about(tmp_path, caplog):
    folder = tmp_path / "bundle"
    shutil.copytree(DEFAULT_DIR, folder)
    data = wheel_file(min_win_chance=0.7)  # the shipped wheel pays 60 %
    (folder / "wheel.json").write_text(json.dumps(data))
    with caplog.at_level(logging.WARNING, logger="kiosk.features.wheel.content"):
        load_bundle(folder, media=False)
    assert "the chance to win anything is 60.0 %, below the 70 %" in caplog.text


# End to end in a real app.

@pytest.fixture
def app(tmp_path):
    settings = config.load(write_config(tmp_path, debug={"input_socket": ""}, wheel={"spin_s": 0.6}))
    kiosk = KioskApp(settings, demo=True)
    kiosk.start()
    yield kiosk
    kiosk.stop()


def run_until(app, predicate, what, timeout=15):
    wait_for(lambda: app.run_once() or predicate(), timeout, what)


def welcome(app, credential):
    app.features["welcome"]._on_tap(TapDetected(credential, "test", time.monotonic()))
    run_until(app, lambda: app.rt.ui.name == "welcome", "the welcome scene")
    app.features.handle_action("wheel:open", time.monotonic())
    assert app.rt.ui.name == "wheel"


def outbox(app, *types):
    marks = ",".join("?" * len(types))
    return [(row["seq"], row["type"], json.loads(row["payload"])["data"]) for row in
            app.store.query(f"SELECT seq, type, payload FROM outbox WHERE type IN ({marks}) ORDER BY seq", types)]


def test_a_spin_from_the_physical_button_draws_records_turns_and_shows_the_result(app):
    welcome(app, Credential("ndef", "M-1001"))
    led, buzzer = app.rt.parts.led, app.rt.parts.buzzer
    led_states = len(app.rt.parts.factory.pin(app.settings.gpio.status_led[0]).states)
    app.rt.parts.press("spin")  # a real gpiozero button on a mock pin: its callback posts to the main loop
    run_until(app, lambda: app.features["wheel"]._spin is not None and app.features["wheel"]._spin.plan,
              "the wheel to turn")
    assert app.rt.ui.current.animated
    app.rt.parts.press("spin")  # pressed again while it turns: changes nothing
    app.features.handle_action("wheel:spin", time.monotonic())
    run_until(app, lambda: app.rt.ui.name == "wheel_result", "the result")
    [row] = app.store.query("SELECT * FROM spins")
    assert row["state"] == "drawn" and row["shown_at"] is not None and row["member_ref"] == "M-1001"
    events = outbox(app, "spin", "prize_awarded")
    assert [e[1] for e in events] == (["spin", "prize_awarded"] if row["won"] else ["spin"])
    assert events[0][2]["segment"] == row["segment"] and events[0][2]["landing"] == row["landing"]
    assert OFFSET_MARGIN <= row["landing"] <= 1 - OFFSET_MARGIN
    view = app.rt.ui.current.view
    assert view.won == bool(row["won"])
    if row["won"]:
        assert events[1][0] == events[0][0] + 1 and events[1][2]["code"] == row["code"] == view.code
        assert awarded(app.store, today(time.time())).total == {row["segment"]: 1}
    wheel = app.rt.bundle.files["wheel.json"]
    assert segment_at(app.features["wheel"]._angle, len(wheel.segments)) == wheel.index(row["segment"])  # rests there
    assert len(app.rt.parts.factory.pin(app.settings.gpio.status_led[0]).states) > led_states  # the LED chased
    clicks = [change.state for change in buzzer.pin.states[1:]]  # on at a peg, off before the next frame
    assert clicks.count(1) >= 5 and clicks[-1] == 0 and led is app.rt.parts.led
    app.features.handle_action("done", time.monotonic())
    run_until(app, lambda: app.rt.ui.name == "goodbye", "the goodbye")
    assert app.features["wheel"]._result is None  # the code leaves memory with the screen that showed it


def test_limits_hold_a_refused_spin_draws_nothing_and_says_when_next(app):
    welcome(app, Credential("ndef", "M-1003"))
    for _ in range(3):  # the shipped wheel: 3 spins per member per day
        app.features.handle_action("wheel:spin", time.monotonic())
        run_until(app, lambda: app.rt.ui.name == "wheel_result", "the result")
        app.features.handle_action("wheel:open", time.monotonic())
    assert app.rt.ui.current.view.can_spin is False
    assert "tomorrow" in app.rt.ui.current.view.notice
    app.features.handle_action("wheel:spin", time.monotonic())
    assert app.rt.ui.name == "wheel"
    assert len(app.store.query("SELECT * FROM spins")) == 3
    assert outbox(app, "spin_refused")[-1][2]["reason"] == "limit_day"


def test_a_card_known_only_by_its_uid_cannot_spin(app):
    with app.store.transaction() as tx:  # a member who registered a plain card: cloneable, so no value
        tx.execute("INSERT INTO member_credentials(kind, value, member_ref) VALUES ('uid', 'c0ffee', 'M-1001')")
    welcome(app, Credential("uid", "c0ffee"))
    view = app.rt.ui.current.view
    assert view.can_spin is False and "cannot prove who you are" in view.notice
    app.features.handle_action("wheel:spin", time.monotonic())
    for _ in range(5):
        app.run_once()
    assert app.store.query("SELECT * FROM spins") == [] and app.store.query("SELECT * FROM local_draws") == []
    assert [e[2]["reason"] for e in outbox(app, "spin_refused")] == ["credential"]


def test_the_wheel_is_for_members_only(app):
    app.features.handle_action("wheel:open", time.monotonic())  # nobody on the screen
    assert app.rt.ui.name == "attract"
    app.features.handle_action("wheel:spin", time.monotonic())
    assert app.store.query("SELECT * FROM spins") == []


def test_the_rules_show_the_odds_of_the_next_spin(app):
    welcome(app, Credential("ndef", "M-1001"))
    app.features.handle_action("wheel:rules", time.monotonic())
    assert app.rt.ui.name == "wheel_rules"
    assert app.rt.ui.current.view.awarded == Awarded()
    app.features.handle_action("wheel:open", time.monotonic())
    assert app.rt.ui.name == "wheel"


def test_a_spin_a_restart_interrupted_is_finished_with_the_same_draw_and_shown_once(tmp_path):
    """What the SIGKILL test (test_wheel_crash.py) does at random points, here at the worst one: the backend drew
    and answered, and the kiosk died before it recorded the result."""
    settings = config.load(write_config(tmp_path, debug={"input_socket": ""}, wheel={"spin_s": 0.6}))
    store = Store(tmp_path / "state" / "state.db")
    backend = LocalBackend(store, shipped_bundle)
    with store.transaction() as tx:
        tx.execute("INSERT INTO spins(spin_id, session_id, member_ref, requested_at, state) "
                   "VALUES ('01JDQ7Z5X3K9M2N4P6R8T0V1W2', NULL, 'M-1001', ?, 'requested')", (time.time(),))
    drawn = backend.play_draw(backend.issue_draw("M-1001", "kiosk-1", "01JDQ7Z5X3K9M2N4P6R8T0V1W2:issue").draw_id,
                              "01JDQ7Z5X3K9M2N4P6R8T0V1W2:play")
    store.close()
    kiosk = KioskApp(settings, demo=True)
    kiosk.start()
    try:
        run_until(kiosk, lambda: kiosk.rt.ui.name == "wheel_result", "the recovered result")
        assert kiosk.rt.ui.current.view.recovered and kiosk.rt.ui.current.view.code == (drawn.code or "")
        [row] = kiosk.store.query("SELECT * FROM spins")
        assert row["state"] == "drawn" and bool(row["won"]) == drawn.won and row["shown_at"]
        assert [e[2]["recovered"] for e in outbox(kiosk, "spin")] == [True]
    finally:
        kiosk.stop()
    again = KioskApp(settings, demo=True)
    again.start()
    try:
        assert again.rt.ui.name == "attract"  # shown once: not again at the next start
        assert len(outbox(again, "spin")) == 1
    finally:
        again.stop()


# Two kiosks of one store, one backend.

def test_two_kiosks_sharing_a_backend_hold_the_members_daily_limit(tmp_path):
    from kiosk.backend.http import HttpBackend
    from kiosk.server.api import create_app
    from kiosk.server.serve import BackendServer
    from kiosk.server.service import LoyaltyService
    from kiosk.server.store import ServerStore

    service = LoyaltyService(ServerStore(str(tmp_path / "backend.db")), now=time.time, spins_per_day=1)
    service.seed([("M-1001", "Anna", 1240, "ndef", "M-1001")])
    server = BackendServer(create_app(service, "t0ken"), "127.0.0.1", 0)
    server.start()
    try:
        first, second = (HttpBackend(server.url, "t0ken", timeout_s=5) for _ in range(2))
        result = flow.draw("01JDQ7Z5X3K9M2N4P6R8T0V1W2", "M-1001", "kiosk-1").run(first)
        assert result.draw_id
        assert flow.draw("01JDQ7Z5X3K9M2N4P6R8T0V1W2", "M-1001", "kiosk-1").run(first) == result  # a retry
        with pytest.raises(BackendRefused, match="409 urn:kiosk:problem:limit-reached") as refused:
            flow.draw("01JDQ7Z5X3K9M2N4P6R8T0V1W3", "M-1001", "kiosk-2").run(second)
        assert flow.refused_by_backend(refused.value)
    finally:
        server.stop()


def test_the_reference_backend_and_the_kiosk_count_the_same_day_the_stores(tmp_path, monkeypatch):
    from zoneinfo import ZoneInfo

    from kiosk.backend.http import HttpBackend
    from kiosk.server.api import create_app
    from kiosk.server.serve import BackendServer
    from kiosk.server.service import LoyaltyService
    from kiosk.server.store import ServerStore

    oslo = ZoneInfo("Europe/Oslo")
    late, after_midnight, morning = (datetime(2026, 11, day, hour, 30, tzinfo=oslo).timestamp()
                                     for day, hour in ((28, 23), (29, 0), (29, 9)))
    clock = [late]
    monkeypatch.setenv("TZ", "Europe/Oslo")  # the kiosks' local time zone: the store's
    time.tzset()
    servers = []
    try:
        for name, zone in (("store", oslo), ("utc", ZoneInfo("UTC"))):
            service = LoyaltyService(ServerStore(str(tmp_path / f"{name}.db")), now=lambda: clock[0],
                                     spins_per_day=1, time_zone=zone)
            service.seed([("M-1001", "Anna", 1240, "ndef", "M-1001")])
            servers.append(BackendServer(create_app(service, "t0ken"), "127.0.0.1", 0))
            servers[-1].start()
        store, utc = (HttpBackend(server.url, "t0ken", timeout_s=5) for server in servers)
        limits = Limits(spins=1, period="day")
        spins = []
        for at, spin_id in ((late, "01JDQ7Z5X3K9M2N4P6R8T0V1W2"), (after_midnight, "01JDQ7Z5X3K9M2N4P6R8T0V1W3")):
            clock[0] = at
            assert flow.refusal(limits, spins, at) is None  # the kiosk: a new day in the store at midnight
            assert flow.draw(spin_id, "M-1001", "kiosk-1").run(store).draw_id  # the backend agrees
            spins.append(at)
        clock[0] = morning
        assert flow.refusal(limits, spins, morning).reason == "limit_day"  # that day's spin is had, on both
        with pytest.raises(BackendRefused, match="limit-reached"):
            flow.draw("01JDQ7Z5X3K9M2N4P6R8T0V1W4", "M-1001", "kiosk-1").run(store)
        # A server counting UTC days would have refused the spin just after the store's midnight (23:30 UTC).
        clock[0] = late
        flow.draw("01JDQ7Z5X3K9M2N4P6R8T0V1W5", "M-1001", "kiosk-1").run(utc)
        clock[0] = after_midnight
        with pytest.raises(BackendRefused, match="limit-reached"):
            flow.draw("01JDQ7Z5X3K9M2N4P6R8T0V1W6", "M-1001", "kiosk-1").run(utc)
    finally:
        for server in servers:
            server.stop()
        monkeypatch.undo()
        time.tzset()


def test_the_phone_page_lists_the_codes_kiosks_awarded_on_their_own(tmp_path):
    from kiosk.server.ingest import EventRecorder
    from kiosk.server.service import LoyaltyService
    from kiosk.server.store import ServerStore

    store = ServerStore(str(tmp_path / "backend.db"))
    service = LoyaltyService(store, now=time.time)
    service.seed([("M-1001", "Anna", 1240, "ndef", "M-1001")])
    expires = (datetime.now().astimezone() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    data = {"spin_id": "01JDQ7Z5X3K9M2N4P6R8T0V1W2", "member_ref": "M-1001", "segment": "coffee",
            "prize": {"type": "item", "value": 1}, "label": "Free coffee", "code": "WIN-ABCD2345",
            "code_expires_at": expires, "awarded_at": time.time()}
    envelope = {"schema": "kiosk.event/1", "event_id": "01JDQ7Z5X3K9M2N4P6R8T0V1W9", "seq": 7, "boot_id": "b",
                "kiosk_id": "kiosk-1", "store_id": "store-1", "type": "prize_awarded",
                "occurred_at": "2026-11-28T09:00:00.000Z", "clock_synced": True, "data": data}
    recorder = EventRecorder(store, "loyalty/v1")
    for _ in range(2):  # delivered twice (at least once): listed once
        recorder.apply("loyalty/v1/kiosk-1/events/prize_awarded", json.dumps(envelope).encode(), now=time.time())
    codes = service.reward_codes("M-1001")
    assert [c["code"] for c in codes] == ["WIN-ABCD2345"] and codes[0]["label"] == "A free coffee"


def test_a_swipe_on_the_wheel_spins_it(app):
    welcome(app, Credential("ndef", "M-1001"))
    width, height = app.rt.ui.screen.get_size()
    start, end = (width // 3, height // 2), (width // 3 + width // 4, height // 2)
    for kind, pos in ((pygame.MOUSEBUTTONDOWN, start), (pygame.MOUSEMOTION, end), (pygame.MOUSEBUTTONUP, end)):
        extra = {"button": 1} if kind != pygame.MOUSEMOTION else {"rel": (end[0] - start[0], 0), "buttons": (1, 0, 0)}
        pygame.event.post(pygame.event.Event(kind, pos=pos, **extra))
    run_until(app, lambda: app.rt.ui.name == "wheel_result", "the result of the swiped spin")
    assert len(app.store.query("SELECT * FROM spins WHERE state = 'drawn'")) == 1


def test_with_the_reference_backend_the_kiosk_shows_its_draw_and_the_phone_page_its_code(tmp_path):
    from kiosk.server.api import create_app
    from kiosk.server.serve import BackendServer
    from kiosk.server.service import LoyaltyService
    from kiosk.server.store import ServerStore

    service = LoyaltyService(ServerStore(str(tmp_path / "backend.db")), now=time.time, spins_per_day=1)
    service.seed([("M-1001", "Anna", 1240, "ndef", "M-1001")])
    server = BackendServer(create_app(service, "t0ken"), "127.0.0.1", 0)
    server.start()
    settings = config.load(write_config(tmp_path, debug={"input_socket": ""}, wheel={"spin_s": 0.6},
                                        backend={"kind": "http", "url": server.url, "token": "t0ken"}))
    kiosk = KioskApp(settings, demo=True)
    kiosk.start()
    try:
        welcome(kiosk, Credential("ndef", "M-1001"))
        kiosk.features.handle_action("wheel:spin", time.monotonic())
        run_until(kiosk, lambda: kiosk.rt.ui.name == "wheel_result", "the result")
        [row] = kiosk.store.query("SELECT * FROM spins")
        codes = [c["code"] for c in service.reward_codes("M-1001")]
        assert codes == ([row["code"]] if row["won"] else [])  # the code on the phone page is the one on screen
        assert kiosk.store.query("SELECT * FROM local_draws") == []  # the backend drew, not the kiosk
        kiosk.features.handle_action("wheel:open", time.monotonic())
        kiosk.features.handle_action("wheel:spin", time.monotonic())  # the content allows 3; the backend 1
        run_until(kiosk, lambda: outbox(kiosk, "spin_refused"), "the backend's refusal")
        assert outbox(kiosk, "spin_refused")[-1][2]["reason"] == "backend"
        assert [r["state"] for r in kiosk.store.query("SELECT state FROM spins ORDER BY requested_at")] == \
            ["drawn", "refused"]
        assert "Your next chance: tomorrow" in kiosk.rt.ui.current.view.notice
    finally:
        kiosk.stop()
        server.stop()


def test_the_reference_backend_never_gives_more_than_a_prizes_stock(tmp_path, monkeypatch):
    from kiosk.server import catalog
    from kiosk.server.service import LoyaltyService
    from kiosk.server.store import ServerStore

    monkeypatch.setattr(catalog, "WHEEL", (catalog.Segment("coffee", {"en": "Coffee"}, 50, stock=4),
                                           catalog.Segment("none", {"en": "No"}, 1, prize=False)))
    service = LoyaltyService(ServerStore(str(tmp_path / "backend.db")), now=time.time, rng=random.Random(SEED))
    service.seed([("M-1001", "Anna", 1240, "ndef", "M-1001")])
    results = [service.play_draw(service.issue_draw("M-1001", {"game": "wheel", "kiosk_id": "k"}, f"i{n}")["draw_id"],
                                 f"p{n}") for n in range(40)]
    assert sum(r["won"] for r in results) == 4


def test_a_result_a_restart_interrupted_long_ago_is_not_shown_to_whoever_walks_by(tmp_path):
    settings = config.load(write_config(tmp_path, debug={"input_socket": ""}))
    store = Store(tmp_path / "state" / "state.db")
    with store.transaction() as tx:  # a power cut in the evening; the kiosk is back the next morning
        tx.execute("INSERT INTO spins(spin_id, session_id, member_ref, requested_at, state, draw_id, segment, won, "
                   "label, code, code_expires_at, landing) VALUES ('01JDQ7Z5X3K9M2N4P6R8T0V1W2', NULL, 'M-1001', ?, "
                   "'drawn', 'draw-12345', 'coffee', 1, 'Free coffee', 'WIN-ABCD2345', '2027-01-01T00:00:00Z', 0.5)",
                   (time.time() - 12 * 3600,))
    store.close()
    kiosk = KioskApp(settings, demo=True)
    kiosk.start()
    try:
        for _ in range(3):
            kiosk.run_once()
        assert kiosk.rt.ui.name == "attract"
        assert kiosk.store.query("SELECT shown_at FROM spins")[0]["shown_at"] is not None  # its code: on the phone
    finally:
        kiosk.stop()


def test_back_from_the_wheel_to_the_profile_it_was_opened_from(app):
    welcome(app, Credential("ndef", "M-1001"))
    assert app.rt.ui.current.view.can_leave
    app.features.handle_action("wheel:rules", time.monotonic())
    app.features.handle_action("wheel:open", time.monotonic())  # back from the rules: still the way to the profile
    app.features.handle_action("wheel:back", time.monotonic())
    assert app.rt.ui.name == "welcome"


def spin_rows(app) -> dict[str, str]:
    return {row["spin_id"]: row["state"] for row in app.store.query("SELECT spin_id, state FROM spins")}


def past_spin(app, spin_id: str, at: float, state: str = "drawn", shown: bool = True) -> None:
    """A ledger row as an earlier spin left it."""
    ledger.request(app.store, spin_id, "S-old", "M-1001", at)
    if state == "refused":
        ledger.refuse(app.store, spin_id)
    else:
        with app.store.transaction() as tx:
            tx.execute("UPDATE spins SET state = 'drawn', segment = 'none', won = 0 WHERE spin_id = ?", (spin_id,))
        if shown:
            ledger.shown(app.store, spin_id, at + 10)


def test_the_ledger_keeps_a_members_spins_only_as_long_as_the_limit_counts_them(tmp_path):
    settings = config.load(write_config(tmp_path, debug={"input_socket": ""}))
    midnight = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    first = KioskApp(settings, demo=True)
    first.start()
    try:
        assert first.rt.bundle.files["wheel.json"].limits.period == "day"  # the shipped wheel: 3 spins a day
        past_spin(first, "yesterday", midnight - 60)
        past_spin(first, "refused-last-week", midnight - 6 * 86400, state="refused")
        past_spin(first, "today", midnight + 1)
    finally:
        first.stop()
    app = KioskApp(settings, demo=True)
    app.start()  # at start: what today's limit no longer counts goes
    try:
        assert spin_rows(app) == {"today": "drawn"}
        past_spin(app, "unfinished", midnight - 3600, shown=False)  # a result a restart has yet to settle
        past_spin(app, "day-before", midnight - 86400)
        app.run_once()
        assert "day-before" in spin_rows(app)  # not yet: once a day
        app.features["wheel"]._purge_at = time.monotonic()  # as if a day had passed
        app.run_once()
        assert spin_rows(app) == {"today": "drawn", "unfinished": "drawn"}
        # A campaign limit counts every spin while the campaign runs: nothing goes...
        wheel = app.rt.bundle.files["wheel.json"]
        past_spin(app, "long-ago", midnight - 90 * 86400)
        for last_day, kept in ((date.today(), {"long-ago", "today", "unfinished"}), (date.today() - timedelta(days=1),
                                                                                     {"unfinished"})):
            campaign = replace(wheel, limits=Limits(3, "campaign", until=last_day))
            app.rt.bundle = replace(app.rt.bundle, files={**app.rt.bundle.files, "wheel.json": campaign})
            app.features["wheel"]._purge_at = time.monotonic()
            app.run_once()
            assert set(spin_rows(app)) == kept  # ...and once it is over, every finished spin goes
    finally:
        app.stop()

"""The widget kit, drawn for real with pygame (SDL dummy driver) and the shipped fonts and themes: touch
targets of at least 9 mm, buttons that show a press and fire on release, the language switch, the consent
checkbox and its modal, progress that reads when nearly empty, a toast that comes and goes, and only changed
widgets redrawn."""

import itertools
import math
from pathlib import Path

import pygame
import pytest

from kiosk.config import LANGUAGES
from kiosk.content.bundle import DEFAULT_DIR, load_bundle
from kiosk.content.theme import missing_glyphs
from kiosk.ui.images import ImageCache
from kiosk.ui.input import Drag, Key, Press, Release, Swipe, Text
from kiosk.ui.kit import (
    PHONE_CHARACTERS,
    Button,
    Card,
    ConsentCheckbox,
    Grid,
    Keyboard,
    Modal,
    ProgressBar,
    ProgressRing,
    QrCode,
    TextField,
    Toast,
    done_button,
    language_switch,
    phone_pad,
)
from kiosk.ui.kit.keyboard import BACKSPACE, LAYOUT_NAMES, SHIFT, SPACE
from kiosk.ui.kit.scroll import FLING_TAU_S
from kiosk.ui.look import Look
from kiosk.ui.scene import Scene

REPO = Path(__file__).resolve().parents[1]
EVENING_DIR = REPO / "deploy" / "demo-content" / "evening"
SCREENS = [(1920, 1080), (1280, 720)]


@pytest.fixture(scope="module", autouse=True)
def display():
    pygame.init()
    pygame.display.set_mode((1, 1))
    yield
    pygame.quit()


@pytest.fixture(scope="module")
def bundle():
    return load_bundle(DEFAULT_DIR)


@pytest.fixture
def look(bundle):
    return Look(bundle, (1920, 1080))


def colour_at(screen, pos):
    return tuple(screen.get_at(pos))[:3]


def near(a, b, tolerance=4):
    """Colours equal but for the rounding of a smoothed (anti-aliased) edge."""
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def tap(widget, pos):
    """Press and lift at ``pos``; what the lift fired."""
    widget.handle(Press(pos))
    return widget.handle(Release(pos))


def consent(look):
    return ConsentCheckbox(look, pygame.Rect(200, 200, 1000, 220), "I agree to the terms", "consent",
                           "Read the terms", "Terms", "We keep your phone number. " * 30, "Close")


def every_widget(look):
    """One of each interactive widget, built as small as a careless scene would ask for."""
    modal = Modal(look, "Terms", "The terms.", "Close")
    modal.open()
    tiny = pygame.Rect(10, 10, 12, 12)
    field = TextField(look, tiny, "Email")
    keyboards = []
    for layout in ("latin", "cyrillic", "symbols"):  # a keyboard squeezed into a strip: it grows to fit its keys
        keyboard = Keyboard(look, pygame.Rect(0, look.size[1] - 100, look.size[0] // 2, 100), field)
        keyboard.layout = layout
        keyboards.append(keyboard)
    return [Button(look, tiny, "OK", "ok"), Button(look, tiny, "OK", "ok", "secondary"),
            Button(look, tiny, "OK", "ok", "quiet"), *language_switch(look, "en"), done_button(look, "en"),
            consent(look), modal, field, *keyboards, phone_pad(look, pygame.Rect(0, 0, 100, 100), field),
            Grid(look, pygame.Rect(0, 0, 20, 20), 9, (look.min_target, look.min_target), Cells(look), action="x")]


@pytest.mark.parametrize("size", SCREENS)
@pytest.mark.parametrize("diagonal", [10.1, 15.6, 32.0])
def test_every_touch_target_is_at_least_9_mm(bundle, size, diagonal):
    look = Look(bundle, size, diagonal)
    px_per_mm = math.hypot(*size) / (diagonal * 25.4)
    targets = [target for widget in every_widget(look) if widget.interactive for target in widget.targets()]
    assert len(targets) >= 9 + 3 * 30 + 12 + 1
    for target in targets:
        assert min(target.size) / px_per_mm >= 9.0, target


def test_a_smaller_screen_of_the_same_pixels_needs_bigger_targets(bundle):
    assert Look(bundle, (1920, 1080), 10.1).min_target > Look(bundle, (1920, 1080), 27).min_target


def test_a_button_shows_the_press_and_fires_on_release_over_it(look):
    screen = pygame.Surface(look.size)
    button = Button(look, pygame.Rect(300, 300, 400, 100), "Join", "join")
    button.draw(screen, 0.0)
    plain = colour_at(screen, (310, 350))
    assert plain == look.colour["accent"]
    assert button.handle(Press((500, 350))) is None and button.pressed and button.stale
    button.draw(screen, 0.0)
    assert colour_at(screen, (310, 350)) != plain  # the pressed face is visibly darker
    assert button.handle(Release((500, 350))) == "join"
    assert not button.pressed


def test_sliding_off_a_button_lets_it_go_without_firing(look):
    button = Button(look, pygame.Rect(300, 300, 400, 100), "Join", "join")
    button.handle(Press((500, 350)))
    button.handle(Drag((1500, 900), (1000, 550)))
    assert not button.pressed
    button.handle(Drag((520, 340), (-980, -560)))
    assert button.pressed  # back over it: pressed again
    button.handle(Drag((1500, 900), (980, 560)))
    assert button.handle(Release((1500, 900))) is None
    assert button.handle(Release((500, 350))) is None  # a lift with no press before it fires nothing


def test_button_kinds_draw_from_the_theme(bundle):
    """No colour is the kit's own: the evening theme's buttons are in the evening palette."""
    for source in (bundle, load_bundle(EVENING_DIR)):
        look = Look(source, (1920, 1080))
        screen = pygame.Surface(look.size)
        for kind, fill in (("primary", "accent"), ("secondary", "panel")):
            Button(look, pygame.Rect(300, 300, 400, 100), "OK", "ok", kind).draw(screen, 0.0)
            assert colour_at(screen, (320, 350)) == look.colour[fill]
    with pytest.raises(ValueError, match="kind"):
        Button(look, pygame.Rect(0, 0, 100, 100), "OK", "ok", "loud")


@pytest.mark.parametrize("current", LANGUAGES)
def test_the_language_switch_names_each_language_in_itself(look, current):
    switch = language_switch(look, current)
    assert [widget.label for widget in switch] == ["Русский", "·", "English", "·", "Norsk"]
    buttons = [widget for widget in switch if isinstance(widget, Button)]
    assert [button.action for button in buttons] == [f"lang:{code}" for code in LANGUAGES]
    assert [button.selected for button in buttons] == [code == current for code in LANGUAGES]
    rects = [widget.rect for widget in switch]
    assert all(a.right <= b.left for a, b in itertools.pairwise(rects))  # side by side, no overlap
    screen = pygame.Surface(look.size)
    screen.fill(look.colour["panel"])
    for widget in switch:
        widget.draw(screen, 0.0)
    for button in buttons:  # only the current language is in the accent colour
        inks = {colour_at(screen, (x, y)) for x in range(button.rect.left, button.rect.right)
                for y in range(button.rect.top, button.rect.bottom)}
        assert (look.colour["accent"] in inks) == button.selected


class KitScene(Scene):
    name = "kit"

    def compose(self, screen, now):
        self.buttons = [*language_switch(self.look, self.view.language), done_button(self.look, "en"),
                        consent(self.look)]


def test_a_scene_redraws_only_the_pressed_button_and_fires_on_release(look):
    screen = pygame.Surface(look.size)
    scene = KitScene(look)
    scene.draw(screen, 0.0)
    done = next(widget for widget in scene.buttons if widget.action == "done")
    before = screen.copy()
    assert scene.handle(Press(done.rect.center)) is None
    assert scene.moving(0.1)
    assert scene.refresh(screen, 0.1) == [done.rect]
    assert not scene.moving(0.2)
    changed = [(x, y) for x in range(0, look.size[0], 8) for y in range(0, look.size[1], 8)
               if screen.get_at((x, y)) != before.get_at((x, y))]
    assert changed and all(done.rect.collidepoint(point) for point in changed)
    assert scene.handle(Release(done.rect.center)) == "done"
    scene.refresh(screen, 0.2)
    assert pygame.image.tobytes(screen, "RGB") == pygame.image.tobytes(before, "RGB")  # the plain face is back


def test_a_press_goes_to_the_top_widget_only(look):
    scene = KitScene(look)
    scene.draw(pygame.Surface(look.size), 0.0)
    nb = next(widget for widget in scene.buttons if widget.action == "lang:nb")
    scene.handle(Press(nb.rect.center))
    assert [widget for widget in scene.buttons if getattr(widget, "pressed", False)] == [nb]
    assert scene.handle(Release(nb.rect.center)) == "lang:nb"


def test_the_consent_checkbox_toggles_and_opens_its_text_a_tap_away(look):
    screen = pygame.Surface(look.size)
    scene = KitScene(look)
    scene.draw(screen, 0.0)
    box = scene.buttons[-1]
    clean = screen.copy()
    assert tap(scene, box.box.center) == "consent:on" and box.checked
    scene.refresh(screen, 0.1)
    assert colour_at(screen, (box.box.left + 4, box.box.centery)) == look.colour["accent"]
    assert tap(scene, box.label_rect.center) == "consent:off" and not box.checked
    scene.refresh(screen, 0.2)
    assert pygame.image.tobytes(screen, "RGB") == pygame.image.tobytes(clean, "RGB")

    assert tap(scene, box.link.rect.center) is None
    assert box.terms.is_open and box.modal
    scene.refresh(screen, 0.3)
    corner = (5, 5)
    assert colour_at(screen, corner) != colour_at(clean, corner)  # the scene is dimmed under the modal
    done = next(widget for widget in scene.buttons if widget.action == "done")
    assert tap(scene, done.rect.center) is None  # the modal takes all input: Done under it is not hit
    assert not box.checked
    close = box.terms.close_button
    scene.handle(Press(close.rect.center))
    assert scene.refresh(screen, 0.35) == [close.rect]  # the pressed close button alone is redrawn
    assert scene.handle(Release(close.rect.center)) is None
    assert not box.terms.is_open
    scene.refresh(screen, 0.4)
    assert pygame.image.tobytes(screen, "RGB") == pygame.image.tobytes(clean, "RGB")


def test_a_modal_closes_by_its_button_or_a_tap_beside_it_and_fires_its_action(look):
    modal = Modal(look, "Terms", "The terms.", "Close", action="terms_read")
    assert tap(modal, modal.rect.center) is None  # closed: it takes nothing
    modal.open()
    assert tap(modal, modal.rect.center) is None and modal.is_open  # a tap on the card keeps it open
    assert tap(modal, modal.close_button.rect.center) == "terms_read" and not modal.is_open
    modal.open()
    assert tap(modal, (3, 3)) == "terms_read" and not modal.is_open


@pytest.mark.parametrize("size", SCREENS)
def test_a_modal_fits_long_terms_in_its_card(bundle, size):
    look = Look(bundle, size)
    screen = pygame.Surface(size)
    screen.fill(look.colour["background_top"])
    modal = Modal(look, "Условия", "Мы храним ваш номер телефона. " * 60, "Закрыть")
    modal.open()
    modal.draw(screen, 0.0)
    below_card = (modal.rect.centerx, min(size[1] - 1, modal.rect.bottom + look.space("m") * 2))
    assert colour_at(screen, below_card) != look.colour["background_top"]  # dimmed
    inks = {colour_at(screen, (x, y)) for x in range(modal.rect.left, modal.rect.right, 3)
            for y in range(modal.rect.top, modal.close_button.rect.top, 3)}
    assert look.colour["muted"] in inks or any(ink != look.colour["panel"] for ink in inks)


def test_a_nearly_empty_bar_still_shows_a_dot_of_progress(look):
    screen = pygame.Surface(look.size)
    screen.fill(look.colour["panel"])
    empty = ProgressBar(look, pygame.Rect(100, 100, 1000, 30), 0)
    nearly = ProgressBar(look, pygame.Rect(100, 200, 1000, 30), 0.004)
    half = ProgressBar(look, pygame.Rect(100, 300, 1000, 30), 0.5)
    for bar in (empty, nearly, half):
        bar.draw(screen, 0.0)
    assert colour_at(screen, (115, 115)) == look.colour["line"]  # the empty track is there
    assert colour_at(screen, (115, 215)) == look.colour["accent"]  # 0.4 % shows as a full dot
    assert colour_at(screen, (135, 215)) == look.colour["line"]
    assert colour_at(screen, (590, 315)) == look.colour["accent"] and colour_at(screen, (610, 315)) == look.colour[
        "line"]
    assert ProgressBar(look, pygame.Rect(0, 0, 100, 10), 7).value == 1.0


def test_a_nearly_empty_ring_still_shows_an_arc_from_twelve_o_clock(look):
    screen = pygame.Surface(look.size)
    screen.fill(look.colour["panel"])
    rect = pygame.Rect(100, 100, 300, 300)
    ring = ProgressRing(look, rect, 0.005)
    ring.draw(screen, 0.0)
    top = (rect.centerx + ring.thickness // 2, rect.top + ring.thickness // 2)
    assert near(colour_at(screen, top), look.colour["accent"])
    before_twelve = (rect.centerx - ring.thickness, rect.top + ring.thickness // 2)
    assert near(colour_at(screen, before_twelve), look.colour["line"])  # anticlockwise of twelve: the track
    nine = (rect.left + ring.thickness // 2, rect.centery)
    assert near(colour_at(screen, nine), look.colour["line"])
    ProgressRing(look, rect, 1.0).draw(screen, 0.0)
    assert near(colour_at(screen, nine), look.colour["accent"])


def test_a_card_is_a_panel_with_a_shadow_below(look):
    screen = pygame.Surface(look.size)
    screen.fill(look.colour["background_top"])
    card = Card(look, pygame.Rect(400, 300, 600, 400))
    card.draw(screen, 0.0)
    assert colour_at(screen, card.rect.center) == look.colour["panel"]
    below = (card.rect.centerx, card.rect.bottom + look.px(6))
    assert colour_at(screen, below) != look.colour["background_top"]  # the shadow
    assert card.area().contains(card.rect)


def test_a_toast_slides_in_stays_and_leaves_the_scene_as_it_was(look):
    screen = pygame.Surface(look.size)
    scene = KitScene(look)
    scene.draw(screen, 0.0)
    clean = screen.copy()
    toast = Toast(look, "Saved", now=1.0, hold_s=2.0)
    scene.buttons.append(toast)
    assert scene.moving(1.0)
    scene.refresh(screen, 1.0)
    inside = (toast.rect.left + look.px(40), toast.rect.top + 3)
    assert colour_at(screen, inside) == colour_at(clean, inside)  # not there yet
    scene.refresh(screen, 2.0)
    assert colour_at(screen, inside) == look.colour["text"]
    for now in (3.3, 3.5, 4.0):  # it fades out after its hold
        scene.refresh(screen, now)
    assert not scene.moving(4.1)
    assert pygame.image.tobytes(screen, "RGB") == pygame.image.tobytes(clean, "RGB")


def keyboard_with_field(look, language="en", **kwargs):
    field = TextField(look, pygame.Rect(100, 100, 900, 110), "Email", **kwargs)
    keyboard = Keyboard(look, pygame.Rect(0, look.size[1] - 480, look.size[0], 480), field, language=language)
    return keyboard, field


def type_keys(keyboard, *values):
    for value in values:
        key = keyboard.key(value)
        assert tap(keyboard, key.rect.center) is None


@pytest.mark.parametrize("size", SCREENS)
def test_the_keyboard_types_every_letter_digit_and_sign_in_each_layout(bundle, size):
    look = Look(bundle, size)
    keyboard, field = keyboard_with_field(look)
    assert keyboard.layouts == ("latin", "cyrillic", "symbols")
    latin = "qwertyuiopåasdfghjkløæzxcvbnm"
    type_keys(keyboard, *latin)
    assert field.text == latin
    field.clear()
    for letter in latin:  # shift: one capital, then small letters again
        type_keys(keyboard, SHIFT, letter)
    type_keys(keyboard, "q", SPACE, "@", ".")
    assert field.text == latin.upper() + "q @."
    field.clear()
    type_keys(keyboard, "cyrillic")
    assert keyboard.layout == "cyrillic"
    cyrillic = "йцукенгшщзхъфывапролджэёячсмитьбю"
    assert sorted(cyrillic) == sorted("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
    type_keys(keyboard, *cyrillic, SHIFT, "ё")
    assert field.text == cyrillic + "Ё"
    field.clear()
    type_keys(keyboard, "symbols", *"1234567890@.-+_", BACKSPACE, "latin", "a")
    assert field.text == "1234567890@.-+a"
    assert keyboard.layout == "latin"


def test_the_keyboard_opens_in_the_shoppers_script(look):
    assert Keyboard(look, pygame.Rect(0, 600, 1920, 480), TextField(look, pygame.Rect(0, 0, 9, 9)),
                    language="ru").layout == "cyrillic"
    assert keyboard_with_field(look, "nb")[0].layout == "latin"


def test_a_field_takes_what_it_allows_up_to_its_length_and_can_be_cleared(look):
    keyboard, field = keyboard_with_field(look, max_length=5, allowed="abc")
    type_keys(keyboard, "a", "x", "b", "c", "c", "a", "b")
    assert field.text == "abcca"
    field.handle(Key("backspace"))
    field.handle(Text("b"))
    assert field.text == "abccb"
    field.focus(False)
    field.handle(Text("a"))  # a field not focused takes no typing
    assert field.text == "abccb"
    field.clear()
    assert field.text == "" and field.stale


def test_the_phone_pad_types_a_phone_number(look):
    field = TextField(look, pygame.Rect(100, 100, 700, 110), "Phone", allowed=PHONE_CHARACTERS)
    pad = phone_pad(look, pygame.Rect(1000, 200, 800, 800), field)
    assert [key.value for key in pad.keys] == [*"123456789+0", BACKSPACE]
    assert all(key.rect.width <= key.rect.height * 1.6 + 1 for key in pad.keys)
    type_keys(pad, "+", *"4791234567", BACKSPACE, "8")
    assert field.text == "+4791234568"


def test_a_pressed_key_is_the_only_thing_redrawn_and_the_caret_follows_the_text(look):
    screen = pygame.Surface(look.size)
    keyboard, field = keyboard_with_field(look)

    class Form(Scene):
        name = "form"

        def compose(self, screen, now):
            self.buttons = [field, keyboard]

    scene = Form(look)
    scene.draw(screen, 0.0)
    caret_before = [x for x in range(field.rect.left, field.rect.right) if colour_at(screen, (x, field.rect.centery))
                    == look.colour["accent"] and x > field.rect.left + look.px(6)]
    key = keyboard.key("k")
    scene.handle(Press(key.rect.center))
    assert scene.refresh(screen, 0.1) == [key.rect]
    assert colour_at(screen, (key.rect.left + 6, key.rect.top + 12)) != look.colour["panel"]  # shows pressed
    scene.handle(Release(key.rect.center))
    redrawn = scene.refresh(screen, 0.2)
    assert set(map(tuple, redrawn)) == {tuple(field.rect), tuple(key.rect)}
    assert colour_at(screen, (key.rect.left + 6, key.rect.top + 12)) == look.colour["panel"]
    caret_after = [x for x in range(field.rect.left, field.rect.right) if colour_at(screen, (x, field.rect.centery))
                   == look.colour["accent"] and x > field.rect.left + look.px(6)]
    assert caret_before and caret_after and min(caret_after) > min(caret_before)  # moved right, past the "k"
    scene.handle(Press(keyboard.key(SHIFT).rect.center))
    scene.handle(Release(keyboard.key(SHIFT).rect.center))
    assert scene.refresh(screen, 0.3) == [keyboard.rect]  # every label changes case: the whole keyboard


@pytest.mark.parametrize("theme_dir", [DEFAULT_DIR, EVENING_DIR])
def test_every_key_label_has_its_glyphs_in_the_theme(theme_dir):
    look = Look(load_bundle(theme_dir), (1920, 1080))
    letters = "qwertyuiopåasdfghjkløæzxcvbnmйцукенгшщзхъфывапролджэёячсмитьбю1234567890@.-+_"
    assert missing_glyphs(look.font("title"), letters + letters.upper()) == []
    assert missing_glyphs(look.font("label"), "".join(LAYOUT_NAMES.values())) == []


class Cells:
    """A grid's renderer that counts what it renders: cell ``i`` is a solid square of its own shade."""

    def __init__(self, look):
        self.look, self.rendered = look, []

    def __call__(self, index, size):
        self.rendered.append(index)
        cell = pygame.Surface(size)
        cell.fill(self.shade(index))
        return cell

    @staticmethod
    def shade(index):
        return (index % 200, 40, 90)


def frames(widget, start, step=1 / 30, limit=10.0):
    """Run ``widget``'s motion frame by frame until it rests; the time it rested at."""
    now = start
    while widget.moving(now):
        now += step
        assert now - start < limit, "the motion never ended"
    return now


def grid_of(look, count=60, **kwargs):
    cells = Cells(look)
    grid = Grid(look, pygame.Rect(100, 100, 1000, 600), count, (480, 200), cells, across=2, action="item", **kwargs)
    return grid, cells


def test_a_grid_draws_only_the_cells_in_view_and_only_inside_itself(look):
    screen = pygame.Surface(look.size)
    screen.fill(look.colour["background_top"])
    grid, cells = grid_of(look)
    grid.draw(screen, 0.0)
    assert list(grid.visible()) == list(range(6)) and sorted(cells.rendered) == list(range(6))  # 3 rows in 600 px
    assert colour_at(screen, grid.cell_rect(3).center) == Cells.shade(3)
    assert colour_at(screen, (300, grid.rect.bottom + 2)) == look.colour["background_top"]  # row 3 is clipped
    grid.handle(Press((300, 600)))
    grid.handle(Drag((300, 300), (0, -300)))
    grid.draw(screen, 0.1)
    assert grid.offset == 300
    assert list(grid.visible()) == list(range(2, 10))
    # The press rendered a screenful ahead (rows 3-5); each cell is rendered once, and no further ahead.
    assert cells.rendered == sorted(set(cells.rendered)) == list(range(12))
    assert colour_at(screen, grid.cell_rect(7).center) == Cells.shade(7)


def test_a_tap_picks_the_cell_and_a_drag_does_not(look):
    grid, _ = grid_of(look)
    assert tap(grid, grid.cell_rect(5).center) == "item:5"
    grid.handle(Press(grid.cell_rect(1).center))
    grid.handle(Drag((600, 130), (0, -look.mm(5))))
    assert grid.handle(Release((600, 130))) is None
    assert tap(grid, (grid.rect.centerx, grid.rect.bottom + 20)) is None  # below the view: cell 6 is out of sight


def test_a_fling_slows_down_and_stops_at_the_end(look):
    grid, _ = grid_of(look)
    grid.handle(Press((300, 600)))
    grid.handle(Drag((300, 400), (0, -200)))
    grid.handle(Release((300, 400)))
    grid.handle(Swipe("up", 40000.0))
    rested = frames(grid, 1.0)
    assert grid.offset == grid.max_offset == 30 * 216 - 16 - 600  # stopped by the end, not past it
    assert rested < 1.0 + 3 * FLING_TAU_S
    grid.handle(Press((300, 400)))
    grid.handle(Drag((300, 600), (0, 200)))
    grid.handle(Release((300, 600)))
    grid.handle(Swipe("down", 40000.0))
    frames(grid, 5.0)
    assert grid.offset == 0


def test_a_gentle_fling_decelerates_to_rest_inside_the_list(look):
    grid, _ = grid_of(look)
    grid.handle(Press((300, 600)))
    grid.handle(Drag((300, 500), (0, -100)))
    grid.handle(Release((300, 500)))
    grid.handle(Swipe("up", 1000.0))
    assert grid.moving(0.0)
    offsets = []
    now = 0.0
    while grid.moving(now):
        offsets.append(grid.offset)
        now += 1 / 30
    steps = [b - a for a, b in itertools.pairwise(offsets[1:])]
    assert all(a >= b for a, b in itertools.pairwise(steps))  # each frame moves less than the one before
    assert grid.offset == pytest.approx(100 + 1000 * FLING_TAU_S, abs=10)
    assert 0 < grid.offset < grid.max_offset


def test_a_paged_grid_swipes_page_by_page_and_settles_on_a_page(look):
    cells = Cells(look)
    grid = Grid(look, pygame.Rect(0, 200, 1200, 500), 7, (1200, 500), cells, horizontal=True, paged=True,
                action="look")
    assert grid.pages == 7 and grid.max_offset == 6 * grid.page_length

    def swipe(direction, travel):
        grid.handle(Press((600, 450)))
        grid.handle(Drag((600 + travel, 450), (travel, 0)))
        grid.handle(Release((600 + travel, 450)))
        if direction:
            grid.handle(Swipe(direction, 3000.0))
        return frames(grid, 0.0)

    swipe("left", -150)
    assert grid.offset == grid.page_length and grid.page == 1
    swipe("right", 150)
    assert grid.offset == 0
    swipe(None, -700)  # dragged past half a page and let go slowly: the next page
    assert grid.offset == grid.page_length
    swipe(None, -300)  # less than half: back
    assert grid.offset == grid.page_length
    swipe("up", -150)  # a swipe across the paging direction moves no page
    assert grid.page == 1
    for _ in range(10):
        swipe("left", -150)
    assert grid.page == 6 and grid.offset == grid.max_offset  # the last page is the end
    assert tap(grid, (600, 450)) == "look:6"


def test_a_tappable_grid_refuses_cells_smaller_than_a_finger(look):
    with pytest.raises(ValueError, match="touch target"):
        Grid(look, pygame.Rect(0, 0, 500, 500), 10, (20, 20), Cells(look), action="x")
    Grid(look, pygame.Rect(0, 0, 500, 500), 10, (20, 20), Cells(look))  # a picture strip nobody taps is fine


def test_the_image_cache_scales_once_and_keeps_within_its_budget(tmp_path):
    files = []
    for i in range(6):
        image = pygame.Surface((400, 300))
        image.fill((i * 40, 100, 100))
        files.append(tmp_path / f"{i}.png")
        pygame.image.save(image, str(files[-1]))
    one = 100 * 100 * 4
    cache = ImageCache(budget_bytes=3 * one)
    first = cache.get(files[0], (100, 100), "fill")
    assert first.get_size() == (100, 100) and near(tuple(first.get_at((50, 50)))[:3], (0, 100, 100))
    assert cache.get(files[0], (100, 100), "fill") is first and (cache.hits, cache.misses) == (1, 1)
    assert cache.get(files[0], (100, 100), "fit").get_size() == (100, 75)  # all of it inside the box
    for file in files[1:4]:
        cache.get(file, (100, 100), "fill")
        assert cache.bytes <= cache.budget_bytes
    cache.get(files[1], (100, 100), "fill")  # used again: the most recent now
    cache.get(files[4], (100, 100), "fill")
    kept = [file.name for file in files if (file, (100, 100), "fill") in cache]
    assert kept == ["1.png", "3.png", "4.png"] and cache.bytes <= cache.budget_bytes
    huge = cache.get(files[5], (400, 400), "fit")  # over the whole budget: shown, not kept
    assert huge.get_size() == (400, 300) and (files[5], (400, 400), "fit") not in cache
    with pytest.raises(ValueError, match=r"missing\.png"):
        cache.get(tmp_path / "missing.png", (10, 10))
    with pytest.raises(ValueError, match="mode"):
        cache.get(files[0], (10, 10), "stretch")


def test_the_look_shares_one_image_cache_among_scenes(look):
    assert isinstance(look.images, ImageCache)
    assert KitScene(look).look.images is look.images


def test_a_qr_code_widget_draws_dark_modules_on_light(look):
    screen = pygame.Surface(look.size)
    screen.fill(look.colour["accent"])
    code = QrCode(look, pygame.Rect(100, 100, 400, 400), "https://example.com/j/abc")
    code.draw(screen, 0.0)
    inks = {colour_at(screen, (x, y)) for x in range(100, 500, 4) for y in range(100, 500, 4)
            if code.face.get_rect(center=code.rect.center).collidepoint(x, y)}
    assert inks == {(16, 16, 24), (255, 255, 255)}


def in_view(grid):
    """(index, the centre of its part in view) of every cell with a part in view."""
    parts = [(index, grid.cell_rect(index).clip(grid.rect)) for index in grid.visible()]
    return [(index, part.center) for index, part in parts if part.height > 1]


def test_a_fast_fling_renders_a_few_cells_a_frame_and_fills_in_the_blanks_at_rest(look):
    screen = pygame.Surface(look.size)
    grid, cells = grid_of(look, count=400)
    grid.draw(screen, 0.0)
    grid.handle(Press((300, 600)))
    grid.handle(Drag((300, 400), (0, -200)))
    grid.handle(Release((300, 400)))
    grid.handle(Swipe("up", 20000.0))
    rendered_before, now, blank_seen = len(cells.rendered), 0.0, False
    while grid.moving(now):
        grid.draw(screen, now)
        assert len(cells.rendered) - rendered_before <= 2  # the frame's share of rendering
        rendered_before = len(cells.rendered)
        blank_seen |= any(colour_at(screen, centre) == look.colour["panel"] for _, centre in in_view(grid))
        now += 1 / 60
    assert blank_seen
    for _ in range(5):  # at rest, the blanks fill in over a few frames
        if grid.stale:
            grid.draw(screen, now)
        grid.moving(now)
    assert [colour_at(screen, centre) for _, centre in in_view(grid)] == [Cells.shade(i) for i, _ in in_view(grid)]

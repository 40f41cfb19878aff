"""What a feature is, and what the app gives it (docs/architecture.md, "A feature is a package").

A feature subclasses :class:`Feature` and declares, each in one method: its scenes (with the view model each
one draws from), its commands, its event types, its content files, the messages it handles and the scene
actions it answers. Its pure flow lives in its own package and returns :class:`~kiosk.core.flow.Step` values;
its handlers hand those to :meth:`Context.apply`. A feature never calls requests, paho or nfcpy: backend
calls are :class:`~kiosk.core.flow.Call` values the app runs on a worker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.core.commands import CommandSpec
from kiosk.core.events import EventType
from kiosk.core.flow import Call, Event, Step
from kiosk.core.member import Member, Tier
from kiosk.core.session import SessionMachine
from kiosk.ui.look import Look
from kiosk.ui.scene import Scene, View

if TYPE_CHECKING:
    from kiosk.config import Settings
    from kiosk.content.bundle import Bundle
    from kiosk.content.library import Library, Trial
    from kiosk.content.schemas import FileSchema
    from kiosk.core.screen_power import ScreenPower
    from kiosk.devices.parts import KioskParts
    from kiosk.storage.store import Store
    from kiosk.trace import Tracer
    from kiosk.ui.manager import SceneManager


@dataclass(frozen=True)
class ViewSource:
    """What a scene's view model may be built from: the session's shopper and the kiosk's public state.

    The app builds it from live state; ``kiosk screenshot`` and ``kiosk content preview`` build it from demo data.
    """

    language: str
    member: Member | None
    tiers: tuple[Tier, ...]
    join_url: str | None
    reader_ok: bool
    credential_kind: str | None = None  # how the shopper on screen came: a card, the loyalty app, a phone_join
    held_until: float | None = None  # monotonic time until which the scene waits (see SessionMachine.hold)
    content: Mapping[str, Any] = field(default_factory=dict)  # the bundle's checked files by name (Bundle.files)
    actions: frozenset[str] = frozenset()  # the actions the installed features answer and offer (FeatureSet.offered)
    joined: bool = False  # the member joined during this session (SessionMachine.joined)


@dataclass(frozen=True)
class SceneSpec:
    """A scene a feature brings: how to build it for a look, its view model from a :class:`ViewSource`, and what
    entering it does besides drawing (``on_enter(ctx)``: the LED, a fresh join token), in this one place."""

    name: str
    build: Callable[[Look], Scene]
    view: Callable[[ViewSource], View] = lambda source: View(source.language)
    on_enter: Callable[[Context], None] | None = None


class Context(Protocol):
    """What a feature's handlers may use: the app implements it (kiosk/runtime.py). Main thread only."""

    settings: Settings
    machine: SessionMachine
    store: Store
    parts: KioskParts
    tracer: Tracer
    screen_power: ScreenPower
    bundle: Bundle
    content_library: Library
    crashed_trial: Trial | None  # the content switch a crash interrupted, rolled back at this start
    reader_ok: bool | None  # None: no NFC reader configured, or not reported yet
    next_session_id: str  # the id of the session the next tap starts; join tokens on the attract screen name it
    join_token: str
    join_expires_at: float  # monotonic time when the backend forgets the join token
    phone_join: bool  # a join URL configured and a backend serving phone pages: join tokens are offered
    join_failed: bool  # the backend refused or missed the join token's offer: no QR code is shown
    last_tap_at: float | None  # Unix time of the last tap, for telemetry

    def post(self, message: object) -> None:
        """Hand a message to the main loop (for adapters a feature starts, such as the content updater)."""

    def shown_scene(self) -> str:
        """The scene on the screen (the failsafe scene when the flow's scene failed to draw)."""

    def apply(self, step: Step, now: float) -> None:
        """Record the step's events, show its scene, start its calls."""

    def record(self, events: list[Event]) -> None:
        """Record events that report no scene change (one transaction, through the journal)."""

    def refresh(self, now: float) -> None:
        """Draw the current scene again from today's data (a new language, reader state, bundle)."""

    def call(self, call: Call) -> None:
        """Run a backend call on a worker; its reply comes back as a message."""

    def submit(self, work: Callable[..., Any], *args: Any) -> None:
        """Run slow work (an upload) on a worker; it may only post messages or answer a command."""

    def build_ui(self, bundle: Bundle) -> SceneManager:
        """The look and scenes of ``bundle`` on this screen, not shown yet: built a main-loop pass before
        :meth:`use_bundle` takes them, so that the pass that shows them does not build them too."""

    def use_bundle(self, bundle: Bundle, ui: SceneManager | None = None) -> None:
        """Hot-reload: the scenes and look of ``bundle`` (``ui``, from :meth:`build_ui`, or built now) replace
        the old ones, on the same screen."""

    def screen_png(self) -> tuple[bytes, tuple[int, int]]:
        """The screen as it shows now, as PNG bytes and its size."""

    def join_url(self) -> str | None:
        """The one-time sign-up URL of the current join token (None without a configured join URL)."""

    def new_join_token(self) -> None:
        """Retire the join token for a fresh one (tag and QR code), offered to the backend for the session on
        screen, or the one the next tap starts."""

    def restart(self) -> None:
        """Stop the loop and start afresh in the same process slot."""


def led_colour(ctx: Context, key: str) -> tuple[float, ...]:
    """A theme colour (``led_idle``, ``led_celebrate``) as the status LED takes it."""
    return tuple(c / 255 for c in ctx.bundle.theme.colours[key])


class Feature:
    """Subclass per feature package; :func:`kiosk.features.default_features` lists the ones the kiosk runs.

    Declarations (scenes, commands, events, content) must not need a context: `kiosk ops send` and the
    documentation tests read them without an app. Handlers run on the main thread after :meth:`start`.
    """

    name = ""

    def scenes(self) -> list[SceneSpec]:
        return []

    def commands(self) -> list[CommandSpec]:
        return []

    def events(self) -> list[EventType]:
        return []

    def content(self) -> list[FileSchema]:
        return []

    def offered(self, content: Mapping[str, Any]) -> bool:
        """Whether scenes offer a way into this feature with the bundle's checked files ``content`` (a bundle
        without the wheel's file has no wheel to spin, so the profile shows no button for it)."""
        return True

    def messages(self) -> Mapping[type, Callable[[Any], None]]:
        """Handlers of posted messages, by message class; each class has one owner among the features."""
        return {}

    def actions(self) -> Mapping[str, Callable[[str, float], None]]:
        """Handlers of scene actions by name; ``lang:nb`` goes to the handler of ``lang``."""
        return {}

    def vitals(self) -> dict:
        """What this feature adds to the kiosk's health (telemetry, birth); read on the main thread only."""
        return {}

    def start(self, ctx: Context) -> None:
        """The app is up (screen open, attract shown): keep ``ctx``, recover what a crash left."""
        self.ctx = ctx

    def tick(self, now: float) -> None:
        """Every turn of the main loop, after the messages: time-driven work (polls, trials)."""

    def stop(self, now: float) -> None:
        """The kiosk is stopping: record what must be recorded before the store closes."""

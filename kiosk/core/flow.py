"""What a feature's pure flow hands back to the app: a :class:`Step`.

A flow never does I/O. It returns the scene to show, the events to record (one transaction, with the state
change they report) and the backend calls to make (on a worker; the answer comes back as a message).

    >>> step = Step("celebrate", [Event("tap", {"session_id": "S1"})])
    >>> step.scene, [event.type for event in step.events], step.calls
    ('celebrate', ['tap'], [])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """One event to record: its ``type`` is registered with a feature (kiosk/features/).

    ``private`` holds what the event's ``persist`` hook stores with the state change but the event itself never
    carries (the contact details of a sign-up kept until the backend has them): the hook gets ``data`` and
    ``private`` merged, the outbox ``data`` alone.
    """

    type: str
    data: dict
    private: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Call:
    """A backend call: ``run(backend)`` on a worker; ``reply(result, error)`` makes the message posted back.

    ``error`` is the exception the call raised (the result is then None); the reply must turn it into a
    message the flow understands, so a failed call never goes unanswered.
    """

    run: Callable[[Any], Any]
    reply: Callable[[Any, Exception | None], object]


@dataclass(frozen=True)
class Step:
    """What the app must do: show ``scene`` (if not None), record ``events``, make ``calls``."""

    scene: str | None = None
    events: list[Event] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    def then(self, other: Step) -> Step:
        """This step followed by ``other``: the later scene wins, events and calls keep their order."""
        return Step(other.scene if other.scene is not None else self.scene, [*self.events, *other.events],
                    [*self.calls, *other.calls])

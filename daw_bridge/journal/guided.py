"""Guided critical listening: the method's checklist, aspect by aspect and then band by band (soloed).

:func:`run_checklist` walks the steps a session has not done yet; each step is answered (a note is stored and the
step marked ``answered``), skipped (marked ``skipped``), or the walk is stopped (the session stays open and the next
``journal session`` for the same headphone and reference resumes it). Band steps solo that band on the monitoring
path through the existing band-solo machinery (:func:`daw_bridge.monitoring.apply_monitoring`, level-compensated
and click-free like every monitoring change); the band solo the listener had before is put back when the walk ends.
The asking is a callable, so the CLI prompts with click and tests feed answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..bands import BANDS
from ..daw import Daw
from ..monitoring import apply_monitoring, load_state, save_state
from .notes import NoteInput, band_aspect
from .store import Journal


@dataclass(frozen=True)
class Step:
    """One checklist step: ``key`` (``aspect:bass``, ``band:sub``), the aspect, the band to solo, the question."""

    key: str
    aspect: str
    band: str | None
    prompt: str


CHECKLIST: tuple[Step, ...] = (
    Step("aspect:bass", "bass", None, "Bass: the kick against the bass line - how strong is the low end?"),
    Step("aspect:mids", "mids", None, "Mids: how does the vocal cut through?"),
    Step("aspect:highs", "highs", None, "Highs: the cymbals, and what feels near - how bright?"),
    Step("aspect:ambience", "ambience", None, "Ambience: how much reverb and room do you hear?"),
    Step("aspect:stereo image", "stereo image", None, "Stereo image: where do instruments sit left-right, how wide?"),
    Step("aspect:depth", "depth", None, "Depth: what sounds near and what far - how close is it all?"),
    Step("aspect:overall level", "overall level", None, "Overall level and timbre: how loud and full overall?"),
    *(Step(f"band:{b.name}", band_aspect(b.name), b.name,
           f"{b.name} band soloed ({b.low_hz:g}-{b.high_hz:g} Hz): how much is there?") for b in BANDS),
)
STEP_KEYS: tuple[str, ...] = tuple(s.key for s in CHECKLIST)

#: What the asker returns: a note, "skip", or "stop" (leave the rest for later).
Answer = NoteInput | Literal["skip", "stop"]
Asker = Callable[[Step, int, int], Answer]



def remaining(journal: Journal, session_id: int) -> list[Step]:
    """Steps this session has neither answered nor skipped, in checklist order."""
    done = journal.steps(session_id)
    return [s for s in CHECKLIST if s.key not in done]


@dataclass
class BandSolo:
    """Solo bands on the monitoring path and put the listener's own band solo back afterwards.

    ``daw`` None (no DAW reachable) makes band steps ask without soloing; ``base`` is the user data dir override.
    """

    daw: Daw | None
    base: Path | None = None

    def __post_init__(self) -> None:
        self.before: str | None = load_state(self.base).band if self.daw is not None else None
        self.changed = False

    def solo(self, band: str | None) -> None:
        if self.daw is None:
            return
        state = load_state(self.base)
        if state.band == band:
            return
        state = state.with_changes(band=band)
        apply_monitoring(self.daw, state, base=self.base)
        save_state(state, self.base)
        self.changed = True

    def restore(self) -> None:
        if self.changed:
            self.solo(self.before)


@dataclass(frozen=True)
class Walk:
    """Outcome of :func:`run_checklist`: steps answered/skipped now, whether the session is complete."""

    session_id: int
    answered: tuple[str, ...]
    skipped: tuple[str, ...]
    complete: bool


def run_checklist(journal: Journal, session_id: int, ask: Asker, *, solo: BandSolo,
                  steps: Sequence[Step] | None = None) -> Walk:
    """Ask every remaining step (or ``steps``); store answers; solo bands when a band step is asked."""
    todo = list(steps) if steps is not None else remaining(journal, session_id)
    answered: list[str] = []
    skipped: list[str] = []
    stopped = False
    try:
        for number, step in enumerate(todo, start=1):
            solo.solo(step.band)
            answer = ask(step, number, len(todo))
            if answer == "stop":
                stopped = True
                break
            if answer == "skip":
                journal.mark_step(session_id, step.key, "skipped")
                skipped.append(step.key)
                continue
            journal.add_observation(session_id, aspect=answer.aspect, band=step.band or answer.band,
                                    direction=answer.direction, strength=answer.strength,
                                    position_s=answer.position_s, text=answer.text)
            journal.mark_step(session_id, step.key, "answered")
            answered.append(step.key)
    finally:
        solo.restore()
    complete = not stopped and not remaining(journal, session_id)
    if complete:
        journal.end_session(session_id)
    return Walk(session_id, tuple(answered), tuple(skipped), complete)


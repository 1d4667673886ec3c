"""The REAPER shortcuts' journal events, answered by the running controller (``daw-bridge serve``).

* ``journal_note`` - from "journal note at playhead" (a ``GetUserInputs`` form: aspect, direction, strength,
  text; ``position_s`` is the play/edit position). The script has already put a tagged marker there; the controller
  stores the note in the open guided session of the current headphones and reference (opening one if needed). An
  empty aspect takes the current checklist step's.
* ``journal_step`` - from "next checklist step": closes the step on show (answered if a note came in for it, else
  skipped), shows the next one (soloing its band on the monitoring path) and stores it in the project
  (``daw_bridge``/``journal_step``) so the note form can show the question and pre-fill the aspect.

Headphones are those of the saved monitoring state when a correction preset is on (model = preset, correction on,
amp = the level profile's current output), else those of the journal's latest session. The reference is the A/B
loop's selected reference track; the level estimate comes from :mod:`daw_bridge.journal.context`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..daw import Daw
from ..errors import InvalidParameter
from ..monitoring import load_state
from .context import current_reference, listening_now
from .guided import CHECKLIST, BandSolo, Step, remaining
from .notes import parse_note
from .review import note_line
from .store import Journal, JournalError

STEP_STATE_KEY = "journal_step"


def _event_time(event: dict[str, Any]) -> str | None:
    """When the note was taken (the event's Unix time), as stored; None when the event has no usable time."""
    when = event.get("time")
    if not isinstance(when, int | float) or isinstance(when, bool) or not 0 < when < 1e11:
        return None
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def headphone_id(journal: Journal, *, base: Path | None = None, amp: str = "") -> int:
    """The headphone set-up being listened on now (see the module docstring)."""
    state = load_state(base)
    if state.headphones:
        return journal.headphone(state.headphones, preset=state.headphones, correction=True,
                                 crossfeed=state.crossfeed or "", amp=amp)
    rows = journal.query("SELECT headphone_id FROM listening_session ORDER BY id DESC LIMIT 1")
    if not rows:
        raise JournalError("which headphones? Switch a correction preset on (`daw-bridge headphones apply MODEL`) "
                           "or run `daw-bridge journal session --headphones MODEL` once (a note taken in REAPER "
                           "meanwhile stays as its marker)")
    return int(rows[0][0])


@dataclass
class JournalEvents:
    """Journal event handlers over ``daw`` and the journal at ``path`` (``base`` overrides the user data dir)."""

    daw: Daw
    path: Path
    base: Path | None = None
    shown: Step | None = None
    shown_session: int | None = None
    noted: bool = False
    solo: BandSolo | None = field(default=None, repr=False)

    def _session(self, journal: Journal) -> int:
        now = listening_now(self.daw)
        hp = headphone_id(journal, base=self.base, amp=now.output or "")
        title = current_reference(self.daw)
        ref = journal.reference(title) if title else None
        found = journal.open_guided_session(hp, ref)
        if found is not None:
            return found
        return journal.start_session(hp, ref, level_db=now.level_db,
                                     level_unit="dB SPL" if now.level_db is not None else "", source="guided")

    def note(self, event: dict[str, Any]) -> str:
        aspect = str(event.get("aspect") or "").strip()
        step = self.shown
        band = event.get("band") or None
        if step is not None and (not aspect or aspect.lower() == step.aspect):
            aspect, band = step.aspect, band or step.band
        if not aspect:
            raise InvalidParameter("the note has no aspect and no checklist step is on: fill in the aspect")
        note = parse_note(aspect=aspect, direction=event.get("direction", ""), strength=event.get("strength", 2),
                          band=band, position_s=event.get("position_s"), text=str(event.get("text") or ""))
        with Journal(self.path) as journal:
            session = self._session(journal)
            note_id = journal.add_observation(session, aspect=note.aspect, band=note.band, direction=note.direction,
                                    strength=note.strength, position_s=note.position_s, text=note.text,
                                    created_at=_event_time(event))
            if step is not None and self.shown_session == session and note.aspect == step.aspect:
                journal.mark_step(session, step.key, "answered")
                self.noted = True
            stored = journal.note(note_id)
        return f"note stored: {note_line(stored)}"

    def next_step(self, _event: dict[str, Any]) -> str:
        with Journal(self.path) as journal:
            session = self._session(journal)
            if self.shown is not None and self.shown_session == session and not self.noted:
                journal.mark_step(session, self.shown.key, "skipped")
            todo = remaining(journal, session)
            if self.solo is None:
                self.solo = BandSolo(self.daw, self.base)
            if not todo:
                journal.end_session(session)
                self.solo.restore()
                self.solo, self.shown, self.shown_session = None, None, None
                self.daw.set_project_state(STEP_STATE_KEY, "")
                return "checklist complete for this reference: see `daw-bridge journal patterns`"
            step = todo[0]
            self.solo.solo(step.band)
            self.shown, self.shown_session, self.noted = step, session, False
            number = CHECKLIST.index(step) + 1
            self.daw.set_project_state(STEP_STATE_KEY, json.dumps(
                {"key": step.key, "aspect": step.aspect, "band": step.band, "prompt": step.prompt,
                 "number": number, "total": len(CHECKLIST), "session": session}))
        return f"step {number}/{len(CHECKLIST)}: {step.prompt}"

    def event_handlers(self) -> dict[str, Callable[[dict[str, Any]], str]]:
        return {"journal_note": self.note, "journal_step": self.next_step}


def record_blind_result(path: Path, *, answer: str, guess: str, correct: bool, candidates: int | None = None,
                        base: Path | None = None) -> str | None:
    """Store a blind A/B round (``ab guess``) in the journal; returns a warning instead of failing the round."""
    try:
        with Journal(path) as journal:
            try:
                hp: int | None = headphone_id(journal, base=base)
            except JournalError:
                hp = None
            journal.add_blind_result(answer=answer, guess=guess, correct=correct, candidates=candidates,
                                     headphone_id=hp)
    except JournalError as exc:
        return f"not stored in the journal: {exc}"
    return None

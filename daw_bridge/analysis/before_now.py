"""Before/Now: what changed between two bounces of the same song, per section, in the terms of the findings.

Both bounces are measured over the same windows: the song sections found in the earlier bounce (``BEFORE``;
its 4 s windows when the song is too short for sections), applied unchanged to the later one (``NOW``), so a
section is compared with itself. The bounces are assumed to start at the same point of the song (no alignment:
render both from the same start); a difference in length gets a note.

Per section: level (LU), reverb, width, highs and dynamics (PLR) in dB, ``now - before``; the whole-bounce level
change is reported once, and a section's level only when it moved apart from it. A change counts when it
reaches the :class:`.compare.Thresholds` of its area; dynamics counts both ways here (the mix's own earlier
bounce is the reference).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidParameter
from .compare import Finding, Thresholds, message
from .engine import Progress, analyze_file
from .measurement import Measurement, to_plain
from .sections import Section

if TYPE_CHECKING:
    from .cache import AnalysisCache

#: Bounces whose lengths differ by more than this (s) get a note: sections may not line up.
LENGTH_NOTE_S = 0.5
#: Areas in report order.
AREAS = ("level", "reverb", "width", "highs", "dynamics")


@dataclass(frozen=True)
class SectionChange:
    """One section's ``now - before`` figures (None where either side has none): ``level_lu`` (LU), the rest in
    dB."""

    name: str
    role: str
    letter: str
    start_s: float
    end_s: float
    level_lu: float | None
    reverb_db: float | None
    width_db: float | None
    highs_db: float | None
    plr_db: float | None
    crest_db: float | None


@dataclass(frozen=True)
class BeforeNow:
    """Both measurements (same section windows), the per-section changes and the changes that count."""

    before: Measurement
    now: Measurement
    loudness_lu: float
    sections: tuple[SectionChange, ...]
    changes: tuple[Finding, ...]
    notes: tuple[str, ...] = ()
    #: Whether the whole bounce's level changed beyond the threshold (then ``changes[0]`` says so).
    level_changed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object: before, now, loudness_lu, sections, changes, notes (plain values)."""
        return {
            "before": to_plain(self.before),
            "now": to_plain(self.now),
            "loudness_lu": self.loudness_lu,
            "sections": [to_plain(s) for s in self.sections],
            "changes": [to_plain(c) for c in self.changes],
            "notes": list(self.notes),
        }


def _delta(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or not (math.isfinite(now) and math.isfinite(before)):
        return None
    return now - before


def _change(b: Section, n: Section) -> SectionChange:
    level = _delta(n.loudness_lufs, b.loudness_lufs)
    return SectionChange(
        name=b.name, role=b.role, letter=b.letter, start_s=b.start_s, end_s=b.end_s,
        level_lu=level,
        reverb_db=_delta(n.reverb_db, b.reverb_db),
        width_db=_delta(n.width_db, b.width_db),
        highs_db=_delta(n.highs_db, b.highs_db),
        plr_db=_delta(n.plr_db, b.plr_db),
        crest_db=_delta(n.crest_db, b.crest_db),
    )


def compare_bounces(before: Measurement, now: Measurement, *, thresholds: Thresholds | None = None) -> BeforeNow:
    """What changed from ``before`` to ``now``, two measurements over the same section windows."""
    thresholds = thresholds or Thresholds()
    if [s.start_s for s in before.sections] != [s.start_s for s in now.sections]:
        raise InvalidParameter(
            f"{before.name} and {now.name} were measured over different sections: measure both with measure_bounces"
        )
    overall = _delta(now.loudness.integrated_lufs, before.loudness.integrated_lufs) or 0.0
    sections = tuple(_change(b, n) for b, n in zip(before.sections, now.sections, strict=True))
    limits = {
        "level": thresholds.level_lu, "reverb": thresholds.reverb_db, "width": thresholds.width_db,
        "highs": thresholds.highs_db, "dynamics": thresholds.dynamics_db,
    }
    changes: list[Finding] = []
    if abs(overall) >= thresholds.level_lu:
        changes.append(Finding("level", 0.0, now.duration_s, overall, message("level", overall, than="before")))
    for s in sections:
        # a section's level counts when it moved apart from the whole bounce (its balance in the song changed)
        values = {"level": None if s.level_lu is None else s.level_lu - overall, "reverb": s.reverb_db,
                  "width": s.width_db, "highs": s.highs_db, "dynamics": s.plr_db}
        for area in AREAS:
            v = values[area]
            if v is not None and abs(v) >= limits[area]:
                text = message(area, v, than="before")
                changes.append(Finding(area, s.start_s, s.end_s, v, f"{s.name}: {text}", s.role, s.letter))
    notes = []
    if abs(now.duration_s - before.duration_s) > LENGTH_NOTE_S:
        notes.append(
            f"{now.name} is {now.duration_s:.1f} s, {before.name} {before.duration_s:.1f} s: sections are compared at "
            "the same times, so render both from the same start"
        )
    return BeforeNow(before, now, overall, sections, tuple(changes), tuple(notes),
                     level_changed=abs(overall) >= thresholds.level_lu)


def measure_bounces(
    before: str | Path, now: str | Path, *, cache: AnalysisCache | None = None, progress: Progress | None = None,
) -> tuple[Measurement, Measurement]:
    """Measure ``before`` over its own song sections and ``now`` over the same windows, with ``before``'s roles."""
    b = analyze_file(before, song_windows=True, cache=cache, progress=progress)
    windows = [(s.start_s, s.end_s, s.name) for s in b.sections if s.start_s < _duration(now)]
    n = analyze_file(now, sections=windows, structure=False, cache=cache, progress=progress)
    n = dataclasses.replace(
        n, sections=tuple(dataclasses.replace(s, role=r.role, letter=r.letter)
                          for s, r in zip(n.sections, b.sections, strict=False)),
    )
    if len(n.sections) < len(b.sections):
        b = dataclasses.replace(b, sections=b.sections[: len(n.sections)])
    return b, n


def _duration(path: str | Path) -> float:
    from ..audio import audio_info

    return audio_info(Path(path)).duration_s


__all__ = ["AREAS", "BeforeNow", "SectionChange", "compare_bounces", "measure_bounces"]

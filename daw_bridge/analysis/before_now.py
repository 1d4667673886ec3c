"""Before/Now: what changed between two bounces of the same song, per section, in the terms of the findings.

Both bounces are measured over the same song sections: those found in the earlier bounce (``BEFORE``; its 4 s
windows when the song is too short for sections), applied to the later one (``NOW``), so a section is compared with
itself. NOW is first aligned to BEFORE (:mod:`.align`, chroma/onset DTW): when an edit moved things (a bar added or
cut, a tempo change), BEFORE's section boundaries are mapped through the alignment into NOW; when timing did not
move (every boundary within :data:`SHIFT_TOLERANCE_S`), NOW is measured over exactly BEFORE's windows, as without
alignment. A difference in length gets a note either way.

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
#: Boundaries the alignment moves by less than this (s) stay where they are (timing unchanged).
SHIFT_TOLERANCE_S = 0.5
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
    #: Where the section lies in NOW (s): the same as in BEFORE unless the alignment moved it.
    now_start_s: float | None = None
    now_end_s: float | None = None


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
        now_start_s=n.start_s,
        now_end_s=n.end_s,
    )


def compare_bounces(before: Measurement, now: Measurement, *, thresholds: Thresholds | None = None) -> BeforeNow:
    """What changed from ``before`` to ``now``, two measurements over the same section windows."""
    thresholds = thresholds or Thresholds()
    if [s.name for s in before.sections] != [s.name for s in now.sections]:
        raise InvalidParameter(
            f"{before.name} and {now.name} were measured over different sections: measure both with measure_bounces"
        )
    moved = max((abs(n.start_s - b.start_s) for b, n in zip(before.sections, now.sections, strict=True)),
                default=0.0)
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
    if moved > 0.0:
        notes.append(
            f"{now.name} ({now.duration_s:.1f} s) was aligned to {before.name} ({before.duration_s:.1f} s) on "
            f"chroma and onsets: its sections were placed where the alignment maps {before.name}'s (moved by up to "
            f"{moved:.1f} s)"
        )
    elif abs(now.duration_s - before.duration_s) > LENGTH_NOTE_S:
        notes.append(
            f"{now.name} is {now.duration_s:.1f} s, {before.name} {before.duration_s:.1f} s: the alignment found no "
            "section moved, so sections are compared at the same times"
        )
    return BeforeNow(before, now, overall, sections, tuple(changes), tuple(notes),
                     level_changed=abs(overall) >= thresholds.level_lu)


def measure_bounces(
    before: str | Path, now: str | Path, *, cache: AnalysisCache | None = None, progress: Progress | None = None,
    align: bool = True,
) -> tuple[Measurement, Measurement]:
    """Measure ``before`` over its own song sections and ``now`` over the same sections, with ``before``'s roles:
    at the same times, or (``align`` and timing moved) where aligning ``now`` to ``before`` puts them."""
    b = analyze_file(before, song_windows=True, cache=cache, progress=progress)
    windows = [(s.start_s, s.end_s, s.name) for s in b.sections]
    if align and windows:
        windows = aligned_windows(before, now, windows)
    now_s = _duration(now)
    n = analyze_file(now, sections=[w for w in windows if w[0] < now_s], structure=False, cache=cache,
                     progress=progress)
    # pair in order by name: a section NOW lacks (cut, or past its end) is left out of both
    paired: list[Section] = []
    rest = iter(b.sections)
    for s in n.sections:
        paired.append(next(r for r in rest if r.name == s.name))
    n = dataclasses.replace(
        n, sections=tuple(dataclasses.replace(s, role=r.role, letter=r.letter)
                          for s, r in zip(n.sections, paired, strict=True)),
    )
    return dataclasses.replace(b, sections=tuple(paired)), n


def aligned_windows(
    before: str | Path, now: str | Path, windows: list[tuple[float, float, str]],
) -> list[tuple[float, float, str]]:
    """``windows`` of ``before`` placed in ``now`` through the chroma/onset alignment (:mod:`.align`); unchanged
    when no boundary moves by :data:`SHIFT_TOLERANCE_S` or more. Consecutive windows stay contiguous."""
    from .align import align_files, refine_s

    alignment = align_files(before, now)
    starts = [start for start, _end, _name in windows]
    if alignment.shift_s([*starts, windows[-1][1]]) < SHIFT_TOLERANCE_S:
        return windows

    def place(t: float) -> float:  # frame-level mapping, then to the sample where the waveforms match
        mapped = alignment.to_now_s(t)
        return mapped if mapped <= 0.0 or mapped >= alignment.now_s else refine_s(before, now, t, mapped)

    placed = {t: place(t) for t in {*starts, *(end for _s, end, _n in windows)}}
    out = []
    for k, (start, end, name) in enumerate(windows):
        a = placed[start]
        b = placed[windows[k + 1][0]] if k + 1 < len(windows) and windows[k + 1][0] <= end + 1e-6 else placed[end]
        if b > a:
            out.append((a, b, name))
    return out


def _duration(path: str | Path) -> float:
    from ..audio import audio_info

    return audio_info(Path(path)).duration_s


__all__ = ["AREAS", "BeforeNow", "SectionChange", "aligned_windows", "compare_bounces", "measure_bounces"]

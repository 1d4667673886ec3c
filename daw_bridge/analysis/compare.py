"""Mix against references: deviations (mix minus references; + means the mix has more), ranges and findings.

Every deviation except loudness compares level-independent figures, so turning the mix down changes only
``loudness_lu``. With one or two references the reference figure is their median; with three or more, each
figure also gets a :class:`Range` (median, 10th-90th percentile). Section findings compare each mix section with
the references' own sections (their range and median), never with a whole-track average: see :func:`_findings`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..bands import BANDS
from ..errors import InvalidParameter
from .measurement import Measurement, to_plain
from .sections import COMPARABLE_ROLES, Section

#: References needed before ranges are reported and used.
RANGE_MIN_REFERENCES = 3


@dataclass(frozen=True)
class Thresholds:
    """How far (dB / LU) a section may deviate before it becomes a finding."""

    reverb_db: float = 3.0
    width_db: float = 3.0
    highs_db: float = 2.0
    level_lu: float = 1.0
    dynamics_db: float = 3.0

    def __post_init__(self) -> None:
        for name in ("reverb_db", "width_db", "highs_db", "level_lu", "dynamics_db"):
            if not getattr(self, name) > 0:
                raise InvalidParameter(f"threshold {name}={getattr(self, name)} must be > 0")


@dataclass(frozen=True)
class Finding:
    """A stretch ``start_s``-``end_s`` where ``area`` (reverb|width|highs|level|dynamics) deviates by ``value`` dB/LU;
    ``role``/``letter`` of the mix sections it covers ("" for whole-track findings or unknown)."""

    area: str
    start_s: float
    end_s: float
    value: float
    message: str
    role: str = ""
    letter: str = ""


@dataclass(frozen=True)
class Range:
    """Spread of one figure across references: median and 10th/90th percentiles."""

    median: float
    p10: float
    p90: float


@dataclass(frozen=True)
class BandDeviation:
    """Per band: change of level re track (dB) and of side/mid ratio (dB; None without stereo on both sides)."""

    name: str
    low_hz: float
    high_hz: float
    level_db: float
    width_db: float | None


@dataclass(frozen=True)
class Deviation:
    """Mix minus references. ``rt60_ratio`` is mix RT60 / reference RT60 (None if either is unknown)."""

    loudness_lu: float
    highs_db: float
    width_db: float | None
    reverb_db: float | None
    rt60_ratio: float | None
    tilt_db_per_oct: float
    bands: tuple[BandDeviation, ...]


@dataclass(frozen=True)
class Comparison:
    """The whole answer: measurements, deviation, ranges (3+ references) and findings."""

    mix: Measurement
    references: tuple[Measurement, ...]
    deviation: Deviation
    findings: tuple[Finding, ...]
    ranges: dict[str, Range] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object: mix, references, deviation, findings, ranges, notes (plain values)."""
        out: dict[str, Any] = {
            "mix": to_plain(self.mix),
            "references": [to_plain(r) for r in self.references],
            "deviation": to_plain(self.deviation),
            "findings": [to_plain(f) for f in self.findings],
            "ranges": {k: to_plain(v) for k, v in self.ranges.items()},
            "notes": list(self.notes),
        }
        return out


def _median(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.median(known)) if known else None


def _range(values: Sequence[float | None]) -> Range | None:
    known = [v for v in values if v is not None and math.isfinite(v)]
    if len(known) < RANGE_MIN_REFERENCES:
        return None
    p10, med, p90 = np.percentile(known, [10, 50, 90])
    return Range(float(med), float(p10), float(p90))


def _diff(mix: float | None, ref: float | None) -> float | None:
    if mix is None or ref is None or not (math.isfinite(mix) and math.isfinite(ref)):
        return None
    return mix - ref


def _reverb_diff(mix: Sequence[float | None], refs: Sequence[Sequence[float | None]]) -> float | None:
    """Mean over broad bands (known on both sides) of mix R/D minus the references' median R/D."""
    diffs = [_diff(mix[b], _median([r[b] for r in refs])) for b in range(len(mix))]
    known = [d for d in diffs if d is not None]
    return float(np.mean(known)) if known else None


def _reverb_bands(m: Measurement) -> tuple[float | None, ...]:
    return tuple(b.reverb_db for b in m.reverb.bands)


def _figures(m: Measurement) -> dict[str, float | None]:
    return {
        "loudness_lufs": m.loudness.integrated_lufs,
        "highs_db": m.balance.highs_db,
        "width_db": m.width.side_mid_db if m.width else None,
        "reverb_db": m.reverb.reverb_db,
        "rt60_s": m.reverb.rt60_s,
        "tilt_db_per_oct": m.balance.tilt_db_per_oct,
        **{f"band_{b.name}_level_db": b.level_db for b in m.balance.bands},
        **{f"band_{b.name}_width_db": b.side_mid_db for b in (m.width.bands if m.width else ())},
    }


def compare(
    mix: Measurement, refs: Sequence[Measurement], *, thresholds: Thresholds = Thresholds()
) -> Comparison:
    """Deviations of ``mix`` from ``refs`` and the sections that deviate beyond ``thresholds``."""
    if not refs:
        raise InvalidParameter("compare needs at least one reference measurement")
    ref_figs = [_figures(r) for r in refs]
    ref = {k: _median([f.get(k) for f in ref_figs]) for k in _figures(mix)}
    mix_figs = _figures(mix)
    ranges: dict[str, Range] = {}
    if len(refs) >= RANGE_MIN_REFERENCES:
        for key in mix_figs:
            r = _range([f.get(key) for f in ref_figs])
            if r is not None:
                ranges[key] = r
    bands = tuple(
        BandDeviation(
            b.name, b.low_hz, b.high_hz,
            _diff(mix_figs[f"band_{b.name}_level_db"], ref[f"band_{b.name}_level_db"]) or 0.0,
            _diff(mix_figs.get(f"band_{b.name}_width_db"), ref.get(f"band_{b.name}_width_db")),
        )
        for b in BANDS
    )
    rt60 = ref["rt60_s"]
    deviation = Deviation(
        loudness_lu=_diff(mix_figs["loudness_lufs"], ref["loudness_lufs"]) or 0.0,
        highs_db=_diff(mix_figs["highs_db"], ref["highs_db"]) or 0.0,
        width_db=_diff(mix_figs["width_db"], ref["width_db"]),
        reverb_db=_reverb_diff(_reverb_bands(mix), [_reverb_bands(r) for r in refs]),
        rt60_ratio=mix.reverb.rt60_s / rt60 if mix.reverb.rt60_s is not None and rt60 else None,
        tilt_db_per_oct=_diff(mix_figs["tilt_db_per_oct"], ref["tilt_db_per_oct"]) or 0.0,
        bands=bands,
    )
    findings, section_notes = _findings(mix, refs, ref, ranges, deviation, thresholds)
    return Comparison(mix, tuple(refs), deviation, tuple(findings), ranges, _notes(mix, refs) + section_notes)


def _outside(value: float, key: str, ranges: dict[str, Range]) -> bool:
    r = ranges.get(key)
    return r is None or not r.p10 <= value <= r.p90


#: Sections further than this (LU) below their file's integrated loudness are not compared (silence, count-ins,
#: tails); relative, so a copy at another level keeps the same sections.
SECTION_MIN_LU = 30.0
#: How far (dB) a section must lie beyond the references' own section range before it counts (measurement
#: noise: a copy of a file at another level differs in the last float digits).
SPREAD_MARGIN_DB = 0.5


def _section_figure(m: Measurement, s: Section, area: str) -> float | None:
    value = {"reverb": s.reverb_db, "width": s.width_db, "highs": s.highs_db, "dynamics": s.plr_db}[area]
    if value is None or not math.isfinite(value) or not s.loudness_lufs > m.loudness.integrated_lufs - SECTION_MIN_LU:
        return None
    return float(value)


def _findings(
    mix: Measurement,
    refs: Sequence[Measurement],
    ref: dict[str, float | None],
    ranges: dict[str, Range],
    deviation: Deviation,
    thresholds: Thresholds,
) -> tuple[list[Finding], tuple[str, ...]]:
    """Sections of the mix that lie outside what the references themselves do in comparable sections.

    For each area and mix section, the references' sections of the same role (chorus-like with chorus-like; see
    :data:`.sections.COMPARABLE_ROLES`) give a median and a range (lowest to highest); where the references have
    no section of that role, or the mix section's role is unknown, all their sections do, with a note. A mix
    section is a finding when it lies beyond that range by more than :data:`SPREAD_MARGIN_DB` and further than the
    threshold from the median; its value is the distance from that median. A file compared with itself, or with a
    copy at another level, therefore never gets a finding (same audio, same roles). Dynamics (section PLR) is
    flagged one way only: a section more compressed than the references' comparable sections."""
    limits = {"highs": thresholds.highs_db, "width": thresholds.width_db, "reverb": thresholds.reverb_db,
              "dynamics": thresholds.dynamics_db}
    raw: list[tuple[str, float, float, float, str, str]] = []
    unmatched: set[str] = set()
    for area, limit in limits.items():
        pools: dict[str, list[float]] = {}
        for r in refs:
            for s in r.sections:
                if (v := _section_figure(r, s, area)) is not None:
                    pools.setdefault("", []).append(v)
                    if s.role in COMPARABLE_ROLES:
                        pools.setdefault(s.role, []).append(v)
        if not pools:
            continue
        for s in mix.sections:
            value = _section_figure(mix, s, area)
            if value is None:
                continue
            pool = pools.get(s.role) if s.role in COMPARABLE_ROLES else None
            if pool is None:
                if s.role in COMPARABLE_ROLES:
                    unmatched.add(s.role)
                pool = pools[""]
            lo, hi, med = min(pool), max(pool), float(np.median(pool))
            # dynamics: only a mix more compressed (lower PLR) than the references is flagged
            beyond = (value > hi + SPREAD_MARGIN_DB and area != "dynamics") or value < lo - SPREAD_MARGIN_DB
            if beyond and abs(value - med) >= limit:
                raw.append((area, s.start_s, s.end_s, value - med, s.role, s.letter))
    findings = _merge(raw)
    level = deviation.loudness_lu
    if abs(level) >= thresholds.level_lu and _outside(mix.loudness.integrated_lufs, "loudness_lufs", ranges):
        findings.insert(0, Finding("level", 0.0, mix.duration_s, level, message("level", level)))
    notes = tuple(
        f"no reference section is {role}: the mix's {role} sections are compared with all reference sections"
        for role in sorted(unmatched)
    )
    return findings, notes


def section_deviations(mix: Measurement, refs: Sequence[Measurement]) -> dict[str, list[float | None]]:
    """Per area (reverb, width, highs), each mix section's distance (dB) from the median of the references'
    sections, measured as :func:`_findings` measures it (None where the section is not compared): the figures
    the report's timeline draws for every section, findings or not."""
    out: dict[str, list[float | None]] = {}
    for area in ("reverb", "width", "highs"):
        pool = [v for r in refs for s in r.sections if (v := _section_figure(r, s, area)) is not None]
        med = float(np.median(pool)) if pool else None
        values = [_section_figure(mix, s, area) for s in mix.sections]
        out[area] = [None if v is None or med is None else v - med for v in values]
    return out


def _merge(raw: list[tuple[str, float, float, float, str, str]]) -> list[Finding]:
    """Join adjacent sections of the same area, sign and song section; the value is their mean."""
    out: list[Finding] = []
    for area in ("reverb", "width", "highs", "dynamics"):
        runs: list[list[tuple[str, float, float, float, str, str]]] = []
        for item in sorted((r for r in raw if r[0] == area), key=lambda r: r[1]):
            last = runs[-1][-1] if runs else None
            if (
                last is not None
                and abs(item[1] - last[2]) < 1e-6
                and (item[3] > 0) == (last[3] > 0)
                and (item[4], item[5]) == (last[4], last[5])
            ):
                runs[-1].append(item)
            else:
                runs.append([item])
        for run in runs:
            value = float(np.mean([r[3] for r in run]))
            out.append(Finding(area, run[0][1], run[-1][2], value, message(area, value), run[0][4], run[0][5]))
    return sorted(out, key=lambda f: (f.start_s, f.area))


_WORDS = {
    "reverb": ("wetter", "drier"),
    "width": ("wider", "narrower"),
    "highs": ("brighter", "duller"),
    "level": ("louder", "quieter"),
    "dynamics": ("more open", "more compressed"),
}


def message(area: str, value: float, *, than: str = "references") -> str:
    """A mixer's sentence: ``reverb 4.2 dB drier than references`` (``than``: what it is compared with)."""
    more, less = _WORDS[area]
    unit = "LU" if area == "level" else "dB"
    noun = {"highs": "highs (5-20 kHz vs 300 Hz-3 kHz)", "width": "width (side/mid)",
            "dynamics": "dynamics (peak to loudness)"}.get(area, area)
    return f"{noun} {abs(value):.1f} {unit} {more if value > 0 else less} than {than}"


def _notes(mix: Measurement, refs: Sequence[Measurement]) -> tuple[str, ...]:
    notes = []
    for r in refs:
        if r.rate != mix.rate:
            notes.append(f"{r.name} is {r.rate} Hz, mix is {mix.rate} Hz: each measured at its own rate")
        if r.channels != mix.channels:
            notes.append(
                f"{r.name} has {r.channels} channel(s), mix has {mix.channels}: width compared where both are stereo"
            )
    if mix.reverb.rt60_s is None:
        notes.append(f"mix reverb: {mix.reverb.reason}")
    return tuple(notes)


__all__ = [
    "BandDeviation",
    "Comparison",
    "Deviation",
    "Finding",
    "RANGE_MIN_REFERENCES",
    "Range",
    "Thresholds",
    "compare",
    "message",
    "section_deviations",
]

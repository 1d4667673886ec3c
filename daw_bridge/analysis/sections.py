"""Time-resolved figures: fixed windows (default 4 s) or given regions, each measured like the whole file."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import InvalidParameter
from .ambience import ratio_db
from .balance import band_levels_db, highs_ratio_db
from .loudness import MOMENTARY_SUBBLOCKS, SUBBLOCK_S, block_loudness, gated_loudness
from .reverb import Decays, ReverbIndex
from .spectrum import BandFrames
from .structure import SongSection
from .width import side_mid_db

#: A region to measure: ``(start_s, end_s, name)``.
Region = tuple[float, float, str]
MIN_SECTION_S = 0.5


@dataclass(frozen=True)
class Section:
    """Figures of one stretch of a file: loudness (LUFS), highs ratio (dB), band levels (dB re section, seven
    bands), side/mid (dB; None for mono) and reverb level (dB, mean of the broad bands known; per broad band in
    ``reverb_bands_db``): for stereo the ambient-to-direct energy ratio of the section's gated frames, the same
    sums as the whole-track figure (:mod:`.ambience`), so whole track and sections agree; for mono the median
    reverberant-to-direct ratio of the free decays peaking in the section (None where there is none).
    ``ambience_bands_db`` holds the ambient-to-direct ratio of the seven bands (empty for mono);
    ``reverb_confidence`` 0..1 is the share of the section's frames that pass the loudness gates (stereo) or
    min(1, decays/3) (mono). ``role`` and ``letter`` say which part of the song the section lies in (from the DAW
    region's name or :func:`.structure.find_structure`; empty when unknown): sections are compared with the
    references' sections of the same role. ``crest_db`` (sample peak - RMS), ``plr_db`` (sample peak - loudness)
    and ``lra_lu`` (EBU 3342 within the section) are its dynamics (:mod:`.dynamics`; None where undefined)."""

    name: str
    start_s: float
    end_s: float
    loudness_lufs: float
    highs_db: float
    band_levels_db: tuple[float, ...]
    width_db: float | None
    reverb_db: float | None
    reverb_bands_db: tuple[float | None, ...]
    ambience_bands_db: tuple[float | None, ...] = ()
    reverb_confidence: float = 0.0
    role: str = ""
    letter: str = ""
    crest_db: float | None = None
    plr_db: float | None = None
    lra_lu: float | None = None


def section_windows(
    duration_s: float, *, section_s: float = 4.0, regions: Sequence[Region] | None = None
) -> list[Region]:
    """The regions to measure: ``regions`` clipped to the file, or windows of ``section_s`` seconds (a last
    window shorter than half ``section_s`` is merged into the one before)."""
    if regions is not None:
        out: list[Region] = []
        for start, end, name in regions:
            s, e = max(0.0, float(start)), min(duration_s, float(end))
            if not e > s:
                raise InvalidParameter(
                    f"region {name!r} ({start}-{end} s) is empty or outside the file (0-{duration_s:.2f} s)"
                )
            out.append((s, e, str(name)))
        return out
    if not section_s > 0:
        raise InvalidParameter(f"section_s {section_s} must be > 0 seconds")
    section_s = max(section_s, MIN_SECTION_S)
    n = max(1, int(duration_s // section_s))
    if duration_s - n * section_s >= section_s / 2:
        n += 1
    edges = [min(k * section_s, duration_s) for k in range(n)] + [duration_s]
    return [(edges[k], edges[k + 1], f"{k + 1}") for k in range(n)]


#: Roles that mean the same thing in any song (``section X`` letters do not carry across songs).
COMPARABLE_ROLES = ("intro", "verse-like", "chorus-like", "outro")
#: Words in a DAW region's name that say its role (checked in this order).
_ROLE_WORDS = (
    ("chorus", "chorus-like"), ("refrain", "chorus-like"), ("hook", "chorus-like"), ("drop", "chorus-like"),
    ("verse", "verse-like"), ("intro", "intro"), ("outro", "outro"), ("ending", "outro"),
)


def role_from_name(name: str) -> str:
    """The role a region's name states (``Chorus 2`` -> ``chorus-like``), or "" when it states none."""
    low = name.lower()
    return next((role for word, role in _ROLE_WORDS if word in low), "")


def label_sections(sections: Sequence[Section], song: Sequence[SongSection], *, by_name: bool) -> tuple[Section, ...]:
    """``sections`` with ``role``/``letter`` set: from the name when ``by_name`` and it states a role (DAW
    regions), else from the song section overlapping the section most (found from the audio)."""
    out = []
    for s in sections:
        role, letter = (role_from_name(s.name), "") if by_name else ("", "")
        best = max(song, key=lambda g: min(g.end_s, s.end_s) - max(g.start_s, s.start_s), default=None)
        if best is not None and min(best.end_s, s.end_s) > max(best.start_s, s.start_s):
            letter = best.letter
            role = role or best.role
        out.append(dataclasses.replace(s, role=role, letter=letter))
    return tuple(out)


def measure_sections(
    windows: Sequence[Region],
    *,
    subblock_power: npt.NDArray[np.float64],
    frames: BandFrames,
    frame_gate: npt.NDArray[np.bool_],
    decays: Decays,
) -> tuple[Section, ...]:
    """Measure every window from the per-sub-block loudness powers, per-frame band energies and decays."""
    momentary = block_loudness(subblock_power, MOMENTARY_SUBBLOCKS)
    block_start_s = np.arange(momentary.size) * SUBBLOCK_S
    block_end_s = block_start_s + MOMENTARY_SUBBLOCKS * SUBBLOCK_S
    frame_s = np.arange(frames.left.shape[0]) * frames.hop_s
    total = frames.total
    left, right, cross = frames.left, frames.right, frames.cross
    reverb = ReverbIndex(decays)
    out = []
    for start, end, name in windows:
        # blocks lying wholly inside the window (else those starting in it, from a little before)
        lo, hi = np.searchsorted(block_start_s, start, "left"), np.searchsorted(block_end_s, end + 1e-9, "right")
        if not hi > lo:
            lo, hi = np.searchsorted(block_start_s, [start - SUBBLOCK_S * 3, end], "left")
        first, last = np.searchsorted(frame_s, [start, end], "left")  # frames of the window: [first, last)
        gated = frame_gate[first:last]
        use = gated if gated.any() else np.ones_like(gated)
        energy = total[first:last][use].sum(axis=0, dtype=np.float64)
        width = None
        if right is not None and cross is not None:
            width = side_mid_db(
                float(left[first:last][use].sum(dtype=np.float64)),
                float(right[first:last][use].sum(dtype=np.float64)),
                float(cross[first:last][use].sum(dtype=np.float64)),
            )
        ambience: tuple[float | None, ...] = ()
        if frames.ambient is not None:
            amb = frames.ambient[first:last][use].sum(axis=0, dtype=np.float64)
            n_bands = energy.size
            ambience = tuple(ratio_db(float(amb[i]), float(energy[i])) for i in range(n_bands))
            env = frames.reverb[first:last][use].sum(axis=0, dtype=np.float64)
            rd = tuple(ratio_db(float(amb[n_bands + b]), float(env[b])) for b in range(env.size))
            conf = round(float(gated.mean()), 2) if gated.size else 0.0
        else:
            rd = reverb.band_reverb_db(start, end)
            conf = round(min(1.0, reverb.count(start, end) / 3.0), 2)
        known = [v for v in rd if v is not None]
        out.append(
            Section(
                name=name,
                start_s=start,
                end_s=end,
                loudness_lufs=gated_loudness(momentary[lo:hi]) if hi > lo else -math.inf,
                highs_db=highs_ratio_db(energy),
                band_levels_db=band_levels_db(energy),
                width_db=width,
                reverb_db=sum(known) / len(known) if known else None,
                reverb_bands_db=rd,
                ambience_bands_db=ambience,
                reverb_confidence=conf,
            )
        )
    return tuple(out)


__all__ = [
    "COMPARABLE_ROLES",
    "MIN_SECTION_S",
    "Region",
    "Section",
    "label_sections",
    "measure_sections",
    "role_from_name",
    "section_windows",
]

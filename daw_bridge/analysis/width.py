"""Stereo width: side/mid energy ratio (dB) and inter-channel correlation, per band and overall.

``M = (L+R)/2``, ``S = (L-R)/2``; from per-band ``|L|²``, ``|R|²`` and ``Re(L·R*)``:
``ΣM² = (ΣL²+ΣR²+2ΣLR)/4``, ``ΣS² = (ΣL²+ΣR²-2ΣLR)/4``, ``ρ = ΣLR/sqrt(ΣL²·ΣR²)``. Correlation is blind to
panning (a panned mono source has ρ = 1), side/mid is not: both are reported.

Side/mid counts every side energy, reverb included: a wetter mix reads wider by exactly the side energy its
reverb adds. ``direct_side_mid_db`` leaves the diffuse part out: the ambient energy ``A`` of :mod:`.ambience`
(uncorrelated, equal in both channels) adds ``A/4`` to both ``ΣM²`` and ``ΣS²``, so the direct sound's side/mid
is ``(ΣS² - A/4) / (ΣM² - A/4)``: it follows pan positions and stereo sources, not the reverb level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..bands import BANDS, MONO_BASS_HZ
from ..units import power_to_db

#: Side energy below :data:`~daw_bridge.bands.MONO_BASS_HZ` closer than this to the mid (dB) is flagged.
MONO_BASS_SIDE_LIMIT_DB = -10.0
BASS_MASK = np.array([b.high_hz <= MONO_BASS_HZ for b in BANDS])


@dataclass(frozen=True)
class BandWidth:
    """Side/mid energy ratio (dB) and correlation (-1..1) of one band."""

    name: str
    low_hz: float
    high_hz: float
    side_mid_db: float
    correlation: float
    direct_side_mid_db: float | None = None


@dataclass(frozen=True)
class Width:
    """Overall (20 Hz-20 kHz) and per-band width; ``mono_bass_warning`` when side energy below 100 Hz is
    within :data:`MONO_BASS_SIDE_LIMIT_DB` of the mid (``bass_side_mid_db``)."""

    side_mid_db: float
    correlation: float
    bands: tuple[BandWidth, ...]
    bass_side_mid_db: float
    mono_bass_warning: bool
    direct_side_mid_db: float | None = None


def side_mid_db(left: float, right: float, cross: float) -> float:
    """Side/mid energy ratio in dB from ``ΣL²``, ``ΣR²``, ``ΣLR`` (-inf for a mono-identical pair)."""
    mid = (left + right + 2.0 * cross) / 4.0
    side = max((left + right - 2.0 * cross) / 4.0, 0.0)
    if mid <= 0.0:
        return math.inf if side > 0 else math.nan
    return power_to_db(side / mid)


def correlation(left: float, right: float, cross: float) -> float:
    """Inter-channel correlation ``ΣLR/sqrt(ΣL²ΣR²)`` (NaN if a channel is silent)."""
    if not (left > 0 and right > 0):
        return math.nan
    den = math.sqrt(left) * math.sqrt(right)  # not sqrt(left * right): that underflows for tiny energies
    return max(-1.0, min(1.0, cross / den))


def direct_side_mid_db(left: float, right: float, cross: float, ambient: float) -> float | None:
    """Side/mid (dB) of the direct sound: ``ambient/4`` taken from both mid and side energy (None if no mid)."""
    mid = (left + right + 2.0 * cross) / 4.0 - ambient / 4.0
    side = max((left + right - 2.0 * cross) / 4.0 - ambient / 4.0, 0.0)
    if mid <= 0.0:
        return None
    return max(-120.0, power_to_db(side / mid)) if side > 0 else -120.0


def width_from_energy(
    left: npt.NDArray[np.floating], right: npt.NDArray[np.floating], cross: npt.NDArray[np.floating],
    ambient: npt.NDArray[np.floating] | None = None,
) -> Width:
    """:class:`Width` from per-band ``ΣL²``, ``ΣR²``, ``ΣLR`` and optionally the ambient energy ``A``, each shape
    ``(7,)`` (summed over frames)."""
    ll, rr, lr = (np.asarray(a, dtype=np.float64) for a in (left, right, cross))
    aa = None if ambient is None else np.asarray(ambient, dtype=np.float64)
    bands = tuple(
        BandWidth(
            b.name, b.low_hz, b.high_hz, side_mid_db(ll[i], rr[i], lr[i]), correlation(ll[i], rr[i], lr[i]),
            None if aa is None else direct_side_mid_db(ll[i], rr[i], lr[i], aa[i]),
        )
        for i, b in enumerate(BANDS)
    )
    bass = side_mid_db(ll[BASS_MASK].sum(), rr[BASS_MASK].sum(), lr[BASS_MASK].sum())
    return Width(
        side_mid_db=side_mid_db(ll.sum(), rr.sum(), lr.sum()),
        correlation=correlation(ll.sum(), rr.sum(), lr.sum()),
        bands=bands,
        bass_side_mid_db=bass,
        mono_bass_warning=bool(math.isfinite(bass) and bass > MONO_BASS_SIDE_LIMIT_DB) or bass == math.inf,
        direct_side_mid_db=None if aa is None else direct_side_mid_db(ll.sum(), rr.sum(), lr.sum(), aa.sum()),
    )


__all__ = [
    "BandWidth", "MONO_BASS_SIDE_LIMIT_DB", "Width", "correlation", "direct_side_mid_db", "side_mid_db",
    "width_from_energy",
]

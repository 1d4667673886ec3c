"""Band balance: level of each of the seven bands relative to the track, the highs ratio and spectral tilt.

All figures are energy ratios of the same signal, so they do not change with playback level. Frames are those
that pass the BS.1770 gates (see :mod:`.engine`), so fades and silences do not weigh in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..bands import BANDS, HIGHS_HZ, MIDRANGE_HZ
from ..units import power_to_db
from .spectrum import TILT_CENTRES_HZ


@dataclass(frozen=True)
class BandLevel:
    """Energy of one band in dB relative to the 20 Hz-20 kHz energy of the same track."""

    name: str
    low_hz: float
    high_hz: float
    level_db: float


@dataclass(frozen=True)
class Balance:
    """Band levels (dB re track), tilt (dB/octave of third-octave band levels, 1-16 kHz; pink noise = 0) and
    ``highs_db`` = energy 5-20 kHz over energy 300 Hz-3 kHz in dB."""

    bands: tuple[BandLevel, ...]
    tilt_db_per_oct: float
    highs_db: float


def _in_range(lo_hz: float, hi_hz: float) -> npt.NDArray[np.bool_]:
    return np.array([b.low_hz >= lo_hz and b.high_hz <= hi_hz for b in BANDS])


MIDRANGE_MASK = _in_range(*MIDRANGE_HZ)
HIGHS_MASK = _in_range(*HIGHS_HZ)


def band_levels_db(band_energy: npt.NDArray[np.floating]) -> tuple[float, ...]:
    """dB of each band's energy re their sum; ``band_energy`` shape ``(7,)`` (summed over frames)."""
    total = float(np.sum(band_energy))
    return tuple(power_to_db(float(e) / total) if total > 0 else math.nan for e in band_energy)


def highs_ratio_db(band_energy: npt.NDArray[np.floating]) -> float:
    """Energy 5-20 kHz over energy 300 Hz-3 kHz in dB (NaN when the midrange is empty)."""
    mid = float(np.sum(band_energy[MIDRANGE_MASK]))
    return power_to_db(float(np.sum(band_energy[HIGHS_MASK])) / mid) if mid > 0 else math.nan


def tilt_db_per_oct(tilt_energy: npt.NDArray[np.floating], valid: npt.NDArray[np.bool_]) -> float:
    """Least-squares slope in dB/octave of third-octave band levels (``tilt_energy`` ``(13,)``) over 1-16 kHz."""
    octaves = np.log2(np.asarray(TILT_CENTRES_HZ) / 1000.0)
    ok = valid & (np.asarray(tilt_energy) > 0)
    if ok.sum() < 3:
        return math.nan
    levels = 10.0 * np.log10(np.asarray(tilt_energy, dtype=np.float64)[ok])
    return float(np.polyfit(octaves[ok], levels, 1)[0])


def balance_from_energy(
    band_energy: npt.NDArray[np.floating], tilt_energy: npt.NDArray[np.floating], tilt_valid: npt.NDArray[np.bool_]
) -> Balance:
    """:class:`Balance` from band energies ``(7,)`` and third-octave energies ``(13,)`` summed over frames."""
    levels = band_levels_db(band_energy)
    return Balance(
        bands=tuple(BandLevel(b.name, b.low_hz, b.high_hz, lv) for b, lv in zip(BANDS, levels, strict=True)),
        tilt_db_per_oct=tilt_db_per_oct(tilt_energy, tilt_valid),
        highs_db=highs_ratio_db(band_energy),
    )


__all__ = ["Balance", "BandLevel", "balance_from_energy", "band_levels_db", "highs_ratio_db", "tilt_db_per_oct"]

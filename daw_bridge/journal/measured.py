"""What a headphone's measurement says per band: its deviation from the target, from the shipped AutoEq preset.

An AutoEq correction is the inverse of the headphone's deviation from the target curve, so the deviation is minus
the correction's response. Per band we take the mean of that curve (dB) over log-spaced frequencies inside the
band; an aspect covering several bands takes the mean of theirs. Scipy and numpy load only when this runs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..bands import BANDS, HIGHS_HZ, MIDRANGE_HZ
from ..errors import PresetError

#: An aspect's bands (aspects with no band - ambience, stereo image, depth, level - have no measured figure).
ASPECT_BANDS: dict[str, tuple[str, ...]] = {
    "bass": ("sub", "bass"),
    "mids": ("low-mid", "mid"),
    "highs": ("high-mid", "low-highs", "highs"),
}
#: A deviation at least this large (dB) is one a listener can be expected to notice as more / less.
AUDIBLE_DEVIATION_DB = 1.0
_POINTS_PER_BAND = 64


def band_deviation_db(model: str, *, base: Path | None = None) -> dict[str, float] | None:
    """Band name -> the headphone's mean deviation from target (dB, + = louder than target), or None when no preset
    matches ``model``."""
    found = _band_deviation_db(model, base)
    return dict(found) if found is not None else None


@lru_cache(maxsize=64)
def _band_deviation_db(model: str, base: Path | None) -> dict[str, float] | None:
    from ..dsp.biquad import log_freqs
    from ..dsp.correction import intended_response_db
    from ..presets.catalog import find_preset

    try:
        preset = find_preset(model, base=base)
    except PresetError:
        return None
    out: dict[str, float] = {}
    for band in BANDS:
        freqs = log_freqs(band.low_hz, min(band.high_hz, 19999.0), points=_POINTS_PER_BAND)
        response = intended_response_db(preset.eq.filters, freqs, design_rate=preset.eq.design_rate_hz)
        out[band.name] = round(-float(response.mean()), 2)
    return out


def subject_deviation_db(deviation: dict[str, float], aspect: str, band: str | None) -> float | None:
    """The measured deviation (dB) for notes on ``band`` (when given) or ``aspect``; None where none applies."""
    if band is not None:
        return deviation.get(band)
    bands = ASPECT_BANDS.get(aspect)
    if not bands:
        return None
    return round(sum(deviation[b] for b in bands) / len(bands), 2)


def expected_direction(deviation_db: float | None) -> int | None:
    """-1/0/+1: what a listener should hear on the uncorrected headphone (None when nothing is measured)."""
    if deviation_db is None:
        return None
    if deviation_db >= AUDIBLE_DEVIATION_DB:
        return 1
    if deviation_db <= -AUDIBLE_DEVIATION_DB:
        return -1
    return 0


def _mean_within(deviation: dict[str, float], range_hz: tuple[float, float]) -> float:
    inside = [deviation[b.name] for b in BANDS if b.low_hz >= range_hz[0] and b.high_hz <= range_hz[1]]
    return sum(inside) / len(inside)


def highs_ratio_deviation_db(deviation: dict[str, float]) -> float:
    """The measured deviation of what bounce-and-check's highs figure reads: the highs (5-20 kHz) relative to the
    midrange (300 Hz-3 kHz), each the mean of the bands inside it (dB)."""
    return round(_mean_within(deviation, HIGHS_HZ) - _mean_within(deviation, MIDRANGE_HZ), 2)

"""Unit conversions, all in one place (dB, linear gain, seconds, frames)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

#: Gain below which we report -inf dB.
SILENCE_DB = -math.inf


def db_to_gain(gain_db: float) -> float:
    """Amplitude factor for a gain in dB (-inf dB -> 0.0)."""
    if gain_db == -math.inf:
        return 0.0
    return float(10.0 ** (gain_db / 20.0))


def gain_to_db(gain: float) -> float:
    """Gain in dB for an amplitude factor (0 -> -inf dB)."""
    gain = abs(gain)
    if gain <= 0.0:
        return -math.inf
    return 20.0 * math.log10(gain)


def power_to_db(power: float) -> float:
    """Level in dB for an energy/power ratio (0 -> -inf dB)."""
    if power <= 0.0:
        return -math.inf
    return 10.0 * math.log10(power)


def db_to_power(level_db: float) -> float:
    """Energy/power ratio for a level in dB."""
    if level_db == -math.inf:
        return 0.0
    return float(10.0 ** (level_db / 10.0))


def powers_to_db(power: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Vectorised :func:`power_to_db`; zeros map to -inf without warnings."""
    arr = np.asarray(power, dtype=np.float64)
    out = np.full(arr.shape, -np.inf)
    np.log10(arr, out=out, where=arr > 0)
    return np.where(arr > 0, 10.0 * out, -np.inf)


def seconds_to_frames(duration_s: float, sample_rate: int) -> int:
    """Whole frames in ``duration_s`` seconds at ``sample_rate`` Hz (rounded to nearest)."""
    return int(round(duration_s * sample_rate))


def frames_to_seconds(frames: int, sample_rate: int) -> float:
    """Seconds spanned by ``frames`` at ``sample_rate`` Hz."""
    return frames / float(sample_rate)


def pan_to_normalized(pan: float) -> float:
    """REAPER pan -1 (left) .. +1 (right) -> OSC ``n`` value 0..1."""
    return (max(-1.0, min(1.0, pan)) + 1.0) / 2.0


def normalized_to_pan(value: float) -> float:
    """OSC ``n`` pan value 0..1 -> REAPER pan -1..+1."""
    return max(0.0, min(1.0, value)) * 2.0 - 1.0

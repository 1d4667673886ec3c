"""Dynamics: crest factor (peak to RMS), PLR (peak to loudness ratio), loudness range and the short-term loudness
curve, for the whole file and per section.

Definitions (all in dB/LU; figures of silence are -inf/NaN, which JSON carries as null):

- crest factor = sample peak (dBFS) - RMS (dBFS), RMS over all samples of all channels (a full-scale sine: 3.01 dB);
- PLR = true peak (dBTP) - integrated loudness (LUFS) for the whole file (the usual "peak to loudness ratio",
  AES TD1004/streaming practice); per section the section's sample peak - its gated loudness, since the true peak
  is measured for the whole file only (both sides of a comparison use the same definition);
- loudness range = EBU Tech 3342 over the short-term (3 s) loudnesses lying in the stretch;
- the short-term loudness curve (BS.1770, 3 s windows) is kept once a second.

Peaks per 100 ms sub-block come from :class:`PeakTrace` (fed in the analysis pass); energies from the pass's
:class:`.loudness.EnergyTrace`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..units import gain_to_db, power_to_db
from .loudness import SHORT_TERM_SUBBLOCKS, SUBBLOCK_S, loudness_range

#: Step of the stored short-term loudness curve (s).
CURVE_STEP_S = 1.0


@dataclass(frozen=True)
class Dynamics:
    """Whole-file dynamics: ``crest_db`` (sample peak - RMS), ``plr_db`` (true peak - integrated loudness),
    ``lra_lu`` (EBU 3342) and ``short_term_lufs``, the 3 s loudness every ``curve_step_s`` from t = 0 (each value
    is the window starting there)."""

    crest_db: float
    plr_db: float
    lra_lu: float
    short_term_lufs: tuple[float, ...]
    curve_step_s: float = CURVE_STEP_S


class PeakTrace:
    """Streaming absolute sample peak (all channels) of every complete 100 ms sub-block."""

    def __init__(self, rate: int) -> None:
        self.sub_frames = max(1, round(SUBBLOCK_S * rate))
        self._parts: list[npt.NDArray[np.float32]] = []
        self._carry = 0.0
        self._filled = 0

    def feed(self, block: npt.NDArray[np.floating]) -> None:
        """Add ``block`` ``(frames, channels)``."""
        x = block if block.ndim == 2 else block[:, None]
        n, i, sub = x.shape[0], 0, self.sub_frames
        if n == 0:
            return

        def peak(part: npt.NDArray[np.floating]) -> float:
            return float(np.abs(part).max()) if part.size else 0.0

        if self._filled:
            i = min(n, sub - self._filled)
            self._carry = max(self._carry, peak(x[:i]))
            self._filled += i
            if self._filled == sub:
                self._parts.append(np.array([self._carry], dtype=np.float32))
                self._carry, self._filled = 0.0, 0
        full = (n - i) // sub
        if full:
            # one contiguous row of sub * channels values per sub-block: a fast reduction (a max over the short
            # channel axis first is several times slower)
            rows = np.ascontiguousarray(x[i : i + full * sub]).reshape(full, sub * x.shape[1])
            self._parts.append(np.abs(rows).max(axis=1).astype(np.float32))
            i += full * sub
        if i < n:
            self._carry, self._filled = peak(x[i:]), n - i

    def peaks(self) -> npt.NDArray[np.float64]:
        """Peak (linear) of each complete sub-block."""
        return np.concatenate([np.zeros(0), *self._parts]).astype(np.float64)


def crest_db(peak: float, mean_square: float) -> float:
    """Peak (linear) to RMS (from the mean square) in dB; NaN for silence."""
    if not (peak > 0 and mean_square > 0):
        return math.nan
    return gain_to_db(peak) - power_to_db(mean_square)


def whole_dynamics(
    *, sample_peak_dbfs: float, true_peak_dbtp: float, integrated_lufs: float, lra_lu: float,
    mean_square: float, short_term_lufs: npt.NDArray[np.float64],
) -> Dynamics:
    """Whole-file figures from the loudness statistics, the mean square per sample and channel, and the
    short-term loudnesses (one per sub-block)."""
    crest = sample_peak_dbfs - power_to_db(mean_square) if mean_square > 0 else math.nan
    step = max(1, round(CURVE_STEP_S / SUBBLOCK_S))
    plr = true_peak_dbtp - integrated_lufs if math.isfinite(integrated_lufs) else math.nan
    curve = tuple(round(float(v), 2) for v in short_term_lufs[::step])
    return Dynamics(crest_db=crest, plr_db=plr, lra_lu=lra_lu, short_term_lufs=curve)


def section_dynamics(
    start_s: float, end_s: float, loudness_lufs: float, *, peaks: npt.NDArray[np.float64],
    power: npt.NDArray[np.float64], channels: int, short_term_lufs: npt.NDArray[np.float64],
) -> tuple[float | None, float | None, float | None]:
    """``(crest_db, plr_db, lra_lu)`` of ``start_s``-``end_s`` (None where undefined) from per-sub-block ``peaks``
    (linear), ``power`` (channel-summed mean square per frame) and short-term loudnesses (one per sub-block
    start); ``loudness_lufs`` is the stretch's gated loudness."""
    lo = int(math.floor(start_s / SUBBLOCK_S + 1e-9))
    hi = max(lo + 1, int(math.ceil(end_s / SUBBLOCK_S - 1e-9)))
    pk = float(peaks[lo:hi].max()) if peaks[lo:hi].size else 0.0
    ms = float(power[lo:hi].mean()) / channels if power[lo:hi].size else 0.0
    crest = crest_db(pk, ms)
    plr = gain_to_db(pk) - loudness_lufs if pk > 0 and math.isfinite(loudness_lufs) else None
    inside = short_term_lufs[lo : max(lo, hi - SHORT_TERM_SUBBLOCKS + 1)]
    lra = loudness_range(inside) if inside.size else math.nan
    return (crest if math.isfinite(crest) else None, plr, lra if math.isfinite(lra) else None)


__all__ = [
    "CURVE_STEP_S",
    "Dynamics",
    "PeakTrace",
    "crest_db",
    "section_dynamics",
    "whole_dynamics",
]

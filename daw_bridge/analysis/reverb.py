"""Reverb from a finished mix: decay time (RT60) from free decays and reverberant-to-direct energy ratio.

Per broad band (low 50-500 Hz, mid 500 Hz-4 kHz, high 4-16 kHz), on the band's energy envelope (≈21 ms frames):

1. **Free decays.** From every local peak, follow the envelope until it rises more than :data:`RISE_DB` above its
   running minimum (the next onset) or :data:`MAX_DECAY_S` passes.
2. **Gate.** Only the part that lies at least :data:`GATE_DB` below the peak counts as tail (the direct sound's
   own drop is steeper than the reverb and would bias the slope, cf. Ratnam et al. 2003; Löllmann et al.), down
   to :data:`FIT_RANGE_DB` further or the band's noise floor.
3. **Slope.** A Theil-Sen line (median of pairwise slopes, robust to the few frames of the direct-sound knee);
   the decay must be roughly linear in dB (residual spread ≤ :data:`MAX_RESIDUAL_DB`) and plausible
   (RT60 in :data:`RT60_RANGE_S`).
4. **RT60** = -60 dB / median slope over at least :data:`MIN_DECAYS` decays, else ``None`` and a reason.
5. **Reverberant-to-direct ratio** per decay: the tail line (band RT60 slope, robust intercept) is summed from the
   peak onwards (reverberant energy); the energy above that line from the onset to the tail start is the direct
   energy. The band figure is the median over decays, in dB; a send change of ``x`` dB moves it by ``x`` dB.

Everything is a ratio within one file, so it is independent of playback level.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .spectrum import REVERB_BANDS_HZ

GATE_DB = 12.0
RISE_DB = 3.0
FIT_RANGE_DB = 40.0
FLOOR_MARGIN_DB = 10.0
DYNAMIC_RANGE_DB = 90.0  # frames further than this below the band maximum are ignored
MIN_TAIL_FRAMES = 5
MIN_TAIL_DROP_DB = 6.0
MAX_RESIDUAL_DB = 3.0
MAX_DECAY_S = 4.0
ONSET_LOOKBACK_S = 0.25
RT60_RANGE_S = (0.1, 10.0)
MIN_DECAYS = 3
THEIL_SEN_POINTS = 40
#: Decays at which confidence saturates.
CONFIDENT_DECAYS = 12


@dataclass(frozen=True)
class Decay:
    """One free decay in band ``band`` (index into REVERB_BANDS_HZ): times in s, slope in dB/s, R/D in dB."""

    band: int
    peak_s: float
    tail_start_s: float
    tail_end_s: float
    slope_db_per_s: float
    reverb_db: float = math.nan


@dataclass(frozen=True)
class ReverbBand:
    """RT60 (s) and reverberant-to-direct ratio (dB) of one broad band; None with ``reason`` when unknown."""

    name: str
    low_hz: float
    high_hz: float
    rt60_s: float | None
    reverb_db: float | None
    decays: int
    confidence: float
    reason: str


@dataclass(frozen=True)
class Reverb:
    """Overall RT60 (s, pooled over bands' decays), reverberant-to-direct ratio (dB, mean of bands) and
    confidence 0..1; ``rt60_s``/``reverb_db`` are None with a ``reason`` when there are not enough free decays."""

    reverb_db: float | None
    rt60_s: float | None
    confidence: float
    reason: str
    bands: tuple[ReverbBand, ...]


def _median(values: npt.NDArray[np.floating]) -> float:
    """Median without np.median's per-call overhead (this runs a few times per decay)."""
    ordered = np.sort(values, axis=None)
    n = ordered.size
    return float(ordered[n // 2]) if n % 2 else float(0.5 * (ordered[n // 2 - 1] + ordered[n // 2]))


@functools.lru_cache(maxsize=64)
def _pairs(n: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    i, j = np.triu_indices(n, k=1)
    return i, j


def _theil_sen(t: npt.NDArray[np.floating], y: npt.NDArray[np.floating]) -> tuple[float, float]:
    if t.size > THEIL_SEN_POINTS:  # evenly thinned: the median slope needs no more
        keep = np.linspace(0, t.size - 1, THEIL_SEN_POINTS).round().astype(int)
        t, y = t[keep], y[keep]
    i, j = _pairs(t.size)
    slope = _median((y[j] - y[i]) / (t[j] - t[i]))
    return slope, _median(y - slope * t)


def _levels_db(energy: npt.NDArray[np.floating]) -> tuple[npt.NDArray[np.float64], float]:
    e = np.asarray(energy, dtype=np.float64)
    top = float(e.max()) if e.size else 0.0
    if top <= 0.0:
        return np.full(e.shape, -np.inf), -math.inf
    level = 10.0 * np.log10(e + top * 10.0 ** (-(DYNAMIC_RANGE_DB + 30.0) / 10.0))
    floor = max(float(np.percentile(level, 5)), 10.0 * math.log10(top) - DYNAMIC_RANGE_DB)
    return level, floor


def find_decays(energy: npt.NDArray[np.floating], hop_s: float, *, band: int = 0) -> list[Decay]:
    """Free decays in one band's energy envelope ``(n_frames,)`` with frames ``hop_s`` apart."""
    level, floor = _levels_db(energy)
    n = level.size
    if n < 3 or floor == -math.inf:
        return []
    max_frames = int(MAX_DECAY_S / hop_s)
    lookback = max(1, int(ONSET_LOOKBACK_S / hop_s))
    decays: list[Decay] = []
    lv = level.tolist()
    t = 1
    while t < n - 1:
        peak = lv[t]
        if not (peak >= lv[t - 1] and peak > lv[t + 1] and peak > floor + GATE_DB + FLOOR_MARGIN_DB):
            t += 1
            continue
        u, run_min = t + 1, peak
        while u < n and u - t < max_frames and lv[u] < run_min + RISE_DB:
            run_min = min(run_min, lv[u])
            u += 1
        ref = max(lv[max(0, t - lookback) : t + 1])
        decay = _fit_tail(level, t, u, ref, floor, hop_s, band)
        if decay is not None:
            decays.append(decay)
        t = u
    return decays


def _fit_tail(
    level: npt.NDArray[np.float64], peak: int, end: int, ref: float, floor: float, hop_s: float, band: int
) -> Decay | None:
    seg = level[peak:end]
    below = np.flatnonzero(seg <= ref - GATE_DB)
    if below.size == 0:
        return None
    start = int(below[0])
    low = max(floor + FLOOR_MARGIN_DB, ref - GATE_DB - FIT_RANGE_DB)
    tail = seg[start:]
    cut = np.flatnonzero(tail < low)
    if cut.size:
        tail = tail[: int(cut[0])]
    if tail.size < MIN_TAIL_FRAMES or tail[0] - tail.min() < MIN_TAIL_DROP_DB:
        return None
    times = (peak + start + np.arange(tail.size)) * hop_s
    slope, icpt = _theil_sen(times, tail)
    if slope >= 0.0 or not RT60_RANGE_S[0] <= -60.0 / slope <= RT60_RANGE_S[1]:
        return None
    resid = tail - (icpt + slope * times)
    if float(np.sort(np.abs(resid))[(3 * resid.size) // 4]) > MAX_RESIDUAL_DB:
        return None
    return Decay(band, peak * hop_s, times[0], times[-1] + hop_s, slope)


def reverberant_to_direct_db(
    energy: npt.NDArray[np.floating], hop_s: float, decay: Decay, slope_db_per_s: float,
    *, level: npt.NDArray[np.float64] | None = None,
) -> float:
    """R/D in dB of one decay, with the tail line forced to ``slope_db_per_s`` (the band's median slope).

    ``level`` is the envelope in dB if already computed (saves a pass per decay)."""
    if level is None:
        level, _ = _levels_db(energy)
    e = np.asarray(energy, dtype=np.float64)
    peak = int(round(decay.peak_s / hop_s))
    t0, t1 = int(round(decay.tail_start_s / hop_s)), int(round(decay.tail_end_s / hop_s))
    k = np.arange(t0, t1)
    icpt = _median(level[k] - slope_db_per_s * k * hop_s)
    onset = peak
    lookback = max(1, int(ONSET_LOOKBACK_S / hop_s))
    while onset > 0 and peak - onset < lookback and level[onset - 1] < level[onset]:
        onset -= 1
    ratio = 10.0 ** (slope_db_per_s * hop_s / 10.0)
    reverb = 10.0 ** ((icpt + slope_db_per_s * peak * hop_s) / 10.0) / (1.0 - ratio)
    d = np.arange(onset, t0)
    direct = float(np.sum(np.maximum(e[d] - 10.0 ** ((icpt + slope_db_per_s * d * hop_s) / 10.0), 0.0)))
    if direct <= 0.0 or reverb <= 0.0:
        return math.nan
    return 10.0 * math.log10(reverb / direct)


def analyse_band(energy: npt.NDArray[np.floating], hop_s: float, band: int) -> tuple[ReverbBand, list[Decay]]:
    """RT60 and R/D of band ``band`` from its envelope ``(n_frames,)``; also the decays (with R/D filled)."""
    name, lo, hi = REVERB_BANDS_HZ[band]
    decays = find_decays(energy, hop_s, band=band)
    if len(decays) < MIN_DECAYS:
        reason = f"not enough free decays (found {len(decays)}, need {MIN_DECAYS})"
        return ReverbBand(name, lo, hi, None, None, len(decays), 0.0, reason), []
    slope = float(np.median([d.slope_db_per_s for d in decays]))
    level, _ = _levels_db(energy)
    filled = [
        dataclasses.replace(d, reverb_db=reverberant_to_direct_db(energy, hop_s, d, slope, level=level))
        for d in decays
    ]
    rds = [d.reverb_db for d in filled if math.isfinite(d.reverb_db)]
    return (
        ReverbBand(
            name, lo, hi, -60.0 / slope, float(np.median(rds)) if rds else None, len(decays),
            confidence([d.slope_db_per_s for d in decays]), "",
        ),
        filled,
    )


def confidence(slopes: list[float]) -> float:
    """0..1 from the number of decays and the spread (interquartile range / median) of their RT60s."""
    if len(slopes) < MIN_DECAYS:
        return 0.0
    rt = -60.0 / np.asarray(slopes)
    q1, med, q3 = np.percentile(rt, [25, 50, 75])
    spread = (q3 - q1) / med
    return round(float(min(1.0, len(slopes) / CONFIDENT_DECAYS) * max(0.0, 1.0 - spread)), 2)


def analyse_reverb(envelopes: npt.NDArray[np.floating], hop_s: float) -> tuple[Reverb, list[Decay]]:
    """:class:`Reverb` from broad-band envelopes ``(n_frames, 3)``, and every decay used."""
    bands: list[ReverbBand] = []
    decays: list[Decay] = []
    for b in range(len(REVERB_BANDS_HZ)):
        result, found = analyse_band(envelopes[:, b], hop_s, b)
        bands.append(result)
        decays.extend(found)
    if len(decays) < MIN_DECAYS:
        reason = f"not enough free decays in any band (found {len(decays)}, need {MIN_DECAYS})"
        return Reverb(None, None, 0.0, reason, tuple(bands)), []
    slopes = [d.slope_db_per_s for d in decays]
    rds = [b.reverb_db for b in bands if b.reverb_db is not None]
    return (
        Reverb(
            reverb_db=float(np.mean(rds)) if rds else None,
            rt60_s=-60.0 / float(np.median(slopes)),
            confidence=confidence(slopes),
            reason="",
            bands=tuple(bands),
        ),
        decays,
    )


def band_reverb_db(decays: list[Decay], start_s: float, end_s: float) -> tuple[float | None, ...]:
    """Per band median R/D (dB) of the decays peaking in ``[start_s, end_s)``; None where there are none."""
    out: list[float | None] = []
    for b in range(len(REVERB_BANDS_HZ)):
        vals = [d.reverb_db for d in decays
                if d.band == b and start_s <= d.peak_s < end_s and math.isfinite(d.reverb_db)]
        out.append(float(np.median(vals)) if vals else None)
    return tuple(out)


__all__ = [
    "Decay",
    "Reverb",
    "ReverbBand",
    "analyse_band",
    "analyse_reverb",
    "band_reverb_db",
    "confidence",
    "find_decays",
    "reverberant_to_direct_db",
]

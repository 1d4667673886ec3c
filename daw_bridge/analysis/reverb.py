"""Reverb from a finished mix: level from the stereo field, decay time (RT60) from free decays or the ambient stream.

For stereo files the reverb *level* of each broad band (low 50-500 Hz, mid 500 Hz-4 kHz, high 4-16 kHz) is the
ambient-to-direct energy ratio of :mod:`.ambience` (no gaps needed). RT60 per band comes from free decays where
there are at least :data:`MIN_DECAYS`, else from fitting the band's ambient envelope (:func:`.ambience.fit_decay`),
with a confidence that is 0 when that fit is a guess. The free decays stay as a second witness
(``decay_rt60_s``, ``decay_reverb_db``) and are the only source for mono files. On the band's energy envelope
(≈32 ms frames):

1. **Free decays.** From every local peak, follow the envelope until it rises more than :data:`RISE_DB` above its
   running minimum (the next onset) or :data:`MAX_DECAY_S` passes.
2. **Gate.** Only the part that lies at least :data:`GATE_DB` below the peak counts as tail (the direct sound's
   own drop is steeper than the reverb and would bias the slope, cf. Ratnam et al. 2003; Löllmann et al.), down
   to :data:`FIT_RANGE_DB` further or the band's noise floor.
3. **Slope.** A Theil-Sen line (median of pairwise slopes, robust to the few frames of the direct-sound knee);
   the decay must be roughly linear in dB (residual spread ≤ :data:`MAX_RESIDUAL_DB`) and plausible
   (RT60 in :data:`RT60_RANGE_S`).
4. **RT60** = -60 dB / median slope over at least :data:`MIN_DECAYS` decays, else the ambient fit or ``None``.
5. **Reverberant-to-direct ratio** per decay: the tail line (band RT60 slope, robust intercept) is summed from the
   peak onwards (reverberant energy); the energy above that line from the onset to the tail start is the direct
   energy. The band figure is the median over decays, in dB (the level of mono files).

Everything is a ratio within one file, so it is independent of playback level.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..bands import BANDS
from .ambience import MIN_RATIO_FOR_RT60_DB, NO_FIT, fit_decay, moving_mean, ratio_db
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
#: Longest stretch of the median decay curve kept per band (s).
DECAY_CURVE_S = 2.0


@dataclass(frozen=True)
class Decays:
    """Free decays, one per row, in frames of ``hop_s`` seconds: peak frame, first tail frame, tail length
    (frames), band index (into REVERB_BANDS_HZ), fitted slope (dB/s) and reverberant-to-direct ratio (dB, NaN
    until measured or where undefined)."""

    hop_s: float
    band: npt.NDArray[np.intp]
    peak: npt.NDArray[np.intp]
    tail_start: npt.NDArray[np.intp]
    tail_frames: npt.NDArray[np.intp]
    slope_db_per_s: npt.NDArray[np.float64]
    reverb_db: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.peak.size)

    @property
    def peak_s(self) -> npt.NDArray[np.float64]:
        """Peak times (s)."""
        return np.asarray(self.peak * self.hop_s, dtype=np.float64)

    @classmethod
    def none(cls, hop_s: float) -> Decays:
        """No decays."""
        empty_i, empty_f = np.zeros(0, dtype=np.intp), np.zeros(0)
        return cls(hop_s, empty_i, empty_i, empty_i, empty_i, empty_f, empty_f)

    @classmethod
    def join(cls, parts: list[Decays], hop_s: float) -> Decays:
        """All rows of ``parts``, in order."""
        if not parts:
            return cls.none(hop_s)
        fields = ("band", "peak", "tail_start", "tail_frames", "slope_db_per_s", "reverb_db")
        cols = {f: np.concatenate([getattr(p, f) for p in parts]) for f in fields}
        return cls(hop_s, **cols)

    def select(self, keep: npt.NDArray[np.bool_] | npt.NDArray[np.intp]) -> Decays:
        """The rows picked by ``keep``."""
        return Decays(
            self.hop_s, self.band[keep], self.peak[keep], self.tail_start[keep], self.tail_frames[keep],
            self.slope_db_per_s[keep], self.reverb_db[keep],
        )


@dataclass(frozen=True)
class ReverbBand:
    """Reverb of one broad band.

    ``reverb_db``: ambient-to-direct energy ratio (dB) from the stereo field (:mod:`.ambience`) for stereo files,
    else the free decays' reverberant-to-direct ratio; ``rt60_s``: from free decays where there are at least
    MIN_DECAYS, else from the ambient-envelope fit (``rt60_source`` says which), None with ``reason`` when
    neither holds; ``confidence`` 0..1 of that RT60. The free decays stay as a second witness:
    ``decay_rt60_s`` / ``decay_reverb_db`` (None without enough decays); ``fit_rt60_s`` / ``fit_confidence``
    from the ambient stream, tried only where free decays are missing and the band has at least
    MIN_RATIO_FOR_RT60_DB of ambience (None otherwise, for mono files, or when no decay fits)."""

    name: str
    low_hz: float
    high_hz: float
    rt60_s: float | None
    reverb_db: float | None
    decays: int
    confidence: float
    reason: str
    #: Median envelope of the band's free decays, in dB re each decay's peak, one value every ``decay_step_s``
    #: seconds from the peak (direct sound, then the tail); as long as at least MIN_DECAYS decays last.
    decay_db: tuple[float, ...] = ()
    decay_step_s: float = 0.0
    rt60_source: str = ""
    decay_rt60_s: float | None = None
    decay_reverb_db: float | None = None
    fit_rt60_s: float | None = None
    fit_confidence: float = 0.0
    #: 0..1 for ``reverb_db`` from the stereo field: share of the analysed frames in which the band carries
    #: energy (within :data:`ACTIVE_RANGE_DB` of the mix's loudest frame); 0 for mono.
    level_confidence: float = 0.0


@dataclass(frozen=True)
class AmbienceBand:
    """Ambient-to-direct energy ratio (dB) of one of the seven listening bands (None without energy)."""

    name: str
    low_hz: float
    high_hz: float
    ambience_db: float | None
    #: Share of the analysed frames in which the band carries energy (as ``ReverbBand.level_confidence``).
    confidence: float = 0.0


#: A band "carries energy" in a frame within this many dB of the loudest frame of the whole mix.
ACTIVE_RANGE_DB = 50.0


def _active_share(energy: npt.NDArray[np.floating], top: float) -> float:
    """Share of frames of ``energy`` within :data:`ACTIVE_RANGE_DB` of ``top`` (the mix's loudest frame)."""
    if top <= 0.0 or energy.size == 0:
        return 0.0
    return round(float(np.mean(energy > top * 10.0 ** (-ACTIVE_RANGE_DB / 10.0))), 2)


@dataclass(frozen=True)
class Reverb:
    """Overall reverb: ``reverb_db`` = mean over broad bands of their ``reverb_db`` (ambient-to-direct for stereo,
    free-decay reverberant-to-direct for mono), ``rt60_s`` (median of the bands' RT60s) and its confidence
    0..1; None with a ``reason`` when unknown. ``method`` is "ambience" (stereo field) or "free decays" (mono);
    ``ambience_bands`` the ambient-to-direct ratio of the seven listening bands (empty for mono)."""

    reverb_db: float | None
    rt60_s: float | None
    confidence: float
    reason: str
    bands: tuple[ReverbBand, ...]
    method: str = "free decays"
    ambience_bands: tuple[AmbienceBand, ...] = ()


#: Candidates processed together (rows of ``MAX_DECAY_S`` frames): bounds memory on hour-long files.
CANDIDATE_CHUNK = 2048


def _gather(
    values: npt.NDArray[np.float64], first: npt.NDArray[np.intp], width: int, fill: float
) -> npt.NDArray[np.float64]:
    """Rows ``values[first[r] : first[r] + width]``, ``fill`` where an index falls outside ``values``."""
    idx = first[:, None] + np.arange(width)
    inside = (idx >= 0) & (idx < values.size)
    return np.where(inside, values[np.clip(idx, 0, max(values.size - 1, 0))], fill)


def _median_rows(rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Median of each row of ``rows`` ``(n_rows, n >= 1)`` (same values as ``np.median(axis=1)``, less overhead)."""
    n = rows.shape[1]
    half = n // 2
    if n % 2:
        return np.partition(rows, half, axis=1)[:, half]
    parted = np.partition(rows, (half - 1, half), axis=1)
    return np.asarray(0.5 * (parted[:, half - 1] + parted[:, half]), dtype=np.float64)


def _row_medians(rows: npt.NDArray[np.float64], counts: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
    """Median of the first ``counts[r]`` values of each row (``counts`` >= 1); rows of one count share a partition."""
    out = np.empty(rows.shape[0])
    for n in np.unique(counts).tolist():
        pick = np.flatnonzero(counts == n)
        out[pick] = _median_rows(rows[pick, :n])
    return out


def _row_quantile_index(rows: npt.NDArray[np.float64], counts: npt.NDArray[np.intp], num: int, den: int
                        ) -> npt.NDArray[np.float64]:
    """Per row, element ``(num·counts[r]) // den`` of its first ``counts[r]`` values in ascending order."""
    width = rows.shape[1]
    padded = np.where(np.arange(width) < counts[:, None], rows, np.inf)
    padded.sort(axis=1)
    return padded[np.arange(rows.shape[0]), (num * counts) // den]


@functools.lru_cache(maxsize=64)
def _pairs(n: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    i, j = np.triu_indices(n, k=1)
    return i, j


def _theil_sen(t: npt.NDArray[np.float64], y: npt.NDArray[np.float64], counts: npt.NDArray[np.intp]
               ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per row, Theil-Sen slope and intercept of the first ``counts[r]`` points ``(t, y)``."""
    slope = np.empty(t.shape[0])
    icpt = np.empty(t.shape[0])
    for n in np.unique(counts).tolist():
        pick = np.flatnonzero(counts == n)
        tt, yy = t[pick, :n], y[pick, :n]
        i, j = _pairs(n)
        s = _median_rows((yy[:, j] - yy[:, i]) / (tt[:, j] - tt[:, i]))
        slope[pick] = s
        icpt[pick] = _median_rows(yy - s[:, None] * tt)
    return slope, icpt


def _levels_db(energy: npt.NDArray[np.floating]) -> tuple[npt.NDArray[np.float64], float]:
    e = np.asarray(energy, dtype=np.float64)
    top = float(e.max()) if e.size else 0.0
    if top <= 0.0:
        return np.full(e.shape, -np.inf), -math.inf
    level = 10.0 * np.log10(e + top * 10.0 ** (-(DYNAMIC_RANGE_DB + 30.0) / 10.0))
    floor = max(float(np.percentile(level, 5)), 10.0 * math.log10(top) - DYNAMIC_RANGE_DB)
    return level, floor


def _decay_ends(level: npt.NDArray[np.float64], peaks: npt.NDArray[np.intp], max_frames: int
                ) -> npt.NDArray[np.intp]:
    """For each peak, the first later frame that rises :data:`RISE_DB` above the running minimum since the peak
    (the next onset), else ``peak + max_frames`` or the end of the envelope."""
    ends = np.empty(peaks.size, dtype=np.intp)
    for c in range(0, peaks.size, CANDIDATE_CHUNK):
        first = peaks[c : c + CANDIDATE_CHUNK]
        rows = _gather(level, first, max_frames, np.inf)  # past the end: "rises", so the decay stops there
        run_min = np.minimum.accumulate(rows, axis=1)
        rises = rows[:, 1:] >= run_min[:, :-1] + RISE_DB
        steps = np.where(rises.any(axis=1), rises.argmax(axis=1) + 1, max_frames)
        ends[c : c + CANDIDATE_CHUNK] = first + steps
    return np.minimum(ends, level.size)


def find_decays(energy: npt.NDArray[np.floating], hop_s: float, *, band: int = 0) -> Decays:
    """Free decays in one band's energy envelope ``(n_frames,)`` with frames ``hop_s`` apart (no R/D yet)."""
    level, floor = _levels_db(energy)
    n = level.size
    if n < 3 or floor == -math.inf:
        return Decays.none(hop_s)
    max_frames = int(MAX_DECAY_S / hop_s)
    lookback = max(1, int(ONSET_LOOKBACK_S / hop_s))
    mid = level[1:-1]
    candidates = np.flatnonzero(
        (mid >= level[:-2]) & (mid > level[2:]) & (mid > floor + GATE_DB + FLOOR_MARGIN_DB)
    ) + 1
    ends = _decay_ends(level, candidates, max_frames)
    # A decay runs to the next onset; the next candidate considered is the first at or after that end.
    picked: list[int] = []
    position = 0
    for k, (t, u) in enumerate(zip(candidates.tolist(), ends.tolist(), strict=True)):
        if t >= position:
            picked.append(k)
            position = u
    keep = np.asarray(picked, dtype=np.intp)
    peaks, ends = candidates[keep], ends[keep]
    parts = [
        _fit_tails(level, peaks[c : c + CANDIDATE_CHUNK], ends[c : c + CANDIDATE_CHUNK], floor, hop_s, band,
                   max_frames, lookback)
        for c in range(0, peaks.size, CANDIDATE_CHUNK)
    ]
    return Decays.join(parts, hop_s)


def _fit_tails(
    level: npt.NDArray[np.float64], peaks: npt.NDArray[np.intp], ends: npt.NDArray[np.intp], floor: float,
    hop_s: float, band: int, max_frames: int, lookback: int,
) -> Decays:
    """Gate, cut and fit the tail of every decay ``[peaks[r], ends[r])``; keep the straight, plausible ones."""
    if peaks.size == 0:
        return Decays.none(hop_s)
    ref = _gather(level, peaks - lookback, lookback + 1, -np.inf).max(axis=1)  # onset level: recent maximum
    seg = _gather(level, peaks, max_frames, np.nan)
    inside = np.arange(max_frames) < (ends - peaks)[:, None]
    below = inside & (seg <= (ref - GATE_DB)[:, None])
    has_tail = below.any(axis=1)
    start = below.argmax(axis=1)
    low = np.maximum(floor + FLOOR_MARGIN_DB, ref - GATE_DB - FIT_RANGE_DB)
    after = (np.arange(max_frames) >= start[:, None]) & inside
    cut = after & (seg < low[:, None])
    stop = np.where(cut.any(axis=1), cut.argmax(axis=1), (ends - peaks))
    length = np.where(has_tail, stop - start, 0)
    in_tail = (np.arange(max_frames) >= start[:, None]) & (np.arange(max_frames) < stop[:, None])
    rows = np.arange(peaks.size)
    drop = seg[rows, np.minimum(start, max_frames - 1)] - np.where(in_tail, seg, np.inf).min(axis=1)
    ok = (length >= MIN_TAIL_FRAMES) & (drop >= MIN_TAIL_DROP_DB)
    if not ok.any():
        return Decays.none(hop_s)
    peaks, seg, start, length = peaks[ok], seg[ok], start[ok], length[ok]
    # Theil-Sen on at most THEIL_SEN_POINTS evenly thinned points (the median slope needs no more)
    points = np.minimum(length, THEIL_SEN_POINTS)
    step = np.where(length > THEIL_SEN_POINTS, (length - 1) / (THEIL_SEN_POINTS - 1), 1.0)
    offset = np.minimum(np.round(np.arange(THEIL_SEN_POINTS) * step[:, None]).astype(np.intp), length[:, None] - 1)
    rows = np.arange(peaks.size)[:, None]
    times = (peaks[:, None] + start[:, None] + offset) * hop_s
    slope, icpt = _theil_sen(times, seg[rows, start[:, None] + offset], points)
    with np.errstate(divide="ignore"):
        rt60 = np.where(slope < 0.0, -60.0 / np.where(slope < 0.0, slope, -1.0), np.inf)
    plausible = (slope < 0.0) & (rt60 >= RT60_RANGE_S[0]) & (rt60 <= RT60_RANGE_S[1])
    k = np.arange(max_frames)
    tail = seg[rows, np.minimum(start[:, None] + k, max_frames - 1)]
    tail_times = (peaks[:, None] + start[:, None] + k) * hop_s
    resid = np.abs(tail - (icpt[:, None] + slope[:, None] * tail_times))
    straight = _row_quantile_index(resid, length, 3, 4) <= MAX_RESIDUAL_DB
    keep = plausible & straight
    count = int(keep.sum())
    return Decays(
        hop_s, np.full(count, band, dtype=np.intp), peaks[keep], (peaks + start)[keep], length[keep],
        slope[keep], np.full(count, np.nan),
    )


def reverberant_to_direct_db(
    energy: npt.NDArray[np.floating], decays: Decays, slope_db_per_s: float,
    *, level: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.float64]:
    """R/D in dB of every decay (NaN where undefined), the tail line forced to ``slope_db_per_s`` (the band's
    median slope). ``level`` is the envelope in dB if already computed."""
    if len(decays) == 0:
        return np.zeros(0)
    if level is None:
        level, _ = _levels_db(energy)
    e = np.asarray(energy, dtype=np.float64)
    hop_s, s = decays.hop_s, slope_db_per_s
    lookback = max(1, int(ONSET_LOOKBACK_S / hop_s))
    width = int(decays.tail_frames.max())
    k = decays.tail_start[:, None] + np.arange(width)
    icpt = _row_medians(_gather(level, decays.tail_start, width, np.nan) - s * k * hop_s, decays.tail_frames)
    # onset: walk back from the peak while the envelope keeps falling backwards, at most ``lookback`` frames
    back = _gather(level, decays.peak - lookback, lookback + 1, np.inf)[:, ::-1]  # back[:, m] = level[peak - m]
    rising = back[:, 1:] < back[:, :-1]
    run = np.where(rising.all(axis=1), lookback, rising.argmin(axis=1))
    onset = decays.peak - run
    ratio = 10.0 ** (s * hop_s / 10.0)
    reverb = 10.0 ** ((icpt + s * decays.peak * hop_s) / 10.0) / (1.0 - ratio)
    span = int((decays.tail_start - onset).max())
    d = onset[:, None] + np.arange(span)
    excess = _gather(e, onset, span, 0.0) - 10.0 ** ((icpt[:, None] + s * d * hop_s) / 10.0)
    direct = np.where(d < decays.tail_start[:, None], np.maximum(excess, 0.0), 0.0).sum(axis=1)
    valid = (direct > 0.0) & (reverb > 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(valid, 10.0 * np.log10(reverb / np.where(valid, direct, 1.0)), np.nan)


def analyse_band(energy: npt.NDArray[np.floating], hop_s: float, band: int) -> tuple[ReverbBand, Decays]:
    """RT60 and R/D of band ``band`` from its envelope ``(n_frames,)``; also the decays (with R/D filled)."""
    name, lo, hi = REVERB_BANDS_HZ[band]
    decays = find_decays(energy, hop_s, band=band)
    if len(decays) < MIN_DECAYS:
        reason = f"not enough free decays (found {len(decays)}, need {MIN_DECAYS})"
        return ReverbBand(name, lo, hi, None, None, len(decays), 0.0, reason), Decays.none(hop_s)
    slope = float(np.median(decays.slope_db_per_s))
    level, _ = _levels_db(energy)
    filled = dataclasses.replace(decays, reverb_db=reverberant_to_direct_db(energy, decays, slope, level=level))
    rds = filled.reverb_db[np.isfinite(filled.reverb_db)]
    return (
        ReverbBand(
            name, lo, hi, -60.0 / slope, float(np.median(rds)) if rds.size else None, len(decays),
            confidence(decays.slope_db_per_s), "", decay_curve(level, decays), hop_s,
        ),
        filled,
    )


def decay_curve(level: npt.NDArray[np.float64], decays: Decays) -> tuple[float, ...]:
    """Median of the decays' envelopes ``level`` (dB) from each peak to the end of its fitted tail, re the peak,
    one value per frame, for as long as at least :data:`MIN_DECAYS` decays last (at most DECAY_CURVE_S)."""
    if len(decays) < MIN_DECAYS:
        return ()
    lengths = decays.tail_start + decays.tail_frames - decays.peak
    width = int(min(lengths.max(), round(DECAY_CURVE_S / decays.hop_s) + 1))
    rows = _gather(level, decays.peak, width, np.nan) - level[decays.peak][:, None]
    rows[np.arange(width) >= lengths[:, None]] = np.nan
    lasting = np.count_nonzero(~np.isnan(rows), axis=0)
    keep = int(np.argmax(lasting < MIN_DECAYS)) if (lasting < MIN_DECAYS).any() else width
    if keep == 0:
        return ()
    ordered = np.sort(rows[:, :keep], axis=0)  # NaN last in each column
    counts = lasting[:keep]
    median = 0.5 * (ordered[(counts - 1) // 2, np.arange(keep)] + ordered[counts // 2, np.arange(keep)])
    return tuple(round(float(v), 2) for v in median)


def confidence(slopes: npt.ArrayLike) -> float:
    """0..1 from the number of decays and the spread (interquartile range / median) of their RT60s."""
    values = np.asarray(slopes, dtype=np.float64)
    if values.size < MIN_DECAYS:
        return 0.0
    rt = -60.0 / values
    q1, med, q3 = np.percentile(rt, [25, 50, 75])
    spread = (q3 - q1) / med
    return round(float(min(1.0, values.size / CONFIDENT_DECAYS) * max(0.0, 1.0 - spread)), 2)


def analyse_reverb(
    envelopes: npt.NDArray[np.floating],
    hop_s: float,
    *,
    ambient: npt.NDArray[np.floating] | None = None,
    totals: npt.NDArray[np.floating] | None = None,
    gate: npt.NDArray[np.bool_] | None = None,
) -> tuple[Reverb, Decays]:
    """:class:`Reverb` from broad-band envelopes ``(n_frames, 3)``, and every free decay found.

    With ``ambient`` ``(n_frames, 10)`` (stereo: ambient energy of the seven bands then the three broad bands,
    :mod:`.ambience`) and ``totals`` ``(n_frames, 7)`` (band energies), the reverb level is the ambient-to-direct
    ratio over the frames in ``gate`` (all frames without it), and bands without free decays get their RT60 from
    the ambient envelope."""
    n = envelopes.shape[0]
    use = np.ones(n, dtype=bool) if gate is None else gate
    top = float(envelopes.sum(axis=1).max()) if n else 0.0
    bands: list[ReverbBand] = []
    found: list[Decays] = []
    for b in range(len(REVERB_BANDS_HZ)):
        witness, decays = analyse_band(envelopes[:, b], hop_s, b)
        found.append(decays)
        if ambient is None:
            bands.append(dataclasses.replace(
                witness, rt60_source="free decays" if witness.rt60_s is not None else "",
                decay_rt60_s=witness.rt60_s, decay_reverb_db=witness.reverb_db,
            ))
            continue
        amb, env = ambient[:, len(ambient[0]) - len(REVERB_BANDS_HZ) + b], envelopes[:, b]
        level = ratio_db(float(amb[use].sum(dtype=np.float64)), float(env[use].sum(dtype=np.float64)))
        # the ambient fit is the witness of last resort: run only where free decays are missing
        needed = witness.rt60_s is None and level is not None and level >= MIN_RATIO_FOR_RT60_DB
        fit = fit_decay(amb, moving_mean(env[:, None])[:, 0], hop_s, use) if needed else NO_FIT
        if witness.rt60_s is not None:
            rt60, conf, source, reason = witness.rt60_s, witness.confidence, "free decays", ""
        elif level is None or level < MIN_RATIO_FOR_RT60_DB:
            rt60, conf, source = None, 0.0, ""
            reason = f"{witness.reason}; too little ambience to time a decay"
        elif fit.rt60_s is not None and fit.confidence > 0.0:
            rt60, conf, source, reason = fit.rt60_s, fit.confidence, "ambient fit", ""
        else:
            rt60, conf, source = None, 0.0, ""
            reason = f"{witness.reason}; ambient stream: {fit.reason or 'no decay time fits it clearly'}"
        bands.append(dataclasses.replace(
            witness, rt60_s=rt60, reverb_db=level, confidence=conf, reason=reason, rt60_source=source,
            decay_rt60_s=witness.rt60_s, decay_reverb_db=witness.reverb_db, fit_rt60_s=fit.rt60_s,
            fit_confidence=fit.confidence, level_confidence=_active_share(env[use], top) if level is not None else 0.0,
        ))
    every = Decays.join(found, hop_s)
    ambience_bands: tuple[AmbienceBand, ...] = ()
    if ambient is not None and totals is not None:
        amb_sum = ambient[use].sum(axis=0, dtype=np.float64)
        tot_sum = totals[use].sum(axis=0, dtype=np.float64)
        ambience_bands = tuple(
            AmbienceBand(
                band.name, band.low_hz, band.high_hz, ratio_db(float(amb_sum[i]), float(tot_sum[i])),
                _active_share(totals[use, i], top),
            )
            for i, band in enumerate(BANDS)
        )
    levels = [b.reverb_db for b in bands if b.reverb_db is not None]
    level = float(np.mean(levels)) if levels else None
    method = "free decays" if ambient is None else "ambience"
    overall: float | None
    if len(every) >= MIN_DECAYS:
        overall = -60.0 / float(np.median(every.slope_db_per_s))
        conf = confidence(every.slope_db_per_s)
        reason = ""
    else:
        fits = [(b.rt60_s, b.confidence) for b in bands if b.rt60_s is not None]
        overall = float(np.median([f[0] for f in fits])) if fits else None
        conf = round(float(np.mean([f[1] for f in fits])), 2) if fits else 0.0
        reason = "" if overall is not None else (
            f"not enough free decays in any band (found {len(every)}, need {MIN_DECAYS})"
        )
        if ambient is not None and overall is None:
            reason += "; no decay fits the ambient stream"
    if level is None and not reason:
        reason = "no reverb level: no band has energy"
    return (
        Reverb(level, overall, conf, reason, tuple(bands), method, ambience_bands),
        every if len(every) >= MIN_DECAYS else Decays.none(hop_s),
    )


class ReverbIndex:
    """Decays' R/D values per band, sorted by peak time, for fast per-section medians."""

    def __init__(self, decays: Decays) -> None:
        self._bands: list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]] = []
        for b in range(len(REVERB_BANDS_HZ)):
            mine = decays.select((decays.band == b) & np.isfinite(decays.reverb_db))
            order = np.argsort(mine.peak_s, kind="stable")
            self._bands.append((mine.peak_s[order], mine.reverb_db[order]))

    def band_reverb_db(self, start_s: float, end_s: float) -> tuple[float | None, ...]:
        """Per band median R/D (dB) of the decays peaking in ``[start_s, end_s)``; None where there are none."""
        out: list[float | None] = []
        for times, values in self._bands:
            lo, hi = np.searchsorted(times, [start_s, end_s], side="left")
            out.append(float(_median_rows(values[None, lo:hi])[0]) if hi > lo else None)
        return tuple(out)

    def count(self, start_s: float, end_s: float) -> int:
        """Decays (all bands) peaking in ``[start_s, end_s)``."""
        return sum(int(np.searchsorted(t, end_s) - np.searchsorted(t, start_s)) for t, _ in self._bands)


__all__ = [
    "AmbienceBand",
    "Decays",
    "Reverb",
    "ReverbBand",
    "analyse_band",
    "analyse_reverb",
    "ReverbIndex",
    "confidence",
    "find_decays",
    "reverberant_to_direct_db",
]

"""Blind ambience (diffuse / reverb) estimate from the stereo field: primary-ambient decomposition per STFT tile.

Model (Avendano & Jot 2004; Faller 2006; Merimaa, Goodwin & Jot 2007; He, Tan & Gan 2014): in every
time-frequency tile a stereo mix is a *direct* part, one source panned (any gain, any phase) so that
``R = g·L`` up to a phase, plus an *ambient* part that is uncorrelated between the channels with equal power in
each. Reverb returns are of the second kind (a reverb's left and right outputs are decorrelated), panned
instruments of the first. The tile's 2x2 covariance ``[[Σ|L|², ΣL·R*], [ΣR·L*, Σ|R|²]]`` over a short stretch of
time then has its smaller eigenvalue equal to the ambient power per channel, so

    ambient energy (both channels) = Σ|L|² + Σ|R|² - sqrt((Σ|L|² - Σ|R|²)² + 4|ΣL·R*|²)

and the rest is direct. ``|ΣL·R*|`` (magnitude of the complex cross-spectrum) keeps a spaced-pair or stereo-sampled
instrument, whose channels differ by a delay, on the direct side.

Tiles here are pairs of adjacent FFT bins (≈47 Hz at 48 kHz) and the covariance is a centred moving sum over
:data:`SMOOTH_FRAMES` frames (≈0.29 s), evaluated on every third frame (frames between are interpolated). A
finite average makes even fully diffuse noise look partly coherent (about ``1/sqrt(N)`` for N independent
frames): independent noise in the two channels reads about +3 dB ambient-to-direct, not +∞; the bias is the
same in every file. The estimate runs inside each STFT job on the spectra already computed (no second decode or
transform); a job's first and last four frames average over the frames the job holds (one side of the window is
cut), the same for every file.

What it measures is the diffuse share, not a reverb send: instruments recorded in stereo are partly decorrelated
themselves, and a reverb fed a steady tone answers with a tone that is coherent between the channels in each bin
(any linear system does), so send changes read smaller than they are (docs/accuracy.md).

Per band, ambient energy ``A`` and direct energy ``D = total - A`` give the ambient-to-direct ratio ``A/D`` in dB.
A gain on the whole mix or an equalizer scales both alike in every tile, and a pan change keeps a tile's direct part
rank one, so the ratio follows the reverb level, not the level, tone or pan of the mix (docs/analysis.md).
Where two sources of different pan share a tile, part of them reads as ambient: the reason for narrow tiles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Frames in the centred moving sum of each tile's covariance (× 32 ms hop ≈ 0.29 s; :func:`ambient_energy` is
#: written for exactly 9).
SMOOTH_FRAMES = 9
#: Adjacent FFT bins summed into one tile.
TILE_BINS = 2
#: Decay times tried when fitting the ambient envelope (s), log-spaced.
RT60_GRID_S = tuple(float(v) for v in np.geomspace(0.15, 8.0, 48))
#: A band's ambient share below this (dB A/D) is too small to time its decay.
MIN_RATIO_FOR_RT60_DB = -25.0


def tile_pick(freqs: npt.NDArray[np.floating], edges: list[tuple[float, float]]) -> npt.NDArray[np.float32]:
    """``(n_tiles, len(edges))`` 0/1 matrix: tile (bins ``2k, 2k+1``) in band ``[lo, hi)`` by its first bin; tiles
    above the highest band edge are left out (nobody reads them)."""
    top = max(hi for _, hi in edges)
    first = freqs[: (freqs.size - 1) // TILE_BINS * TILE_BINS : TILE_BINS]
    first = first[first < top]
    pick = np.zeros((first.size, len(edges)), dtype=np.float32)
    for j, (lo, hi) in enumerate(edges):
        pick[(first >= lo) & (first < hi), j] = 1.0
    return pick


def tile_cross(left: npt.NDArray[np.float32], right: npt.NDArray[np.float32], out: npt.NDArray[np.float32]) -> None:
    """Per-tile ``Re(L·R*)`` and ``Im(L·R*)`` of interleaved (re, im) spectra ``(n, 2·n_bins)`` (not yet squared)
    into ``out[2]`` and ``out[3]`` of ``(4, n, n_tiles)``."""
    width = out.shape[2] * TILE_BINS
    prod = (left.view(np.complex64)[:, :width] * np.conj(right.view(np.complex64)[:, :width])).view(np.float32)
    _pair_sum(prod[:, 0::2], out[2])
    _pair_sum(prod[:, 1::2], out[3])


def tile_power(left_sq: npt.NDArray[np.float32], right_sq: npt.NDArray[np.float32],
               out: npt.NDArray[np.float32]) -> None:
    """Per-tile ``|L|² + |R|²`` and ``|L|² - |R|²`` from squared interleaved spectra into ``out[0]``, ``out[1]``."""
    width = 2 * out.shape[2] * TILE_BINS
    a, b = left_sq[:, :width], right_sq[:, :width]
    _quad_sum(a, out[0])
    _quad_sum(b, out[1])
    out[0] += out[1]  # |L|² + |R|²
    out[1] *= -2.0
    out[1] += out[0]  # |L|² - |R|²


def _pair_sum(x: npt.NDArray[np.float32], out: npt.NDArray[np.float32]) -> None:
    """Sums of adjacent pairs along the last axis (TILE_BINS = 2 bins per tile)."""
    np.add(x[:, 0::2], x[:, 1::2], out=out)


def _quad_sum(x: npt.NDArray[np.float32], out: npt.NDArray[np.float32]) -> None:
    """Sums of runs of four along the last axis (re², im² of the tile's two bins)."""
    np.add(x[:, 0::4], x[:, 1::4], out=out)
    out += x[:, 2::4]
    out += x[:, 3::4]


def covariance_buffer(n_frames: int, n_tiles: int) -> npt.NDArray[np.float32]:
    """Zeroed ``(4, n_frames + SMOOTH_FRAMES - 1, n_tiles)`` buffer: frame ``k``'s covariances go to row
    ``k + SMOOTH_FRAMES // 2`` (see :func:`frame_rows`), so the moving sum needs no padding copy."""
    return np.zeros((4, n_frames + SMOOTH_FRAMES - 1, n_tiles), dtype=np.float32)


def frame_rows(buffer: npt.NDArray[np.float32], start: int, stop: int) -> npt.NDArray[np.float32]:
    """The rows of ``buffer`` holding frames ``start..stop-1``."""
    half = SMOOTH_FRAMES // 2
    return buffer[:, half + start : half + stop]


def ambient_energy(buffer: npt.NDArray[np.float32], pick: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Per frame and band, ambient energy (both channels, same scale as band energies) from per-tile
    ``(|L|²+|R|², |L|²-|R|², Re L·R*, Im L·R*)`` in ``buffer`` (:func:`covariance_buffer`) and the tile-to-band
    matrix ``pick``.

    The covariance is summed over :data:`SMOOTH_FRAMES` = 9 frames centred on every third frame (sums of three,
    then of three of those), the ambient energy found there, and the frames between interpolated linearly (the
    9-frame window makes the estimate smooth over that span; it costs a third). Frames near the ends are scaled
    to the frames present."""
    n = buffer.shape[1] - (SMOOTH_FRAMES - 1)
    m = (n + 2) // 3  # estimate at frames 0, 3, 6, ...
    # rows r..r+8 of the buffer hold frames r-4..r+4: the window of frame r
    s3 = buffer[:, 0 : 3 * m : 3] + buffer[:, 1 : 3 * m + 1 : 3]
    s3 += buffer[:, 2 : 3 * m + 2 : 3]
    full = np.zeros((4, m + 2, buffer.shape[2]), dtype=np.float32)  # windows running past the end: zeros
    full[:, :m] = s3
    tail = buffer[:, 3 * m : 3 * m + 6]  # sums of three for the last two groups (rows past the end are absent)
    for g in range(min(2, (tail.shape[1] + 2) // 3)):
        full[:, m + g] = tail[:, 3 * g : 3 * g + 3].sum(axis=1)
    win = full[:, :m] + full[:, 1 : m + 1]
    win += full[:, 2 : m + 2]
    total, diff, cr, ci = win
    diff *= diff
    cr *= cr
    ci *= ci
    cr += ci
    cr *= 4.0
    diff += cr
    np.sqrt(diff, out=diff)
    total -= diff
    np.maximum(total, 0.0, out=total)
    half = SMOOTH_FRAMES // 2
    at = np.arange(m) * 3
    present = (np.minimum(at + half, n - 1) - np.maximum(at - half, 0) + 1).astype(np.float32)
    coarse = total @ pick
    coarse /= present[:, None]
    if m == 1:
        return np.repeat(coarse, n, axis=0).astype(np.float32)
    frames = np.arange(n)
    lo = np.minimum(frames // 3, m - 2)
    frac = ((frames - 3 * lo) / 3.0).astype(np.float32)[:, None]
    return np.asarray(coarse[lo] * (1.0 - frac) + coarse[lo + 1] * frac, dtype=np.float32)


def moving_mean(rows: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """Centred moving mean over :data:`SMOOTH_FRAMES` frames of ``rows`` ``(n_frames, k)`` (ends: frames present)."""
    x = np.asarray(rows, dtype=np.float64)
    n = x.shape[0]
    half = SMOOTH_FRAMES // 2
    idx = np.arange(n)
    present = np.minimum(idx + half, n - 1) - np.maximum(idx - half, 0) + 1
    # the sum over the window with zeros past the ends (scipy.ndimage.uniform_filter1d, mode="constant", times
    # its length), in numpy: importing scipy.ndimage/scipy.signal would cost the analysis ~0.6 s of start-up
    padded = np.pad(x, ((half, half), (0, 0)))
    sums = np.lib.stride_tricks.sliding_window_view(padded, SMOOTH_FRAMES, axis=0).sum(axis=-1)
    return np.asarray(sums / present[:, None])


def _one_pole(x: npt.NDArray[np.float64], pole: float) -> npt.NDArray[np.float64]:
    """``y[n] = pole·y[n-1] + (1 - pole)·x[n]`` from rest (``scipy.signal.lfilter([1 - pole], [1, -pole], x)``),
    as the FIR of its impulse response cut where ``pole^k`` falls below 1e-18 (float64 cannot tell the rest)."""
    if pole <= 0.0:
        return (1.0 - pole) * x
    taps = min(x.size, int(math.ceil(math.log(1e-18) / math.log(pole))) + 1)
    return np.convolve(x, (1.0 - pole) * pole ** np.arange(taps))[: x.size]


def ratio_db(ambient: float, total: float) -> float | None:
    """``10·log10(A / (T - A))``; None when there is no energy, ±inf clipped to ±60 dB."""
    if not total > 0.0:
        return None
    direct = total - ambient
    if ambient <= 0.0:
        return -60.0
    if direct <= 0.0:
        return 60.0
    return max(-60.0, min(60.0, 10.0 * math.log10(ambient / direct)))


@dataclass(frozen=True)
class DecayFit:
    """RT60 (s) of a band's ambient envelope, fitted as the direct envelope through an exponential decay;
    ``confidence`` 0..1 (0: a guess); ``span`` = (shortest, longest) RT60 fitting nearly as well."""

    rt60_s: float | None
    confidence: float
    span: tuple[float, float]
    reason: str


#: No fit was tried (free decays gave the RT60, or there is too little ambience).
NO_FIT = DecayFit(None, 0.0, (math.nan, math.nan), "not tried")


def fit_decay(ambient: npt.NDArray[np.floating], total: npt.NDArray[np.floating], hop_s: float,
              weight: npt.NDArray[np.bool_]) -> DecayFit:
    """RT60 from ``ambient`` and smoothed ``total`` band energies per frame ``(n_frames,)``.

    A reverb's energy envelope is the direct energy envelope convolved with ``exp(-13.8 t / RT60)`` (energy falls
    60 dB per RT60), while decorrelated direct sound (stereo-sampled instruments, overlaps in a tile) follows the
    direct envelope at once. So the ambient envelope is fitted as ``c·D + g·(h_RT60 * D)`` with ``D = total -
    ambient`` and ``h`` a one-pole decay of unit gain, ``c, g >= 0``, by least squares on relative errors (each
    frame divided by its total) over the frames in ``weight``, for every RT60 in :data:`RT60_GRID_S`; the best
    residual wins (refined by a parabola in log RT60). An instrument's own ring-out is direct (a panned copy), so it
    is part of ``D``, not of the decay. Confidence is high when the residual valley is narrow (RT60s fitting within
    10 % of the best residual span a small ratio), the decaying part carries the ambient energy, and the fit
    explains the ambient envelope's variation; 0 when the best RT60 lies at the edge of the range tried.
    """
    # the ambient energy is estimated on every third frame (:func:`ambient_energy`): fit on that grid
    a = np.asarray(ambient[::3], dtype=np.float64)
    t = np.asarray(total[::3], dtype=np.float64)
    hop_s *= 3
    d = np.maximum(t - a, 0.0)
    use = weight[::3] & (t > 0.0)
    if use.sum() < 16 or not d[use].any() or not a[use].any():
        return DecayFit(None, 0.0, (math.nan, math.nan), "too little ambient or direct energy to time a decay")
    scale = 1.0 / t[use]
    y = a[use] * scale
    x1 = d[use] * scale
    spread = float(np.var(y))
    errors, gains = [], []
    for rt in RT60_GRID_S:
        pole = math.exp(-13.8155 * hop_s / rt)
        x2 = _one_pole(d, pole)[use] * scale
        coef, resid = _nnls2(x1, x2, y)
        errors.append(resid)
        gains.append(coef[1] * float(np.sum(x2)) / max(float(np.sum(y)), 1e-30))
    err = np.asarray(errors)
    best = int(np.argmin(err))
    if best in (0, len(RT60_GRID_S) - 1) or gains[best] <= 0.0:
        return DecayFit(None, 0.0, (math.nan, math.nan), "no decay fits the ambient envelope in the range tried")
    logs = np.log(RT60_GRID_S)
    e0, e1, e2 = err[best - 1 : best + 2]
    den = e0 - 2.0 * e1 + e2
    shift = 0.5 * (e0 - e2) / den if den > 0 else 0.0
    rt60 = float(math.exp(logs[best] + max(-0.5, min(0.5, shift)) * (logs[1] - logs[0])))
    near = np.flatnonzero(err <= err[best] * 1.1 + 1e-15)
    lo, hi = RT60_GRID_S[int(near.min())], RT60_GRID_S[int(near.max())]
    explained = max(0.0, 1.0 - float(err[best]) / spread) if spread > 0 else 0.0
    sharp = max(0.0, 1.0 - math.log2(hi / lo) / 1.5)
    share = min(1.0, gains[best])
    return DecayFit(rt60, round(sharp * share * min(1.0, 2.0 * explained), 2), (lo, hi), "")


def _nnls2(x1: npt.NDArray[np.float64], x2: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
           ) -> tuple[tuple[float, float], float]:
    """Least squares ``y ≈ c1·x1 + c2·x2`` with ``c1, c2 >= 0``: coefficients and mean squared residual."""
    a11, a22, a12 = float(x1 @ x1), float(x2 @ x2), float(x1 @ x2)
    b1, b2 = float(x1 @ y), float(x2 @ y)
    det = a11 * a22 - a12 * a12
    candidates: list[tuple[float, float]] = []
    if det > 1e-12 * a11 * a22:
        c1, c2 = (b1 * a22 - b2 * a12) / det, (b2 * a11 - b1 * a12) / det
        if c1 >= 0.0 and c2 >= 0.0:
            candidates.append((c1, c2))
    candidates += [(max(b1 / a11, 0.0) if a11 > 0 else 0.0, 0.0), (0.0, max(b2 / a22, 0.0) if a22 > 0 else 0.0)]
    best: tuple[tuple[float, float], float] | None = None
    for c1, c2 in candidates:
        r = float(np.mean((y - c1 * x1 - c2 * x2) ** 2))
        if best is None or r < best[1]:
            best = ((c1, c2), r)
    assert best is not None
    return best


__all__ = [
    "DecayFit",
    "NO_FIT",
    "SMOOTH_FRAMES",
    "ambient_energy",
    "covariance_buffer",
    "frame_rows",
    "fit_decay",
    "moving_mean",
    "ratio_db",
    "tile_cross",
    "tile_power",
    "tile_pick",
]

"""ITU-R BS.1770-4 / EBU R128 loudness: K-weighting, gated integrated loudness, LRA, short-term max, peaks.

Vectorised and streaming: :class:`LoudnessMeter` takes ``(frames, channels)`` blocks, filters them with the
K-weighting ``sos`` (designed once at the file's rate, state carried between blocks) and keeps only per-100-ms
sub-block mean squares (36 000 rows per hour). 400 ms gating blocks (75 % overlap) and 3 s short-term blocks are
built from those sub-blocks at the end. True peak comes from :mod:`.peak`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import InvalidAudio, InvalidParameter
from .peak import PeakMeter

#: BS.1770 stage 1 (head effect) high shelf: f0 Hz, gain dB, Q.
SHELF_F0_HZ, SHELF_GAIN_DB, SHELF_Q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
#: BS.1770 stage 2 (RLB) high pass: f0 Hz, Q.
HIGHPASS_F0_HZ, HIGHPASS_Q = 38.13547087602444, 0.5003270373238773
#: Channel weights L, R, C, Ls, Rs (BS.1770 Table 3); further channels weigh 1.0.
CHANNEL_WEIGHTS: tuple[float, ...] = (1.0, 1.0, 1.0, 1.41, 1.41)
#: Weight of the one channel of a mono file. Decision (issue 22): a mono file is measured as the dual-mono
#: playback it gets in a stereo session (the same signal on both speakers), i.e. as its stereo copy, so its
#: loudness reads +3.01 dB over BS.1770's single-channel sum and a mono mix is compared fairly with stereo
#: references. The same convention as FFmpeg's ebur128 ``dualmono`` option (its docs: a mono file "intended for
#: playback on a stereo system" is otherwise measured "perceptually incorrect").
MONO_AS_DUAL_MONO_WEIGHT = 2.0
#: Loudness offset of BS.1770 eq. 2 (LU).
LOUDNESS_OFFSET_DB = -0.691
SUBBLOCK_S = 0.1  # s; gating blocks are 4, short-term blocks 30 of these
MOMENTARY_SUBBLOCKS = 4
SHORT_TERM_SUBBLOCKS = 30
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
LRA_RELATIVE_GATE_LU = -20.0
LRA_PERCENTILES = (10.0, 95.0)
DENORMAL_GUARD = 1e-15
#: Smallest common step (frames) of the energy trace's edges worth summing tile by tile (48 kHz: 32).
TRACE_TILE_MIN = 16
#: Band of the midrange level used for level matching (Hz), 4th-order Butterworth band pass.
MIDRANGE_BAND_HZ = (300.0, 3000.0)


@dataclass(frozen=True)
class LoudnessStats:
    """Loudness figures of one signal (LUFS, LU, dBFS, dBTP); -inf/NaN (JSON null) when undefined."""

    integrated_lufs: float
    lra_lu: float
    short_term_max_lufs: float
    momentary_max_lufs: float
    sample_peak_dbfs: float
    true_peak_dbtp: float


def k_weighting_sos(rate: int) -> npt.NDArray[np.float64]:
    """The two K-weighting biquads at ``rate`` Hz as ``sos``, shape ``(2, 6)``."""
    if rate < 8000:
        raise InvalidParameter(f"sample rate {rate} Hz is too low for K-weighting (need >= 8000 Hz)")
    k = math.tan(math.pi * SHELF_F0_HZ / rate)
    vh = 10.0 ** (SHELF_GAIN_DB / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / SHELF_Q + k * k
    shelf = [
        (vh + vb * k / SHELF_Q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / SHELF_Q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / SHELF_Q + k * k) / a0,
    ]
    k = math.tan(math.pi * HIGHPASS_F0_HZ / rate)
    a0 = 1.0 + k / HIGHPASS_Q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / HIGHPASS_Q + k * k) / a0]
    return np.array([shelf, highpass], dtype=np.float64)


def midrange_sos(rate: int) -> npt.NDArray[np.float64]:
    """4th-order Butterworth band pass over :data:`MIDRANGE_BAND_HZ` at ``rate`` Hz, ``sos``."""
    import scipy.signal  # here, not at the top: the analysis engine never needs it (start-up time)

    return np.asarray(scipy.signal.butter(4, MIDRANGE_BAND_HZ, btype="bandpass", fs=rate, output="sos"))


def channel_weights(channels: int) -> npt.NDArray[np.float64]:
    """BS.1770 weight per channel, shape ``(channels,)``; a mono file weighs as dual mono
    (:data:`MONO_AS_DUAL_MONO_WEIGHT`)."""
    if channels == 1:
        return np.array([MONO_AS_DUAL_MONO_WEIGHT])
    return np.array([CHANNEL_WEIGHTS[c] if c < len(CHANNEL_WEIGHTS) else 1.0 for c in range(channels)])


class LoudnessMeter:
    """Streaming BS.1770 meter: ``feed`` blocks ``(frames, channels)``, then ``finish()``.

    ``sos`` defaults to K-weighting; :func:`midrange_loudness` passes a band pass instead.
    """

    def __init__(
        self, rate: int, channels: int, *, sos: npt.NDArray[np.float64] | None = None, peaks: bool = True
    ) -> None:
        if channels < 1:
            raise InvalidParameter(f"channels {channels} must be >= 1")
        self.rate = rate
        self.sos = k_weighting_sos(rate) if sos is None else sos
        self.weights = channel_weights(channels)
        self.sub_frames = max(1, round(SUBBLOCK_S * rate))
        self._zi = np.zeros((self.sos.shape[0], 2, channels))
        self._rest = np.zeros((0, channels))
        self._subblocks: list[npt.NDArray[np.float64]] = []
        self._peak = PeakMeter(rate, channels) if peaks else None
        import scipy.signal  # here, not at the top: the analysis engine never needs it (start-up time)

        self._sosfilt = scipy.signal.sosfilt

    def feed(self, block: npt.NDArray[np.floating]) -> None:
        """Add ``block`` ``(frames, channels)`` (float)."""
        # a -300 dBFS offset keeps filter states out of subnormal numbers (100x slower) after digital silence;
        # the weighting filters remove DC, so it never reaches the figures
        y, self._zi = self._sosfilt(self.sos, block + DENORMAL_GUARD, axis=0, zi=self._zi)
        sq = np.concatenate([self._rest, y * y]) if self._rest.shape[0] else y * y
        n = sq.shape[0] // self.sub_frames
        if n:
            full = sq[: n * self.sub_frames].reshape(n, self.sub_frames, -1).mean(axis=1)
            self._subblocks.append(full @ self.weights)
        self._rest = sq[n * self.sub_frames :]
        if self._peak is not None:
            self._peak.feed(block)

    def subblock_power(self) -> npt.NDArray[np.float64]:
        """Channel-weighted mean square per 100 ms sub-block, shape ``(n_subblocks,)``."""
        if not self._subblocks:
            return np.zeros(0)
        return np.concatenate(self._subblocks)

    def finish(self) -> LoudnessStats:
        """All figures of what was fed."""
        return stats_from_subblocks(self.subblock_power(), self._peak)


def stats_from_subblocks(power: npt.NDArray[np.float64], peak: PeakMeter | None) -> LoudnessStats:
    """:class:`LoudnessStats` from channel-weighted K-weighted sub-block powers ``(n_subblocks,)`` and peaks."""
    sample_db, true_db = (-math.inf, -math.inf)
    if peak is not None:
        sample_db, true_db = peak.sample_peak_dbfs(), peak.true_peak_dbtp()
    momentary = block_loudness(power, MOMENTARY_SUBBLOCKS)
    short = block_loudness(power, SHORT_TERM_SUBBLOCKS)
    return LoudnessStats(
        integrated_lufs=gated_loudness(momentary),
        lra_lu=loudness_range(short),
        short_term_max_lufs=float(short.max()) if short.size else math.nan,
        momentary_max_lufs=float(momentary.max()) if momentary.size else math.nan,
        sample_peak_dbfs=sample_db,
        true_peak_dbtp=true_db,
    )


class EnergyTrace:
    """Streaming cumulative channel-weighted energy ``Σ G_c·x_c²`` sampled at every sub-block edge and every
    STFT frame-interval edge (``k·hop + hop/2``): the exact time placement of energy for
    :func:`kweighted_subblock_power`, at the cost of one multiply-add per sample."""

    def __init__(self, rate: int, channels: int, hop: int) -> None:
        self.sub_frames = max(1, round(SUBBLOCK_S * rate))
        self.hop = hop
        self.weights = channel_weights(channels).astype(np.float32)
        self.samples = 0
        self._total = 0.0
        self._points: list[npt.NDArray[np.int64]] = []
        self._values: list[npt.NDArray[np.float64]] = []

    def _edges(self, start: int, stop: int) -> npt.NDArray[np.int64]:
        subs = np.arange(-(-start // self.sub_frames) * self.sub_frames, stop, self.sub_frames)
        first = -(-(start - self.hop // 2) // self.hop) * self.hop + self.hop // 2
        return np.union1d(subs, np.arange(first, stop, self.hop)).astype(np.int64)

    def feed(self, block: npt.NDArray[np.floating]) -> None:
        """Add ``block`` ``(frames, channels)``."""
        n = block.shape[0]
        if n == 0:
            return
        points = self._edges(self.samples, self.samples + n)
        starts = np.unique(np.concatenate([[0], points - self.samples]))
        # every edge, the block start and its length are multiples of ``tile`` frames
        tile = math.gcd(self.sub_frames, self.hop // 2, self.samples, n)
        if np.all(self.weights == 1.0) and tile >= TRACE_TILE_MIN:
            # one pass: float32 sum of squares per tile (all channels), then float64 sums of tiles between edges
            rows = np.ascontiguousarray(block, dtype=np.float32).reshape(n // tile, tile * block.shape[1])
            tiles = np.einsum("ij,ij->i", rows, rows)
            sums = np.add.reduceat(tiles, starts // tile, dtype=np.float64)
        elif np.all(self.weights == 1.0):  # frames [a, b) are samples [a·ch, b·ch) of the flat block
            squares = np.square(np.ascontiguousarray(block).reshape(-1), dtype=np.float32)
            sums = np.add.reduceat(squares, starts * block.shape[1], dtype=np.float64)
        else:
            sums = np.add.reduceat(np.square(block, dtype=np.float32) @ self.weights, starts, dtype=np.float64)
        before = self._total + np.concatenate([[0.0], np.cumsum(sums)])
        self._points.append(points)
        self._values.append(before[np.searchsorted(starts, points - self.samples)])
        self._total = float(before[-1])
        self.samples += n

    def edges(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Edge positions (samples) and the cumulative energy before each, closed by the end of the signal."""
        points = np.concatenate([*self._points, [self.samples]])
        values = np.concatenate([*self._values, [self._total]])
        return points, values


def kweighted_subblock_power(
    trace: EnergyTrace, plain: npt.NDArray[np.float64], kweighted: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """K-weighted mean square per 100 ms sub-block, shape ``(n_subblocks,)``.

    The time-domain energy between consecutive edges of ``trace`` is scaled by the K-weighting gain of the STFT
    frame it lies in (``kweighted/plain`` per frame, both from the frame's spectrum): energy is placed exactly in
    time, and the spectral weighting follows the frame's spectrum. Exact for signals whose spectrum is steady
    within a frame (43 ms); see docs/analysis.md for the measured agreement with time-domain filtering.
    """
    n_sub = trace.samples // trace.sub_frames
    points, values = trace.edges()
    if n_sub == 0 or plain.size == 0:
        return np.zeros(n_sub)
    gain = np.divide(kweighted, plain, out=np.zeros_like(plain), where=plain > 0)
    start = points[:-1]
    seg = np.diff(values)
    frame = np.clip((start + trace.hop // 2) // trace.hop, 0, plain.size - 1)
    sub = start // trace.sub_frames
    keep = sub < n_sub
    power = np.bincount(sub[keep], weights=seg[keep] * gain[frame[keep]], minlength=n_sub)
    return np.maximum(power, 0.0) / trace.sub_frames


def block_loudness(subblock_power: npt.NDArray[np.float64], n_sub: int) -> npt.NDArray[np.float64]:
    """Loudness (LUFS) of every window of ``n_sub`` consecutive sub-blocks (step one sub-block)."""
    if subblock_power.size < n_sub:
        return np.zeros(0)
    csum = np.concatenate([[0.0], np.cumsum(subblock_power)])
    mean = np.maximum((csum[n_sub:] - csum[:-n_sub]) / n_sub, 0.0)
    with np.errstate(divide="ignore"):
        return LOUDNESS_OFFSET_DB + 10.0 * np.log10(mean)


def relative_gate_lufs(block_lufs: npt.NDArray[np.float64]) -> float:
    """The BS.1770 relative gate (LUFS) for 400 ms block loudnesses; -inf when nothing passes -70 LUFS."""
    loud = block_lufs[block_lufs > ABSOLUTE_GATE_LUFS]
    if loud.size == 0:
        return -math.inf
    return _power_mean_lufs(loud) + RELATIVE_GATE_LU


def gated_loudness(block_lufs: npt.NDArray[np.float64]) -> float:
    """Integrated loudness (LUFS) from 400 ms block loudnesses with both gates; -inf for silence."""
    gate = relative_gate_lufs(block_lufs)
    if gate == -math.inf:
        return -math.inf
    kept = block_lufs[(block_lufs > gate) & (block_lufs > ABSOLUTE_GATE_LUFS)]
    return _power_mean_lufs(kept) if kept.size else -math.inf


def loudness_range(short_term_lufs: npt.NDArray[np.float64]) -> float:
    """EBU Tech 3342 loudness range (LU) from short-term loudnesses; NaN when nothing passes the gates."""
    loud = short_term_lufs[short_term_lufs >= ABSOLUTE_GATE_LUFS]
    if loud.size == 0:
        return math.nan
    kept = loud[loud >= _power_mean_lufs(loud) + LRA_RELATIVE_GATE_LU]
    low, high = np.percentile(kept, LRA_PERCENTILES)
    return float(high - low)


def _power_mean_lufs(lufs: npt.NDArray[np.float64]) -> float:
    power = 10.0 ** ((lufs - LOUDNESS_OFFSET_DB) / 10.0)
    return LOUDNESS_OFFSET_DB + 10.0 * math.log10(float(power.sum()) / power.size)


def _validated(audio: npt.ArrayLike, rate: int) -> npt.NDArray[np.float64]:
    arr = np.asarray(audio, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise InvalidAudio(f"audio must be (frames, channels), got shape {arr.shape}")
    if rate <= 0:
        raise InvalidParameter(f"rate {rate} Hz must be > 0")
    if arr.shape[0] < round(MOMENTARY_SUBBLOCKS * SUBBLOCK_S * rate):
        raise InvalidAudio(f"audio of {arr.shape[0]} frames is shorter than one 400 ms gating block")
    return arr


def loudness_stats(audio: npt.ArrayLike, rate: int) -> LoudnessStats:
    """All loudness figures of ``audio`` ``(frames, channels)`` or ``(frames,)`` at ``rate`` Hz."""
    arr = _validated(audio, rate)
    meter = LoudnessMeter(rate, arr.shape[1])
    meter.feed(arr)
    return meter.finish()


def integrated_loudness(audio: npt.ArrayLike, rate: int) -> float:
    """BS.1770-4 integrated loudness in LUFS (-inf for silence)."""
    arr = _validated(audio, rate)
    meter = LoudnessMeter(rate, arr.shape[1], peaks=False)
    meter.feed(arr)
    return gated_loudness(block_loudness(meter.subblock_power(), MOMENTARY_SUBBLOCKS))


def midrange_loudness(audio: npt.ArrayLike, rate: int) -> float:
    """Gated level (dB re full-scale mean square, channels summed; mono as dual mono) of the 300 Hz-3 kHz band.

    Same blocks and gates as BS.1770 but with a band pass in place of K-weighting and no -0.691 offset, so two
    signals with equal midrange level read equal; -inf for silence.
    """
    arr = _validated(audio, rate)
    meter = LoudnessMeter(rate, arr.shape[1], sos=midrange_sos(rate), peaks=False)
    meter.weights = np.full(arr.shape[1], MONO_AS_DUAL_MONO_WEIGHT if arr.shape[1] == 1 else 1.0)
    meter.feed(arr)
    return gated_loudness(block_loudness(meter.subblock_power(), MOMENTARY_SUBBLOCKS)) - LOUDNESS_OFFSET_DB


def match_gain_db(source_lufs: float, target_lufs: float) -> float:
    """Gain in dB that brings ``source_lufs`` to ``target_lufs`` (0 dB if either is silent)."""
    if not (math.isfinite(source_lufs) and math.isfinite(target_lufs)):
        return 0.0
    return target_lufs - source_lufs


__all__ = [
    "LoudnessMeter",
    "LoudnessStats",
    "block_loudness",
    "MONO_AS_DUAL_MONO_WEIGHT",
    "channel_weights",
    "EnergyTrace",
    "kweighted_subblock_power",
    "gated_loudness",
    "integrated_loudness",
    "k_weighting_sos",
    "loudness_range",
    "loudness_stats",
    "match_gain_db",
    "midrange_loudness",
    "relative_gate_lufs",
    "stats_from_subblocks",
]

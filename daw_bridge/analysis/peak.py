"""Sample peak and BS.1770-4 true peak (4x polyphase oversampling, FIR designed once, streaming).

Only 256-sample chunks that could hold the true peak are oversampled: an interpolated value is bounded by the
filter's largest per-phase sum of |taps| times the largest input sample under it, so chunks whose bound lies below
the running true peak are skipped, exactly (no margin to guess). Chunks go loudest first.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..units import gain_to_db

#: Taps per polyphase branch (BS.1770-4 Annex 2 uses 12 taps per phase at 4x).
TAPS_PER_PHASE = 12
CHUNK_FRAMES = 256
#: Chunks oversampled at a time, loudest first, before the bound is checked again.
PEAK_BATCH = 32


def oversampling_factor(rate: int) -> int:
    """4x below 88.2 kHz, 2x below 176.4 kHz, else 1x (BS.1770-4 Annex 2)."""
    return 4 if rate < 88200 else 2 if rate < 176400 else 1


def kaiser_lowpass(taps: int, cutoff: float, *, beta: float) -> npt.NDArray[np.float64]:
    """Windowed-sinc low pass, ``cutoff`` as a fraction of Nyquist, unity gain at DC: the design of
    ``scipy.signal.firwin(taps, cutoff, window=("kaiser", beta))``, in numpy alone (a test compares them)."""
    m = np.arange(taps) - (taps - 1) / 2.0
    h = cutoff * np.sinc(cutoff * m) * np.kaiser(taps, beta)
    return np.asarray(h / h.sum(), dtype=np.float64)


def polyphase_matrix(factor: int) -> npt.NDArray[np.float64]:
    """Interpolation FIR split into ``factor`` phases, shape ``(TAPS_PER_PHASE, factor)``, newest tap first."""
    taps = TAPS_PER_PHASE * factor
    h = kaiser_lowpass(taps, 0.9 / factor, beta=6.0) * factor
    return np.asarray(h.reshape(TAPS_PER_PHASE, factor)[::-1], dtype=np.float64)


class PeakMeter:
    """Streaming sample and true peak of ``(frames, channels)`` blocks."""

    def __init__(self, rate: int, channels: int) -> None:
        self.factor = oversampling_factor(rate)
        self._h = polyphase_matrix(self.factor)
        #: largest sum of |taps| over the phases: no interpolated value exceeds it times the input's max
        self._l1 = float(np.abs(self._h).sum(axis=0).max())
        self._history = np.zeros((TAPS_PER_PHASE - 1, channels))
        self._sample_peak = 0.0
        self._true_peak = 0.0

    def feed(self, block: npt.NDArray[np.floating]) -> None:
        """Add ``block`` ``(frames, channels)``.

        One pass takes ``|x|`` and each chunk's maximum over its samples and channels (in the block's own
        dtype); only chunks that could raise the true peak are gathered, with their history, in float64.
        """
        n = block.shape[0]
        if n == 0:
            return
        history = self._history
        self._history = np.concatenate([history, block[-(TAPS_PER_PHASE - 1) :]])[-(TAPS_PER_PHASE - 1) :]
        n_full = n // CHUNK_FRAMES
        mag = np.abs(block)
        own = mag[: n_full * CHUNK_FRAMES].reshape(n_full, CHUNK_FRAMES * block.shape[1]).max(axis=1)
        absmax = max(float(own.max()) if n_full else 0.0, float(mag[n_full * CHUNK_FRAMES :].max(initial=0.0)))
        self._sample_peak = max(self._sample_peak, absmax)
        if self.factor == 1:
            self._true_peak = self._sample_peak
            return
        # the window of chunk i's first output reaches TAPS_PER_PHASE - 1 samples back, into chunk i-1 / history
        head = float(np.abs(history).max())
        if n_full:
            bound = self._l1 * np.maximum(own, np.concatenate([[head], own[:-1]]))
            self._true_peak = self._chunks_peak(history, block, bound)
        if n > n_full * CHUNK_FRAMES:
            rows = self._rows(history, block, np.array([n_full]), n - n_full * CHUNK_FRAMES)
            self._true_peak = max(self._true_peak, float(np.abs(rows @ self._h).max()))
        self._true_peak = max(self._true_peak, self._sample_peak)

    @staticmethod
    def _rows(
        history: npt.NDArray[np.float64], block: npt.NDArray[np.floating], chunks: npt.NDArray[np.intp], length: int
    ) -> npt.NDArray[np.float64]:
        """Filter windows of ``length`` outputs from each chunk's start, ``(chunks·length·channels, taps)``."""
        reach = TAPS_PER_PHASE - 1
        segments = []
        for i in chunks:
            lo = int(i) * CHUNK_FRAMES - reach
            if lo >= 0:
                segments.append(np.asarray(block[lo : lo + length + reach], dtype=np.float64))
            else:
                segments.append(np.concatenate([history[lo:], block[: lo + length + reach]]))
        windows = np.lib.stride_tricks.sliding_window_view(np.stack(segments), TAPS_PER_PHASE, axis=1)
        return np.ascontiguousarray(windows).reshape(-1, TAPS_PER_PHASE)  # contiguous: one BLAS product

    def _chunks_peak(
        self, history: npt.NDArray[np.float64], block: npt.NDArray[np.floating], bound: npt.NDArray[np.floating]
    ) -> float:
        """Exact oversampled peak over the block's full chunks, oversampling only chunks that could hold it.

        An interpolated value is at most ``l1 * max|x|`` over its :data:`TAPS_PER_PHASE` input samples
        (``bound``, per chunk, over all channels), so a chunk whose bound is below the running true peak cannot
        raise it. Chunks are taken loudest first, so the running peak rises fast and most chunks of dense
        material are never oversampled.
        """
        peak = self._true_peak
        candidates = np.flatnonzero(bound >= peak)
        order = candidates[np.argsort(-bound[candidates], kind="stable")]
        start = 0
        while start < order.size and bound[order[start]] >= peak:
            batch = order[start : start + PEAK_BATCH]
            batch = batch[bound[batch] >= peak]
            rows = self._rows(history, block, batch, CHUNK_FRAMES)
            peak = max(peak, float(np.abs(rows @ self._h).max()))
            start += PEAK_BATCH
        return peak

    def sample_peak_dbfs(self) -> float:
        """Largest absolute sample in dBFS (-inf for silence)."""
        return gain_to_db(self._sample_peak)

    def true_peak_dbtp(self) -> float:
        """Largest 4x-oversampled absolute value in dBTP (-inf for silence)."""
        return gain_to_db(self._true_peak)


def true_peak_dbtp(audio: npt.ArrayLike, rate: int) -> float:
    """True peak of ``audio`` ``(frames, channels)`` or ``(frames,)`` at ``rate`` Hz, in dBTP."""
    arr = np.asarray(audio, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    meter = PeakMeter(rate, arr.shape[1])
    meter.feed(arr)
    return meter.true_peak_dbtp()


__all__ = ["PeakMeter", "oversampling_factor", "polyphase_matrix", "true_peak_dbtp"]

"""One short-time Fourier pass that feeds band balance, width and reverb: per-frame band energies.

Frames of ``n_fft`` ≈ 43 ms (2048 at 48 kHz, a power of two), hop ``n_fft/2``, sine (square-root Hann) window:
the squared windows of overlapping frames sum to exactly 1, so frame energies partition the signal's energy
(Parseval) and a band's energy is the exact sum of its bins. Bins are assigned to a band by centre frequency, so
the seven bands tile 20 Hz-20 kHz without overlap. For stereo, ``|L|²``, ``|R|²`` and ``Re(L·R*)`` per band give
mid/side energies and correlation without a second transform. The same spectra, weighted by ``|K(f)|²`` of the
BS.1770 K-weighting ``sos`` (designed once at the file's rate), give each frame's K-weighted energy, from which
:func:`~daw_bridge.analysis.loudness.frames_to_subblock_power` builds the 100 ms sub-blocks: loudness costs no
second filtering pass. Only per-frame band sums are kept (≈ 50 floats per 21 ms), never spectra.
"""

from __future__ import annotations

import math
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.fft
import scipy.signal

from ..bands import BANDS
from ..errors import InvalidParameter
from .loudness import channel_weights, k_weighting_sos

FRAME_S = 0.0427  # s; rounded to a power of two in frames
#: Frames transformed together: their spectra (≈1.5 MB for stereo) stay in a core's L2 cache.
FRAME_CHUNK = 64
#: Transform jobs (half a block each) allowed to wait or run while the next block is read.
MAX_IN_FLIGHT = 4
#: Third-octave centres over which spectral tilt is fitted (Hz).
TILT_CENTRES_HZ: tuple[float, ...] = tuple(1000.0 * 2.0 ** (k / 3.0) for k in range(13))
#: Broad bands for reverb (Hz): low, mid, high.
REVERB_BANDS_HZ: tuple[tuple[str, float, float], ...] = (
    ("low", 50.0, 500.0),
    ("mid", 500.0, 4000.0),
    ("high", 4000.0, 16000.0),
)

#: Per-frame band rows of one run of frames (see :meth:`SpectralMeter._frames`).
_Rows = tuple[npt.NDArray[np.float32], ...]


@dataclass(frozen=True)
class BandFrames:
    """Per-frame band energies (sum of squares) from :class:`SpectralMeter`.

    ``left``/``right`` ``(n_frames, 7)`` for stereo (``right`` is None otherwise, and ``left`` holds the sum
    over channels); ``cross`` ``(n_frames, 7)`` is ``Re(L·R*)``; ``tilt`` ``(n_frames, 13)`` and ``reverb``
    ``(n_frames, 3)`` hold energies summed over channels; ``kweighted`` ``(n_frames, 2)`` holds the BS.1770
    channel-weighted energy, plain (column 0) and K-weighted (column 1). Frame ``k`` is centred at sample
    ``k·hop``.
    """

    left: npt.NDArray[np.float32]
    right: npt.NDArray[np.float32] | None
    cross: npt.NDArray[np.float32] | None
    tilt: npt.NDArray[np.float32]
    reverb: npt.NDArray[np.float32]
    kweighted: npt.NDArray[np.float64]
    hop: int
    rate: int
    tilt_valid: npt.NDArray[np.bool_]

    @property
    def hop_s(self) -> float:
        """Seconds between frames."""
        return self.hop / self.rate

    @property
    def total(self) -> npt.NDArray[np.float32]:
        """Energy per frame and band summed over channels, ``(n_frames, 7)``."""
        return self.left if self.right is None else self.left + self.right


def fft_size(rate: int) -> int:
    """Power-of-two frame length nearest :data:`FRAME_S` at ``rate`` Hz."""
    return int(2 ** round(math.log2(FRAME_S * rate)))


def _bin_ranges(freqs: npt.NDArray[np.floating], edges: list[tuple[float, float]]) -> list[tuple[int, int]]:
    """Bin ranges ``[first, last+1)`` whose centres lie in each ``[lo, hi)`` Hz."""
    return [(int(np.searchsorted(freqs, lo)), int(np.searchsorted(freqs, hi))) for lo, hi in edges]


class _BandSummer:
    """Sums interleaved (re², im²) spectra ``(n_frames, 2·n_bins)`` over contiguous bin ranges (``reduceat``)."""

    def __init__(self, ranges: list[tuple[int, int]], scale: float) -> None:
        cuts = sorted({2 * b for r in ranges for b in r})
        self.cuts = np.array(cuts[:-1], dtype=np.intp)
        self.last = cuts[-1]
        self.pick = np.zeros((len(cuts) - 1, len(ranges)), dtype=np.float32)
        for j, (lo, hi) in enumerate(ranges):
            for k in range(cuts.index(2 * lo), cuts.index(2 * hi)):
                self.pick[k, j] = scale

    def __call__(self, power: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Band sums of ``power`` ``(..., n_frames, 2·n_bins)``: ``(..., n_frames, n_bands)``."""
        atoms = np.add.reduceat(power[..., : self.last], self.cuts, axis=-1)
        return np.asarray(atoms @ self.pick, dtype=np.float32)


class SpectralMeter:
    """Streaming STFT band-energy meter for ``(frames, channels)`` blocks; ``finish()`` gives :class:`BandFrames`.

    ``feed(block, pool=...)`` hands the block's frames to the pool's threads in two jobs (numpy and pocketfft
    release the GIL) and returns at once, so two cores share the work while the next block is read.
    """

    def __init__(self, rate: int, channels: int) -> None:
        if rate < 8000:
            raise InvalidParameter(f"sample rate {rate} Hz is too low for band analysis (need >= 8000 Hz)")
        self.rate = rate
        self.channels = channels
        self.n_fft = fft_size(rate)
        self.hop = self.n_fft // 2
        n = np.arange(self.n_fft)
        self.window = np.sin(np.pi * (n + 0.5) / self.n_fft).astype(np.float32)  # sine: w² sums to 1
        freqs = np.fft.rfftfreq(self.n_fft, 1.0 / rate)
        tilt_edges = [(c * 2 ** (-1 / 6), c * 2 ** (1 / 6)) for c in TILT_CENTRES_HZ]
        self.tilt_valid = np.array([hi <= rate / 2.0 for _, hi in tilt_edges])
        edges = [(b.low_hz, b.high_hz) for b in BANDS] + tilt_edges
        edges += [(lo, min(hi, 0.45 * rate)) for _, lo, hi in REVERB_BANDS_HZ]
        # Parseval weight 2/N of one-sided bins (DC and Nyquist, weight 1/N, lie outside every band)
        ranges = _bin_ranges(freqs, edges)
        self._summer = _BandSummer(ranges, 2.0 / self.n_fft)
        parseval = np.full(freqs.size, 2.0 / self.n_fft)
        parseval[0] = parseval[-1] = 1.0 / self.n_fft
        _, k_resp = scipy.signal.sosfreqz(k_weighting_sos(rate), worN=freqs, fs=rate)
        # interleaved (re, im) weights: column 0 plain energy, column 1 K-weighted energy
        self._kw = np.stack([np.repeat(parseval, 2), np.repeat(np.abs(k_resp) ** 2 * parseval, 2)], axis=1)
        self._kw = self._kw.astype(np.float32)
        self._weights = channel_weights(channels).astype(np.float32)
        self._carry = np.zeros((channels, self.hop), dtype=np.float32)  # centres frame k at sample k*hop
        self._rows: list[_Rows] = []
        self._pending: deque[Future[_Rows]] = deque()

    def _frames(self, planar: npt.NDArray[np.float32], n_frames: int) -> _Rows:
        """Band rows of the ``n_frames`` frames of ``planar`` ``(channels, samples)``, :data:`FRAME_CHUNK` at a time."""
        frames = [np.lib.stride_tricks.sliding_window_view(row, self.n_fft)[:: self.hop] for row in planar]
        if self.channels == 2:
            return self._stereo_frames(frames, n_frames)
        return self._summed_frames(frames, n_frames)

    def _power(self, frames: npt.NDArray[np.float32], windowed: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Interleaved (re, im) spectra of the windowed ``frames`` ``(c, n_fft)``: ``(c, 2·n_bins)``, not squared."""
        np.multiply(frames, self.window, out=windowed[: frames.shape[0]])
        return scipy.fft.rfft(windowed[: frames.shape[0]], axis=1, workers=1).view(np.float32)

    def _stereo_frames(self, frames: list[npt.NDArray[np.float32]], n_frames: int) -> _Rows:
        """``(left, right, cross, kweighted)`` rows; products and sums in place on cache-sized chunks of frames."""
        out = np.empty((3, n_frames, self._summer.pick.shape[1]), dtype=np.float32)
        kweighted = np.empty((n_frames, 2), dtype=np.float32)
        windowed = np.empty((FRAME_CHUNK, self.n_fft), dtype=np.float32)
        cross = np.empty((FRAME_CHUNK, 2 * (self.hop + 1)), dtype=np.float32)
        for start in range(0, n_frames, FRAME_CHUNK):
            stop = min(start + FRAME_CHUNK, n_frames)
            left = self._power(frames[0][start:stop], windowed)
            right = self._power(frames[1][start:stop], windowed)
            np.multiply(left, right, out=cross[: stop - start])  # re·re and im·im: sums to Re(L·R*)
            np.square(left, out=left)
            np.square(right, out=right)
            kweighted[start:stop] = left @ self._kw + right @ self._kw
            for row, power in enumerate((left, right, cross[: stop - start])):
                out[row, start:stop] = self._summer(power)
        return out[0], out[1], out[2], kweighted

    def _summed_frames(self, frames: list[npt.NDArray[np.float32]], n_frames: int) -> _Rows:
        """``(total, kweighted)`` rows for any channel count: one real FFT per channel and frame."""
        total = np.empty((n_frames, self._summer.pick.shape[1]), dtype=np.float32)
        kweighted = np.zeros((n_frames, 2), dtype=np.float32)
        windowed = np.empty((FRAME_CHUNK, self.n_fft), dtype=np.float32)
        for start in range(0, n_frames, FRAME_CHUNK):
            stop = min(start + FRAME_CHUNK, n_frames)
            summed: npt.NDArray[np.float32] | None = None
            for ch, weight in enumerate(self._weights):
                power = self._power(frames[ch][start:stop], windowed)
                np.square(power, out=power)
                kweighted[start:stop] += weight * (power @ self._kw)
                if summed is None:
                    summed = power
                else:
                    summed += power
            assert summed is not None
            total[start:stop] = self._summer(summed)
        return total, kweighted

    def feed(self, block: npt.NDArray[np.floating], *, pool: ThreadPoolExecutor | None = None) -> None:
        """Add ``block`` ``(frames, channels)``.

        With ``pool``, the block's frames are split in two jobs and ``feed`` returns without waiting for them
        (at most :data:`MAX_IN_FLIGHT` jobs stay pending), so reading and transforming overlap on two cores.
        """
        n_carry = self._carry.shape[1]
        planar = np.empty((self.channels, n_carry + block.shape[0]), dtype=np.float32)
        planar[:, :n_carry] = self._carry
        planar[:, n_carry:] = block.T  # one transposing copy: each channel's windows are read contiguously
        if planar.shape[1] < self.n_fft:
            self._carry = planar
            return
        n_frames = (planar.shape[1] - self.n_fft) // self.hop + 1
        self._carry = planar[:, n_frames * self.hop :]
        if pool is None or n_frames < 8:
            self._rows.append(self._frames(planar, n_frames))
            return
        half = n_frames // 2
        self._pending.append(pool.submit(self._frames, planar, half))
        self._pending.append(pool.submit(self._frames, planar[:, half * self.hop :], n_frames - half))
        self._collect(MAX_IN_FLIGHT)

    def _collect(self, keep: int) -> None:
        """Move finished jobs' rows to ``_rows`` in order until at most ``keep`` are pending (waits if needed)."""
        while len(self._pending) > keep:
            self._rows.append(self._pending.popleft().result())

    def finish(self) -> BandFrames:
        """Flush the last frames and return every frame's band energies."""
        self._collect(0)
        self.feed(np.zeros((self.n_fft, self.channels), dtype=np.float32))
        stereo = self.channels == 2
        cols = [np.concatenate(c) for c in zip(*self._rows, strict=True)]
        n_bands, n_tilt = len(BANDS), len(TILT_CENTRES_HZ)
        total = cols[0] if not stereo else cols[0] + cols[1]
        return BandFrames(
            left=np.ascontiguousarray(cols[0][:, :n_bands]),
            right=np.ascontiguousarray(cols[1][:, :n_bands]) if stereo else None,
            cross=np.ascontiguousarray(cols[2][:, :n_bands]) if stereo else None,
            tilt=np.ascontiguousarray(total[:, n_bands : n_bands + n_tilt]),
            reverb=np.ascontiguousarray(total[:, n_bands + n_tilt :]),
            kweighted=cols[-1].astype(np.float64),
            hop=self.hop,
            rate=self.rate,
            tilt_valid=self.tilt_valid,
        )


__all__ = ["BandFrames", "REVERB_BANDS_HZ", "SpectralMeter", "TILT_CENTRES_HZ", "fft_size"]

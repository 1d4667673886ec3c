"""One short-time Fourier pass that feeds band balance, width and reverb: per-frame band energies.

Frames of ``n_fft`` ≈ 43 ms (2048 at 48 kHz, a power of two), hop ``3/4·n_fft`` (32 ms), a flat-topped window
with sine tapers over the 25 % where frames overlap (:func:`complementary_window`): the squared windows of
overlapping frames sum to exactly 1, so frame energies partition the signal's energy (Parseval) and a band's
energy is the exact sum of its bins. (The sine window at 50 % overlap does the same with a third more frames;
accuracy is the same or better either way, docs/accuracy.md.) Bins are assigned to a band by centre frequency,
so the seven bands tile 20 Hz-20 kHz without overlap. For stereo, ``|L|²``, ``|R|²`` and ``Re(L·R*)`` per band
give mid/side energies and correlation without a second transform. The same spectra, weighted per bin by
:func:`kweight_per_bin` (the BS.1770 K-weighting ``|K(f)|²``, fitted to the window's leakage below 1.5 kHz),
give each frame's K-weighted energy, from which
:func:`~daw_bridge.analysis.loudness.kweighted_subblock_power` builds the 100 ms sub-blocks: loudness costs no
second filtering pass. Only per-frame band sums are kept (≈ 50 floats per 32 ms), never spectra.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..bands import BANDS
from ..errors import InvalidParameter
from .ambience import ambient_energy, covariance_buffer, frame_rows, tile_cross, tile_pick, tile_power
from .fft import rfft_rows
from .loudness import channel_weights, k_weighting_sos
from .structure import SongBands

FRAME_S = 0.0427  # s; rounded to a power of two in frames
#: Frames transformed together: their spectra (≈1.5 MB for stereo) stay in a core's L2 cache.
FRAME_CHUNK = 64
#: Hop between frames as a fraction of the frame length (0.5: sine window; 0.75: flat-topped, 25 % overlap).
HOP_FRACTION = 0.75
#: Below this frequency (Hz) the per-bin K-weights are fitted to the window (see :func:`kweight_per_bin`).
K_FIT_HZ = 1500.0
_TONE_STEPS = 8  # test tones per bin in that fit
_K_FIT_PULL = 0.01  # weight of "stay near |K(f)|² at the bin centre" in that fit
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
    ``(n_frames, 3)`` hold energies summed over channels; ``ambient`` ``(n_frames, 10)`` (stereo only, else
    None) the ambient energy of the seven bands then the three reverb bands (:mod:`.ambience`); ``kweighted``
    ``(n_frames, 2)`` holds the BS.1770 channel-weighted energy, plain (column 0) and K-weighted (column 1);
    ``song`` ``(n_frames, 24)`` (None unless asked for) the chroma and timbre-band powers of the song's structure
    (:class:`.structure.SongBands`, not Parseval-scaled) of the downmix ``L+R`` for stereo, as a mono copy
    reads; other channel counts sum the channels' powers.
    Frame ``k`` is centred at sample ``k·hop``.
    """

    left: npt.NDArray[np.float32]
    right: npt.NDArray[np.float32] | None
    cross: npt.NDArray[np.float32] | None
    tilt: npt.NDArray[np.float32]
    reverb: npt.NDArray[np.float32]
    kweighted: npt.NDArray[np.float64]
    ambient: npt.NDArray[np.float32] | None
    hop: int
    rate: int
    tilt_valid: npt.NDArray[np.bool_]
    song: npt.NDArray[np.float32] | None = None

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


def complementary_window(n_fft: int, hop: int) -> npt.NDArray[np.float64]:
    """Window whose squares, ``hop`` samples apart, sum to exactly 1: sine tapers over the ``n_fft - hop`` samples
    where frames overlap, flat between (``hop = n_fft/2`` gives the sine window)."""
    taper = n_fft - hop
    if not 0 < taper <= n_fft // 2:
        raise InvalidParameter(f"hop {hop} must lie in [n_fft/2, n_fft) for n_fft {n_fft}")
    w = np.ones(n_fft)
    rise = np.sin(0.5 * np.pi * (np.arange(taper) + 0.5) / taper)
    w[:taper] = rise
    w[n_fft - taper :] = rise[::-1]
    return w


@functools.lru_cache(maxsize=8)
def kweight_per_bin(rate: int, n_fft: int, hop: int) -> npt.NDArray[np.float64]:
    """Per-bin power weights ``(n_fft/2 + 1,)`` that turn a frame's bin energies into its K-weighted energy.

    The analysis window spreads a tone over about ±1.5 bins, so weighting each bin by ``|K(f)|²`` at its centre
    reads low tones wrong where K changes steeply (with the sine window, by up to 1.9 dB at 20-30 Hz, 0.3 dB at
    30-60 Hz and 0.12 dB at 60-200 Hz). Below :data:`K_FIT_HZ` the weights are instead fitted (least squares,
    non-negative, lightly pulled towards the centre values) so that a steady sine at any frequency gets
    ``Σ weight·energy = |K(f)|²·Σ energy``; above it, the centre values already do (error < 0.001 dB).
    Cached per (rate, n_fft, hop)."""
    from ..dsp.biquad import sos_response  # numpy-only stand-ins for scipy.signal/optimize (start-up time)
    from ..dsp.nnls import nnls

    window = complementary_window(n_fft, hop)
    n_bins = n_fft // 2 + 1
    bins = np.arange(n_bins)
    sos = k_weighting_sos(rate)
    centre = np.abs(sos_response(sos, bins * rate / n_fft, sample_rate=rate)) ** 2
    fit = min(n_bins, int(K_FIT_HZ * n_fft / rate))
    spread = np.abs(np.fft.fft(window, _TONE_STEPS * n_fft)) ** 2  # |W|² every 1/_TONE_STEPS bin
    parseval = np.where((bins == 0) | (bins == n_bins - 1), 1.0, 2.0)

    def energy(tones: npt.NDArray[np.intp], near: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        """A unit sine's mean energy in bins ``near`` for tones at ``tones``/_TONE_STEPS bins: both its images
        through the window, Parseval-weighted (the phase-dependent cross term averages out)."""
        below = spread[(tones[:, None] - _TONE_STEPS * near) % spread.size]
        above = spread[(tones[:, None] + _TONE_STEPS * near) % spread.size]
        return np.asarray((below + above) * parseval[near], dtype=np.float64)

    tones = np.arange(_TONE_STEPS * min(fit + 8, n_bins - 1))  # DC to 8 bins past the fitted range
    near = bins[: min(n_bins, fit + 72)]  # the window's leakage beyond 64 bins is negligible (< 1e-4)
    total = float(energy(tones[:1], bins).sum())  # a unit sine's whole energy: the same for every tone (Parseval)
    share = energy(tones, near) / total
    k_tone = np.abs(sos_response(sos, tones * rate / (_TONE_STEPS * n_fft), sample_rate=rate)) ** 2
    # what the fitted bins must supply: the tone's |K|² less what the fixed bins (and far leakage) give
    target = k_tone - share[:, fit:] @ centre[fit : near.size] - (1.0 - share.sum(axis=1)) * k_tone
    system = np.vstack([share[:, :fit], _K_FIT_PULL * np.eye(fit)])
    weights = centre.copy()
    weights[:fit] = nnls(system, np.concatenate([target, _K_FIT_PULL * centre[:fit]]))
    weights.setflags(write=False)  # shared through the cache
    return weights


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
    release the GIL) and returns at once, so two cores share the work while the next block is read. ``song``:
    also sum each frame's :class:`.structure.SongBands` (``BandFrames.song``), so the song's sections need no
    transform of their own.
    """

    def __init__(self, rate: int, channels: int, *, song: bool = False) -> None:
        if rate < 8000:
            raise InvalidParameter(f"sample rate {rate} Hz is too low for band analysis (need >= 8000 Hz)")
        self.rate = rate
        self.channels = channels
        self.n_fft = fft_size(rate)
        self.hop = int(self.n_fft * HOP_FRACTION)
        self.window = complementary_window(self.n_fft, self.hop).astype(np.float32)
        freqs = np.fft.rfftfreq(self.n_fft, 1.0 / rate)
        tilt_edges = [(c * 2 ** (-1 / 6), c * 2 ** (1 / 6)) for c in TILT_CENTRES_HZ]
        self.tilt_valid = np.array([hi <= rate / 2.0 for _, hi in tilt_edges])
        edges = [(b.low_hz, b.high_hz) for b in BANDS] + tilt_edges
        edges += [(lo, min(hi, 0.45 * rate)) for _, lo, hi in REVERB_BANDS_HZ]
        # Parseval weight 2/N of one-sided bins (DC and Nyquist, weight 1/N, lie outside every band)
        ranges = _bin_ranges(freqs, edges)
        amb_edges = [(b.low_hz, b.high_hz) for b in BANDS] + edges[-len(REVERB_BANDS_HZ) :]
        self._tiles = tile_pick(freqs, amb_edges) * np.float32(2.0 / self.n_fft)  # Parseval, as the band sums
        self._summer = _BandSummer(ranges, 2.0 / self.n_fft)
        parseval = np.full(freqs.size, 2.0 / self.n_fft)
        parseval[0] = parseval[-1] = 1.0 / self.n_fft
        kweight = kweight_per_bin(rate, self.n_fft, self.hop)
        # interleaved (re, im) weights: column 0 plain energy, column 1 K-weighted energy
        self._kw = np.stack([np.repeat(parseval, 2), np.repeat(kweight * parseval, 2)], axis=1)
        self._kw = self._kw.astype(np.float32)
        self._weights = channel_weights(channels).astype(np.float32)
        self._song = SongBands(rate, self.n_fft) if song else None
        self._carry = np.zeros((channels, self.n_fft // 2), dtype=np.float32)  # centres frame k at sample k*hop
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
        return rfft_rows(windowed[: frames.shape[0]]).view(np.float32)  # scipy's pocketfft (see .fft)

    def _song_rows(self, n_frames: int) -> npt.NDArray[np.float32]:
        """Room for the job's :class:`.structure.SongBands` rows (no columns when not asked for)."""
        return np.empty((n_frames, 0 if self._song is None else self._song.width), dtype=np.float32)

    def _stereo_frames(self, frames: list[npt.NDArray[np.float32]], n_frames: int) -> _Rows:
        """``(left, right, cross, ambient, song, kweighted)`` rows; products and sums in place on cache-sized
        chunks of frames; the per-tile covariances of all the job's frames feed :func:`.ambience.ambient_energy`."""
        out = np.empty((3, n_frames, self._summer.pick.shape[1]), dtype=np.float32)
        song = self._song_rows(n_frames)
        both = None if self._song is None else np.empty((FRAME_CHUNK, self._song.columns), dtype=np.float32)
        cov = covariance_buffer(n_frames, self._tiles.shape[0])
        kweighted = np.empty((n_frames, 2), dtype=np.float32)
        windowed = np.empty((FRAME_CHUNK, self.n_fft), dtype=np.float32)
        cross = np.empty((FRAME_CHUNK, 2 * (self.n_fft // 2 + 1)), dtype=np.float32)
        for start in range(0, n_frames, FRAME_CHUNK):
            stop = min(start + FRAME_CHUNK, n_frames)
            left = self._power(frames[0][start:stop], windowed)
            right = self._power(frames[1][start:stop], windowed)
            if self._song is not None and both is not None:  # the song's bands of the downmix L+R, as mono
                mid = np.add(left[:, : both.shape[1]], right[:, : both.shape[1]], out=both[: stop - start])
                song[start:stop] = self._song(np.square(mid, out=mid))
            tile_cross(left, right, frame_rows(cov, start, stop))
            np.multiply(left, right, out=cross[: stop - start])  # re·re and im·im: sums to Re(L·R*)
            np.square(left, out=left)
            np.square(right, out=right)
            tile_power(left, right, frame_rows(cov, start, stop))
            kweighted[start:stop] = left @ self._kw + right @ self._kw
            for row, power in enumerate((left, right, cross[: stop - start])):
                out[row, start:stop] = self._summer(power)
        return out[0], out[1], out[2], ambient_energy(cov, self._tiles), song, kweighted

    def _summed_frames(self, frames: list[npt.NDArray[np.float32]], n_frames: int) -> _Rows:
        """``(total, song, kweighted)`` rows for any channel count: one real FFT per channel and frame."""
        total = np.empty((n_frames, self._summer.pick.shape[1]), dtype=np.float32)
        song = self._song_rows(n_frames)
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
            if self._song is not None:
                song[start:stop] = self._song(summed)
        return total, song, kweighted

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
            self._collect(0)  # rows stay in frame order behind any pending jobs
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
            ambient=cols[3] if stereo else None,
            tilt=np.ascontiguousarray(total[:, n_bands : n_bands + n_tilt]),
            reverb=np.ascontiguousarray(total[:, n_bands + n_tilt :]),
            kweighted=cols[-1].astype(np.float64),
            hop=self.hop,
            rate=self.rate,
            tilt_valid=self.tilt_valid,
            song=None if self._song is None else cols[-2],
        )


__all__ = ["BandFrames", "REVERB_BANDS_HZ", "SpectralMeter", "TILT_CENTRES_HZ", "fft_size"]

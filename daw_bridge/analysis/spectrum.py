"""One short-time Fourier pass that feeds band balance, width and reverb: per-frame band energies.

Frames of ``n_fft`` ≈ 43 ms (2048 at 48 kHz, a power of two), hop ``n_fft/2``, sine (square-root Hann) window:
the squared windows of overlapping frames sum to exactly 1, so frame energies partition the signal's energy
(Parseval) and a band's energy is the exact sum of its bins. Bins are assigned to a band by centre frequency, so
the seven bands tile 20 Hz-20 kHz without overlap. For stereo, ``|L|²``, ``|R|²`` and ``Re(L·R*)`` per band give
mid/side energies and correlation without a second transform. Only per-frame band sums are kept
(≈ 50 floats per 21 ms), never spectra.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.fft

from ..bands import BANDS
from ..errors import InvalidParameter

FRAME_S = 0.0427  # s; rounded to a power of two in frames
#: Third-octave centres over which spectral tilt is fitted (Hz).
TILT_CENTRES_HZ: tuple[float, ...] = tuple(1000.0 * 2.0 ** (k / 3.0) for k in range(13))
#: Broad bands for reverb (Hz): low, mid, high.
REVERB_BANDS_HZ: tuple[tuple[str, float, float], ...] = (
    ("low", 50.0, 500.0),
    ("mid", 500.0, 4000.0),
    ("high", 4000.0, 16000.0),
)
FFT_WORKERS = 2


@dataclass(frozen=True)
class BandFrames:
    """Per-frame band energies (sum of squares) from :class:`SpectralMeter`.

    ``left``/``right`` ``(n_frames, 7)`` for stereo (``right`` is None for mono; for more channels, ``left``
    holds the sum of all); ``cross`` ``(n_frames, 7)`` is ``Re(L·R*)``; ``tilt`` ``(n_frames, 13)`` and
    ``reverb`` ``(n_frames, 3)`` hold energies summed over channels. Frame ``k`` is centred at ``k·hop_s``.
    """

    left: npt.NDArray[np.float32]
    right: npt.NDArray[np.float32] | None
    cross: npt.NDArray[np.float32] | None
    tilt: npt.NDArray[np.float32]
    reverb: npt.NDArray[np.float32]
    hop_s: float
    tilt_valid: npt.NDArray[np.bool_]

    @property
    def total(self) -> npt.NDArray[np.float32]:
        """Energy per frame and band summed over channels, ``(n_frames, 7)``."""
        return self.left if self.right is None else self.left + self.right


def fft_size(rate: int) -> int:
    """Power-of-two frame length nearest :data:`FRAME_S` at ``rate`` Hz."""
    return int(2 ** round(math.log2(FRAME_S * rate)))


def _band_matrix(
    freqs: npt.NDArray[np.float64], edges: list[tuple[float, float]], scale: npt.NDArray[np.float64]
) -> npt.NDArray[np.float32]:
    mat = np.zeros((freqs.size, len(edges)), dtype=np.float32)
    for j, (lo, hi) in enumerate(edges):
        mat[(freqs >= lo) & (freqs < hi), j] = 1.0
    return (mat * scale[:, None]).astype(np.float32)


class SpectralMeter:
    """Streaming STFT band-energy meter for ``(frames, channels)`` blocks; ``finish()`` gives :class:`BandFrames`."""

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
        scale = np.full(freqs.size, 2.0 / self.n_fft)
        scale[0] = scale[-1] = 1.0 / self.n_fft  # Parseval weights of a one-sided spectrum
        nyquist = rate / 2.0
        tilt_edges = [(c * 2 ** (-1 / 6), c * 2 ** (1 / 6)) for c in TILT_CENTRES_HZ]
        self.tilt_valid = np.array([hi <= nyquist for _, hi in tilt_edges])
        self._bands = _band_matrix(freqs, [(b.low_hz, b.high_hz) for b in BANDS], scale)
        others = tilt_edges + [(lo, min(hi, 0.45 * rate)) for _, lo, hi in REVERB_BANDS_HZ]
        self._others = _band_matrix(freqs, others, scale)
        self._carry = np.zeros((self.hop, channels), dtype=np.float32)  # centres frame k at sample k*hop
        self._rows: list[tuple[npt.NDArray[np.float32], ...]] = []

    def _spectra(self, buf: npt.NDArray[np.float32], n_frames: int, ch: int) -> npt.NDArray[np.complex64]:
        frames = np.lib.stride_tricks.sliding_window_view(buf[:, ch], self.n_fft)[:: self.hop][:n_frames]
        return np.asarray(scipy.fft.rfft(frames * self.window, axis=1, workers=FFT_WORKERS))

    def feed(self, block: npt.NDArray[np.floating]) -> None:
        """Add ``block`` ``(frames, channels)``."""
        buf = np.concatenate([self._carry, block.astype(np.float32, copy=False)])
        if buf.shape[0] < self.n_fft:
            self._carry = buf
            return
        n_frames = (buf.shape[0] - self.n_fft) // self.hop + 1
        self._carry = buf[n_frames * self.hop :]
        powers = []
        spectra = []
        for ch in range(self.channels):
            x = self._spectra(buf, n_frames, ch)
            if self.channels == 2:
                spectra.append(x)
            powers.append(x.real * x.real + x.imag * x.imag)
        total = powers[0] if len(powers) == 1 else np.sum(powers, axis=0)
        other = total @ self._others
        if self.channels == 2:
            xl, xr = spectra
            cross = xl.real * xr.real + xl.imag * xr.imag
            self._rows.append((powers[0] @ self._bands, powers[1] @ self._bands, cross @ self._bands, other))
        else:
            self._rows.append((total @ self._bands, other))

    def finish(self) -> BandFrames:
        """Flush the last frames and return every frame's band energies."""
        self.feed(np.zeros((self.n_fft, self.channels), dtype=np.float32))
        n_tilt = len(TILT_CENTRES_HZ)
        cols = [np.concatenate(c) if self._rows else np.zeros((0, 1), np.float32) for c in zip(*self._rows)]
        if not cols:
            empty = np.zeros((0, len(BANDS)), np.float32)
            other = np.zeros((0, n_tilt + len(REVERB_BANDS_HZ)), np.float32)
            cols = [empty, other] if self.channels != 2 else [empty, empty, empty, other]
        other = cols[-1]
        stereo = self.channels == 2
        return BandFrames(
            left=cols[0],
            right=cols[1] if stereo else None,
            cross=cols[2] if stereo else None,
            tilt=other[:, :n_tilt],
            reverb=other[:, n_tilt:],
            hop_s=self.hop / self.rate,
            tilt_valid=self.tilt_valid,
        )


__all__ = ["BandFrames", "REVERB_BANDS_HZ", "SpectralMeter", "TILT_CENTRES_HZ", "fft_size"]

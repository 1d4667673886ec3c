"""Synthesized test signals with known spectra (seeded)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def pink_noise(frames: int, *, seed: int = 0, slope: float = 1.0) -> npt.NDArray[np.float64]:
    """``(frames,)`` noise with power density ~ 1/f**slope (pink at 1.0), RMS 0.1."""
    rng = np.random.default_rng(seed)
    spec = np.fft.rfft(rng.standard_normal(frames))
    f = np.arange(spec.size, dtype=np.float64)
    f[0] = 1.0
    spec *= f ** (-slope / 2.0)
    spec[0] = 0.0
    x = np.fft.irfft(spec, n=frames)
    return np.asarray(x / np.sqrt(np.mean(x**2)) * 0.1)


def stereo_pink(frames: int, *, correlation: float, seed: int = 0, slope: float = 1.0) -> npt.NDArray[np.float64]:
    """``(frames, 2)`` pink noise whose channels have inter-channel ``correlation`` (equal levels)."""
    a = pink_noise(frames, seed=seed, slope=slope)
    b = pink_noise(frames, seed=seed + 1000, slope=slope)
    c = np.clip(correlation, -1.0, 1.0)
    mix = np.sqrt((1 + c) / 2) * a, np.sqrt((1 - c) / 2) * b
    return np.stack([mix[0] + mix[1], mix[0] - mix[1]], axis=1)


def measured_db(sos_input: npt.NDArray[np.float64], output: npt.NDArray[np.float64], freqs_hz: npt.NDArray[np.float64],
                sample_rate: int) -> npt.NDArray[np.float64]:  # fmt: skip
    """Magnitude in dB of output/input at ``freqs_hz`` from impulse-response FFTs (both ``(frames,)``)."""
    n = sos_input.size
    h = np.fft.rfft(output) / np.fft.rfft(sos_input)
    bins = np.fft.rfftfreq(n, 1.0 / sample_rate)
    return np.asarray(20 * np.log10(np.abs(np.interp(freqs_hz, bins, np.abs(h)))))

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


def dense_mix(frames: int, rate: int, *, seed: int = 0) -> npt.NDArray[np.float64]:
    """``(frames, 2)`` dense music-like material at full scale (peak exactly 1.0): kick drum sweeps (100 -> 45 Hz)
    every 250 ms, a sub bass line (41-62 Hz with harmonics), a chord pad (200 Hz-2.5 kHz), hi-hat noise bursts
    (above 6 kHz) every 125 ms and a bed of pink noise; events panned apart so the channels differ."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / rate
    out = np.zeros((frames, 2))
    beat = int(0.25 * rate)
    for start in range(int(rng.uniform(0, 0.05) * rate), frames, beat):  # kick: pitch sweep, fast decay
        n = min(frames - start, int(0.2 * rate))
        tt = np.arange(n) / rate
        phase = 2 * np.pi * (45 * tt + 55 * 0.03 * (1 - np.exp(-tt / 0.03)))
        out[start : start + n] += (np.sin(phase) * np.exp(-tt / 0.08))[:, None] * 0.9
    f0 = rng.choice([41.2, 49.0, 55.0, 61.7], size=frames // beat + 1)[np.arange(frames) // beat]
    bass = np.sum([np.sin(2 * np.pi * np.cumsum(f0 * h) / rate) / h for h in range(1, 6)], axis=0)
    out += bass[:, None] * np.array([0.45, 0.4])
    for root, side in ((220.0, 0.3), (277.2, -0.2), (329.6, 0.1), (440.0, -0.3)):
        for h in range(1, 6):
            tone = np.sin(2 * np.pi * root * h * t + rng.uniform(0, 2 * np.pi)) * 0.12 / h
            out += tone[:, None] * np.array([1 + side, 1 - side])
    hat = rng.standard_normal(frames)
    hat = np.diff(np.diff(hat, prepend=0.0), prepend=0.0)  # steep high tilt
    gate = np.exp(-(np.arange(frames) % (beat // 2)) / (0.02 * rate))
    out += (hat * gate)[:, None] * np.array([0.15, 0.25])
    out += np.stack([pink_noise(frames, seed=seed + 1), pink_noise(frames, seed=seed + 2)], axis=1) * 0.5
    return np.asarray(out / np.max(np.abs(out)))


def full_scale_noise(frames: int, *, seed: int = 0) -> npt.NDArray[np.float64]:
    """``(frames, 2)`` independent white noise per channel, peak exactly 1.0."""
    x = np.random.default_rng(seed).standard_normal((frames, 2))
    return np.asarray(x / np.max(np.abs(x)))

"""Synthetic test signals with known answers (reusable by every test suite).

All generators return float64 ``(frames, channels)`` arrays and take a ``seed`` where randomness is involved,
so a test is reproducible. Ground-truth helpers (``expected_*``) give the figure an analyzer should find.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import scipy.fft
import scipy.signal

Audio = npt.NDArray[np.float64]


def db_to_amp(level_db: float) -> float:
    return float(10.0 ** (level_db / 20.0))


def sine(
    freq_hz: float, duration_s: float, rate: int, *, level_dbfs: float = 0.0, phase: float = 0.0, channels: int = 1
) -> Audio:
    """A sine of peak level ``level_dbfs`` in every channel."""
    t = np.arange(int(round(duration_s * rate))) / rate
    x = db_to_amp(level_dbfs) * np.sin(2 * np.pi * freq_hz * t + phase)
    return np.repeat(x[:, None], channels, axis=1)


def silence(duration_s: float, rate: int, *, channels: int = 1) -> Audio:
    return np.zeros((int(round(duration_s * rate)), channels))


def white_noise(duration_s: float, rate: int, *, seed: int, channels: int = 1, rms_dbfs: float = -20.0) -> Audio:
    """Independent Gaussian white noise per channel at ``rms_dbfs``."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((int(round(duration_s * rate)), channels)) * db_to_amp(rms_dbfs)


def pink_noise(duration_s: float, rate: int, *, seed: int, channels: int = 1, rms_dbfs: float = -20.0) -> Audio:
    """Pink (1/f power, equal energy per octave above 10 Hz) noise, independent per channel, at ``rms_dbfs``."""
    n = int(round(duration_s * rate))
    white = white_noise(duration_s, rate, seed=seed, channels=channels, rms_dbfs=0.0)
    spec = scipy.fft.rfft(white, axis=0)
    f = np.fft.rfftfreq(n, 1.0 / rate)
    spec *= (1.0 / np.sqrt(np.maximum(f, 10.0)))[:, None]
    spec[0] = 0.0
    x = scipy.fft.irfft(spec, n, axis=0)
    return x / np.sqrt(np.mean(x**2)) * db_to_amp(rms_dbfs)


def pan(mono: Audio, position: float) -> Audio:
    """Constant-power pan of a mono ``(frames, 1)`` or ``(frames,)`` signal; ``position`` -1 (L) .. +1 (R)."""
    x = np.asarray(mono).reshape(-1)
    phi = (position + 1.0) * np.pi / 4.0
    return np.stack([np.cos(phi) * x, np.sin(phi) * x], axis=1)


def expected_pan_side_mid_db(position: float) -> float:
    """S/M energy ratio of a constant-power pan: ``20 log10 |tan(pi/4 - phi)|``."""
    phi = (position + 1.0) * np.pi / 4.0
    return 20.0 * math.log10(abs(math.tan(np.pi / 4.0 - phi)))


def coherent_pair(
    duration_s: float, rate: int, *, coherence: float, seed: int, rms_dbfs: float = -20.0, pink: bool = True
) -> Audio:
    """Equal-level stereo noise with inter-channel correlation ``coherence`` (common + independent parts)."""
    gen = pink_noise if pink else white_noise
    common = gen(duration_s, rate, seed=seed, rms_dbfs=0.0)[:, 0]
    own = gen(duration_s, rate, seed=seed + 1, channels=2, rms_dbfs=0.0)
    own -= np.outer(own.T @ common / (common @ common), common).T  # exactly uncorrelated with the common part
    own[:, 1] -= own[:, 0] * (own[:, 0] @ own[:, 1]) / (own[:, 0] @ own[:, 0])
    own /= np.sqrt(np.mean(own**2, axis=0))
    x = math.sqrt(coherence) * common[:, None] + math.sqrt(1.0 - coherence) * own
    return x * db_to_amp(rms_dbfs)


def expected_coherent_side_mid_db(coherence: float) -> float:
    """S/M of an equal-level pair with coherence c: ``10 log10((1-c)/(1+c))``."""
    return 10.0 * math.log10((1.0 - coherence) / (1.0 + coherence))


def _note(rng: np.random.Generator, rate: int, kind: str) -> Audio:
    """One dry percussive event (mono), peak about 1."""
    dur = rng.uniform(0.06, 0.12)
    n = int(dur * rate)
    t = np.arange(n) / rate
    env = np.exp(-t / rng.uniform(0.008, 0.02)) * np.minimum(1.0, t / 0.002)
    if kind == "noise":
        x = rng.standard_normal(n)
        x = scipy.signal.sosfilt(scipy.signal.butter(1, rng.uniform(300, 3000), "high", fs=rate, output="sos"), x)
    else:
        x = np.zeros(n)
        roots = [rng.uniform(80, 600)] if kind == "pluck" else [rng.uniform(110, 330) * r for r in (1, 1.26, 1.5)]
        for f0 in roots:
            for h in range(1, 30):
                if f0 * h < rate / 2.2:
                    x += np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 2 * np.pi)) / h**0.7
        x += 0.3 * rng.standard_normal(n)
    return x * env / np.max(np.abs(x * env))


def music_like(
    duration_s: float,
    rate: int,
    *,
    seed: int,
    gap_s: tuple[float, float] = (0.35, 0.9),
    stereo: bool = True,
    level_dbfs: float = -12.0,
) -> Audio:
    """Dry music-like material: percussive plucks, chords and noise hits at random times with gaps between them
    (``gap_s`` range), broadband (sub to highs), each event panned at random; peak near ``level_dbfs``."""
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * rate))
    out = np.zeros((n, 2 if stereo else 1))
    t = rng.uniform(0.0, 0.2)
    while t < duration_s - 0.2:
        kind = str(rng.choice(["pluck", "chord", "noise"]))
        note = _note(rng, rate, kind) * db_to_amp(rng.uniform(-6.0, 0.0))
        start = int(t * rate)
        seg = slice(start, min(n, start + note.size))
        m = note[: seg.stop - seg.start]
        out[seg] += pan(m, rng.uniform(-0.6, 0.6)) if stereo else m[:, None]
        t += rng.uniform(*gap_s)
    return out / np.max(np.abs(out)) * db_to_amp(level_dbfs)


def exponential_reverb_ir(rt60_s: float, rate: int, *, seed: int, channels: int = 2) -> Audio:
    """``n(t)·exp(-6.91 t / RT60)``, independent noise per channel, each channel scaled to unit energy."""
    n = int(rt60_s * 1.6 * rate)
    t = np.arange(n) / rate
    noise = np.random.default_rng(seed).standard_normal((n, channels))
    ir = noise * np.exp(-6.907755 * t / rt60_s)[:, None]
    return ir / np.sqrt(np.sum(ir**2, axis=0))


def add_reverb(dry: Audio, rate: int, *, rt60_s: float, send_db: float, seed: int = 7) -> Audio:
    """``dry + g·(dry * ir)`` per channel with ``g`` = ``send_db`` (wet/dry energy ratio for white input)."""
    ir = exponential_reverb_ir(rt60_s, rate, seed=seed, channels=dry.shape[1])
    wet = np.stack(
        [scipy.signal.oaconvolve(dry[:, c], ir[:, c])[: dry.shape[0]] for c in range(dry.shape[1])], axis=1
    )
    return dry + db_to_amp(send_db) * wet


#: Known equalizer moves ``(kind, freq_hz, gain_db, q)`` whose band changes the analyzer must report (±0.3 dB).
KNOWN_FILTERS: tuple[tuple[str, float, float, float], ...] = (
    ("highshelf", 8000.0, 4.0, 0.7),
    ("highshelf", 3000.0, -3.0, 0.7),
    ("lowshelf", 150.0, 4.0, 0.7),
    ("peak", 2000.0, 5.0, 1.0),
    ("peak", 400.0, -4.0, 1.4),
)


def rbj_sos(kind: str, freq_hz: float, gain_db: float, q: float, rate: int) -> npt.NDArray[np.float64]:
    """RBJ-cookbook ``peak``, ``lowshelf`` or ``highshelf`` biquad as one ``sos`` row ``(1, 6)``."""
    a = 10.0 ** (gain_db / 40.0)
    w0 = 2 * np.pi * freq_hz / rate
    alpha = np.sin(w0) / (2 * q)
    cw = np.cos(w0)
    if kind == "peak":
        b = [1 + alpha * a, -2 * cw, 1 - alpha * a]
        den = [1 + alpha / a, -2 * cw, 1 - alpha / a]
    else:
        sa = 2 * np.sqrt(a) * alpha
        if kind == "lowshelf":
            b = [a * ((a + 1) - (a - 1) * cw + sa), 2 * a * ((a - 1) - (a + 1) * cw), a * ((a + 1) - (a - 1) * cw - sa)]
            den = [(a + 1) + (a - 1) * cw + sa, -2 * ((a - 1) + (a + 1) * cw), (a + 1) + (a - 1) * cw - sa]
        elif kind == "highshelf":
            b = [
                a * ((a + 1) + (a - 1) * cw + sa), -2 * a * ((a - 1) + (a + 1) * cw), a * ((a + 1) + (a - 1) * cw - sa)
            ]
            den = [(a + 1) - (a - 1) * cw + sa, 2 * ((a - 1) - (a + 1) * cw), (a + 1) - (a - 1) * cw - sa]
        else:
            raise ValueError(f"unknown filter kind {kind!r}")
    return np.array([[*(np.asarray(b) / den[0]), 1.0, den[1] / den[0], den[2] / den[0]]])


def apply_sos(audio: Audio, sos: npt.NDArray[np.float64]) -> Audio:
    return np.asarray(scipy.signal.sosfilt(sos, audio, axis=0))


def expected_band_change_db(
    audio: Audio, sos: npt.NDArray[np.float64], rate: int, low_hz: float, high_hz: float
) -> float:
    """``10 log10(∫|H|²P / ∫P)`` over ``[low_hz, high_hz)`` with ``P`` the signal's own spectrum."""
    spec = np.sum(np.abs(scipy.fft.rfft(audio, axis=0)) ** 2, axis=1)
    f = np.fft.rfftfreq(audio.shape[0], 1.0 / rate)
    _, h = scipy.signal.sosfreqz(sos, worN=f, fs=rate)
    sel = (f >= low_hz) & (f < high_hz)
    return float(10 * np.log10(np.sum(np.abs(h[sel]) ** 2 * spec[sel]) / np.sum(spec[sel])))


def band_energy_ratio_db(audio: Audio, rate: int, num: tuple[float, float], den: tuple[float, float]) -> float:
    """Exact energy ratio (dB) of two frequency ranges of ``audio`` (FFT over the whole signal)."""
    spec = np.sum(np.abs(scipy.fft.rfft(audio, axis=0)) ** 2, axis=1)
    f = np.fft.rfftfreq(audio.shape[0], 1.0 / rate)
    e = [np.sum(spec[(f >= lo) & (f < hi)]) for lo, hi in (num, den)]
    return float(10 * np.log10(e[0] / e[1]))


def tech3341_case(case: int, rate: int = 48000) -> Audio:
    """EBU Tech 3341 cases 1-5 (stereo 1 kHz sine); every case should read -23.0 LUFS except case 2 (-33.0)."""
    levels = {
        1: [(-23.0, 20.0)],
        2: [(-33.0, 20.0)],
        3: [(-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)],
        4: [(-72.0, 10.0), (-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0), (-72.0, 10.0)],
        5: [(-26.0, 20.1), (-20.0, 20.1), (-26.0, 20.1)],
    }[case]
    return np.concatenate([sine(1000.0, d, rate, level_dbfs=lv, channels=2) for lv, d in levels])


def tech3342_case(case: int, rate: int = 48000) -> Audio:
    """EBU Tech 3342 LRA cases 1-4 (stereo 1 kHz sine); expected LRA 10, 5, 20, 15 LU (±1 LU)."""
    levels = {
        1: [(-20.0, 20.0), (-30.0, 20.0)],
        2: [(-20.0, 20.0), (-15.0, 20.0)],
        3: [(-40.0, 20.0), (-20.0, 20.0)],
        4: [(-50.0, 20.0), (-35.0, 20.0), (-20.0, 20.0), (-35.0, 20.0), (-50.0, 20.0)],
    }[case]
    return np.concatenate([sine(1000.0, d, rate, level_dbfs=lv, channels=2) for lv, d in levels])


__all__ = [
    "add_reverb",
    "apply_sos",
    "band_energy_ratio_db",
    "coherent_pair",
    "expected_band_change_db",
    "expected_coherent_side_mid_db",
    "expected_pan_side_mid_db",
    "exponential_reverb_ir",
    "music_like",
    "pan",
    "pink_noise",
    "rbj_sos",
    "silence",
    "sine",
    "tech3341_case",
    "tech3342_case",
    "white_noise",
]

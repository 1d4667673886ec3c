"""The demo session: 30 s of generated music at 48 kHz, four stems under a "MIX" folder and two references.

Sections: verse 0-10 s, chorus 10-20 s, verse 20-30 s (markers "Verse", "Chorus", "Verse 2"; loop on the chorus).
The stems are deliberately **drier, narrower and duller than the references in the chorus** (keys and vocal mono,
low-passed at 3 kHz, no reverb), so bounce-and-check has something real to find. The references ("REF 1", "REF 2",
muted) are finished mixes of the same music: a reverb (convolution with decaying stereo noise), decorrelated wide
keys and a high shelf. Everything is deterministic (fixed seeds); the whole build takes well under 5 s.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf
from scipy.signal import butter, oaconvolve, sosfilt

from .project import Marker, Project, Track
from .project_file import save_project

Audio = npt.NDArray[np.float64]

RATE = 48000
DURATION_S = 30.0
BPM = 120.0
CHORUS_S = (10.0, 20.0)
#: Bar roots (Hz) of the four-bar progression (A, F, C, G).
ROOTS_HZ = (110.0, 87.31, 130.81, 98.0)
#: Vocal melody in semitones above A3, one note per beat, eight beats repeating.
MELODY = (0, 3, 5, 7, 10, 7, 5, 3)


def _env(length: int, tau_s: float) -> Audio:
    return np.exp(-np.arange(length) / (tau_s * RATE))


def _place(out: Audio, hit: Audio, times_s: Audio, gain: float = 1.0) -> None:
    for t in times_s:
        a = int(t * RATE)
        b = min(len(out), a + len(hit))
        out[a:b] += gain * hit[: b - a]


def _drums(n: int, rng: np.random.Generator) -> Audio:
    beat = 60.0 / BPM
    beats = np.arange(0.0, DURATION_S, beat)
    k = np.arange(int(0.4 * RATE)) / RATE
    kick = np.sin(2 * np.pi * (50 * k + 80 * 0.03 * (1 - np.exp(-k / 0.03)))) * _env(len(k), 0.15)
    snare_sos = butter(2, [180, 5000], btype="bandpass", fs=RATE, output="sos")
    snare = sosfilt(snare_sos, rng.standard_normal(int(0.25 * RATE))) * _env(int(0.25 * RATE), 0.06)
    hat_sos = butter(4, 7000, btype="highpass", fs=RATE, output="sos")
    hat = sosfilt(hat_sos, rng.standard_normal(int(0.08 * RATE))) * _env(int(0.08 * RATE), 0.015)
    snare, hat = snare / np.max(np.abs(snare)), hat / np.max(np.abs(hat))
    mono = np.zeros(n)
    _place(mono, kick, beats, 0.35)
    _place(mono, snare, beats[1::2], 0.4)
    out = np.stack([mono, mono], axis=1)
    hats = np.arange(0.0, DURATION_S, beat / 2)
    left, right = np.zeros(n), np.zeros(n)
    _place(left, hat, hats, 0.12)
    _place(right, hat, hats, 0.09)
    return out + np.stack([left, right], axis=1)


def _tone(freq_hz: Audio, t: Audio, harmonics: int) -> Audio:
    phase = 2 * np.pi * np.cumsum(freq_hz) / RATE
    return sum((np.sin(k * phase) / k for k in range(1, harmonics + 1)), np.zeros_like(t))


def _bar_freq(t: Audio) -> Audio:
    """Root frequency (Hz) of the bar each sample falls in."""
    bar = (np.arange(len(t)) // int(4 * 60.0 / BPM * RATE)) % len(ROOTS_HZ)
    return np.asarray(ROOTS_HZ)[bar]


def _bass(t: Audio, roots: Audio) -> Audio:
    gate = _env(int(0.25 * RATE), 0.2)
    env = np.tile(gate, int(np.ceil(len(t) / len(gate))))[: len(t)]
    mono = 0.2 * _tone(roots, t, 4) * env
    return np.stack([mono, mono], axis=1)


def _keys(t: Audio, roots: Audio) -> Audio:
    """A triad per bar, made wide by decorrelation (the right channel is the left 13 ms later)."""
    chord = sum((_tone(roots * 2 * r, t, 2) for r in (1.0, 1.26, 1.5)), np.zeros_like(t))
    return 0.06 * np.stack([chord, np.roll(chord, int(0.013 * RATE))], axis=1)


def _vocal(t: Audio) -> Audio:
    beat = (np.arange(len(t)) // int(60.0 / BPM * RATE)) % len(MELODY)
    freq = 220.0 * 2 ** (np.asarray(MELODY)[beat] / 12.0) * (1 + 0.006 * np.sin(2 * np.pi * 5.5 * t))
    voice = _tone(freq, t, 5)
    sos = butter(2, [500, 4000], btype="bandpass", fs=RATE, output="sos")
    mono = 0.18 * sosfilt(sos, voice) + 0.03 * voice
    return np.stack([mono, mono], axis=1)


def _chorus_mask(t: Audio) -> Audio:
    return ((t >= CHORUS_S[0]) & (t < CHORUS_S[1])).astype(float)[:, None]


def _dull_narrow(x: Audio, t: Audio) -> Audio:
    """Inside the chorus: mono and low-passed at 3 kHz (the mix's deliberate fault)."""
    sos = butter(4, 3000, btype="lowpass", fs=RATE, output="sos")
    mono = np.repeat(x.mean(axis=1, keepdims=True), 2, axis=1)
    dull = sosfilt(sos, mono, axis=0)
    mask = _chorus_mask(t)
    return mask * dull + (1 - mask) * x


def _finish(x: Audio, rng: np.random.Generator, *, wet: float, shelf: float) -> Audio:
    """A "finished" reference: high shelf (x + shelf * highpass), stereo reverb, soft limiting, peak -1 dBFS."""
    hp = butter(2, 4000, btype="highpass", fs=RATE, output="sos")
    bright = x + shelf * sosfilt(hp, x, axis=0)
    ir_len = int(1.2 * RATE)
    ir = rng.standard_normal((ir_len, 2)) * _env(ir_len, 0.3)[:, None]
    ir /= np.sqrt(np.sum(ir**2, axis=0))
    verb = oaconvolve(bright.astype(np.float32), ir.astype(np.float32), axes=0)[: len(x)]
    out = bright + wet * verb
    out = np.tanh(3.0 * out / np.max(np.abs(out)))  # a "mastered" reference: peaks limited, louder
    return out * (10 ** (-1 / 20) / np.max(np.abs(out)))


def build_demo_project(folder: Path) -> Project:
    """Write the demo's audio and ``demo.toml`` into ``folder`` (created) and return the loaded-ready Project."""
    folder = Path(folder)
    audio_dir = folder / "audio"
    audio_dir.mkdir(parents=True, exist_ok=True)
    n = int(DURATION_S * RATE)
    t = np.arange(n) / RATE
    rng = np.random.default_rng(20240611)
    roots = _bar_freq(t)
    drums, bass, vocal = _drums(n, rng), _bass(t, roots), _vocal(t)
    keys_wide = _keys(t, roots)
    stems = {
        "drums": drums,
        "bass": bass,
        "keys": _dull_narrow(keys_wide, t),
        "vocal": _dull_narrow(vocal, t),
    }
    finished = drums + bass + keys_wide + vocal
    refs = {
        "REF 1": _finish(finished, np.random.default_rng(1), wet=0.5, shelf=0.6),
        "REF 2": _finish(drums + bass + 1.3 * keys_wide + 1.2 * vocal, np.random.default_rng(2), wet=0.4,
                         shelf=0.4),
    }
    project = Project(sample_rate=RATE, tempo_bpm=BPM, loop_start_s=CHORUS_S[0], loop_end_s=CHORUS_S[1])
    mix = Track("MIX")
    project.tracks.append(mix)
    volumes = {"drums": -5.0, "bass": -3.0, "keys": -3.0, "vocal": -2.0}
    for name, audio in stems.items():
        path = audio_dir / f"{name}.wav"
        sf.write(str(path), audio, RATE, subtype="PCM_24")
        project.tracks.append(Track(name, audio=path, volume_db=volumes[name], parent=mix.guid))
    for name, audio in refs.items():
        path = audio_dir / f"{name.lower().replace(' ', '')}.wav"  # ref1.wav, ref2.wav
        sf.write(str(path), audio, RATE, subtype="PCM_24")
        project.tracks.append(Track(name, audio=path, mute=True))
    project.markers = [Marker(1, 0.0, "Verse"), Marker(2, CHORUS_S[0], "Chorus"), Marker(3, CHORUS_S[1], "Verse 2")]
    save_project(project, folder / "demo.toml")
    return project

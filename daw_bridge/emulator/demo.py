"""The demo session: 30 s of generated music at 48 kHz, five stems under a "MIX" folder and two references.

Sections: verse 0-10 s, chorus 10-20 s, verse 20-30 s (markers "Verse", "Chorus", "Verse 2"; loop on the chorus).
The music is short notes with rests (drums, plucked bass, keyboard stabs, a sung line), so a reverb's free decays
can be measured. The references ("REF 1", "REF 2", muted) are finished mixes of the same music: a stereo reverb
(convolution with decaying decorrelated noise, RT60 1 s), wide keys and bright vocal, peak-normalized hot. The mix
matches them in the verses and is deliberately **drier, narrower and duller in the chorus** (keys and vocal mono
and low-passed, reverb return ducked 10 dB, drums' highs rolled off): the classic headphone-mix faults, so
bounce-and-check has something real to find there and nothing elsewhere. Deterministic (fixed seeds).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf
from scipy.signal import butter, oaconvolve, sosfilt

from ..units import db_to_gain
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
#: Reverb of the references and of the mix's return (s), and its send gain.
RT60_S = 1.0
SEND_GAIN = 0.5
#: How far the mix's reverb return is ducked in the chorus (dB).
CHORUS_DUCK_DB = -10.0
BEAT_S = 60.0 / BPM


def _env(length: int, tau_s: float) -> Audio:
    return np.exp(-np.arange(length) / (tau_s * RATE))


def _place(out: Audio, hit: Audio, times_s: Sequence[float] | Audio, gain: float = 1.0, delay_s: float = 0.0) -> None:
    for t in times_s:
        a = int((t + delay_s) * RATE)
        b = min(len(out), a + len(hit))
        if b > a:
            out[a:b] += gain * hit[: b - a]


def _tone(f0_hz: float, length: int, harmonics: int, tau_s: float) -> Audio:
    k = np.arange(length) / RATE
    x = sum((np.sin(2 * np.pi * f0_hz * h * k) / h for h in range(1, harmonics + 1)), np.zeros(length))
    return x * _env(length, tau_s) * np.minimum(1.0, k / 0.003)


def _bar_root(time_s: float) -> float:
    return ROOTS_HZ[int(time_s // (4 * BEAT_S)) % len(ROOTS_HZ)]


def _drums(n: int, rng: np.random.Generator) -> tuple[Audio, Audio]:
    """Kick on 1 and 3, snare on 2 and 4, off-beat hats; returns (stem, what feeds the reverb send)."""
    k = np.arange(int(0.3 * RATE)) / RATE
    kick = np.sin(2 * np.pi * (50 * k + 2.4 * (1 - np.exp(-k / 0.03)))) * _env(len(k), 0.09)
    snare = sosfilt(butter(2, [180, 5000], "bandpass", fs=RATE, output="sos"), rng.standard_normal(int(0.2 * RATE)))
    snare = snare * _env(len(snare), 0.04)
    hat = sosfilt(butter(4, 7000, "highpass", fs=RATE, output="sos"), rng.standard_normal(int(0.06 * RATE)))
    hat = hat * _env(len(hat), 0.01)
    snare, hat = snare / np.max(np.abs(snare)), hat / np.max(np.abs(hat))
    beats = np.arange(0.0, DURATION_S, BEAT_S)
    mono, left, right = np.zeros(n), np.zeros(n), np.zeros(n)
    _place(mono, kick, beats[::2], 0.45)
    _place(mono, snare, beats[1::2], 0.35)
    _place(left, hat, beats + BEAT_S / 2, 0.05)
    _place(right, hat, beats + BEAT_S / 2, 0.035)
    stem = np.stack([mono + left, mono + right], axis=1)
    send = np.stack([0.3 * mono + 0.5 * left, 0.3 * mono + 0.5 * right], axis=1)
    return stem, send


def _bass(n: int) -> Audio:
    mono = np.zeros(n)
    for t in np.arange(0.0, DURATION_S, BEAT_S):
        _place(mono, _tone(_bar_root(t) / 2, int(0.35 * RATE), 4, 0.1), [t], 0.25)
    return np.stack([mono, mono], axis=1)


def _keys(n: int) -> Audio:
    """Triad stabs on 1, 2-and and 4 of each bar; voices panned L/C/R, right channel 11 ms late: wide."""
    left, right = np.zeros(n), np.zeros(n)
    for bar in np.arange(0.0, DURATION_S, 4 * BEAT_S):
        for offset in (0.0, 1.5 * BEAT_S, 3.0 * BEAT_S):
            for pan, ratio in zip((-0.7, 0.0, 0.7), (1.0, 1.26, 1.5), strict=True):
                note = _tone(_bar_root(bar) * 2 * ratio, int(0.5 * RATE), 6, 0.12)
                phi = (pan + 1) * np.pi / 4
                _place(left, note, [bar + offset], 0.06 * np.cos(phi))
                _place(right, note, [bar + offset], 0.06 * np.sin(phi), delay_s=0.011)
    return np.stack([left, right], axis=1)


def _vocal(n: int) -> Audio:
    """One sung 0.3 s note per beat with vibrato, then a rest."""
    mono = np.zeros(n)
    length = int(0.3 * RATE)
    k = np.arange(length) / RATE
    shape = np.minimum(1.0, k / 0.02) * np.minimum(1.0, (0.3 - k) / 0.05)
    for j, t in enumerate(np.arange(0.0, DURATION_S, BEAT_S)):
        f0 = 220.0 * 2 ** (MELODY[j % len(MELODY)] / 12.0)
        vib = 1 + 0.006 * np.sin(2 * np.pi * 5.5 * k)
        note = sum((np.sin(2 * np.pi * f0 * h * k * vib) / h**0.8 for h in range(1, 12)), np.zeros(length))
        _place(mono, note * shape, [t], 0.12)
    return np.stack([mono, mono], axis=1)


def _reverb(source: Audio, seed: int, gain: float) -> Audio:
    """``gain`` x ``source`` convolved with decorrelated exponential noise (RT60 :data:`RT60_S`)."""
    length = int(1.6 * RT60_S * RATE)
    decay = np.exp(-6.907755 * np.arange(length) / RATE / RT60_S)[:, None]
    ir = np.random.default_rng(seed).standard_normal((length, 2)) * decay
    ir /= np.sqrt(np.sum(ir**2, axis=0))
    wet = oaconvolve(source.astype(np.float32), ir.astype(np.float32), axes=0)[: len(source)]
    return gain * wet.astype(np.float64)


def build_demo_project(folder: Path) -> Project:
    """Write the demo's audio and ``demo.toml`` into ``folder`` (created) and return the Project."""
    folder = Path(folder)
    audio_dir = folder / "audio"
    audio_dir.mkdir(parents=True, exist_ok=True)
    n = int(DURATION_S * RATE)
    t = np.arange(n) / RATE
    rng = np.random.default_rng(20240611)
    chorus = ((t >= CHORUS_S[0]) & (t < CHORUS_S[1])).astype(float)[:, None]
    hp = butter(2, 4000, "highpass", fs=RATE, output="sos")
    lp = butter(4, 2500, "lowpass", fs=RATE, output="sos")

    def bright(x: Audio) -> Audio:
        return x + 0.8 * sosfilt(hp, x, axis=0)

    def in_chorus(x: Audio, faulty: Audio) -> Audio:
        return chorus * faulty + (1 - chorus) * x

    def mono_dull(x: Audio) -> Audio:
        return sosfilt(lp, np.repeat(x.mean(axis=1, keepdims=True), 2, axis=1), axis=0)

    drums, drum_send = _drums(n, rng)
    bass, keys, vocal = _bass(n), bright(_keys(n)), bright(_vocal(n))
    send = drum_send + keys + vocal
    duck = db_to_gain(CHORUS_DUCK_DB)
    verb = _reverb(send, 11, SEND_GAIN)
    stems = {
        "drums": in_chorus(drums, 0.3 * drums + 0.7 * sosfilt(lp, drums, axis=0)),
        "bass": bass,
        "keys": in_chorus(keys, mono_dull(keys)),
        "vocal": in_chorus(vocal, mono_dull(vocal)),
        "reverb": in_chorus(verb, duck * sosfilt(lp, verb, axis=0)),
    }
    scale = db_to_gain(-3.0) / np.max(np.abs(sum(stems.values())))  # the mix peaks at -3 dBFS
    refs = {
        "REF 1": drums + bass + keys + vocal + verb,  # the same reverb the mix has in its verses
        "REF 2": drums + bass + 1.2 * keys + 1.1 * vocal + _reverb(drum_send + 1.2 * keys + 1.1 * vocal, 31,
                                                                    SEND_GAIN * 1.15),
    }
    project = Project(sample_rate=RATE, tempo_bpm=BPM, loop_start_s=CHORUS_S[0], loop_end_s=CHORUS_S[1])
    mix = Track("MIX")
    project.tracks.append(mix)
    for name, audio in stems.items():
        path = audio_dir / f"{name}.wav"
        sf.write(str(path), audio * scale, RATE, subtype="PCM_24")
        project.tracks.append(Track(name, audio=path, parent=mix.guid))
    for name, audio in refs.items():
        path = audio_dir / f"{name.lower().replace(' ', '')}.wav"  # ref1.wav, ref2.wav
        sf.write(str(path), audio * (db_to_gain(-1.0) / np.max(np.abs(audio))), RATE, subtype="PCM_24")
        project.tracks.append(Track(name, audio=path, mute=True))
    project.markers = [Marker(1, 0.0, "Verse"), Marker(2, CHORUS_S[0], "Chorus"), Marker(3, CHORUS_S[1], "Verse 2")]
    save_project(project, folder / "demo.toml")
    return project

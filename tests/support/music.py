"""Real-recording test material: generated songs rendered through a General MIDI soundfont, and two reverbs.

Songs (drums, bass, piano chords and a lead; seeded tempo, key, progression and density) are scored with
:mod:`tests.support.midi` and rendered by
``fluidsynth`` through FluidR3_GM (sampled instruments) with its own reverb and chorus off. Each song's four
parts are rendered one after the other in a single run and cut apart, so they can be panned and summed here
(pan spread is a test case). Reverbs: ``sox reverb -w`` (freeverb-based, not ours) and a convolution with a
synthesized, exponentially decaying, decorrelated stereo noise IR. Ground-truth RT60 per band comes from each
reverb's impulse response (Schroeder backward integration, T30 extrapolated).

Renders are cached as ``.npy`` under ``$DAW_BRIDGE_TEST_AUDIO`` (default: a folder in the system temp dir), keyed
by everything that shapes them; nothing is committed. :func:`missing_tools` names what is absent so tests can
skip with a reason.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.signal
import soundfile as sf

from .midi import DRUMS, PPQ, Score, write_midi

Audio = npt.NDArray[np.float64]
SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
RATE = 48000
#: Bumped whenever rendering changes, so cached renders are redone.
RENDER_VERSION = 2
PARTS = ("drums", "bass", "keys", "lead")
#: Pan position of each part (-1 left .. +1 right) at spread 1.
PAN = {"drums": 0.0, "bass": 0.0, "keys": -0.45, "lead": 0.4}
_GAP_S = 3.0  # silence between parts in the one render (ring-out)


def missing_tools() -> str | None:
    """Why real-recording material cannot be made here (None if it can)."""
    for tool in ("fluidsynth", "sox"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (Debian package {tool})"
    if not SOUNDFONT.is_file():
        return f"{SOUNDFONT} missing (Debian package fluid-soundfont-gm)"
    return None


def cache_dir() -> Path:
    """Where renders are cached."""
    folder = Path(os.environ.get("DAW_BRIDGE_TEST_AUDIO") or Path(tempfile.gettempdir()) / "daw-bridge-test-audio")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class SongSpec:
    """A generated song: ``seed`` picks key, progression, lead instrument and humanizing; ``density`` 0..1 sets
    hat subdivision, extra kicks and chord rhythm; ``stops`` puts a one-beat full stop every eight bars."""

    seed: int
    tempo_bpm: float
    bars: int
    density: float
    stops: bool = False

    @property
    def duration_s(self) -> float:
        return self.bars * 4 * 60.0 / self.tempo_bpm


#: The suite's songs: tempi 84-136 BPM, sparse to busy, one with stops.
SONGS: tuple[SongSpec, ...] = (
    SongSpec(seed=1, tempo_bpm=96.0, bars=12, density=0.5),
    SongSpec(seed=2, tempo_bpm=128.0, bars=16, density=0.9),
    SongSpec(seed=3, tempo_bpm=84.0, bars=10, density=0.3, stops=True),
    SongSpec(seed=4, tempo_bpm=136.0, bars=16, density=0.7),
)

_PROGRESSIONS = ((0, 7, 9, 5), (0, 5, 7, 5), (9, 5, 0, 7), (0, 9, 5, 7), (2, 7, 0, 0))
_LEADS = (65, 73, 56, 26, 71)  # alto sax, flute, trumpet, jazz guitar, clarinet


def _score_part(score: Score, spec: SongSpec, part: str, channel: int, offset_beats: float) -> None:
    """Add one part's notes to ``score`` from ``offset_beats`` on (its program too)."""
    rng = np.random.default_rng([spec.seed, PARTS.index(part)])
    key = 40 + int(np.random.default_rng(spec.seed).integers(0, 12))  # E2..D#3 root
    prog = _PROGRESSIONS[spec.seed % len(_PROGRESSIONS)]
    if part != "drums":
        score.programs[channel] = {"bass": 33, "keys": 0, "lead": _LEADS[spec.seed % len(_LEADS)]}[part]

    def note(start: float, length: float, pitch: int, velocity: float) -> None:
        vel = int(np.clip(velocity + rng.normal(0, 6), 20, 127))
        score.note(offset_beats + start, length, channel, pitch, vel)

    scale = (0, 2, 4, 5, 7, 9, 11)
    pitch = key + 36
    for bar in range(spec.bars):
        root = key + prog[bar % len(prog)]
        stop_beat = 3 if spec.stops and bar % 8 == 7 else None
        for beat in range(4):
            if beat == stop_beat:
                continue
            t = bar * 4 + beat
            if part == "drums":
                sub = 4 if spec.density > 0.6 else 2
                for k in range(sub):
                    note(t + k / sub, 0.2, 42, 70 + (15 if k == 0 else 0))
                if beat in (0, 2) or rng.random() < spec.density * 0.3:
                    note(t, 0.3, 36, 105)
                if beat in (1, 3):
                    note(t, 0.3, 38, 100)
                if beat == 0 and bar % 4 == 0:
                    note(t, 1.5, 49, 90)
            elif part == "bass":
                steps = 2 if spec.density > 0.4 else 1
                for k in range(steps):
                    note(t + k / steps, 0.9 / steps, root + (12 if rng.random() < 0.2 else 0), 95)
            elif part == "keys":
                every = 1 if spec.density > 0.6 else 2
                if beat % every == 0:
                    for iv in (12, 16 if prog[bar % len(prog)] in (0, 5, 7) else 15, 19, 23):
                        note(t, every * 0.95, root + iv, 72)
            elif part == "lead":
                lengths = (0.5, 0.5, 1.0) if spec.density > 0.5 else (1.0, 1.0, 0.5, 2.0)
                pos = 0.0
                while pos < 1.0 - 1e-9:
                    length = min(float(rng.choice(lengths)), 1.0 - pos)
                    pitch += int(rng.integers(-2, 3))
                    pitch = int(np.clip(pitch, key + 31, key + 48))
                    nearest = min(scale, key=lambda s: abs((pitch - key) % 12 - s))
                    pitch = pitch - (pitch - key) % 12 + nearest
                    note(t + pos, length * 0.95, pitch, 88)
                    pos += length


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({done.returncode}): {done.stderr.strip()[-400:]}")


def _cached(key: str, make: object) -> Audio:
    digest = hashlib.sha256(f"{RENDER_VERSION}:{key}".encode()).hexdigest()[:20]
    path = cache_dir() / f"{digest}.npy"
    if path.is_file():
        try:
            return np.asarray(np.load(path), dtype=np.float64)
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
    audio = np.asarray(make(), dtype=np.float32)  # type: ignore[operator]
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(tmp, audio)
    os.replace(tmp, path)
    return audio.astype(np.float64)


def render_parts(spec: SongSpec) -> dict[str, Audio]:
    """The song's four parts, stereo ``(frames, 2)`` at :data:`RATE`, each ``spec.duration_s`` long, dry."""
    length = int(round(spec.duration_s * RATE))
    part_s = spec.duration_s + _GAP_S

    def make() -> Audio:
        beats_per_part = part_s * spec.tempo_bpm / 60.0
        score = Score(tempos=[(0.0, spec.tempo_bpm)])
        for i, part in enumerate(PARTS):
            _score_part(score, spec, part, DRUMS if part == "drums" else i, i * beats_per_part)
        with tempfile.TemporaryDirectory() as tmp:
            mid, wav = Path(tmp) / "song.mid", Path(tmp) / "song.wav"
            write_midi(mid, score)
            _run(["fluidsynth", "-ni", "-R", "0", "-C", "0", "-g", "0.5", "-r", str(RATE), "-O", "float",
                  "-T", "wav", "-F", str(wav), str(SOUNDFONT), str(mid)])
            audio, rate = sf.read(wav, dtype="float32", always_2d=True)
        if rate != RATE:
            raise RuntimeError(f"fluidsynth rendered at {rate} Hz, asked {RATE}")
        out = np.zeros((len(PARTS), length, 2), dtype=np.float32)
        for i in range(len(PARTS)):
            # MIDI time in the render is exact: part i starts at i·part_s (rounded to a tick)
            start = int(round(round(i * beats_per_part * PPQ) / PPQ * 60.0 / spec.tempo_bpm * RATE))
            seg = audio[start : start + length]
            out[i, : seg.shape[0]] = seg
        return out.reshape(len(PARTS) * length, 2).astype(np.float64)

    flat = _cached(f"parts:{spec}", make)
    return {part: flat[i * length : (i + 1) * length] for i, part in enumerate(PARTS)}


def pan_stereo(x: Audio, position: float) -> Audio:
    """A stereo part moved to ``position`` (-1..1): constant-power balance (centre leaves it unchanged)."""
    theta = (position + 1.0) * np.pi / 4.0
    return x * (np.array([np.cos(theta), np.sin(theta)]) * np.sqrt(2.0))


def dry_mix(parts: dict[str, Audio], *, spread: float = 1.0) -> Audio:
    """The parts panned at :data:`PAN` times ``spread`` and summed."""
    return sum((pan_stereo(parts[p], float(np.clip(PAN[p] * spread, -1.0, 1.0))) for p in PARTS),
               start=np.zeros_like(parts["drums"]))


def sox_reverb_wet(x: Audio, *, reverberance: float, damping: float = 50.0) -> Audio:
    """``sox reverb -w`` (freeverb-based) of ``x`` at :data:`RATE`: the wet signal only, same length."""
    def make() -> Audio:
        peak = float(np.max(np.abs(x))) or 1.0
        with tempfile.TemporaryDirectory() as tmp:
            src, dst = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
            sf.write(src, (x / peak * 0.25).astype(np.float32), RATE, subtype="FLOAT")
            _run(["sox", "-V1", str(src), "-e", "floating-point", str(dst), "reverb", "-w", f"{reverberance:g}",
                  f"{damping:g}", "100", "100", "0", "0"])
            wet, _ = sf.read(dst, dtype="float64", always_2d=True)
        return wet[: x.shape[0]] * (peak / 0.25)

    digest = hashlib.sha256(np.ascontiguousarray(x, dtype=np.float32).tobytes()).hexdigest()[:16]
    return _cached(f"sox:{digest}:{reverberance}:{damping}", make).astype(np.float64)


def sox_reverb_ir(*, reverberance: float, damping: float = 50.0, seconds: float = 8.0) -> Audio:
    """Impulse response of :func:`sox_reverb_wet` (left-channel impulse, both outputs)."""
    imp = np.zeros((int(seconds * RATE), 2))
    imp[0, 0] = 1.0
    return sox_reverb_wet(imp, reverberance=reverberance, damping=damping)


def noise_ir(rt60_s: float, *, seed: int, hf_rt60_s: float | None = None) -> Audio:
    """Decorrelated stereo IR: noise times ``exp(-6.91 t / RT60)`` (RT60 falling linearly in log frequency to
    ``hf_rt60_s`` at 16 kHz when given), unit energy per channel."""
    n = int(max(rt60_s, hf_rt60_s or 0.0) * 1.5 * RATE)
    t = np.arange(n) / RATE
    noise = np.random.default_rng(seed).standard_normal((n, 2))
    if hf_rt60_s is None:
        ir = noise * np.exp(-6.907755 * t / rt60_s)[:, None]
    else:  # frequency-dependent decay: sum of octave-band filtered decays
        ir = np.zeros((n, 2))
        edges = [20.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 23000.0]
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            centre = np.sqrt(lo * hi)
            frac = np.clip(np.log2(centre / 250.0) / np.log2(16000.0 / 250.0), 0.0, 1.0)
            rt = rt60_s + frac * (hf_rt60_s - rt60_s)
            sos = scipy.signal.butter(4, [lo, min(hi, 0.49 * RATE)], "bandpass", fs=RATE, output="sos")
            ir += scipy.signal.sosfiltfilt(sos, noise, axis=0) * np.exp(-6.907755 * t / rt)[:, None]
    return ir / np.sqrt(np.sum(ir**2, axis=0))


def convolve(x: Audio, ir: Audio) -> Audio:
    """``x`` (stereo) through a stereo IR, channel by channel (true-stereo with decorrelated channels)."""
    return np.stack([scipy.signal.oaconvolve(x[:, c], ir[:, c])[: x.shape[0]] for c in range(2)], axis=1)


def mono_send(x: Audio, ir: Audio) -> Audio:
    """A mono send ``(L+R)/2`` into a stereo IR (the usual aux return)."""
    mono = 0.5 * (x[:, 0] + x[:, 1])
    return np.stack([scipy.signal.oaconvolve(mono, ir[:, c])[: x.shape[0]] for c in range(2)], axis=1)


def ir_rt60_s(ir: Audio, band_hz: tuple[float, float]) -> float:
    """RT60 of ``ir`` in ``band_hz``: Schroeder backward integral, slope from -5 to -35 dB (T30), both channels."""
    sos = scipy.signal.butter(4, [band_hz[0], min(band_hz[1], 0.45 * RATE)], "bandpass", fs=RATE, output="sos")
    energy = np.sum(scipy.signal.sosfilt(sos, ir, axis=0) ** 2, axis=1)
    edc = np.cumsum(energy[::-1])[::-1]
    level = 10.0 * np.log10(edc / edc[0] + 1e-30)
    first, last = int(np.argmax(level < -5.0)), int(np.argmax(level < -35.0))
    t = np.arange(first, last) / RATE
    slope = np.polyfit(t, level[first:last], 1)[0]
    return float(-60.0 / slope)


__all__ = [
    "PARTS", "RATE", "SONGS", "SongSpec", "cache_dir", "convolve", "dry_mix", "ir_rt60_s", "missing_tools",
    "mono_send", "noise_ir", "pan_stereo", "render_parts", "sox_reverb_ir", "sox_reverb_wet",
]


#: The reverbs of the suite: name -> (kind, parameter); "conv" = noise IR of that RT60 (s) through a mono send,
#: "sox" = ``sox reverb`` at that reverberance (%).
REVERBS: dict[str, tuple[str, float]] = {"conv1.5": ("conv", 1.5), "conv2.5": ("conv", 2.5), "sox50": ("sox", 50.0)}


def reverb_ir(name: str) -> Audio:
    """The impulse response of reverb ``name`` (for ground-truth RT60)."""
    kind, value = REVERBS[name]
    return noise_ir(value, seed=int(value * 10)) if kind == "conv" else sox_reverb_ir(reverberance=value)


def wet_return(dry: Audio, name: str) -> Audio:
    """Reverb ``name``'s return for ``dry``, scaled so that its energy equals the dry mix's (send 0 dB)."""
    kind, value = REVERBS[name]
    wet = mono_send(dry, reverb_ir(name)) if kind == "conv" else sox_reverb_wet(dry, reverberance=value)
    return wet * np.sqrt(np.sum(dry**2) / max(float(np.sum(wet**2)), 1e-30))


def song_mix(spec: SongSpec, reverb: str, send_db: float, *, spread: float = 1.0,
             send_curve: npt.NDArray[np.float64] | None = None) -> Audio:
    """Song ``spec`` panned at ``spread``, plus reverb ``reverb`` at ``send_db`` (re equal energy); with
    ``send_curve`` (per-sample dB added to ``send_db``), a send that moves over time (applied to the return)."""
    dry = dry_mix(render_parts(spec), spread=spread)
    wet = wet_return(dry, reverb)
    gain = 10.0 ** ((send_db + (0.0 if send_curve is None else send_curve)) / 20.0)
    return dry + wet * (gain if np.ndim(gain) == 0 else gain[:, None])


__all__ += ["REVERBS", "reverb_ir", "song_mix", "wet_return"]

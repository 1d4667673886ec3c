"""Songs of known structure played by real sampled instruments (General MIDI soundfont through fluidsynth).

Each section kind has its own chords, instruments and groove, as in a pop arrangement: a pad-only intro, verses on
piano, bass and a light kit, choruses with strings, guitar, a lead line and a fuller kit, a bridge on organ, a
piano outro. :func:`render_song` scores a :class:`SongPlan`, renders it with Debian's FluidR3 GM soundfont and
returns the audio and the true section boundaries in seconds. Rendering is skipped (``pytest.skip`` with the
package to install) where fluidsynth or the soundfont is missing.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from daw_bridge.audio import read_audio
from tests.support.midi import DRUMS, Score, write_midi

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
BEATS_PER_BAR = 4
#: Chords as MIDI root keys with a minor flag, one per bar, cycling.
PROGRESSIONS = {
    "intro": [(57, True), (53, False), (48, False), (55, False)],  # Am F C G
    "verse": [(57, True), (53, False), (48, False), (55, False)],
    "chorus": [(53, False), (55, False), (48, False), (57, True)],  # F G C Am
    "bridge": [(50, True), (52, True), (53, False), (55, False)],  # Dm Em F G
    "outro": [(57, True), (53, False), (48, False), (55, False)],
}
KICK, SNARE, HAT, OPEN_HAT, CRASH, RIDE = 36, 38, 42, 46, 49, 51
PAD, PIANO, BASS, GUITAR, LEAD, ORGAN = 0, 1, 2, 3, 4, 5
PROGRAMS = {PAD: 48, PIANO: 0, BASS: 33, GUITAR: 29, LEAD: 81, ORGAN: 16}


@dataclass(frozen=True)
class SongPlan:
    """Sections as ``(kind, bars)``, a tempo per section (BPM), and a seed for the melody and humanizing."""

    sections: tuple[tuple[str, int], ...]
    tempos_bpm: tuple[float, ...]
    seed: int = 0


@dataclass(frozen=True)
class Song:
    audio: np.ndarray
    rate: int
    boundaries_s: tuple[float, ...]  # section starts after the first, in seconds
    kinds: tuple[str, ...]
    bar_s: tuple[float, ...]  # bar length in each section (s)


def _chord(root: int, minor: bool) -> list[int]:
    return [root, root + (3 if minor else 4), root + 7]


def score_song(plan: SongPlan) -> tuple[Score, list[float]]:
    """The score and each section's first beat."""
    rng = random.Random(plan.seed)
    score = Score(programs=dict(PROGRAMS), tempos=[])
    beat = 0.0
    starts = []

    def vel(base: int) -> int:
        return max(1, min(127, base + rng.randint(-6, 6)))

    for (kind, bars), bpm in zip(plan.sections, plan.tempos_bpm, strict=True):
        starts.append(beat)
        score.tempos.append((beat, bpm))
        prog = PROGRESSIONS[kind]
        for bar in range(bars):
            b0 = beat + bar * BEATS_PER_BAR
            root, minor = prog[bar % len(prog)]
            chord = _chord(root, minor)
            if kind == "intro":
                for k in chord:
                    score.note(b0, 4, PAD, k + 12, vel(60))
            elif kind in ("verse", "outro"):
                for step in range(8):
                    for k in chord:
                        score.note(b0 + step * 0.5, 0.45, PIANO, k + 12, vel(70 if kind == "verse" else 55))
                if kind == "verse":
                    for q in range(4):
                        score.note(b0 + q, 0.9, BASS, root - 12, vel(90))
                    for q in range(4):
                        score.note(b0 + q, 0.2, DRUMS, KICK if q % 2 == 0 else SNARE, vel(85))
                    for e in range(8):
                        score.note(b0 + e * 0.5, 0.2, DRUMS, HAT, vel(60))
            elif kind == "chorus":
                for k in chord:
                    score.note(b0, 4, PAD, k, vel(85))
                for e in range(8):
                    score.note(b0 + e * 0.5, 0.45, GUITAR, root - 12, vel(95))
                    score.note(b0 + e * 0.5, 0.45, GUITAR, root - 5, vel(95))
                    score.note(b0 + e * 0.5, 0.45, BASS, root - 12, vel(100))
                    score.note(b0 + e * 0.5, 0.2, DRUMS, OPEN_HAT if e % 2 else RIDE, vel(80))
                for q in range(4):
                    score.note(b0 + q, 0.2, DRUMS, KICK, vel(105))
                    if q % 2:
                        score.note(b0 + q, 0.2, DRUMS, SNARE, vel(110))
                if bar == 0:
                    score.note(b0, 1.0, DRUMS, CRASH, vel(110))
                melody = [chord[rng.randrange(3)] + 24 for _ in range(4)]
                for q, key in enumerate(melody):
                    score.note(b0 + q, 0.9, LEAD, key, vel(95))
            elif kind == "bridge":
                for k in chord:
                    score.note(b0, 3.9, ORGAN, k + 12, vel(80))
                score.note(b0, 0.2, DRUMS, KICK, vel(90))
                score.note(b0 + 2, 0.2, DRUMS, SNARE, vel(90))
                score.note(b0, 3.9, BASS, root - 12, vel(85))
        beat += bars * BEATS_PER_BAR
    starts.append(beat)
    return score, starts


def render_song(plan: SongPlan, folder: Path, rate: int = 48000) -> Song:
    """Score and render ``plan`` into ``folder`` (reused when already rendered there)."""
    fluidsynth = shutil.which("fluidsynth")
    if fluidsynth is None or not SOUNDFONT.is_file():
        pytest.skip("real-instrument songs need fluidsynth and the FluidR3 GM soundfont "
                    "(Debian: apt-get install fluidsynth fluid-soundfont-gm)")
    score, starts = score_song(plan)
    tag = f"song-{abs(hash((plan.sections, plan.tempos_bpm, plan.seed))) % 10**10}-{rate}"
    wav = folder / f"{tag}.wav"
    if not wav.is_file():
        mid = write_midi(folder / f"{tag}.mid", score)
        tmp = folder / f"{tag}.tmp.wav"
        subprocess.run(
            [fluidsynth, "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.5", "-r", str(rate), "-T", "wav", "-F", str(tmp),
             str(SOUNDFONT), str(mid)],
            check=True, capture_output=True, timeout=300,
        )
        tmp.rename(wav)
    audio, got_rate = read_audio(wav)
    bar_s = tuple(BEATS_PER_BAR * 60.0 / bpm for bpm in plan.tempos_bpm)
    boundaries = tuple(score.seconds_at(b) for b in starts[1:-1])
    return Song(audio=audio, rate=got_rate, boundaries_s=boundaries,
                kinds=tuple(k for k, _ in plan.sections), bar_s=bar_s)

"""Song sections found from the audio of real sampled instruments (GM soundfont through fluidsynth): boundaries
within one bar of the score's, choruses matched to choruses, with steady and changing tempi."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from daw_bridge.analysis.structure import find_structure
from daw_bridge.errors import InvalidAudio
from tests.support.songs import Song, SongPlan, render_song

PLANS = {
    "pop 110 bpm with bridge": SongPlan(
        (("intro", 4), ("verse", 8), ("chorus", 8), ("verse", 8), ("chorus", 8), ("bridge", 4), ("chorus", 8),
         ("outro", 4)), (110,) * 8, seed=1),
    "tempo rising 96-112 bpm": SongPlan(
        (("intro", 4), ("verse", 8), ("chorus", 8), ("verse", 8), ("chorus", 8), ("outro", 4)),
        (96, 100, 104, 108, 112, 112), seed=2),
    "no intro, 128 bpm": SongPlan(
        (("verse", 8), ("chorus", 8), ("verse", 8), ("chorus", 8), ("bridge", 8), ("chorus", 8)), (128,) * 6, seed=3),
    "slow 84 bpm, short sections": SongPlan(
        (("intro", 2), ("verse", 4), ("chorus", 4), ("verse", 4), ("chorus", 4), ("outro", 2)), (84,) * 6, seed=4),
}


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Song]:
    folder = tmp_path_factory.mktemp("songs")
    return {name: render_song(plan, folder) for name, plan in PLANS.items()}


def _bar_at(song: Song, t: float) -> float:
    edges = (0.0, *song.boundaries_s)
    index = max(i for i, e in enumerate(edges) if e <= t + 1e-9)
    return song.bar_s[index]


def test_boundaries_land_within_one_bar(songs: dict[str, Song]) -> None:
    hits = total = spurious = found_total = 0
    for name, song in songs.items():
        found = find_structure(song.audio, song.rate).boundaries_s
        for truth in song.boundaries_s:
            total += 1
            hits += any(abs(f - truth) <= _bar_at(song, truth) for f in found)
        for f in found:
            found_total += 1
            spurious += not any(abs(f - truth) <= _bar_at(song, truth) for truth in song.boundaries_s)
        print(name, [round(b, 1) for b in song.boundaries_s], [round(b, 1) for b in found])
    assert hits / total >= 0.9, f"{hits} of {total} true boundaries found within one bar"
    assert spurious / found_total <= 0.1, f"{spurious} of {found_total} boundaries are not near a true one"


def _true_kind(song: Song, start: float, end: float) -> str:
    """The kind of the score's section that covers most of ``start``-``end``."""
    edges = (0.0, *song.boundaries_s, len(song.audio) / song.rate)
    overlaps = [max(0.0, min(end, b) - max(start, a)) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    return song.kinds[int(np.argmax(overlaps))]


def test_choruses_are_matched_to_choruses_and_verses_to_verses(songs: dict[str, Song]) -> None:
    for name, song in songs.items():
        structure = find_structure(song.audio, song.rate)
        for section in structure.sections:
            kind = _true_kind(song, section.start_s, section.end_s)
            if kind == "chorus":
                assert section.role == "chorus-like", (name, section)
                assert section.loud and section.repeats >= 2
            if section.role == "chorus-like":
                assert kind == "chorus", (name, section)
            if kind == "verse":
                assert section.role == "verse-like", (name, section)
        letters = {s.letter for s in structure.sections if s.role == "chorus-like"}
        assert len(letters) == 1, f"{name}: every chorus carries the same letter"


def test_too_short_or_silent_audio_is_refused_clearly() -> None:
    rate = 48000
    with pytest.raises(InvalidAudio, match="too short to find sections"):
        find_structure(np.full((rate * 5, 2), 0.1), rate)
    with pytest.raises(InvalidAudio, match="silent"):
        find_structure(np.zeros((rate * 60, 2)), rate)


def test_mono_and_stereo_copies_agree(songs: dict[str, Song], tmp_path: Path) -> None:
    song = songs["no intro, 128 bpm"]
    stereo = find_structure(song.audio, song.rate)
    mono = find_structure(song.audio.mean(axis=1), song.rate)
    quieter = find_structure(song.audio * 0.25, song.rate)
    assert [s.role for s in mono.sections] == [s.role for s in stereo.sections]
    assert mono.boundaries_s == pytest.approx(stereo.boundaries_s, abs=0.2)
    assert quieter.boundaries_s == stereo.boundaries_s and [s.role for s in quieter.sections] == [
        s.role for s in stereo.sections]

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


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000, 96000])
def test_song_bands_sum_every_bin_into_its_pitch_class_and_timbre_band(rate: int) -> None:
    from daw_bridge.analysis.spectrum import fft_size
    from daw_bridge.analysis.structure import CHROMA_RANGE_HZ, TIMBRE_EDGES_HZ, SongBands

    n_fft = fft_size(rate)
    power = np.random.default_rng(rate).random((7, 2 * (n_fft // 2 + 1))).astype(np.float32)  # (re², im²) pairs
    got = SongBands(rate, n_fft)(power)
    per_bin = power[:, 0::2].astype(np.float64) + power[:, 1::2]
    freqs = np.arange(n_fft // 2 + 1) * rate / n_fft
    expected = np.zeros((7, 24))
    for k, f in enumerate(freqs):
        if CHROMA_RANGE_HZ[0] <= f <= CHROMA_RANGE_HZ[1]:
            expected[:, int(round(12 * np.log2(f / 440.0) + 69)) % 12] += per_bin[:, k]
        for band, (lo, hi) in enumerate(zip(TIMBRE_EDGES_HZ[:-1], TIMBRE_EDGES_HZ[1:], strict=True)):
            if lo < f <= hi:
                expected[:, 12 + band] += per_bin[:, k]
    assert got.shape == (7, 24) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    if rate / 2 <= TIMBRE_EDGES_HZ[-2]:  # the top band lies above Nyquist: empty, not some other band's sum
        assert np.all(got[:, -1] == 0.0)


def test_the_analysis_pass_hands_structure_the_bands_of_the_stereo_downmix() -> None:
    from daw_bridge.analysis.spectrum import SpectralMeter, complementary_window
    from daw_bridge.analysis.structure import SongBands

    rate = 48000
    rng = np.random.default_rng(5)
    audio = rng.standard_normal((rate, 2)).astype(np.float32) * np.float32(0.1)
    audio[:, 1] = 0.5 * audio[:, 0] + 0.2 * audio[:, 1]  # partly correlated: the downmix is not the power sum
    meter = SpectralMeter(rate, 2, song=True)
    meter.feed(audio)
    frames = meter.finish()
    assert frames.song is not None and frames.song.shape[1] == 24
    assert SpectralMeter(rate, 2).finish().song is None  # only when asked for
    n_fft, hop = meter.n_fft, meter.hop
    padded = np.concatenate([np.zeros(n_fft // 2), audio.sum(axis=1, dtype=np.float64), np.zeros(2 * n_fft)])
    window = complementary_window(n_fft, hop)
    for k in (0, 5, 17, 30):  # frame k is centred at sample k·hop
        spectrum = np.fft.rfft(padded[k * hop : k * hop + n_fft] * window)
        interleaved = np.stack([spectrum.real**2, spectrum.imag**2], axis=1).reshape(1, -1).astype(np.float32)
        np.testing.assert_allclose(frames.song[k], SongBands(rate, n_fft)(interleaved)[0], rtol=2e-4, atol=1e-9)

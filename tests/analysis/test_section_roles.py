"""Like with like: measured sections carry their song role, and findings compare chorus with chorus."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from daw_bridge.analysis.compare import compare
from daw_bridge.analysis.engine import analyze_audio
from daw_bridge.analysis.measurement import Measurement
from daw_bridge.analysis.sections import role_from_name
from tests.support.signals import add_reverb, music_like
from tests.support.songs import Song, SongPlan, render_song

RATE = 48000
PLAN = SongPlan((("intro", 2), ("verse", 4), ("chorus", 4), ("verse", 4), ("chorus", 4), ("outro", 2)), (84,) * 6,
                seed=4)


@pytest.fixture(scope="module")
def song(tmp_path_factory: pytest.TempPathFactory) -> Song:
    return render_song(PLAN, tmp_path_factory.mktemp("song"))


@pytest.fixture(scope="module")
def base() -> Measurement:
    return analyze_audio(add_reverb(music_like(24.0, RATE, seed=5), RATE, rt60_s=0.8, send_db=-14.0), RATE)


def _with_roles(m: Measurement, roles_reverb: list[tuple[str, float]]) -> Measurement:
    sections = tuple(
        dataclasses.replace(s, role=role, letter=role[:1].upper(), reverb_db=reverb)
        for s, (role, reverb) in zip(m.sections, roles_reverb, strict=True)
    )
    return dataclasses.replace(m, sections=sections)


def test_region_names_state_roles() -> None:
    assert role_from_name("Chorus 2") == "chorus-like"
    assert role_from_name("VERSE") == "verse-like"
    assert role_from_name("Intro (pads)") == "intro"
    assert role_from_name("Bridge") == ""


def test_sections_of_a_real_song_get_the_role_of_the_part_they_lie_in(song: Song) -> None:
    m = analyze_audio(song.audio, song.rate)
    edges = (0.0, *song.boundaries_s, len(song.audio) / song.rate)
    chorus_spans = [(a, b) for k, a, b in zip(song.kinds, edges[:-1], edges[1:], strict=True) if k == "chorus"]
    chorus = [s for s in m.sections if s.role == "chorus-like"]
    assert chorus, [(s.start_s, s.role) for s in m.sections]
    for s in chorus:  # a 4 s window called chorus-like lies mostly in a sung chorus
        mid = (s.start_s + s.end_s) / 2
        assert any(a - 1.0 <= mid <= b + 1.0 for a, b in chorus_spans), (s.start_s, s.end_s, chorus_spans)
    assert {s.letter for s in m.sections} == {g.letter for g in m.structure}
    # DAW regions keep their names' roles; roles come from the audio where the name says none
    regions = [(0.0, 6.0, "Intro"), (6.0, 17.0, "Verse 1"), (17.0, 28.0, "Bridge?")]
    named = analyze_audio(song.audio, song.rate, sections=regions)
    assert [s.role for s in named.sections][:2] == ["intro", "verse-like"]
    assert named.sections[2].role and named.sections[2].letter


def test_a_wet_verse_is_found_although_the_references_choruses_are_as_wet(base: Measurement) -> None:
    # references: dry verses (-20 dB) and wet choruses (-8 dB); the mix's verses are as wet as those choruses
    ref = _with_roles(base, [("verse-like", -20.0), ("verse-like", -19.0), ("chorus-like", -8.0),
                             ("chorus-like", -8.5), ("verse-like", -20.0), ("chorus-like", -8.0)])
    mix = _with_roles(base, [("verse-like", -8.0), ("verse-like", -19.5), ("chorus-like", -8.2),
                             ("chorus-like", -8.0), ("verse-like", -20.0), ("chorus-like", -8.0)])
    result = compare(mix, [ref])
    reverb = [f for f in result.findings if f.area == "reverb"]
    assert [(f.start_s, f.role) for f in reverb] == [(0.0, "verse-like")]
    assert reverb[0].value == pytest.approx(12.0)  # from the verses' median, not the whole song's
    assert not result.notes or all("no reference section" not in n for n in result.notes)
    plain = result.to_dict()
    assert plain["findings"][0]["role"] == "verse-like" and plain["findings"][0]["letter"] == "V"
    assert plain["mix"]["sections"][2]["role"] == "chorus-like"
    json.dumps(plain)


def test_a_role_the_references_lack_falls_back_to_all_their_sections_with_a_note(base: Measurement) -> None:
    ref = _with_roles(base, [("verse-like", -20.0)] * 6)
    mix = _with_roles(base, [("verse-like", -20.0)] * 3 + [("chorus-like", -8.0)] * 3)
    result = compare(mix, [ref])
    assert [f.role for f in result.findings if f.area == "reverb"] == ["chorus-like"]
    assert any("no reference section is chorus-like" in n for n in result.notes)


@pytest.mark.parametrize("gain_db", [0.0, -6.0])
def test_a_real_song_against_itself_or_a_quieter_copy_has_no_findings(song: Song, gain_db: float) -> None:
    m = analyze_audio(song.audio, song.rate)
    copy = analyze_audio(song.audio * np.float32(10 ** (gain_db / 20)), song.rate)
    assert [s.role for s in copy.sections] == [s.role for s in m.sections]
    result = compare(copy, [m])
    assert [f for f in result.findings if f.area != "level"] == []


def test_json_of_a_measurement_with_structure_round_trips(song: Song, tmp_path: Path) -> None:
    from daw_bridge.analysis.measurement import measurement_from_plain, to_plain

    m = analyze_audio(song.audio, song.rate)
    text = json.dumps(to_plain(m))
    assert measurement_from_plain(json.loads(text)) == m


def test_structure_fed_block_by_block_equals_the_whole_song(song: Song) -> None:
    from daw_bridge.analysis.spectrum import SpectralMeter
    from daw_bridge.analysis.structure import StructureFeed, find_structure

    stereo = song.audio.astype(np.float32)
    feed, meter = StructureFeed(song.rate), SpectralMeter(song.rate, 2, song=True)
    at = 0
    for n in (1, 4095, 4097, 255, 100_000, 262_144, len(stereo)):
        feed.feed(stereo[at : at + n])
        meter.feed(stereo[at : at + n])
        at += n
    frames = meter.finish()
    assert frames.song is not None
    whole = find_structure(song.audio, song.rate)
    assert feed.finish(frames.song, frames.hop) == whole
    # a mono copy (the downmix) reads as the stereo file does: the song's bands are those of L+R
    mono = find_structure(song.audio.mean(axis=1), song.rate)
    assert [(s.letter, s.role) for s in mono.sections] == [(s.letter, s.role) for s in whole.sections]
    assert [s.start_s for s in mono.sections] == pytest.approx([s.start_s for s in whole.sections], abs=1e-9)
    assert [s.level_db for s in mono.sections] == pytest.approx([s.level_db for s in whole.sections], abs=1e-3)
    # and the analysis pass (blocks of 2**18 frames, transform jobs on two threads) finds the same sections
    assert analyze_audio(song.audio, song.rate).structure == whole.sections

"""compare(): deviations, level independence, ranges over 3+ references, findings placed in time."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from daw_bridge.analysis.compare import Thresholds, compare, message
from daw_bridge.analysis.engine import analyze_audio
from daw_bridge.errors import InvalidParameter
from tests.support.signals import add_reverb, apply_sos, music_like, rbj_sos

RATE = 48000


def _track(seed: int, send_db: float = -14.0, seconds: float = 24.0) -> np.ndarray:
    return add_reverb(music_like(seconds, RATE, seed=seed), RATE, rt60_s=0.8, send_db=send_db, seed=seed)


def test_a_wet_section_is_found_in_its_time_range() -> None:
    dry = music_like(24.0, RATE, seed=31)
    base = add_reverb(dry, RATE, rt60_s=0.8, send_db=-16.0)
    wet = add_reverb(dry, RATE, rt60_s=0.8, send_db=-4.0)
    mix = base.copy()
    mix[8 * RATE : 16 * RATE] = wet[8 * RATE : 16 * RATE]
    result = compare(analyze_audio(mix, RATE), [analyze_audio(_track(32, send_db=-16.0), RATE)])
    reverb = [f for f in result.findings if f.area == "reverb"]
    assert reverb, result.findings
    assert all(f.value > 0 and "wetter" in f.message for f in reverb)
    assert all(f.start_s >= 4.0 and f.end_s <= 20.0 for f in reverb)
    assert any(f.start_s <= 8.0 and f.end_s >= 16.0 for f in reverb)  # adjacent sections merged


def test_a_bright_section_is_found_in_its_time_range() -> None:
    # synthetic hits vary in brightness from one 4 s section to the next by up to ~3 dB: threshold above that
    track = add_reverb(music_like(24.0, RATE, seed=41, gap_s=(0.05, 0.12)), RATE, rt60_s=0.8, send_db=-14.0)
    bright = apply_sos(track, rbj_sos("highshelf", 6000.0, 9.0, 0.7, RATE))
    mix = track.copy()
    mix[12 * RATE : 20 * RATE] = bright[12 * RATE : 20 * RATE]
    result = compare(analyze_audio(mix, RATE), [analyze_audio(track, RATE)], thresholds=Thresholds(highs_db=4.0))
    highs = [f for f in result.findings if f.area == "highs"]
    assert highs and all(f.value > 0 for f in highs)
    assert min(f.start_s for f in highs) >= 12.0 - 4.0 and max(f.end_s for f in highs) <= 20.0 + 4.0
    assert any(f.start_s <= 12.0 and f.end_s >= 20.0 for f in highs)


def test_deviations_are_level_independent_except_loudness() -> None:
    mix, ref = _track(51, send_db=-8.0), analyze_audio(_track(52), RATE)
    loud = compare(analyze_audio(mix, RATE), [ref]).deviation
    quiet = compare(analyze_audio(mix * 10 ** (-6 / 20), RATE), [ref]).deviation
    assert quiet.loudness_lu == pytest.approx(loud.loudness_lu - 6.0, abs=0.01)
    for name in ("highs_db", "width_db", "reverb_db", "tilt_db_per_oct"):
        assert getattr(quiet, name) == pytest.approx(getattr(loud, name), abs=0.05), name
    for a, b in zip(quiet.bands, loud.bands, strict=True):
        assert a.level_db == pytest.approx(b.level_db, abs=0.01)


def test_three_references_give_ranges_and_only_outliers_are_flagged() -> None:
    refs = [analyze_audio(_track(60 + i, send_db=-12.0 + 2.0 * i, seconds=12.0), RATE) for i in range(3)]
    inside = compare(analyze_audio(_track(70, send_db=-10.0, seconds=12.0), RATE), refs)
    assert {"loudness_lufs", "highs_db", "width_db", "reverb_db"} <= set(inside.ranges)
    r = inside.ranges["reverb_db"]
    assert r.p10 <= r.median <= r.p90
    outlier = compare(analyze_audio(_track(71, send_db=4.0, seconds=12.0), RATE), refs, thresholds=Thresholds())
    assert any(f.area == "reverb" and f.value > 0 for f in outlier.findings)
    json = outlier.to_dict()
    assert set(json) >= {"mix", "references", "deviation", "findings", "ranges"}
    assert json["ranges"]["reverb_db"]["p90"] >= json["ranges"]["reverb_db"]["p10"]


def test_level_finding_and_thresholds() -> None:
    track = analyze_audio(_track(81, seconds=8.0), RATE)
    louder = dataclasses.replace(
        track, loudness=dataclasses.replace(track.loudness, integrated_lufs=track.loudness.integrated_lufs + 3.0)
    )
    result = compare(louder, [track])
    assert result.findings[0].area == "level" and result.findings[0].value == pytest.approx(3.0)
    assert compare(louder, [track], thresholds=Thresholds(level_lu=5.0)).findings == ()
    with pytest.raises(InvalidParameter, match="level_lu"):
        Thresholds(level_lu=0.0)
    with pytest.raises(InvalidParameter, match="at least one reference"):
        compare(track, [])


def test_messages_read_like_a_mixer() -> None:
    assert message("reverb", -4.2) == "reverb 4.2 dB drier than references"
    assert message("width", 3.5).startswith("width (side/mid) 3.5 dB wider")
    assert message("level", -1.5) == "level 1.5 LU quieter than references"


@pytest.mark.parametrize("gain_db", [-6.0, 12.0])
def test_a_file_against_itself_at_another_level_has_no_section_findings(gain_db: float) -> None:
    # a quiet stretch (30 dB down) and a wetter one: the copy must not be judged against a whole-track average
    audio = _track(31, seconds=20.0)
    audio[: 4 * RATE] *= 10 ** (-30 / 20)
    audio[8 * RATE : 12 * RATE] = _track(32, send_db=0.0, seconds=20.0)[8 * RATE : 12 * RATE]
    ref = analyze_audio(audio, RATE)
    mix = analyze_audio(audio * 10 ** (gain_db / 20), RATE)
    assert compare(ref, [ref]).findings == ()
    assert [f.area for f in compare(mix, [ref]).findings] == ["level"]

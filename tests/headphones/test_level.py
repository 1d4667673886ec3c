"""Listening level: SPL estimates from loudness, speaker calibration, matched trims, switching."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from daw_bridge.errors import ConfigError, InvalidParameter
from daw_bridge.headphones.level import (
    LevelProfile,
    OutputProfile,
    dbu_to_vrms,
    dbv_to_vrms,
    estimate_spl_db,
    headphone_spl_at_0lufs_db,
    level_advice,
    load_profile,
    match_offsets,
    save_profile,
    set_offset,
    set_output,
    set_volume,
    speaker_spl_at_0lufs_db,
    switch_output,
    volume_for_spl_db,
)


def test_reference_levels() -> None:
    assert dbu_to_vrms(0.0) == pytest.approx(0.7746, abs=1e-4)
    assert dbu_to_vrms(4.0) == pytest.approx(1.2277, abs=1e-4)
    assert dbv_to_vrms(0.0) == 1.0 and dbv_to_vrms(-6.0) == pytest.approx(0.5012, abs=1e-4)


def _profile() -> LevelProfile:
    # HD 650 (103 dB SPL/V) on an output of +7 dBu at 0 dBFS: 0.7746 * 10^(7/20) = 1.7338 V = +4.7815 dBV
    phones0 = headphone_spl_at_0lufs_db(sens_db_per_v=103.0, vout_0dbfs_vrms=dbu_to_vrms(7.0))
    # speakers: 79 dB SPL measured for a -20 LUFS programme at -10 dB volume -> 79 + 20 + 10 = 109
    speakers0 = speaker_spl_at_0lufs_db(measured_spl_db=79.0, at_lufs=-20.0, volume_db=-10.0)
    profile = set_output(LevelProfile(), OutputProfile("phones", "headphones", phones0, volume_db=-20.0))
    return set_output(profile, OutputProfile("speakers", "speakers", speakers0, volume_db=-10.0))


def test_hand_worked_spl_estimates() -> None:
    profile = _profile()
    phones, speakers = profile.output("phones"), profile.output("speakers")
    assert phones.spl_at_0lufs_db == pytest.approx(107.7815, abs=0.0005)
    assert speakers.spl_at_0lufs_db == pytest.approx(109.0)
    # -14 LUFS at -20 dB volume: 107.7815 - 20 - 14 = 73.7815 dB SPL
    assert estimate_spl_db(phones, loudness_lufs=-14.0) == pytest.approx(73.7815, abs=0.0005)
    assert estimate_spl_db(speakers, loudness_lufs=-14.0) == pytest.approx(85.0)
    assert volume_for_spl_db(phones, loudness_lufs=-14.0, target_spl_db=75.0) == pytest.approx(-18.7815, abs=0.0005)


def test_output_impedance_lowers_the_headphone_level() -> None:
    plain = headphone_spl_at_0lufs_db(sens_db_per_v=100.0, vout_0dbfs_vrms=1.0)
    divided = headphone_spl_at_0lufs_db(sens_db_per_v=100.0, vout_0dbfs_vrms=1.0, impedance_ohm=32, zout_ohm=32)
    assert plain == 100.0 and divided == pytest.approx(100.0 - 20 * math.log10(2))


def test_match_and_switch_keep_the_same_level() -> None:
    profile = match_offsets(_profile(), reference="speakers")
    phones, speakers = profile.output("phones"), profile.output("speakers")
    assert phones.offset_db == pytest.approx(85.0 - 73.7815, abs=0.005)
    for lufs in (-23.0, -14.0, -8.0):  # equal at any programme loudness
        assert estimate_spl_db(phones, loudness_lufs=lufs) == pytest.approx(
            estimate_spl_db(speakers, loudness_lufs=lufs), abs=0.01)
    to_speakers = switch_output(profile, "speakers")
    assert to_speakers.profile.current == "speakers"
    assert to_speakers.gain_db == 0.0 and to_speakers.change_db == pytest.approx(-phones.offset_db)
    back = switch_output(to_speakers.profile, "phones")
    assert back.gain_db == pytest.approx(phones.offset_db) and back.change_db == pytest.approx(phones.offset_db)
    trimmed = set_offset(profile, "phones", -2.0)
    assert switch_output(trimmed, "phones").gain_db == -2.0


def test_round_trip_and_damaged_profile(tmp_path: Path) -> None:
    path = tmp_path / "level.json"
    profile = set_volume(match_offsets(_profile(), reference="speakers"), "phones", -12.0)
    save_profile(profile, path)
    assert load_profile(path) == profile
    assert load_profile(tmp_path / "absent.json") == LevelProfile()
    path.write_text('{"outputs": {"x": {"name": "x"}}}', encoding="utf-8")
    with pytest.raises(ConfigError, match="level.json: not a daw-bridge level profile"):
        load_profile(path)


def test_bad_values_are_rejected() -> None:
    profile = _profile()
    with pytest.raises(InvalidParameter, match="volume_db"):
        set_volume(profile, "phones", 3.0)
    with pytest.raises(InvalidParameter, match="no monitoring output 'tv'"):
        switch_output(profile, "tv")
    with pytest.raises(InvalidParameter, match="silence"):
        estimate_spl_db(profile.output("phones"), loudness_lufs=-math.inf)
    with pytest.raises(InvalidParameter, match="kind"):
        set_output(profile, OutputProfile("x", "earbuds", 100.0))
    with pytest.raises(InvalidParameter):
        headphone_spl_at_0lufs_db(sens_db_per_v=100.0, vout_0dbfs_vrms=0.0)


def test_advice_wording() -> None:
    assert "loud" in level_advice(90.0) and "turn down 15.0 dB" in level_advice(90.0)
    assert "steady, moderate" in level_advice(76.0)
    assert "turn up" in level_advice(65.0)


def test_full_scale_stereo_sine_is_0_lufs_so_the_calibration_holds(tmp_path: Path) -> None:
    """The calibration assumes a stereo 1 kHz sine at L dBFS peak reads L LUFS; check with the meter."""
    pytest.importorskip("daw_bridge.analysis.loudness")
    pytest.importorskip("daw_bridge.audio")
    import soundfile as sf

    from daw_bridge.cli.level import file_loudness_lufs

    rate = 48000
    t = np.arange(rate * 5) / rate
    tone = 10 ** (-20 / 20) * np.sin(2 * np.pi * 1000 * t)
    path = tmp_path / "sine.wav"
    sf.write(path, np.column_stack([tone, tone]), rate, subtype="FLOAT")
    assert file_loudness_lufs(path) == pytest.approx(-20.0, abs=0.1)

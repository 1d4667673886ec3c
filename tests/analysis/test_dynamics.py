"""Dynamics: crest factor, PLR, loudness range and the short-term curve against hand-computed values; the
"more compressed than the references" finding."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal

from daw_bridge.analysis.compare import compare
from daw_bridge.analysis.dynamics import PeakTrace
from daw_bridge.analysis.engine import analyze_audio
from daw_bridge.analysis.loudness import k_weighting_sos
from daw_bridge.analysis.measurement import Measurement
from tests.support.signals import add_reverb, music_like, sine, tech3342_case

RATE = 48000


def _k_gain_db(freq_hz: float) -> float:
    _, h = signal.sosfreqz(k_weighting_sos(RATE), worN=[freq_hz], fs=RATE)
    return 20.0 * math.log10(abs(h[0]))


def test_a_sine_has_a_crest_factor_of_3_01_db_and_the_plr_its_level_predicts() -> None:
    x = sine(997.0, 20.0, RATE, level_dbfs=-12.0, channels=2)
    peak = float(np.abs(x).max())
    m = analyze_audio(x, RATE)
    assert m.dynamics is not None
    assert m.dynamics.crest_db == pytest.approx(10 * math.log10(2), abs=0.01)  # 3.01 dB
    # BS.1770 by hand: two channels of mean square peak²/2 each, K-weighted, -0.691 dB offset
    lufs = -0.691 + 10 * math.log10(2 * peak**2 / 2) + _k_gain_db(997.0)
    assert m.loudness.integrated_lufs == pytest.approx(lufs, abs=0.05)
    assert m.dynamics.plr_db == pytest.approx(20 * math.log10(peak) - lufs, abs=0.05)
    for s in m.sections:
        assert s.crest_db == pytest.approx(3.01, abs=0.01)
        assert s.plr_db == pytest.approx(20 * math.log10(peak) - lufs, abs=0.05)


def test_a_spike_in_a_quiet_sine_sets_the_crest_of_its_section_only() -> None:
    x = sine(440.0, 16.0, RATE, level_dbfs=-30.0, channels=2)
    x[int(6.0 * RATE)] = 0.9  # one sample at 0.9 in 4-8 s
    rms = math.sqrt(float(np.mean(x[4 * RATE : 8 * RATE].astype(np.float64) ** 2)))
    m = analyze_audio(x, RATE)
    crest = [s.crest_db for s in m.sections]
    assert crest[1] == pytest.approx(20 * math.log10(0.9 / rms), abs=0.05)
    assert crest[0] == pytest.approx(3.01, abs=0.01) and crest[2] == pytest.approx(3.01, abs=0.01)


@pytest.mark.parametrize(("case", "expected"), [(1, 10.0), (2, 5.0), (3, 20.0), (4, 15.0)])
def test_loudness_range_follows_ebu_tech_3342(case: int, expected: float) -> None:
    m = analyze_audio(tech3342_case(case, RATE), RATE, section_s=20.0, structure=False)
    assert m.dynamics is not None
    assert m.dynamics.lra_lu == pytest.approx(expected, abs=1.0)
    for s in m.sections:  # each 20 s section is one steady level: no range inside
        assert s.lra_lu == pytest.approx(0.0, abs=0.1)


def test_the_short_term_curve_steps_once_a_second() -> None:
    x = tech3342_case(1, RATE)  # -20 dBFS for 20 s, then -30
    m = analyze_audio(x, RATE, structure=False)
    assert m.dynamics is not None
    curve = m.dynamics.short_term_lufs
    assert m.dynamics.curve_step_s == 1.0 and len(curve) == pytest.approx(40 - 3 + 1, abs=1)
    assert curve[5] - curve[30] == pytest.approx(10.0, abs=0.05)
    assert curve[5] == pytest.approx(m.loudness.short_term_max_lufs, abs=0.05)


def test_peak_trace_is_the_same_whatever_the_block_sizes() -> None:
    x = np.random.default_rng(3).standard_normal((RATE * 3 + 123, 2)).astype(np.float32)
    whole, parts = PeakTrace(RATE), PeakTrace(RATE)
    whole.feed(x)
    at = 0
    for n in (1, 4799, 4800, 7, 20000, 50000):
        parts.feed(x[at : at + n])
        at += n
    parts.feed(x[at:])
    expect = np.abs(x[: (len(x) // 4800) * 4800]).max(axis=1).reshape(-1, 4800).max(axis=1)
    np.testing.assert_array_equal(whole.peaks(), expect)
    np.testing.assert_array_equal(parts.peaks(), expect)


def _limit(x: np.ndarray, ceiling: float) -> np.ndarray:
    """A brick-wall 'mastering' clip at ``ceiling``, made up again to the original peak: a squashed section."""
    return np.clip(x, -ceiling, ceiling) * (float(np.abs(x).max()) / ceiling)


def test_a_squashed_section_is_flagged_as_more_compressed_there_only() -> None:
    track = add_reverb(music_like(24.0, RATE, seed=61), RATE, rt60_s=0.8, send_db=-14.0)
    mix = track.copy()
    mix[8 * RATE : 16 * RATE] = _limit(track[8 * RATE : 16 * RATE], float(np.abs(track).max()) * 0.1)
    ref = analyze_audio(track, RATE, structure=False)
    got = analyze_audio(mix, RATE, structure=False)
    squashed = [s for s in got.sections if 8.0 <= s.start_s < 16.0]
    assert all(s.plr_db is not None for s in squashed)
    result = compare(got, [ref])
    dyn = [f for f in result.findings if f.area == "dynamics"]
    assert dyn and all(f.value <= -3.0 and "more compressed" in f.message for f in dyn)
    assert min(f.start_s for f in dyn) >= 8.0 and max(f.end_s for f in dyn) <= 16.0
    # the other way round (the mix more open than the references) is not a dynamics finding
    assert not [f for f in compare(ref, [got]).findings if f.area == "dynamics"]


def test_only_the_more_compressed_direction_is_a_finding() -> None:
    import dataclasses

    base = analyze_audio(add_reverb(music_like(16.0, RATE, seed=62), RATE, rt60_s=0.8, send_db=-14.0), RATE,
                         structure=False)

    def with_plr(values: list[float]) -> Measurement:
        return dataclasses.replace(base, sections=tuple(
            dataclasses.replace(s, plr_db=v) for s, v in zip(base.sections, values, strict=True)))

    ref = with_plr([10.0] * len(base.sections))
    open_mix = with_plr([16.0] + [10.0] * (len(base.sections) - 1))
    squashed = with_plr([4.0] + [10.0] * (len(base.sections) - 1))
    assert not [f for f in compare(open_mix, [ref]).findings if f.area == "dynamics"]
    dyn = [f for f in compare(squashed, [ref]).findings if f.area == "dynamics"]
    assert [(f.start_s, round(f.value, 6)) for f in dyn] == [(0.0, -6.0)]

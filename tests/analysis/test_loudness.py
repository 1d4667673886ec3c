"""BS.1770-4 loudness against EBU Tech 3341/3342 ground truth and pyloudnorm."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest
import scipy.signal

from daw_bridge.analysis.engine import analyze_audio
from daw_bridge.analysis.loudness import (
    LoudnessMeter,
    integrated_loudness,
    k_weighting_sos,
    loudness_stats,
    midrange_loudness,
)
from daw_bridge.analysis.peak import true_peak_dbtp
from daw_bridge.errors import InvalidAudio
from tests.support.signals import add_reverb, music_like, pink_noise, sine, tech3341_case, tech3342_case

RATE = 48000


def test_k_weighting_matches_the_itu_48k_coefficients() -> None:
    sos = k_weighting_sos(48000)
    np.testing.assert_allclose(
        sos[0], [1.53512485958697, -2.69169618940638, 1.19839281085285, 1.0, -1.69065929318241, 0.73248077421585],
        atol=1e-9,
    )
    np.testing.assert_allclose(sos[1], [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621], atol=1e-9)


@pytest.mark.parametrize(("case", "expected"), [(1, -23.0), (2, -33.0), (3, -23.0), (4, -23.0), (5, -23.0)])
def test_tech3341_integrated(case: int, expected: float) -> None:
    audio = tech3341_case(case, RATE)
    assert integrated_loudness(audio, RATE) == pytest.approx(expected, abs=0.1)
    assert analyze_audio(audio, RATE).loudness.integrated_lufs == pytest.approx(expected, abs=0.1)


@pytest.mark.parametrize(("case", "expected"), [(1, 10.0), (2, 5.0), (3, 20.0), (4, 15.0)])
def test_tech3342_loudness_range(case: int, expected: float) -> None:
    audio = tech3342_case(case, RATE)
    assert loudness_stats(audio, RATE).lra_lu == pytest.approx(expected, abs=1.0)
    assert analyze_audio(audio, RATE).loudness.lra_lu == pytest.approx(expected, abs=1.0)


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
def test_engine_agrees_with_pyloudnorm_on_music_like_material(rate: int) -> None:
    audio = add_reverb(music_like(20.0, rate, seed=5), rate, rt60_s=0.8, send_db=-8.0)
    ours = analyze_audio(audio, rate).loudness
    reference = pyloudnorm.Meter(rate).integrated_loudness(audio)
    assert ours.integrated_lufs == pytest.approx(reference, abs=0.1)
    assert integrated_loudness(audio, rate) == pytest.approx(reference, abs=0.1)
    assert ours.integrated_lufs == pytest.approx(integrated_loudness(audio, rate), abs=0.03)


def test_short_term_and_momentary_max_of_a_steady_sine() -> None:
    stats = loudness_stats(sine(1000.0, 10.0, RATE, level_dbfs=-20.0, channels=2), RATE)
    assert stats.short_term_max_lufs == pytest.approx(-20.0, abs=0.1)
    assert stats.momentary_max_lufs == pytest.approx(-20.0, abs=0.1)
    assert stats.sample_peak_dbfs == pytest.approx(-20.0, abs=0.01)


def test_true_peak_finds_the_inter_sample_peak() -> None:
    # fs/4 sine at 45 degrees: every sample sits at 0.707 of the true peak (-3.01 dB)
    x = sine(RATE / 4, 1.0, RATE, level_dbfs=-1.0, phase=math.pi / 4, channels=2)
    assert 20 * math.log10(np.abs(x).max()) == pytest.approx(-4.01, abs=0.01)
    assert true_peak_dbtp(x, RATE) == pytest.approx(-1.0, abs=0.1)
    assert analyze_audio(x, RATE).loudness.true_peak_dbtp == pytest.approx(-1.0, abs=0.1)


def test_chunked_meter_equals_whole_buffer() -> None:
    audio = pink_noise(5.0, RATE, seed=3, channels=2)
    whole = LoudnessMeter(RATE, 2)
    whole.feed(audio)
    chunked = LoudnessMeter(RATE, 2)
    for start in range(0, audio.shape[0], 7777):
        chunked.feed(audio[start : start + 7777])
    np.testing.assert_allclose(chunked.subblock_power(), whole.subblock_power(), rtol=1e-9)
    assert chunked.finish() == whole.finish()
    # and the carried-state filter equals one sosfilt call
    y = scipy.signal.sosfilt(k_weighting_sos(RATE), audio, axis=0)
    assert whole.subblock_power()[0] == pytest.approx(np.mean(y[:4800] ** 2, axis=0).sum(), rel=1e-6)


def test_silence_is_minus_infinity_and_short_audio_is_refused() -> None:
    assert integrated_loudness(np.zeros((RATE, 2)), RATE) == -math.inf
    with pytest.raises(InvalidAudio, match="shorter than one 400 ms"):
        integrated_loudness(np.zeros((100, 2)), RATE)


def test_midrange_loudness_reads_the_level_of_a_midrange_sine() -> None:
    mid = sine(1000.0, 5.0, RATE, level_dbfs=-20.0, channels=2)
    assert midrange_loudness(mid, RATE) == pytest.approx(-20.0, abs=0.1)
    low = sine(60.0, 5.0, RATE, level_dbfs=-20.0, channels=2)
    assert midrange_loudness(low, RATE) < -60.0
    assert midrange_loudness(np.zeros((RATE, 2)), RATE) == -math.inf

"""Reverb estimates against dry music-like material through exponential-noise reverbs of known RT60 and send."""

from __future__ import annotations

import numpy as np
import pytest

from daw_bridge.analysis.compare import compare
from daw_bridge.analysis.engine import analyze_audio
from daw_bridge.analysis.spectrum import SpectralMeter
from tests.support.signals import add_reverb, music_like, pink_noise

RATE = 48000


@pytest.mark.parametrize("rt60_s", [0.5, 1.0, 1.5])
def test_rt60_within_ten_percent(rt60_s: float) -> None:
    audio = add_reverb(music_like(14.0, RATE, seed=3), RATE, rt60_s=rt60_s, send_db=-8.0, seed=5)
    reverb = analyze_audio(audio, RATE).reverb
    assert reverb.rt60_s == pytest.approx(rt60_s, rel=0.10)
    assert reverb.confidence > 0.5
    for band in reverb.bands:
        assert band.rt60_s == pytest.approx(rt60_s, rel=0.10), band.name


def test_dry_material_has_no_ambience_and_no_rt60() -> None:
    # panned dry events: every tile's covariance is rank one, so nothing reads as ambient (-60 dB is the floor)
    reverb = analyze_audio(music_like(10.0, RATE, seed=1), RATE).reverb
    assert reverb.method == "ambience"
    assert reverb.reverb_db is not None and reverb.reverb_db <= -40.0
    assert reverb.rt60_s is None
    assert "not enough free decays" in reverb.reason


def test_diffuse_noise_without_gaps_reads_ambient_but_has_no_decay_time() -> None:
    # independent noise in each channel is all ambience; with nothing decaying there is no RT60 to give
    reverb = analyze_audio(pink_noise(10.0, RATE, seed=1, channels=2), RATE).reverb
    assert reverb.reverb_db is not None and reverb.reverb_db > 0.0
    assert reverb.rt60_s is None
    assert "not enough free decays" in reverb.reason


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("change_db", [2.0, -2.0])
def test_send_change_of_two_db_has_the_right_sign(seed: int, change_db: float) -> None:
    dry = music_like(10.0, RATE, seed=40 + seed)
    ref = analyze_audio(add_reverb(dry, RATE, rt60_s=0.8, send_db=-10.0, seed=seed), RATE)
    mix = analyze_audio(add_reverb(dry, RATE, rt60_s=0.8, send_db=-10.0 + change_db, seed=seed + 100), RATE)
    deviation = compare(mix, [ref]).deviation.reverb_db
    assert deviation is not None
    assert np.sign(deviation) == np.sign(change_db)
    assert deviation == pytest.approx(change_db, abs=1.5)


@pytest.mark.parametrize(("mix_send", "ref_send"), [(-6.0, -12.0), (-14.0, -8.0), (-10.0, -10.0)])
def test_wet_level_difference_across_different_material(mix_send: float, ref_send: float) -> None:
    mix = analyze_audio(add_reverb(music_like(14.0, RATE, seed=1), RATE, rt60_s=1.0, send_db=mix_send), RATE)
    ref = analyze_audio(add_reverb(music_like(14.0, RATE, seed=2), RATE, rt60_s=1.0, send_db=ref_send), RATE)
    deviation = compare(mix, [ref]).deviation.reverb_db
    assert deviation == pytest.approx(mix_send - ref_send, abs=1.5)


def test_reverb_is_level_independent() -> None:
    audio = add_reverb(music_like(12.0, RATE, seed=8), RATE, rt60_s=0.7, send_db=-8.0)
    a = analyze_audio(audio, RATE).reverb
    b = analyze_audio(audio * 0.5, RATE).reverb
    assert a.reverb_db is not None and b.reverb_db is not None and a.rt60_s is not None
    assert b.reverb_db == pytest.approx(a.reverb_db, abs=0.05)
    assert b.rt60_s == pytest.approx(a.rt60_s, rel=0.01)


@pytest.mark.parametrize("rt60_s", [0.5, 1.0])
def test_median_decay_curve_starts_at_the_peak_and_falls_at_the_rt60_rate(rt60_s: float) -> None:
    reverb = analyze_audio(add_reverb(music_like(14.0, RATE, seed=3), RATE, rt60_s=rt60_s, send_db=-8.0, seed=5),
                           RATE).reverb
    hop_s = SpectralMeter(RATE, 2).hop / RATE
    for band in reverb.bands:
        curve = np.asarray(band.decay_db)
        assert curve.size >= 10 and curve[0] == 0.0 and band.decay_step_s == pytest.approx(hop_s)
        assert np.all(np.diff(curve) < 1.0), f"{band.name}: a decay does not rise"
        t = np.arange(curve.size) * band.decay_step_s
        tail = curve <= -20.0  # past the direct sound's knee
        slope = np.polyfit(t[tail], curve[tail], 1)[0]
        assert -60.0 / slope == pytest.approx(rt60_s, rel=0.10), band.name


def test_no_free_decays_means_no_decay_curve() -> None:
    reverb = analyze_audio(music_like(10.0, RATE, seed=1), RATE).reverb
    assert all(band.decay_db == () for band in reverb.bands)

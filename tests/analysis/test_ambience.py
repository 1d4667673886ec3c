"""The stereo-field ambience estimate: panned and delayed copies are direct, independent channels ambient, and the
ratio follows the diffuse part, not level, tone or pan."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage

from daw_bridge.analysis import ambience
from daw_bridge.analysis.engine import analyze_audio
from tests.support.signals import apply_sos, pan, pink_noise, rbj_sos

RATE = 48000


def _level(audio: np.ndarray) -> float:
    reverb = analyze_audio(audio, RATE).reverb
    assert reverb.method == "ambience" and reverb.reverb_db is not None
    return reverb.reverb_db


def test_a_panned_source_is_direct_and_independent_channels_are_ambient() -> None:
    mono = pink_noise(6.0, RATE, seed=3)[:, 0]
    assert _level(pan(mono, 0.5)) <= -40.0
    assert _level(pink_noise(6.0, RATE, seed=4, channels=2)) > 0.0


def test_a_delayed_copy_stays_direct() -> None:
    # a spaced pair: the right channel 0.6 ms later (phase turns across the band; |ΣL·R*| keeps it coherent)
    mono = pink_noise(6.0, RATE, seed=5)[:, 0]
    delay = int(0.0006 * RATE)
    stereo = np.stack([mono, np.concatenate([np.zeros(delay), mono[:-delay]])], axis=1)
    assert _level(stereo) <= -20.0


@pytest.mark.parametrize("gain_db", [-6.0, 6.0])
def test_the_ratio_follows_the_diffuse_part(gain_db: float) -> None:
    direct = pan(pink_noise(8.0, RATE, seed=6)[:, 0], -0.3)
    diffuse = pink_noise(8.0, RATE, seed=7, channels=2) * 10 ** (-12 / 20)
    base = _level(direct + diffuse)
    changed = _level(direct + diffuse * 10 ** (gain_db / 20))
    assert changed - base == pytest.approx(gain_db, abs=1.0)


def test_level_tone_and_pan_leave_it_alone() -> None:
    direct = pan(pink_noise(8.0, RATE, seed=8)[:, 0], 0.2)
    diffuse = pink_noise(8.0, RATE, seed=9, channels=2) * 10 ** (-10 / 20)
    base = _level(direct + diffuse)
    assert _level(0.25 * (direct + diffuse)) == pytest.approx(base, abs=0.01)
    shelf = rbj_sos("highshelf", 4000.0, 3.0, 0.7, RATE)
    assert _level(apply_sos(direct + diffuse, shelf)) == pytest.approx(base, abs=0.3)
    moved = pan(pink_noise(8.0, RATE, seed=8)[:, 0], 0.6)
    assert _level(moved + diffuse) == pytest.approx(base, abs=0.5)


def test_every_third_frame_matches_a_plain_moving_window() -> None:
    rng = np.random.default_rng(1)
    n, tiles = 40, 16
    cov = np.abs(rng.standard_normal((4, n, tiles))).astype(np.float32)
    cov[1:] -= 0.5  # difference and cross terms take both signs
    buffer = ambience.covariance_buffer(n, tiles)
    ambience.frame_rows(buffer, 0, n)[:] = cov
    pick = np.ones((tiles, 1), dtype=np.float32)
    got = ambience.ambient_energy(buffer, pick)[:, 0]
    mean = scipy.ndimage.uniform_filter1d(cov.astype(np.float64), ambience.SMOOTH_FRAMES, axis=1, mode="constant")
    total, diff, cr, ci = mean
    want = np.maximum(total - np.sqrt(diff**2 + 4 * (cr**2 + ci**2)), 0.0).sum(axis=1)
    half = ambience.SMOOTH_FRAMES // 2
    idx = np.arange(n)
    want *= ambience.SMOOTH_FRAMES / (np.minimum(idx + half, n - 1) - np.maximum(idx - half, 0) + 1)
    np.testing.assert_allclose(got[::3], want[::3], rtol=1e-4)
    np.testing.assert_allclose(got[1::3][: len(got[::3]) - 1], (2 * want[0:-3:3] + want[3::3]) / 3, rtol=1e-4)


def test_level_confidence_says_where_a_band_has_no_energy() -> None:
    import scipy.signal

    lowpass = scipy.signal.butter(8, 300.0, "lowpass", fs=RATE, output="sos")
    audio = apply_sos(pan(pink_noise(6.0, RATE, seed=10)[:, 0], 0.2) + 0.3 * pink_noise(6.0, RATE, seed=11, channels=2),
                      lowpass)
    reverb = analyze_audio(audio, RATE).reverb
    low, _, high = reverb.bands
    assert low.level_confidence > 0.9 and high.level_confidence < 0.1
    by_name = {b.name: b for b in reverb.ambience_bands}
    assert by_name["bass"].confidence > 0.9 and by_name["highs"].confidence < 0.1

"""Property-based tests (hypothesis) on the DSP and analysis functions: no NaN out of finite input, level
invariance, L<->R symmetry. Example counts are modest so the default run stays quick."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daw_bridge.analysis.engine import analyze_audio
from daw_bridge.analysis.loudness import integrated_loudness, midrange_loudness
from daw_bridge.analysis.peak import true_peak_dbtp
from daw_bridge.analysis.width import correlation, side_mid_db
from daw_bridge.dsp.biquad import KINDS, Biquad, design, response_db
from daw_bridge.dsp.blocks import SosFilter
from daw_bridge.units import db_to_gain

RATE = 48000
FAST = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
SLOWER = settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def stereo(draw: st.DrawFn, *, seconds: float = 0.8) -> npt.NDArray[np.float64]:
    """Seeded coloured noise plus a sine, each channel its own level and colour, (frames, 2)."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    out = np.empty((n, 2))
    for ch in range(2):
        level = draw(st.floats(0.02, 0.7))
        smooth = draw(st.integers(1, 8))
        noise = np.convolve(rng.standard_normal(n), np.ones(smooth) / smooth, mode="same")
        freq = draw(st.floats(40.0, 15000.0))
        out[:, ch] = level * (0.5 * noise / max(1e-9, np.abs(noise).max()) + 0.5 * np.sin(2 * np.pi * freq * t))
    return out


gains_db = st.floats(-20.0, 6.0)


@FAST
@given(stereo(), gains_db)
def test_loudness_is_finite_level_invariant_and_symmetric(x: npt.NDArray[np.float64], gain_db: float) -> None:
    lufs = integrated_loudness(x, RATE)
    assert math.isfinite(lufs)
    assert integrated_loudness(x * db_to_gain(gain_db), RATE) == pytest.approx(lufs + gain_db, abs=0.01)
    assert integrated_loudness(x[:, ::-1], RATE) == pytest.approx(lufs, abs=1e-6)
    mid = midrange_loudness(x, RATE)
    assert not math.isnan(mid)
    if math.isfinite(mid):
        assert midrange_loudness(x * db_to_gain(gain_db), RATE) == pytest.approx(mid + gain_db, abs=0.01)
        assert midrange_loudness(x[:, ::-1], RATE) == pytest.approx(mid, abs=1e-6)


@FAST
@given(stereo(seconds=0.3), gains_db)
def test_true_peak_is_finite_level_invariant_and_symmetric(x: npt.NDArray[np.float64], gain_db: float) -> None:
    tp = true_peak_dbtp(x, RATE)
    assert math.isfinite(tp)
    assert tp >= 20 * math.log10(np.abs(x).max()) - 1e-6  # never below the sample peak
    assert true_peak_dbtp(x * db_to_gain(gain_db), RATE) == pytest.approx(tp + gain_db, abs=1e-6)
    assert true_peak_dbtp(x[:, ::-1], RATE) == pytest.approx(tp, abs=1e-9)


#: Sums of squares of float32 samples: 0, or at least (1.4e-45)**2 (below that a product underflows to 0, which no
#: real file produces).
energies = st.one_of(st.just(0.0), st.floats(1e-80, 1e6))


@FAST
@given(energies, energies, st.floats(-1.0, 1.0))
def test_width_formulas_are_symmetric_and_nan_only_for_silence(left: float, right: float, rho: float) -> None:
    cross = rho * math.sqrt(left * right)
    sm, corr = side_mid_db(left, right, cross), correlation(left, right, cross)
    assert side_mid_db(right, left, cross) == sm or (math.isnan(sm) and math.isnan(side_mid_db(right, left, cross)))
    assert correlation(right, left, cross) == corr or (math.isnan(corr) and math.isnan(correlation(right, left, cross)))
    if left > 0 and right > 0:
        assert -1.0 <= corr <= 1.0
        assert not math.isnan(sm)


@FAST
@given(st.sampled_from([k for k in KINDS if k != "off"]), st.floats(20.0, 20000.0), st.floats(-24.0, 24.0),
       st.floats(0.1, 10.0), st.sampled_from([44100, 48000, 96000, 192000]))
def test_biquad_responses_are_finite(kind: str, freq_hz: float, gain_db: float, q: float, rate: int) -> None:
    if freq_hz >= rate / 2:
        return
    sos = design(Biquad(kind, freq_hz, gain_db, q), sample_rate=rate)
    assert np.isfinite(sos).all()
    resp = response_db(np.atleast_2d(sos), np.array([20.0, 1000.0, 10000.0]), sample_rate=rate)
    assert np.isfinite(resp).all()


@FAST
@given(stereo(seconds=0.2), st.integers(64, 5000))
def test_blockwise_filtering_equals_whole_buffer(x: npt.NDArray[np.float64], block: int) -> None:
    sos = np.atleast_2d(design(Biquad("peak", 1000.0, 6.0, 1.0), sample_rate=RATE))
    whole = SosFilter(sos).process(x)
    f = SosFilter(sos)
    pieces = np.concatenate([f.process(x[i : i + block]) for i in range(0, x.shape[0], block)])
    np.testing.assert_allclose(pieces, whole, atol=1e-12)
    np.testing.assert_allclose(SosFilter(sos).process(x[:, ::-1]), whole[:, ::-1], atol=1e-12)


@SLOWER
@given(stereo(seconds=1.6), gains_db)
def test_full_analysis_is_level_invariant_and_mirror_symmetric(x: npt.NDArray[np.float64], gain_db: float) -> None:
    m = analyze_audio(x, RATE)
    assert math.isfinite(m.loudness.integrated_lufs)
    assert all(not math.isnan(b.level_db) for b in m.balance.bands)
    louder = analyze_audio(x * db_to_gain(gain_db), RATE)
    assert louder.loudness.integrated_lufs == pytest.approx(m.loudness.integrated_lufs + gain_db, abs=0.02)
    for a, b in zip(louder.balance.bands, m.balance.bands, strict=True):
        if math.isfinite(a.level_db) and math.isfinite(b.level_db):
            assert a.level_db == pytest.approx(b.level_db, abs=0.02)  # band levels are relative to the track
    swapped = analyze_audio(x[:, ::-1], RATE)
    assert swapped.loudness.integrated_lufs == pytest.approx(m.loudness.integrated_lufs, abs=1e-6)
    assert m.width is not None and swapped.width is not None
    assert swapped.width.side_mid_db == pytest.approx(m.width.side_mid_db, abs=1e-6)
    assert swapped.width.correlation == pytest.approx(m.width.correlation, abs=1e-9)

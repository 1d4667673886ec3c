"""The safety ceiling: nothing above it reaches the ear (true peak), transparent below it, at most 1.5 ms late."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly

from daw_bridge.dsp.ceiling import Ceiling, latency_frames
from daw_bridge.dsp.chain import make_chain
from daw_bridge.errors import InvalidParameter
from daw_bridge.monitoring import MonitoringState, chain
from tests.dsp.signals import dense_mix, full_scale_noise


def true_peak_db(audio: np.ndarray, skip: int) -> float:
    """Peak of ``audio`` 16x oversampled (long Kaiser filter), ``skip`` frames left out at both ends (dBFS)."""
    up = np.abs(resample_poly(audio, 16, 1, axis=0, window=("kaiser", 12.0)))
    return float(20 * np.log10(np.max(up[16 * skip : -16 * skip])))


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
def test_the_ceiling_holds_on_a_12_db_boosted_preset_at_full_scale(rate: int) -> None:
    """The HD 650 preset with its output gain raised 12 dB and no headroom, on full-scale material."""
    state = MonitoringState(headphones="Sennheiser HD 650", headroom_db=0.0)
    effects = [(f.kind, dict(f.params)) for f in chain(state, rate) if f.enabled]
    assert [kind for kind, _ in effects] == ["correction", "ceiling"]
    effects[0][1]["gain_db"] = float(effects[0][1]["gain_db"]) + 12.0
    audio = dense_mix(int(0.5 * rate), rate, seed=5)
    unprotected = make_chain(effects[:-1], rate).process(audio)
    protected = make_chain(effects, rate).process(audio)
    skip = rate // 20
    assert true_peak_db(unprotected, skip) > 4.0  # the boost really overshoots full scale
    assert np.max(np.abs(protected)) <= 10 ** (-1 / 20)
    assert true_peak_db(protected, skip) <= -1.0


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
def test_true_peaks_stay_under_the_ceiling_for_hard_cases(rate: int) -> None:
    t = np.arange(rate // 2) / rate
    cases = {
        "sine near Nyquist": np.stack([np.sin(2 * np.pi * 19000 * t + 0.3)] * 2, axis=1) * 4.0,
        "sine at fs/4, peaks between samples": np.stack([np.sin(2 * np.pi * rate / 4 * t + np.pi / 4)] * 2, 1) * 4,
        "square wave": np.sign(np.sin(2 * np.pi * 1000 * t))[:, None].repeat(2, axis=1) * 4.0,
        "noise +12 dB": full_scale_noise(t.size, seed=2) * 4.0,
    }
    for name, audio in cases.items():
        out = Ceiling(ceiling_db=-1.0, sample_rate=rate).process(audio)
        assert true_peak_db(out, rate // 20) <= -1.0, name
        assert np.max(np.abs(out)) <= 10 ** (-1 / 20), name


def test_below_the_ceiling_it_is_a_pure_delay_of_at_most_1_5_ms() -> None:
    for rate in (44100, 48000, 88200, 96000, 192000):
        assert latency_frames(rate) / rate <= 1.5e-3
    rate = 48000
    audio = dense_mix(rate // 4, rate, seed=1) * 10 ** (-1.5 / 20)  # true peak stays under -1 dBFS
    lim = Ceiling(ceiling_db=-1.0, sample_rate=rate)
    out = np.concatenate([lim.process(b) for b in np.array_split(audio, 9)])
    delay = latency_frames(rate)
    np.testing.assert_array_equal(out[delay:], audio[:-delay])
    np.testing.assert_array_equal(out[:delay], 0.0)
    assert lim.reduction_db == 0.0


def test_blocks_of_any_size_give_the_same_output_and_the_meter_shows_the_reduction() -> None:
    rate = 48000
    audio = full_scale_noise(rate // 5, seed=9) * 2.0
    whole = Ceiling(sample_rate=rate)
    expected = whole.process(audio)
    assert whole.reduction_db > 6.0
    lim = Ceiling(sample_rate=rate)
    cuts = [0, 1, 17, 500, 4096, 9000, audio.shape[0]]
    out = np.concatenate([lim.process(audio[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)])
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)


def test_a_ceiling_out_of_range_is_refused_by_name() -> None:
    with pytest.raises(InvalidParameter, match="ceiling 3 dBFS"):
        Ceiling(ceiling_db=3.0, sample_rate=48000)

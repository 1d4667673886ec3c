"""Streaming true peak with chunk pruning equals oversampling every sample of the whole signal."""

from __future__ import annotations

import numpy as np
import pytest

from daw_bridge.analysis.peak import TAPS_PER_PHASE, PeakMeter, oversampling_factor, polyphase_matrix


def _brute_force_true_peak(x: np.ndarray, rate: int) -> float:
    """Every interpolated value of every channel (history of zeros before the signal); 1x: the sample peak."""
    if oversampling_factor(rate) == 1:
        return float(np.abs(x).max())
    h = polyphase_matrix(oversampling_factor(rate))
    ext = np.concatenate([np.zeros((TAPS_PER_PHASE - 1, x.shape[1])), x.astype(np.float64)])
    rows = np.lib.stride_tricks.sliding_window_view(ext, TAPS_PER_PHASE, axis=0)  # (n, ch, taps)
    return max(float(np.abs(rows @ h).max()), float(np.abs(x).max()))


@pytest.mark.parametrize("rate", [48000, 96000, 192000])
@pytest.mark.parametrize("channels", [1, 2, 3])
@pytest.mark.parametrize("block", [5, 256, 1000, 4096])
def test_pruned_streaming_peak_equals_brute_force(rate: int, channels: int, block: int) -> None:
    rng = np.random.default_rng(block + channels)
    x = rng.standard_normal((9000, channels)).astype(np.float32) * np.linspace(0.01, 0.3, 9000)[:, None]
    x[4321, -1] = 0.9  # one isolated spike late in the last channel
    x[6000:6002, 0] = [0.8, -0.8]  # an inter-sample overshoot
    meter = PeakMeter(rate, channels)
    for start in range(0, x.shape[0], block):
        meter.feed(x[start : start + block])
    expected = _brute_force_true_peak(x, rate)
    assert 20 * np.log10(expected) == pytest.approx(meter.true_peak_dbtp(), abs=1e-9)
    assert meter.sample_peak_dbfs() == pytest.approx(20 * np.log10(np.abs(x).max()), abs=1e-9)

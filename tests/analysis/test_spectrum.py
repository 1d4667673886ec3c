"""The STFT's window (energy partition) and its per-bin K-weights (low tones read at their true loudness)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal

from daw_bridge.analysis.engine import analyze_audio
from daw_bridge.analysis.loudness import integrated_loudness, k_weighting_sos
from daw_bridge.analysis.spectrum import (
    HOP_FRACTION,
    K_FIT_HZ,
    SpectralMeter,
    complementary_window,
    fft_size,
    kweight_per_bin,
)
from daw_bridge.errors import InvalidParameter
from tests.support.signals import pink_noise, sine


@pytest.mark.parametrize(("n_fft", "hop"), [(2048, 1024), (2048, 1536), (4096, 3072), (512, 384)])
def test_squared_windows_sum_to_one_wherever_frames_overlap(n_fft: int, hop: int) -> None:
    window = complementary_window(n_fft, hop)
    total = np.zeros(n_fft * 8)
    for start in range(0, total.size - n_fft + 1, hop):
        total[start : start + n_fft] += window**2
    np.testing.assert_allclose(total[n_fft : -2 * n_fft], 1.0, atol=1e-12)


def test_half_frame_hop_gives_the_sine_window_and_bad_hops_are_refused() -> None:
    n = np.arange(2048)
    np.testing.assert_allclose(complementary_window(2048, 1024), np.sin(np.pi * (n + 0.5) / 2048), atol=1e-15)
    for hop in (1000, 2048):
        with pytest.raises(InvalidParameter, match="hop"):
            complementary_window(2048, hop)


def test_frame_energies_partition_the_signal_energy() -> None:
    audio = pink_noise(3.0, 48000, seed=4, channels=2).astype(np.float32)
    meter = SpectralMeter(48000, 2)
    meter.feed(audio)
    frames = meter.finish()
    assert meter.hop == int(fft_size(48000) * HOP_FRACTION)
    plain = frames.kweighted[:, 0].sum()  # Parseval over every bin, DC and Nyquist included
    assert plain == pytest.approx(float(np.sum(audio.astype(np.float64) ** 2)), rel=1e-4)


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
def test_weights_are_the_k_curve_above_the_fit_and_never_negative(rate: int) -> None:
    n_fft = fft_size(rate)
    weights = kweight_per_bin(rate, n_fft, int(n_fft * HOP_FRACTION))
    freqs = np.arange(weights.size) * rate / n_fft
    centre = np.abs(scipy.signal.sosfreqz(k_weighting_sos(rate), worN=freqs, fs=rate)[1]) ** 2
    above = freqs >= K_FIT_HZ
    np.testing.assert_array_equal(weights[above], centre[above])
    assert np.all(weights >= 0.0)
    # below the fit the weights differ from the centre values, most where K is steepest
    assert np.abs(weights[~above] - centre[~above]).max() > 0.01


@pytest.mark.parametrize(("freq_hz", "tolerance_lu"), [(35.0, 0.1), (50.0, 0.03), (80.0, 0.02), (150.0, 0.01),
                                                        (1000.0, 0.005), (6000.0, 0.005)])
def test_steady_sines_read_like_time_domain_k_filtering(freq_hz: float, tolerance_lu: float) -> None:
    # with |K(f)|² at bin centres these read 0.16 / -0.09 / -0.06 LU off below 100 Hz (docs/analysis.md)
    audio = sine(freq_hz, 6.0, 48000, level_dbfs=-20.0, channels=2)
    engine = analyze_audio(audio, 48000).loudness.integrated_lufs
    assert engine == pytest.approx(integrated_loudness(audio, 48000), abs=tolerance_lu)


def test_threaded_feed_keeps_frame_order_with_blocks_of_any_size() -> None:
    from concurrent.futures import ThreadPoolExecutor

    audio = pink_noise(12.0, 48000, seed=9, channels=2).astype(np.float32)
    cuts = [0, 250_000, 251_000, 252_500, 400_000, 401_000, 600_000, audio.shape[0]]  # short blocks among long
    whole = SpectralMeter(48000, 2)
    whole.feed(audio)
    expected = whole.finish()
    threaded = SpectralMeter(48000, 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
            threaded.feed(audio[lo:hi], pool=pool)
        got = threaded.finish()
    assert got.left.shape == expected.left.shape
    np.testing.assert_allclose(got.left, expected.left, rtol=1e-5)
    np.testing.assert_allclose(got.kweighted, expected.kweighted, rtol=1e-5)

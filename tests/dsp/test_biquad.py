"""RBJ designs against their defining properties and against scipy's own Butterworth."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from daw_bridge.dsp.biquad import Biquad, butterworth, design, design_chain, response_db
from daw_bridge.errors import InvalidParameter


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
@pytest.mark.parametrize("gain_db", [-9.0, 3.5])
def test_peak_has_its_gain_at_the_centre_and_none_far_away(rate: int, gain_db: float) -> None:
    sos = design(Biquad("peak", 1000.0, gain_db, 2.0), sample_rate=rate)
    at = response_db(sos, [1000.0, 20.0, 20000.0], sample_rate=rate)
    assert at[0] == pytest.approx(gain_db, abs=1e-9)
    assert abs(at[1]) < 0.02 and abs(at[2]) < 0.1


@pytest.mark.parametrize("kind,low,high", [("lowshelf", 6.0, 0.0), ("highshelf", 0.0, 6.0)])
def test_shelves_reach_their_gain_and_half_of_it_at_the_centre(kind: str, low: float, high: float) -> None:
    sos = design(Biquad(kind, 1000.0, 6.0, 0.7071), sample_rate=48000)
    dc, centre, top = response_db(sos, [1.0, 1000.0, 23999.0], sample_rate=48000)
    assert dc == pytest.approx(low, abs=0.01) and top == pytest.approx(high, abs=0.05)
    assert centre == pytest.approx(3.0, abs=1e-6)


def test_butterworth_matches_scipy() -> None:
    for kind, btype in (("lowpass", "lowpass"), ("highpass", "highpass")):
        ours = butterworth(kind, freq_hz=2000.0, order=8, sample_rate=48000)
        ref = signal.butter(8, 2000.0, btype=btype, fs=48000, output="sos")
        f = np.geomspace(20, 20000, 300)
        np.testing.assert_allclose(response_db(ours, f, sample_rate=48000), response_db(ref, f, sample_rate=48000),
                                   atol=1e-6)  # fmt: skip


def test_bad_designs_are_refused_with_the_value() -> None:
    with pytest.raises(InvalidParameter, match="30000"):
        design(Biquad("peak", 30000.0, 1.0, 1.0), sample_rate=48000)
    with pytest.raises(InvalidParameter, match="Q"):
        design(Biquad("peak", 1000.0, 1.0, 0.0), sample_rate=48000)
    with pytest.raises(InvalidParameter, match="notch"):
        design(Biquad("notch", 1000.0), sample_rate=48000)
    with pytest.raises(InvalidParameter, match="even"):
        butterworth("lowpass", freq_hz=100.0, order=3, sample_rate=48000)


def test_empty_chain_passes_through() -> None:
    sos = design_chain([], sample_rate=48000)
    assert np.allclose(response_db(sos, [20.0, 1000.0, 20000.0], sample_rate=48000), 0.0)

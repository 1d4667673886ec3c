"""bs2b against its closed-form DC behaviour; band solo rejection; simulation curves; compensation of each."""

from __future__ import annotations

import numpy as np
import pytest

from daw_bridge.bands import BANDS
from daw_bridge.dsp.bandsolo import band_params, band_sos
from daw_bridge.dsp.biquad import response_db
from daw_bridge.dsp.chain import make_processor
from daw_bridge.dsp.crossfeed import PRESETS, preset
from daw_bridge.dsp.params import SIMULATION_BANDS
from daw_bridge.dsp.simulation import SYSTEMS, system, system_params
from daw_bridge.errors import InvalidParameter


@pytest.mark.parametrize("name", list(PRESETS))
def test_bs2b_feeds_the_other_ear_at_minus_feed_db_at_dc_and_keeps_mono_at_unity(name: str) -> None:
    cut, feed = PRESETS[name]
    proc = make_processor("crossfeed", {"cut_hz": cut, "feed_db": feed, "on": "on"}, 48000)
    left_only = np.zeros((48000, 2))
    left_only[:, 0] = 1.0
    out = proc.process(left_only)[-1]
    assert 20 * np.log10(out[1] / out[0]) == pytest.approx(-feed, abs=0.01)
    proc.reset()
    mono = proc.process(np.ones((48000, 2)))[-1]
    assert mono == pytest.approx([1.0, 1.0], abs=1e-6)


def test_centre_trim_scales_only_the_mid() -> None:
    proc = make_processor("crossfeed", {"centre_db": -6.0, "on": "on"}, 48000)
    mono = proc.process(np.ones((48000, 2)))[-1]
    assert 20 * np.log10(mono[0]) == pytest.approx(-6.0, abs=0.01)


def test_preset_names_and_errors() -> None:
    assert preset("Chu Moy") == (700.0, 6.0) and preset("JMEIER") == (650.0, 9.5)
    with pytest.raises(InvalidParameter, match="cmoy"):
        preset("loud")


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
@pytest.mark.parametrize("band", BANDS, ids=[b.name for b in BANDS])
def test_band_solo_rejects_60_db_an_octave_outside_and_passes_the_centre(band, rate: int) -> None:  # type: ignore[no-untyped-def]
    p = band_params(band.name, sample_rate=rate)
    sos = band_sos(low_hz=float(p["low_hz"]), high_hz=float(p["high_hz"]), order=int(p["order"]), sample_rate=rate)
    outside = [f for f in (band.low_hz / 2, band.high_hz * 2) if f < rate / 2]
    if band.name == "highs" and rate < 88200:
        outside = [band.low_hz / 2]
    assert np.all(response_db(sos, outside, sample_rate=rate) <= -60.0)
    assert abs(response_db(sos, [band.centre_hz], sample_rate=rate)[0]) < 1.0


def test_every_system_fits_the_effect_and_is_named() -> None:
    for name, sim in SYSTEMS.items():
        assert len(sim.filters) <= SIMULATION_BANDS and sim.why
        params = system_params(name, sample_rate=48000)
        assert params["width"] == sim.width
    assert system("Auratone").name == "cube"
    with pytest.raises(InvalidParameter, match="phone"):
        system("radio")


def test_cube_is_a_mono_sum() -> None:
    proc = make_processor("simulation", system_params("cube", sample_rate=48000), 48000)
    rng = np.random.default_rng(1)
    out = proc.process(rng.standard_normal((4800, 2)))
    np.testing.assert_allclose(out[:, 0], out[:, 1])

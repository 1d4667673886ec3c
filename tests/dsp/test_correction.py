"""Correction at the session's rate matches the AutoEq 44.1 kHz design within 0.1 dB; options behave.

The effect receives the filters as designed (rate-independent) and re-fits them for the rate it runs at
(daw_bridge.dsp.rate_match; the JSFX does the same in @init, tests/dsp/test_jsfx_exec.py)."""

from __future__ import annotations

import numpy as np
import pytest

from daw_bridge.dsp.biquad import Biquad, design_chain, log_freqs, response_db
from daw_bridge.dsp.chain import make_processor
from daw_bridge.dsp.correction import build, filters_from_params, intended_response_db, params_at_rate, slider_params
from daw_bridge.dsp.params import resolve
from daw_bridge.dsp.rate_match import design_at
from daw_bridge.errors import InvalidParameter
from daw_bridge.presets.catalog import all_presets

from .signals import measured_db

PRESETS = all_presets()
FREQS = log_freqs(20.0, 20000.0, points=3000)


@pytest.mark.parametrize("rate", [44100, 48000, 88200, 96000, 176400, 192000])
@pytest.mark.parametrize("preset", PRESETS, ids=[p.name for p in PRESETS])
def test_applied_response_matches_intended_within_0_1_db(preset, rate: int) -> None:  # type: ignore[no-untyped-def]
    corr = build(preset.eq.filters, file_preamp_db=preset.eq.preamp_db, sample_rate=rate)
    params = slider_params(corr)
    assert params["design_hz"] == 44100.0 and params == slider_params(build(
        preset.eq.filters, file_preamp_db=preset.eq.preamp_db, sample_rate=44100))  # the same at every rate
    fitted = design_at(corr.filters, design_rate=44100, sample_rate=rate)
    applied = response_db(fitted, FREQS, sample_rate=rate)
    intended = intended_response_db(preset.eq.filters, FREQS, design_rate=44100)
    limit_db = 0.05 if rate != 44100 else 1e-9  # at the design rate: the RBJ design itself
    assert np.max(np.abs(applied - intended)) < limit_db
    assert corr.fit_error_db < 0.05


def test_the_ardour_parameters_are_refitted_rbj_at_its_rate() -> None:
    hd650 = next(p for p in PRESETS if p.name == "Sennheiser HD 650")
    params = slider_params(build(hd650.eq.filters, file_preamp_db=hd650.eq.preamp_db, sample_rate=96000))
    assert params_at_rate(params, sample_rate=44100) == params
    at_96k = params_at_rate(params, sample_rate=96000)
    assert at_96k["design_hz"] == 0.0 and at_96k["band1_freq"] != params["band1_freq"]
    rbj = design_chain(filters_from_params(resolve("correction", at_96k)), sample_rate=96000)
    intended = intended_response_db(hd650.eq.filters, FREQS, design_rate=44100)
    assert np.max(np.abs(response_db(rbj, FREQS, sample_rate=96000) - intended)) < 0.1


def test_naive_recompute_at_96k_would_miss_so_the_refit_matters() -> None:
    hd650 = next(p for p in PRESETS if p.name == "Sennheiser HD 650")
    naive = response_db(design_chain(hd650.eq.filters, sample_rate=96000), FREQS, sample_rate=96000)
    assert np.max(np.abs(naive - intended_response_db(hd650.eq.filters, FREQS, design_rate=44100))) > 0.1


def test_processor_output_has_the_designed_response() -> None:
    hd600 = next(p for p in PRESETS if p.name == "Sennheiser HD 600")
    corr = build(hd600.eq.filters, file_preamp_db=hd600.eq.preamp_db, sample_rate=48000)
    impulse = np.zeros(1 << 17)
    impulse[0] = 1.0
    out = make_processor("correction", slider_params(corr), 48000).process(impulse)[:, 0]
    f = log_freqs(30.0, 18000.0, points=200)
    expected = intended_response_db(hd600.eq.filters, f, design_rate=44100) + corr.preamp_db + corr.gain_db
    assert np.max(np.abs(measured_db(impulse, out, f, 48000) - expected)) < 0.12


def test_preamp_keeps_the_correction_clip_free() -> None:
    for preset in PRESETS:
        corr = build(preset.eq.filters, file_preamp_db=preset.eq.preamp_db, sample_rate=44100, bass_trim_db=4.0)
        assert np.max(intended_response_db(corr.filters, FREQS, design_rate=44100)) + corr.preamp_db <= 1e-9


def test_strength_scales_gains_and_zero_is_flat() -> None:
    filters = (Biquad("peak", 1000.0, 6.0, 1.0), Biquad("highpass", 20.0))
    half = build(filters, file_preamp_db=-6.0, sample_rate=44100, strength_pct=50.0)
    assert response_db(design_chain(half.filters, sample_rate=44100), [1000.0], sample_rate=44100)[0] == pytest.approx(
        3.0
    )
    assert -3.05 <= half.preamp_db <= -3.0
    off = build(filters, file_preamp_db=-6.0, sample_rate=48000, strength_pct=0.0)
    assert off.filters == () and off.preamp_db == 0.0


def test_bass_trim_adds_a_low_shelf() -> None:
    corr = build((Biquad("peak", 3000.0, -2.0, 2.0),), file_preamp_db=0.0, sample_rate=44100, bass_trim_db=-3.0)
    low = response_db(design_chain(corr.filters, sample_rate=44100), [20.0], sample_rate=44100)[0]
    assert low == pytest.approx(-3.0, abs=0.05)
    with pytest.raises(InvalidParameter, match="bass trim"):
        build((), file_preamp_db=0.0, sample_rate=44100, bass_trim_db=40.0)
    with pytest.raises(InvalidParameter, match="strength"):
        build((), file_preamp_db=0.0, sample_rate=44100, strength_pct=120.0)

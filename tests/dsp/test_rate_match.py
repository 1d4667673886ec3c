"""Filters designed at one rate, re-fitted for another (what the correction JSFX does in @init): edge cases.

The accuracy over every shipped preset is tested in tests/dsp/test_correction.py, the JSFX's identical steps in
tests/dsp/test_jsfx_exec.py."""

from __future__ import annotations

import numpy as np

from daw_bridge.dsp.biquad import Biquad, design_chain, log_freqs, response_db
from daw_bridge.dsp.rate_match import design_at, fit_section, grid_hz

FREQS = log_freqs(points=1000)


def test_the_design_rate_and_zero_give_the_plain_rbj_design() -> None:
    filters = [Biquad("peak", 9000.0, 5.0, 2.0), Biquad("off", 100.0), Biquad("highshelf", 12000.0, -4.0, 0.7)]
    for design_rate in (0.0, 96000.0):
        np.testing.assert_array_equal(design_at(filters, design_rate=design_rate, sample_rate=96000),
                                      design_chain(filters, sample_rate=96000))  # fmt: skip


def test_a_section_that_does_nothing_stays_flat_and_the_order_of_rows_is_kept() -> None:
    filters = [Biquad("highshelf", 10000.0, 6.0, 0.7), Biquad("peak", 1000.0, 0.0, 1.0), Biquad("lowshelf", 105.0, 4.0)]
    sos = design_at(filters, design_rate=44100, sample_rate=192000)
    assert sos.shape == (3, 6) and np.all(np.isfinite(sos))
    assert np.max(np.abs(response_db(sos[1], FREQS, sample_rate=192000))) < 1e-6
    assert response_db(sos[2], [20.0], sample_rate=192000)[0] > 3.5  # row 3 is still the low shelf
    intended = response_db(design_chain(filters, sample_rate=44100), FREQS, sample_rate=44100)
    assert np.max(np.abs(response_db(sos, FREQS, sample_rate=192000) - intended)) < 0.05
    naive = response_db(design_chain(filters, sample_rate=192000), FREQS, sample_rate=192000)
    assert np.max(np.abs(naive - intended)) > 0.3  # the re-fit is what makes it right


def test_a_fit_that_fails_keeps_its_start_and_a_good_one_moves() -> None:
    start = design_chain([Biquad("peak", 5000.0, 3.0, 1.0)], sample_rate=48000)[0]
    wild = np.where(grid_hz() > 10000.0, 200.0, 0.0)  # +200 dB above 10 kHz: no stable biquad follows this
    np.testing.assert_array_equal(fit_section(start, wild, sample_rate=48000), start)
    target = response_db(design_chain([Biquad("peak", 5000.0, 3.0, 1.0)], sample_rate=44100), grid_hz(),
                         sample_rate=44100)  # fmt: skip
    row = fit_section(start, target, sample_rate=48000)
    assert not np.array_equal(row, start)
    fitted_db = np.max(np.abs(response_db(row, grid_hz(), sample_rate=48000) - target))
    naive_db = np.max(np.abs(response_db(start, grid_hz(), sample_rate=48000) - target))
    assert fitted_db < 0.02 and fitted_db < naive_db / 3

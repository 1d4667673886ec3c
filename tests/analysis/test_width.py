"""Width against panned and partially coherent sources with known side/mid and correlation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from daw_bridge.analysis.engine import analyze_audio
from daw_bridge.analysis.width import side_mid_db, width_from_energy
from tests.support.signals import (
    coherent_pair,
    expected_coherent_side_mid_db,
    expected_pan_side_mid_db,
    pan,
    pink_noise,
)

RATE = 48000


@pytest.mark.parametrize("position", [-0.8, -0.3, 0.2, 0.6])
def test_panned_mono_source(position: float) -> None:
    audio = pan(pink_noise(8.0, RATE, seed=11), position)
    width = analyze_audio(audio, RATE).width
    assert width is not None
    expected = expected_pan_side_mid_db(position)
    assert width.side_mid_db == pytest.approx(expected, abs=0.5)
    assert width.correlation == pytest.approx(1.0, abs=0.02)  # correlation is blind to panning
    for band in width.bands[1:]:
        assert band.side_mid_db == pytest.approx(expected, abs=0.5)


@pytest.mark.parametrize("coherence", [0.0, 0.3, 0.7, 0.9])
def test_partially_coherent_pair(coherence: float) -> None:
    audio = coherent_pair(8.0, RATE, coherence=coherence, seed=21)
    width = analyze_audio(audio, RATE).width
    assert width is not None
    assert width.side_mid_db == pytest.approx(expected_coherent_side_mid_db(coherence), abs=0.5)
    assert width.correlation == pytest.approx(coherence, abs=0.02)
    for band in width.bands[1:]:  # sub has few bins per frame: the widest scatter
        assert band.correlation == pytest.approx(coherence, abs=0.05)


def test_centred_mono_has_no_side_and_mono_files_have_no_width() -> None:
    mono = pink_noise(4.0, RATE, seed=2)
    assert analyze_audio(np.repeat(mono, 2, axis=1), RATE).width.side_mid_db < -60  # type: ignore[union-attr]
    result = analyze_audio(mono, RATE)
    assert result.width is None
    assert any("stereo files only" in n for n in result.notes)


def test_side_energy_in_the_sub_band_is_flagged() -> None:
    wide = coherent_pair(6.0, RATE, coherence=0.0, seed=4)
    narrow = pan(pink_noise(6.0, RATE, seed=4), 0.0)
    assert analyze_audio(wide, RATE).width.mono_bass_warning  # type: ignore[union-attr]
    assert not analyze_audio(narrow, RATE).width.mono_bass_warning  # type: ignore[union-attr]


def test_width_is_level_independent() -> None:
    audio = coherent_pair(6.0, RATE, coherence=0.5, seed=8)
    a = analyze_audio(audio, RATE).width
    b = analyze_audio(audio * 0.5, RATE).width
    assert a is not None and b is not None
    assert b.side_mid_db == pytest.approx(a.side_mid_db, abs=1e-3)


def test_formulas_on_exact_energies() -> None:
    # L = R: no side; L = -R: no mid
    assert side_mid_db(1.0, 1.0, 1.0) == -math.inf
    assert side_mid_db(1.0, 1.0, -1.0) == math.inf
    w = width_from_energy(np.ones(7), np.ones(7), np.zeros(7))
    assert w.side_mid_db == pytest.approx(0.0) and w.correlation == pytest.approx(0.0)

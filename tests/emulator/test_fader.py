"""REAPER's fader curve: the known points exactly, the cube-root bottom, monotonic and invertible."""

from __future__ import annotations

import math

import numpy as np
import pytest

from daw_bridge.reaper.fader import FLOOR_DB, UNITY_POSITION, db_to_slider, slider_to_db


def test_known_points() -> None:
    assert slider_to_db(0.0) == -math.inf
    assert slider_to_db(0.716) == pytest.approx(0.0, abs=1e-12)
    assert slider_to_db(1.0) == pytest.approx(12.0)
    assert db_to_slider(0.0) == pytest.approx(0.716)
    assert db_to_slider(12.0) == pytest.approx(1.0)
    assert db_to_slider(-math.inf) == 0.0


def test_bottom_follows_amplitude_cube_root() -> None:
    # amplitude 1e-3 (-60 dB) vs 1e-6 (-120 dB): slider ratio (1e3)^(1/3) = 10
    assert db_to_slider(-60.0) / db_to_slider(-120.0) == pytest.approx(10.0)
    assert db_to_slider(-60.0) == pytest.approx(UNITY_POSITION * 0.1)


def test_monotonic_and_round_trip() -> None:
    positions = np.linspace(0.01, 1.0, 500)  # 0.01 is about -112 dB, above the -150 dB floor
    dbs = [slider_to_db(float(n)) for n in positions]
    assert all(b > a for a, b in zip(dbs, dbs[1:], strict=False))
    for n, db in zip(positions, dbs, strict=True):
        assert db_to_slider(db) == pytest.approx(n, abs=1e-9)


def test_clamps() -> None:
    assert db_to_slider(24.0) == 1.0
    assert slider_to_db(1.5) == pytest.approx(12.0)
    assert slider_to_db(-0.2) == -math.inf
    assert db_to_slider(FLOOR_DB - 10) == 0.0
    with pytest.raises(ValueError):
        db_to_slider(math.nan)

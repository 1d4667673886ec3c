"""Reading SOFA: the system's MIT KEMAR set, any user file (spherical or cartesian positions), clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from daw_bridge.errors import SofaError
from daw_bridge.speakers.sofa import read_sofa
from tests.speakers.support import KEMAR, needs_kemar, write_sofa


@needs_kemar
def test_the_system_kemar_set() -> None:
    assert KEMAR is not None
    h = read_sofa(KEMAR)
    assert h.ir.shape == (710, 2, 512) and h.sample_rate == 44100
    left, right = h.find(30.0, 0.0), h.find(330.0, 0.0)
    assert left is not None and right is not None
    # +30 degrees is on the left (SOFA azimuth counter-clockwise): the left ear is louder
    assert np.sum(h.ir[left, 0] ** 2) > 2 * np.sum(h.ir[left, 1] ** 2)
    r48 = read_sofa(KEMAR, sample_rate=48000)
    assert r48.sample_rate == 48000 and r48.ir.shape[2] == 558


@pytest.mark.parametrize("cartesian", [False, True])
def test_a_user_file_is_read_in_either_coordinate_system(tmp_path: Path, cartesian: bool) -> None:
    rng = np.random.default_rng(1)
    az, el = np.array([0.0, 90.0, 180.0, 270.0, 0.0, 0.0]), np.array([0.0, 0.0, 0.0, 0.0, 90.0, -90.0])
    ir = rng.standard_normal((6, 2, 64))
    h = read_sofa(write_sofa(tmp_path / "me.sofa", ir, az, el, 48000.0, cartesian=cartesian))
    np.testing.assert_allclose(h.azimuth_deg % 360, az, atol=1e-9)
    np.testing.assert_allclose(h.elevation_deg, el, atol=1e-9)
    np.testing.assert_array_equal(h.ir, ir)


def test_unusable_files_raise_a_sofa_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(SofaError, match="no such SOFA file"):
        read_sofa(tmp_path / "missing.sofa")
    text = tmp_path / "notes.sofa"
    text.write_text("hello")
    with pytest.raises(SofaError, match=r"notes\.sofa: not a SOFA file"):
        read_sofa(text)
    one_ear = write_sofa(tmp_path / "mono.sofa", np.ones((4, 2, 16)), [0, 90, 180, 270], [0, 0, 0, 0], 48000.0)
    import h5py

    with h5py.File(one_ear, "a") as f:
        del f["Data.IR"]
        f["Data.IR"] = np.ones((4, 1, 16))
    with pytest.raises(SofaError, match=r"mono\.sofa: Data\.IR has shape \(4, 1, 16\)"):
        read_sofa(one_ear)
    silent = write_sofa(tmp_path / "silent.sofa", np.zeros((4, 2, 16)), [0, 90, 180, 270], [0, 0, 0, 0], 48000.0)
    with pytest.raises(SofaError, match="silent"):
        read_sofa(silent)

"""Shared helpers of the speakers tests: the KEMAR skip, and interaural measures computed here, independently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from scipy import signal

from daw_bridge.speakers.sofa import SYSTEM_SOFA_FILES

KEMAR = next((Path(p) for p in SYSTEM_SOFA_FILES if Path(p).is_file()), None)
needs_kemar = pytest.mark.skipif(
    KEMAR is None, reason="the MIT KEMAR SOFA set is not installed (Debian: apt-get install libmysofa1)"
)


def itd_s(left: npt.NDArray[np.float64], right: npt.NDArray[np.float64], rate: int) -> float:
    """Interaural time difference in s (positive: the left ear leads): the peak of the cross-correlation of the
    two ear signals, upsampled 16 times, within +-1 ms."""
    up = 16
    a = signal.resample_poly(left, up, 1)
    b = signal.resample_poly(right, up, 1)
    xc = signal.correlate(b, a, mode="full")
    lags = np.arange(-a.size + 1, b.size)
    window = np.abs(lags) <= int(0.001 * rate * up)
    k = int(np.argmax(np.where(window, xc, -np.inf)))
    y0, y1, y2 = xc[k - 1], xc[k], xc[k + 1]
    frac = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
    return float((lags[k] + frac) / (rate * up))


Levels = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]


def third_octave_levels_db(x: npt.NDArray[np.float64], rate: int, *, low_hz: float = 100.0,
                           high_hz: float = 16000.0) -> Levels:  # fmt: skip
    """Centre frequencies and energy levels (dB) of ``x`` in third-octave bands (base-2, around 1 kHz)."""
    n = 1 << int(np.ceil(np.log2(max(x.size, 8192))))
    power = np.abs(np.fft.rfft(x, n)) ** 2
    freqs = np.fft.rfftfreq(n, 1.0 / rate)
    centres = 1000.0 * 2.0 ** (np.arange(-10, 15) / 3.0)
    centres = centres[(centres >= low_hz) & (centres <= high_hz)]
    levels = []
    for fc in centres:
        band = (freqs >= fc * 2 ** (-1 / 6)) & (freqs < fc * 2 ** (1 / 6))
        levels.append(10 * np.log10(np.sum(power[band]) + 1e-30))
    return centres, np.array(levels)


def write_sofa(path: Path, ir: npt.NDArray[np.float64], azimuth_deg: npt.ArrayLike, elevation_deg: npt.ArrayLike,
               rate: float, *, cartesian: bool = False) -> Path:  # fmt: skip
    """A minimal SimpleFreeFieldHRIR SOFA file (HDF5, as netCDF-4 stores it) holding ``ir`` ``(M, 2, N)``."""
    import h5py

    az = np.radians(np.asarray(azimuth_deg, float))
    el = np.radians(np.asarray(elevation_deg, float))
    with h5py.File(path, "w") as f:
        f.attrs["Conventions"] = np.bytes_(b"SOFA")
        f.attrs["SOFAConventions"] = np.bytes_(b"SimpleFreeFieldHRIR")
        f.attrs["DataType"] = np.bytes_(b"FIR")
        f["Data.IR"] = ir
        f["Data.SamplingRate"] = np.array([rate])
        f["Data.Delay"] = np.zeros((1, 2))
        if cartesian:
            pos = np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=1) * 1.2
            f["SourcePosition"] = pos
            f["SourcePosition"].attrs["Type"] = np.bytes_(b"cartesian")
            f["SourcePosition"].attrs["Units"] = np.bytes_(b"metre")
        else:
            f["SourcePosition"] = np.stack([np.degrees(az), np.degrees(el), np.full(az.size, 1.2)], axis=1)
            f["SourcePosition"].attrs["Type"] = np.bytes_(b"spherical")
            f["SourcePosition"].attrs["Units"] = np.bytes_(b"degree, degree, metre")
    return path


def delta_sofa(path: Path, rate: int = 48000) -> Path:
    """A head that is not there: a unit impulse at both ears from 26 directions (every arrival is a clean click)."""
    from daw_bridge.speakers.response import synthetic_hrtf

    h = synthetic_hrtf(rate)
    return write_sofa(path, h.ir, h.azimuth_deg, h.elevation_deg, rate)

"""Read head-related impulse responses from a SOFA file (AES69, convention ``SimpleFreeFieldHRIR``).

SOFA files are netCDF-4, i.e. HDF5; we read them with h5py. Only what rendering needs is kept: the impulse
responses ``(M, 2, N)`` (ear 0 = left), each measurement's direction in SOFA's spherical coordinates (azimuth in
degrees counter-clockwise from straight ahead, so +30 is to the *left*; elevation in degrees up) and the sample
rate. Cartesian source positions are converted; ``Data.Delay`` is applied to the responses.

The default data set is the MIT KEMAR dummy head (normal pinna; Gardner & Martin, MIT Media Lab, 1994) as
Debian's ``libmysofa1`` package installs it. We read it from the system and never ship it; its copyright note
(``/usr/share/doc/libmysofa1/copyright``) asks that the authors be cited wherever the data is used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import signal

from ..errors import SofaError

#: Where Debian's libmysofa1 puts the MIT KEMAR set (first found wins); ``DAW_BRIDGE_SOFA`` overrides.
SYSTEM_SOFA_FILES: tuple[str, ...] = (
    "/usr/share/libmysofa/MIT_KEMAR_normal_pinna.sofa",
    "/usr/share/libmysofa/default.sofa",
    "/usr/local/share/libmysofa/MIT_KEMAR_normal_pinna.sofa",
)
#: Citation of the default set (its licence asks for it).
KEMAR_CITATION = "MIT KEMAR HRTF (normal pinna), B. Gardner and K. Martin, MIT Media Lab, 1994"
SOFA_ENV = "DAW_BRIDGE_SOFA"


@dataclass(frozen=True)
class Hrtf:
    """Measured head-related impulse responses.

    ``ir`` ``(M, 2, N)`` float64 (ear 0 = left), ``azimuth_deg`` / ``elevation_deg`` ``(M,)`` in SOFA's
    convention (azimuth counter-clockwise, +90 = left), ``sample_rate`` in Hz, ``source`` names the file.
    """

    ir: npt.NDArray[np.float64]
    azimuth_deg: npt.NDArray[np.float64]
    elevation_deg: npt.NDArray[np.float64]
    sample_rate: int
    source: str

    @property
    def directions(self) -> npt.NDArray[np.float64]:
        """Unit vectors ``(M, 3)`` (x ahead, y left, z up) of the measured directions."""
        return unit_vectors(self.azimuth_deg, self.elevation_deg)

    def find(self, azimuth_deg: float, elevation_deg: float, *, tolerance_deg: float = 1e-3) -> int | None:
        """Index of the measurement at exactly this direction, or None."""
        angle = np.degrees(np.arccos(np.clip(self.directions @ unit_vectors(azimuth_deg, elevation_deg)[0], -1, 1)))
        best = int(np.argmin(angle))
        return best if angle[best] <= tolerance_deg else None


def unit_vectors(azimuth_deg: npt.ArrayLike, elevation_deg: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """``(K, 3)`` unit vectors (x ahead, y left, z up) for SOFA azimuths/elevations in degrees."""
    az = np.radians(np.atleast_1d(np.asarray(azimuth_deg, dtype=np.float64)))
    el = np.radians(np.atleast_1d(np.asarray(elevation_deg, dtype=np.float64)))
    return np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=-1)


def default_sofa_path() -> Path:
    """The SOFA file used when none is given: ``$DAW_BRIDGE_SOFA``, else Debian's MIT KEMAR set.

    Raises SofaError with the way out when none is installed.
    """
    env = os.environ.get(SOFA_ENV)
    if env:
        return Path(env)
    for candidate in SYSTEM_SOFA_FILES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise SofaError(
        "no head-related impulse responses found: install Debian's libmysofa1 package (it ships the MIT KEMAR set "
        f"in {SYSTEM_SOFA_FILES[0]}), or pass --sofa FILE / set {SOFA_ENV}"
    )


def _text(value: object) -> str:
    if isinstance(value, bytes | np.bytes_):
        return bytes(value).decode("utf-8", "replace")
    return str(value) if value is not None else ""


def read_sofa(path: str | Path, *, sample_rate: int | None = None) -> Hrtf:
    """The HRIRs of the SOFA file ``path``, resampled to ``sample_rate`` Hz when given.

    Raises SofaError naming the file for anything unusable: missing, not HDF5, not an FIR convention, without
    two receivers (ears), with unreadable positions or a non-finite response.
    """
    import h5py  # local: only this module needs it

    where = Path(path)
    if not where.is_file():
        raise SofaError(f"{where}: no such SOFA file")
    if not h5py.is_hdf5(str(where)):
        raise SofaError(f"{where}: not a SOFA file (SOFA is netCDF-4/HDF5; this is not HDF5)")
    try:
        with h5py.File(str(where), "r") as f:
            data_type = _text(f.attrs.get("DataType", b"FIR"))
            if not data_type.startswith("FIR"):
                raise SofaError(f"{where}: DataType {data_type!r}; only impulse responses (FIR) can be rendered")
            for name in ("Data.IR", "Data.SamplingRate", "SourcePosition"):
                if name not in f:
                    raise SofaError(f"{where}: lacks the {name} variable of SOFA's SimpleFreeFieldHRIR convention")
            ir = np.asarray(f["Data.IR"][...], dtype=np.float64)
            rates = np.atleast_1d(np.asarray(f["Data.SamplingRate"][...], dtype=np.float64))
            pos = np.atleast_2d(np.asarray(f["SourcePosition"][...], dtype=np.float64))
            pos_type = _text(f["SourcePosition"].attrs.get("Type", b"spherical")).lower()
            units = _text(f["SourcePosition"].attrs.get("Units", b"degree, degree, metre")).lower()
            delay = np.asarray(f["Data.Delay"][...], dtype=np.float64) if "Data.Delay" in f else np.zeros((1, 2))
    except SofaError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise SofaError(f"{where}: unreadable SOFA file ({exc})") from exc
    if ir.ndim != 3 or ir.shape[1] != 2 or ir.shape[2] < 8:
        raise SofaError(f"{where}: Data.IR has shape {ir.shape}; expected (measurements, 2 ears, taps >= 8)")
    if not np.all(np.isfinite(ir)) or not np.any(ir):
        raise SofaError(f"{where}: Data.IR holds no finite, non-silent response")
    rates = np.unique(rates)  # one per measurement is allowed when they agree
    if rates.size != 1 or not 8000 <= rates[0] <= 384000:
        raise SofaError(f"{where}: Data.SamplingRate {rates.tolist()} is not one rate in 8-384 kHz")
    if pos.shape[1] != 3 or pos.shape[0] not in (1, ir.shape[0]):
        raise SofaError(f"{where}: SourcePosition has shape {pos.shape}; expected ({ir.shape[0]}, 3)")
    pos = np.broadcast_to(pos, (ir.shape[0], 3))
    if pos_type.startswith("cartesian"):
        x, y, z = pos[:, 0], pos[:, 1], pos[:, 2]
        azimuth = np.degrees(np.arctan2(y, x))
        elevation = np.degrees(np.arctan2(z, np.hypot(x, y)))
    else:
        azimuth, elevation = pos[:, 0].copy(), pos[:, 1].copy()
        if "rad" in units.split(",")[0]:
            azimuth, elevation = np.degrees(azimuth), np.degrees(elevation)
    rate = float(rates[0])
    if np.any(delay):
        ir = _apply_delay(ir, np.broadcast_to(delay, (ir.shape[0], 2)))
    if sample_rate is not None and int(sample_rate) != int(round(rate)):
        ir = resample(ir, from_rate=int(round(rate)), to_rate=int(sample_rate))
        rate = float(sample_rate)
    return Hrtf(ir=np.ascontiguousarray(ir), azimuth_deg=np.mod(azimuth, 360.0), elevation_deg=elevation,
                sample_rate=int(round(rate)), source=str(where))  # fmt: skip


def resample(ir: npt.NDArray[np.float64], *, from_rate: int, to_rate: int) -> npt.NDArray[np.float64]:
    """``ir`` ``(..., N)`` resampled along the last axis (polyphase, Kaiser window), gain kept."""
    if from_rate <= 0 or to_rate <= 0:
        raise SofaError(f"cannot resample {from_rate} Hz -> {to_rate} Hz")
    g = np.gcd(from_rate, to_rate)
    out = signal.resample_poly(ir, to_rate // g, from_rate // g, axis=-1, window=("kaiser", 8.0))
    return np.asarray(out, dtype=np.float64)


def _apply_delay(ir: npt.NDArray[np.float64], delay: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Prepend ``Data.Delay`` (whole samples, per measurement and ear) to the responses."""
    whole = np.rint(delay).astype(int)
    if np.any(whole < 0):
        raise SofaError("Data.Delay is negative")
    out = np.zeros((ir.shape[0], 2, ir.shape[2] + int(whole.max())))
    for m in range(ir.shape[0]):
        for ear in range(2):
            d = whole[m, ear]
            out[m, ear, d : d + ir.shape[2]] = ir[m, ear]
    return out

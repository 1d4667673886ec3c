"""Band solo: hear one of the seven listening bands alone, with steep Butterworth edges, loudness-compensated.

Each edge is an even-order Butterworth (default order 12: 72 dB one octave outside the edge, against the 60 dB
goal); an edge at or above :data:`TOP_EDGE_FRACTION` of Nyquist is left out (the ``highs`` band at 44.1/48 kHz
has no low-pass: nothing above 20 kHz is rendered at those rates anyway). Edges come from
:mod:`daw_bridge.bands` only.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..bands import band_by_name
from ..errors import InvalidParameter
from .biquad import butterworth
from .compensation import compensation_db, sos_power

#: Default Butterworth order per edge (72 dB one octave outside).
DEFAULT_ORDER = 12
#: Edges above this fraction of Nyquist are left out.
TOP_EDGE_FRACTION = 0.9


def band_sos(*, low_hz: float, high_hz: float, order: int, sample_rate: float) -> npt.NDArray[np.float64]:
    """``(n, 6)`` sos: high-pass at ``low_hz`` then low-pass at ``high_hz`` (0 leaves an edge out)."""
    if low_hz < 0 or high_hz < 0:
        raise InvalidParameter(f"band edges {low_hz:g}/{high_hz:g} Hz must be >= 0 (0 = no edge)")
    if low_hz and high_hz and low_hz >= high_hz:
        raise InvalidParameter(f"band low edge {low_hz:g} Hz must be below the high edge {high_hz:g} Hz")
    rows = []
    nyquist = sample_rate / 2.0
    if 0 < low_hz < TOP_EDGE_FRACTION * nyquist:
        rows.append(butterworth("highpass", freq_hz=low_hz, order=order, sample_rate=sample_rate))
    if 0 < high_hz < TOP_EDGE_FRACTION * nyquist:
        rows.append(butterworth("lowpass", freq_hz=high_hz, order=order, sample_rate=sample_rate))
    if not rows:
        return np.array([[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]])
    return np.vstack(rows)


def band_params(name: str, *, sample_rate: float, order: int = DEFAULT_ORDER) -> dict[str, float | str]:
    """The ``bandsolo`` effect parameters for band ``name`` (edges, order, loudness compensation)."""
    band = band_by_name(name)
    sos = band_sos(low_hz=band.low_hz, high_hz=band.high_hz, order=order, sample_rate=sample_rate)
    gain = compensation_db(sos_power(sos, sample_rate=sample_rate))
    return {"low_hz": band.low_hz, "high_hz": band.high_hz, "order": float(order), "gain_db": round(gain, 4)}

"""bs2b crossfeed (Boris Mikhaylov's formulas, libbs2b MIT) plus a centre-level trim in the spirit of SPL Phonitor.

Per ear: ``L' = hi(L) + lo(R)``, ``R' = hi(R) + lo(L)``, times ``1 / (1 - G_hi + G_lo)`` against overload. For a
feed level F dB and cut frequency fc (Hz)::

    GB_lo = -5F/6 - 3 dB      GB_hi = F/6 - 3 dB
    G_lo = 10^(GB_lo/20)      G_hi = 1 - 10^(GB_hi/20)
    Fc_hi = fc * 2^((GB_lo - 20 log10 G_hi) / 12)

``lo`` is a one-pole low-pass ``a0 = G_lo (1 - x)``, ``b1 = x = exp(-2 pi fc / fs)``; ``hi`` is a one-pole shelf
``a0 = 1 - G_hi (1 - y)``, ``a1 = -y``, ``b1 = y = exp(-2 pi Fc_hi / fs)``. The centre trim then scales the mid
(``(L+R)/2``) by ``centre_db`` and leaves the side alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import InvalidParameter
from ..units import db_to_gain
from .blocks import Audio, SosFilter
from .compensation import TYPICAL_CORRELATION, WEIGHT_FREQS_HZ, compensation_db

#: Named presets: (cut Hz, feed dB).
PRESETS: dict[str, tuple[float, float]] = {
    "default": (700.0, 4.5),
    "cmoy": (700.0, 6.0),
    "jmeier": (650.0, 9.5),
}
#: Accepted spellings of the preset names.
ALIASES: dict[str, str] = {
    "chu-moy": "cmoy", "chumoy": "cmoy", "chu moy": "cmoy", "jan-meier": "jmeier",
    "janmeier": "jmeier", "jan meier": "jmeier", "meier": "jmeier", "bs2b": "default",
}  # fmt: skip
CUT_RANGE_HZ = (300.0, 2000.0)
FEED_RANGE_DB = (1.0, 15.0)


def preset(name: str) -> tuple[float, float]:
    """(cut Hz, feed dB) of a named preset (case-insensitive); InvalidParameter lists the names."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in PRESETS:
        raise InvalidParameter(f"unknown crossfeed preset {name!r}: choose one of {', '.join(PRESETS)} or 'custom'")
    return PRESETS[key]


@dataclass(frozen=True)
class Bs2bCoefficients:
    """Filter rows for one rate: ``lo``/``hi`` sos rows ``(1, 6)`` and the output ``gain`` (linear)."""

    lo: npt.NDArray[np.float64]
    hi: npt.NDArray[np.float64]
    gain: float


def coefficients(*, cut_hz: float, feed_db: float, sample_rate: float) -> Bs2bCoefficients:
    """bs2b filters for ``cut_hz`` (300-2000 Hz) and ``feed_db`` (1-15 dB) at ``sample_rate`` Hz."""
    if not CUT_RANGE_HZ[0] <= cut_hz <= CUT_RANGE_HZ[1]:
        raise InvalidParameter(f"crossfeed cut {cut_hz:g} Hz is outside {CUT_RANGE_HZ[0]:g}-{CUT_RANGE_HZ[1]:g} Hz")
    if not FEED_RANGE_DB[0] <= feed_db <= FEED_RANGE_DB[1]:
        raise InvalidParameter(
            f"crossfeed level {feed_db:g} dB is outside {FEED_RANGE_DB[0]:g}-{FEED_RANGE_DB[1]:g} dB"
        )
    gb_lo = feed_db * -5.0 / 6.0 - 3.0
    gb_hi = feed_db / 6.0 - 3.0
    g_lo = db_to_gain(gb_lo)
    g_hi = 1.0 - db_to_gain(gb_hi)
    fc_hi = cut_hz * 2.0 ** ((gb_lo - 20.0 * math.log10(g_hi)) / 12.0)
    x = math.exp(-2.0 * math.pi * cut_hz / sample_rate)
    y = math.exp(-2.0 * math.pi * fc_hi / sample_rate)
    lo = np.array([[g_lo * (1.0 - x), 0.0, 0.0, 1.0, -x, 0.0]])
    hi = np.array([[1.0 - g_hi * (1.0 - y), -y, 0.0, 1.0, -y, 0.0]])
    return Bs2bCoefficients(lo, hi, 1.0 / (1.0 - g_hi + g_lo))


def _row_response(
    row: npt.NDArray[np.float64], freqs_hz: npt.NDArray[np.float64], sample_rate: float
) -> npt.NDArray[np.complex128]:
    z1 = np.exp(-2j * np.pi * freqs_hz / sample_rate)
    r = row[0]
    return np.asarray((r[0] + r[1] * z1 + r[2] * z1 * z1) / (1.0 + r[4] * z1 + r[5] * z1 * z1))


def compensation_gain_db(*, cut_hz: float, feed_db: float, centre_db: float, sample_rate: float,
                         correlation: float = TYPICAL_CORRELATION) -> float:  # fmt: skip
    """Gain in dB keeping pink-noise loudness with inter-channel ``correlation`` (equal-level channels) steady."""
    c = coefficients(cut_hz=cut_hz, feed_db=feed_db, sample_rate=sample_rate)
    direct = _row_response(c.hi, WEIGHT_FREQS_HZ, sample_rate) * c.gain
    cross = _row_response(c.lo, WEIGHT_FREQS_HZ, sample_rate) * c.gain
    # Mid path: direct + cross; side path: direct - cross. Channel power = (|M|^2 Pm + |S|^2 Ps), Pm+Ps = 1.
    centre = db_to_gain(centre_db)
    p_mid, p_side = (1.0 + correlation) / 2.0, (1.0 - correlation) / 2.0
    power = np.abs((direct + cross) * centre) ** 2 * p_mid + np.abs(direct - cross) ** 2 * p_side
    return compensation_db(power)


class Crossfeed:
    """Stateful bs2b + centre trim + output gain on ``(frames, 2)`` blocks."""

    def __init__(self, *, cut_hz: float, feed_db: float, centre_db: float, gain_db: float, sample_rate: float) -> None:
        c = coefficients(cut_hz=cut_hz, feed_db=feed_db, sample_rate=sample_rate)
        self._lo = SosFilter(c.lo)
        self._hi = SosFilter(c.hi)
        self._gain = c.gain * db_to_gain(gain_db)
        self._centre = db_to_gain(centre_db)

    def reset(self) -> None:
        """Forget filter state."""
        self._lo.reset()
        self._hi.reset()

    def process(self, block: Audio) -> Audio:
        """Crossfeed one ``(frames, 2)`` block."""
        lo = self._lo.process(block)
        out = self._hi.process(block) + lo[:, ::-1]
        mid = (out[:, 0] + out[:, 1]) * (0.5 * self._centre)
        side = (out[:, 0] - out[:, 1]) * 0.5
        return np.stack([mid + side, mid - side], axis=1) * self._gain

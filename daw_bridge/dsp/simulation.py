"""Playback-system simulations for translation checks: approximate curves, each with its reasoning.

These are *approximate, generic* curves (no single product is modelled), built from published physics of the
device class; docs/monitoring.md gives the sources. Each is a few RBJ biquads plus a stereo width (side gain:
0 = mono sum), played through the generic ``simulation`` effect, loudness-compensated like every other effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidParameter
from .biquad import Biquad, design_chain
from .compensation import TYPICAL_CORRELATION, compensation_db, sos_power
from .params import SIMULATION_BANDS

# 4th-order Butterworth as two RBJ sections (Q of the sections).
_BW4 = (0.5412, 1.3066)


@dataclass(frozen=True)
class System:
    """A playback system: ``filters`` (at most SIMULATION_BANDS), stereo ``width`` 0..1, one-line ``why``."""

    name: str
    filters: tuple[Biquad, ...]
    width: float
    why: str


SYSTEMS: dict[str, System] = {
    s.name: s
    for s in (
        System(
            "phone",
            (
                Biquad("highpass", 500.0, 0.0, _BW4[0]),
                Biquad("highpass", 500.0, 0.0, _BW4[1]),
                Biquad("peak", 900.0, 4.0, 1.5),
                Biquad("peak", 3500.0, 3.0, 1.2),
                Biquad("lowpass", 12000.0),
            ),
            0.0,
            "micro-speaker (~10-15 mm, tiny back volume): resonance ~0.6-1 kHz, 24 dB/oct below ~500 Hz, "
            "DSP-lifted resonance, presence peak, little above 12 kHz; held at arm's length it is mono",
        ),
        System(
            "laptop",
            (
                Biquad("highpass", 180.0, 0.0, _BW4[0]),
                Biquad("highpass", 180.0, 0.0, _BW4[1]),
                Biquad("peak", 250.0, 3.0, 2.0),
                Biquad("peak", 4000.0, 2.0, 1.5),
                Biquad("lowpass", 16000.0),
            ),
            0.4,
            "two small drivers in a thin chassis: no output below ~150-200 Hz, a tuned bump just above it, "
            "speakers ~25-30 cm apart give a narrow image",
        ),
        System(
            "earbuds",
            (
                Biquad("lowshelf", 150.0, -8.0, 0.7),
                Biquad("highpass", 40.0, 0.0, 0.7071),
                Biquad("peak", 3000.0, 3.0, 1.0),
                Biquad("highshelf", 9000.0, -3.0, 0.7),
            ),
            1.0,
            "unsealed stock earbuds: the fit leaks bass (-8 dB below ~150 Hz relative to a sealed fit), "
            "forward upper mids, soft top octave; full stereo, no crossfeed",
        ),
        System(
            "car",
            (
                Biquad("highpass", 30.0, 0.0, 0.7071),
                Biquad("lowshelf", 70.0, 6.0, 0.7),
                Biquad("peak", 250.0, -3.0, 1.0),
                Biquad("highshelf", 8000.0, -3.0, 0.7),
            ),
            0.7,
            "small closed cabin: pressure-field gain lifts the bottom octave (+6 dB below ~70 Hz), door-panel "
            "dip around 250 Hz, off-axis tweeters and soft seats dull the top; off-centre seat narrows the image",
        ),
        System(
            "cube",
            (
                Biquad("highpass", 100.0, 0.0, _BW4[0]),
                Biquad("highpass", 100.0, 0.0, _BW4[1]),
                Biquad("peak", 1200.0, 3.0, 0.9),
                Biquad("lowpass", 9000.0, 0.0, _BW4[0]),
                Biquad("lowpass", 9000.0, 0.0, _BW4[1]),
            ),
            0.0,
            "single full-range cube (Auratone 5C class): mono sum, band-limited ~100 Hz-9 kHz with the "
            "midrange forward, the classic 'does it still work on a small speaker' check",
        ),
    )
}

#: Accepted spellings.
ALIASES: dict[str, str] = {"phone-speaker": "phone", "smartphone": "phone", "mono": "cube", "auratone": "cube",
                           "mono-cube": "cube", "buds": "earbuds", "laptop-speakers": "laptop"}  # fmt: skip


def system(name: str) -> System:
    """The system called ``name`` (case-insensitive); InvalidParameter lists the choices."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    key = ALIASES.get(key, key)
    if key not in SYSTEMS:
        raise InvalidParameter(f"unknown playback system {name!r}: choose one of {', '.join(SYSTEMS)}")
    return SYSTEMS[key]


def compensation_gain_db(filters: tuple[Biquad, ...], *, width: float, sample_rate: float,
                         correlation: float = TYPICAL_CORRELATION) -> float:  # fmt: skip
    """Gain in dB keeping pink-noise loudness steady through ``filters`` and the width change."""
    power = sos_power(design_chain(filters, sample_rate=sample_rate), sample_rate=sample_rate)
    stereo = (1.0 + correlation) / 2.0 + width**2 * (1.0 - correlation) / 2.0
    return compensation_db(power * stereo)


def system_params(name: str, *, sample_rate: float) -> dict[str, float | str]:
    """The ``simulation`` effect parameters for system ``name`` at ``sample_rate`` Hz."""
    sim = system(name)
    if len(sim.filters) > SIMULATION_BANDS:  # pragma: no cover - guarded by a test over SYSTEMS
        raise InvalidParameter(f"system {sim.name} has more than {SIMULATION_BANDS} filters")
    out: dict[str, float | str] = {"width": sim.width}
    for i, f in enumerate(sim.filters, start=1):
        out |= {f"band{i}_type": f.kind, f"band{i}_freq": f.freq_hz, f"band{i}_gain": f.gain_db, f"band{i}_q": f.q}
    out["gain_db"] = round(compensation_gain_db(sim.filters, width=sim.width, sample_rate=sample_rate), 4)
    return out


def mono_width(block: np.ndarray, width: float) -> np.ndarray:
    """Scale the side of a ``(frames, 2)`` block by ``width`` (0 = mono sum on both channels)."""
    if width == 1.0:
        return block
    mid = (block[:, 0] + block[:, 1]) * 0.5
    side = (block[:, 0] - block[:, 1]) * (0.5 * width)
    return np.stack([mid + side, mid - side], axis=1)

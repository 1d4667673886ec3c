"""Loudness compensation: the gain that keeps perceived level steady when an effect is switched on.

Method: the effect's power response ``|H(f)|^2`` is averaged over a typical music spectrum and the loudness
weighting of ITU-R BS.1770 (K-weighting), and compensation is minus that average in dB::

    gain_db = -10 log10( sum_f W(f) |H(f)|^2 / sum_f W(f) ),   W(f) = |K(f)|^2 P(f)

with ``P`` a pink-ish music spectrum, power density ~ 1/f^:data:`MUSIC_SLOPE` (1.0 = pink, equal power per
octave; our 1.1 tilts it ~0.3 dB/octave darker, as long-term spectra of mixes run a little darker than pink),
evaluated on a log-frequency grid 20 Hz-20 kHz, and ``K`` the
BS.1770 pre-filter (high shelf +4 dB at 1.5 kHz, Q 0.7071) and RLB high-pass (38 Hz, Q 0.5), in the RBJ form
pyloudnorm also uses. For stationary noise of that spectrum this *is* the BS.1770 loudness change; material
from pink (1.0) to darker music-like spectra (1.2) stays within 0.5 LU (tests/dsp/test_compensation.py, worst
case 0.45 LU); the most tilted presets drift ~3 LU per unit of slope beyond that: no static gain is neutral for
every spectrum. Stereo effects pass the
per-channel power gain for a typical inter-channel correlation (:data:`TYPICAL_CORRELATION`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .biquad import Biquad, design_chain, response_db

#: Frequencies of the weighting grid (Hz): log-spaced, so pink noise has equal weight per point.
WEIGHT_FREQS_HZ: npt.NDArray[np.float64] = np.geomspace(20.0, 20000.0, 600)
#: Spectral slope of the assumed music spectrum (power density ~ 1/f^slope; 1.0 = pink).
MUSIC_SLOPE = 1.1
#: Inter-channel correlation assumed for stereo effects (a typical mix: partly correlated).
TYPICAL_CORRELATION = 0.5
#: Rate at which the K-weighting curve is evaluated (Hz).
_K_RATE_HZ = 48000.0
_K_FILTERS = (Biquad("highshelf", 1500.0, 4.0, 0.7071), Biquad("highpass", 38.0, 0.0, 0.5))


def k_weight_power(freqs_hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``|K(f)|^2`` of the BS.1770 K-weighting at ``freqs_hz`` (linear power, shape of ``freqs_hz``)."""
    sos = design_chain(_K_FILTERS, sample_rate=_K_RATE_HZ)
    return np.asarray(10.0 ** (response_db(sos, freqs_hz, sample_rate=_K_RATE_HZ) / 10.0))


# Per log-spaced point, pink has equal power; the extra tilt is f^-(slope - 1).
_WEIGHTS = k_weight_power(WEIGHT_FREQS_HZ) * (WEIGHT_FREQS_HZ / 1000.0) ** (1.0 - MUSIC_SLOPE)


def compensation_db(power_gain: npt.ArrayLike) -> float:
    """Gain in dB that undoes the weighted loudness change of ``power_gain`` (``|H|^2`` at WEIGHT_FREQS_HZ)."""
    gain = np.asarray(power_gain, dtype=np.float64)
    mean = float(np.sum(_WEIGHTS * gain) / np.sum(_WEIGHTS))
    return float(-10.0 * np.log10(max(mean, 1e-12)))


def sos_power(sos: npt.NDArray[np.float64], *, sample_rate: float) -> npt.NDArray[np.float64]:
    """``|H|^2`` of ``sos`` on WEIGHT_FREQS_HZ (points above Nyquist get 0)."""
    out = np.zeros_like(WEIGHT_FREQS_HZ)
    below = WEIGHT_FREQS_HZ < sample_rate / 2.0
    out[below] = 10.0 ** (response_db(sos, WEIGHT_FREQS_HZ[below], sample_rate=sample_rate) / 10.0)
    return out

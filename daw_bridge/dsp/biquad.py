"""RBJ-cookbook biquads as scipy ``sos`` rows at an exact sample rate, and their magnitude response.

Formulas from Robert Bristow-Johnson's "Audio EQ Cookbook" (Q form, ``alpha = sin(w0) / (2 Q)``), the same ones
EqualizerAPO and AutoEq use. A row is ``[b0, b1, b2, 1, a1, a2]`` (normalized by ``a0``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import InvalidParameter

#: Biquad kinds this module designs (``off`` designs a pass-through row).
KINDS: tuple[str, ...] = ("off", "peak", "lowshelf", "highshelf", "lowpass", "highpass")
#: The Q of a second-order Butterworth section (Hz-independent).
BUTTERWORTH_Q = 1.0 / math.sqrt(2.0)

Sos = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Biquad:
    """One filter: ``kind`` (see :data:`KINDS`), ``freq_hz``, ``gain_db`` (peak/shelves only), ``q``."""

    kind: str
    freq_hz: float
    gain_db: float = 0.0
    q: float = BUTTERWORTH_Q


def design(filt: Biquad, *, sample_rate: float) -> Sos:
    """The ``(6,)`` sos row of ``filt`` at ``sample_rate`` Hz.

    Raises InvalidParameter for an unknown kind, a frequency outside 0 < f < Nyquist or Q <= 0.
    """
    if filt.kind not in KINDS:
        raise InvalidParameter(f"unknown filter kind {filt.kind!r}: choose one of {', '.join(KINDS)}")
    if sample_rate <= 0:
        raise InvalidParameter(f"sample rate {sample_rate!r} Hz must be > 0")
    if filt.kind == "off":
        return np.array([1.0, 0.0, 0.0, 1.0, 0.0, 0.0])
    if not 0.0 < filt.freq_hz < sample_rate / 2.0:
        raise InvalidParameter(
            f"{filt.kind} at {filt.freq_hz:g} Hz is outside 0..{sample_rate / 2:g} Hz (Nyquist at {sample_rate:g} Hz)"
        )
    if filt.q <= 0:
        raise InvalidParameter(f"{filt.kind} at {filt.freq_hz:g} Hz: Q {filt.q!r} must be > 0")
    w0 = 2.0 * math.pi * filt.freq_hz / sample_rate
    cw, alpha = math.cos(w0), math.sin(w0) / (2.0 * filt.q)
    a = 10.0 ** (filt.gain_db / 40.0)
    if filt.kind == "peak":
        b = (1 + alpha * a, -2 * cw, 1 - alpha * a)
        den = (1 + alpha / a, -2 * cw, 1 - alpha / a)
    elif filt.kind in ("lowshelf", "highshelf"):
        sign = 1.0 if filt.kind == "lowshelf" else -1.0
        sq = 2.0 * math.sqrt(a) * alpha
        b = (
            a * ((a + 1) - sign * (a - 1) * cw + sq),
            sign * 2 * a * ((a - 1) - sign * (a + 1) * cw),
            a * ((a + 1) - sign * (a - 1) * cw - sq),
        )
        den = (
            (a + 1) + sign * (a - 1) * cw + sq,
            -sign * 2 * ((a - 1) + sign * (a + 1) * cw),
            (a + 1) + sign * (a - 1) * cw - sq,
        )
    elif filt.kind == "lowpass":
        b = ((1 - cw) / 2, 1 - cw, (1 - cw) / 2)
        den = (1 + alpha, -2 * cw, 1 - alpha)
    else:  # highpass
        b = ((1 + cw) / 2, -(1 + cw), (1 + cw) / 2)
        den = (1 + alpha, -2 * cw, 1 - alpha)
    a0 = den[0]
    return np.array([b[0] / a0, b[1] / a0, b[2] / a0, 1.0, den[1] / a0, den[2] / a0])


def design_chain(filters: Sequence[Biquad], *, sample_rate: float) -> Sos:
    """The ``(n, 6)`` sos of ``filters`` in order (an empty chain is one pass-through row)."""
    rows = [design(f, sample_rate=sample_rate) for f in filters if f.kind != "off"]
    if not rows:
        rows = [design(Biquad("off", 1000.0), sample_rate=sample_rate)]
    return np.vstack(rows)


def butterworth(kind: str, *, freq_hz: float, order: int, sample_rate: float) -> Sos:
    """An even-``order`` Butterworth ``lowpass``/``highpass`` at ``freq_hz`` as ``order/2`` RBJ sections.

    Section k has ``Q = 1 / (2 cos((2k - 1) pi / (2 order)))``; the cascade is the bilinear Butterworth with the
    -3 dB point at ``freq_hz`` (the JSFX computes the same sections).
    """
    if kind not in ("lowpass", "highpass"):
        raise InvalidParameter(f"butterworth kind {kind!r} must be lowpass or highpass")
    if order < 2 or order % 2:
        raise InvalidParameter(f"butterworth order {order!r} must be an even number >= 2")
    qs = [1.0 / (2.0 * math.cos((2 * k - 1) * math.pi / (2 * order))) for k in range(1, order // 2 + 1)]
    return design_chain([Biquad(kind, freq_hz, 0.0, q) for q in qs], sample_rate=sample_rate)


def sos_response(sos: npt.ArrayLike, freqs_hz: npt.ArrayLike, *, sample_rate: float) -> npt.NDArray[np.complex128]:
    """Complex response of the cascade ``sos`` (rows ``b0 b1 b2 a0 a1 a2``) at ``freqs_hz``, shape of ``freqs_hz``.

    ``H(z) = Π (b0 + b1 z⁻¹ + b2 z⁻²) / (a0 + a1 z⁻¹ + a2 z⁻²)`` at ``z = e^{j 2π f / rate}``: what
    ``scipy.signal.sosfreqz`` returns, in numpy alone (so designs and the analysis need not import scipy.signal).
    """
    w = 2 * np.pi * np.atleast_1d(np.asarray(freqs_hz, dtype=np.float64)) / sample_rate
    z1 = np.exp(-1j * w)
    h = np.ones_like(z1)
    for b0, b1, b2, a0, a1, a2 in np.atleast_2d(np.asarray(sos, dtype=np.float64)):
        # Horner, in the order scipy evaluates it, so the figures are scipy's to the last bit
        h = h * ((b0 + (b1 + b2 * z1) * z1) / (a0 + (a1 + a2 * z1) * z1))
    return h


def response_db(sos: Sos, freqs_hz: npt.ArrayLike, *, sample_rate: float) -> npt.NDArray[np.float64]:
    """Magnitude response of ``sos`` in dB at ``freqs_hz`` (shape of ``freqs_hz``)."""
    freqs = np.atleast_1d(np.asarray(freqs_hz, dtype=np.float64))
    h = sos_response(sos, freqs, sample_rate=sample_rate)
    mag = np.maximum(np.abs(h), 1e-300)
    return np.asarray(20.0 * np.log10(mag), dtype=np.float64)


def log_freqs(low_hz: float = 20.0, high_hz: float = 20000.0, *, points: int = 512) -> npt.NDArray[np.float64]:
    """``points`` log-spaced frequencies from ``low_hz`` to ``high_hz`` inclusive (Hz)."""
    return np.geomspace(low_hz, high_hz, points)

"""Biquads designed at one rate, re-designed for the rate the chain runs at: what the correction JSFX does itself.

AutoEq filters are RBJ biquads at 44.1 kHz and their *intended response* is that 44.1 kHz response. The same
Fc/gain/Q designed at 96 kHz miss it by up to ~1.8 dB near 20 kHz (the bilinear transform warps differently). So
at any other rate every section's five coefficients are fitted to it: Gauss-Newton on the dB response at
:data:`GRID_POINTS` log-spaced frequencies 20 Hz-20 kHz, :data:`FIT_ITERATIONS` steps from the RBJ design at the
running rate. Sections are fitted in order of rising frequency, each aiming at its own 44.1 kHz response plus what
the ones before it missed, so the highest sections, where rates differ most, take up the rest.

The correction JSFX (``rate_match`` in ``daw-bridge_biquad.jsfx-inc``) runs the same steps from the same
rate-independent sliders at ``srate`` in @init and @slider, so a device-rate change needs no bridge: REAPER re-runs
@init. Worst deviation from the intended response over every shipped preset (docs/monitoring.md): 0.02 dB at
48 kHz, 0.04 dB at 88.2-192 kHz; 0 at the design rate, where the RBJ design is used as it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .biquad import Biquad, Sos, design, design_chain

#: Fit frequencies: this many, log-spaced 20 Hz-20 kHz (``20 * 1000 ** (i / (n - 1))``, as the JSFX).
GRID_POINTS = 48
#: Gauss-Newton steps per section (it has converged well before).
FIT_ITERATIONS = 6
#: Levenberg damping, relative to the largest diagonal term (keeps a section that does nothing, e.g. a 0 dB peak
#: whose poles and zeros cancel, where it is).
DAMPING = 1e-9
_DB = 10.0 / math.log(10.0)  # 10 log10(x) = _DB ln(x)


def grid_hz() -> npt.NDArray[np.float64]:
    """The fit frequencies (Hz), shape ``(GRID_POINTS,)``."""
    return np.array([20.0 * 1000.0 ** (i / (GRID_POINTS - 1)) for i in range(GRID_POINTS)])


def _terms(freqs_hz: npt.NDArray[np.float64], rate: float) -> tuple[npt.NDArray[np.float64], ...]:
    w = 2.0 * math.pi * freqs_hz / rate
    return np.cos(w), np.sin(w), np.cos(2.0 * w), np.sin(2.0 * w)


def _section_db(x: Sequence[float], t: tuple[npt.NDArray[np.float64], ...]) -> npt.NDArray[np.float64]:
    """dB response of ``[b0, b1, b2, a1, a2]`` at the grid ``t`` (cosines and sines)."""
    c1, s1, c2, s2 = t
    br, bi = x[0] + x[1] * c1 + x[2] * c2, x[1] * s1 + x[2] * s2
    ar, ai = 1.0 + x[3] * c1 + x[4] * c2, x[3] * s1 + x[4] * s2
    return np.asarray(_DB * np.log((br * br + bi * bi) / (ar * ar + ai * ai)))


def _solve(n: npt.NDArray[np.float64], g: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``n x = g`` by Gaussian elimination without pivoting (``n`` is symmetric positive definite), as the JSFX."""
    m, v = n.copy(), g.copy()
    size = len(v)
    for k in range(size):
        for i in range(k + 1, size):
            f = m[i, k] / m[k, k]
            m[i, k:] -= f * m[k, k:]
            v[i] -= f * v[k]
    x = np.zeros(size)
    for k in range(size - 1, -1, -1):
        acc = float(v[k])
        for j in range(k + 1, size):
            acc -= float(m[k, j]) * float(x[j])
        x[k] = acc / m[k, k]
    return x


def fit_section(start: Sos, target_db: npt.NDArray[np.float64], *, sample_rate: float) -> Sos:
    """The ``(6,)`` sos row at ``sample_rate`` whose dB response best matches ``target_db`` on :func:`grid_hz`,
    from ``start``. A fit that fails (not finite, or a pole on/outside the unit circle) returns ``start``."""
    t = _terms(grid_hz(), sample_rate)
    c1, s1, c2, s2 = t
    x = np.array([start[0], start[1], start[2], start[4], start[5]], dtype=np.float64)
    for _ in range(FIT_ITERATIONS):
        br, bi = x[0] + x[1] * c1 + x[2] * c2, x[1] * s1 + x[2] * s2
        ar, ai = 1.0 + x[3] * c1 + x[4] * c2, x[3] * s1 + x[4] * s2
        pb, pa = br * br + bi * bi, ar * ar + ai * ai
        r = _DB * np.log(pb / pa) - target_db
        jac = 2.0 * _DB * np.stack(
            [br / pb, (c1 * br + s1 * bi) / pb, (c2 * br + s2 * bi) / pb,
             -(c1 * ar + s1 * ai) / pa, -(c2 * ar + s2 * ai) / pa], axis=1,
        )  # fmt: skip
        normal = jac.T @ jac
        normal[np.diag_indices(5)] += DAMPING * float(np.max(np.diag(normal)))
        x = x + _solve(normal, -(jac.T @ r))
    if not np.all(np.abs(x) <= 1e9) or not _stable(x[3], x[4]):  # NaN fails the comparison too
        return np.asarray(start, dtype=np.float64)
    return np.array([x[0], x[1], x[2], 1.0, x[3], x[4]])


def _stable(a1: float, a2: float) -> bool:
    """Both poles of ``1 + a1 z^-1 + a2 z^-2`` strictly inside the unit circle (the stability triangle)."""
    return abs(a2) < 1.0 and abs(a1) < 1.0 + a2


def design_at(filters: Sequence[Biquad], *, design_rate: float, sample_rate: float) -> Sos:
    """The ``(n, 6)`` sos at ``sample_rate`` Hz of ``filters`` designed at ``design_rate`` Hz (rows in filter order).

    ``design_rate`` 0 or equal to ``sample_rate``: the RBJ design at ``sample_rate`` (:func:`biquad.design_chain`).
    """
    active = [f for f in filters if f.kind != "off"]
    if design_rate <= 0 or design_rate == sample_rate or not active:
        return design_chain(filters, sample_rate=sample_rate)
    grid = grid_hz()
    t_design, t_run = _terms(grid, design_rate), _terms(grid, sample_rate)
    rows: list[Sos] = [np.zeros(6)] * len(active)
    missed = np.zeros(GRID_POINTS)
    for i in sorted(range(len(active)), key=lambda k: (active[k].freq_hz, k)):
        d = design(active[i], sample_rate=design_rate)
        target = _section_db([d[0], d[1], d[2], d[4], d[5]], t_design) + missed
        row = fit_section(design(active[i], sample_rate=sample_rate), target, sample_rate=sample_rate)
        missed = target - _section_db([row[0], row[1], row[2], row[4], row[5]], t_run)
        rows[i] = row
    return np.vstack(rows)

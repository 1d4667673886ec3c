"""Non-negative least squares, in numpy alone: ``argmin ‖A x − b‖₂`` subject to ``x ≥ 0``.

The active-set method of Lawson and Hanson (*Solving Least Squares Problems*, 1974, ch. 23), for the small
dense systems daw-bridge fits (tens of unknowns, once per design). It spares the analysis importing
``scipy.optimize`` (about a quarter of a second) for one call; where ``A`` has full column rank the solution is
unique, so it equals ``scipy.optimize.nnls``'s (a test compares them).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..errors import InvalidParameter


def nnls(a: npt.ArrayLike, b: npt.ArrayLike, *, max_iter: int | None = None) -> npt.NDArray[np.float64]:
    """The ``x ≥ 0`` minimising ``‖a @ x − b‖₂``; ``a`` is ``(m, n)``, ``b`` is ``(m,)``.

    Raises :class:`InvalidParameter` when the shapes disagree or the iteration limit (default ``3 n``) is hit.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.shape != (a.shape[0],):
        raise InvalidParameter(f"nnls: a {a.shape} and b {b.shape} must be (m, n) and (m,)")
    n = a.shape[1]
    limit = 3 * n if max_iter is None else max_iter
    # the normal equations: every step then costs O(n³) on an (n, n) matrix, whatever the number of rows
    ata, atb = a.T @ a, a.T @ b
    tol = 10.0 * np.finfo(np.float64).eps * max(a.shape) * max(float(np.abs(ata).max(initial=0.0)), 1.0)
    x = np.zeros(n)
    passive = np.zeros(n, dtype=bool)
    gradient = atb.copy()
    for _ in range(limit):
        free = ~passive
        if not free.any() or gradient[free].max() <= tol:
            return x
        passive[np.argmax(np.where(free, gradient, -np.inf))] = True
        while passive.any():  # step back until the unconstrained solution on the passive set is feasible
            s = np.zeros(n)
            s[passive] = _solve(ata[np.ix_(passive, passive)], atb[passive])
            if s[passive].min() > 0.0:
                x = s
                break
            blocking = passive & (s <= 0.0)
            alpha = float(np.min(x[blocking] / (x[blocking] - s[blocking])))
            x = x + alpha * (s - x)
            passive &= x > tol
            x[~passive] = 0.0
        gradient = atb - ata @ x
    raise InvalidParameter(f"nnls: no solution within {limit} iterations")


def _solve(m: npt.NDArray[np.float64], v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``m⁻¹ v`` for the passive set's normal matrix; least squares where it is singular (dependent columns)."""
    try:
        return np.asarray(np.linalg.solve(m, v), dtype=np.float64)
    except np.linalg.LinAlgError:
        return np.asarray(np.linalg.lstsq(m, v, rcond=None)[0], dtype=np.float64)

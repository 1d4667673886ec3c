"""Exact small-sample tests for the journal, in plain Python (no scipy at CLI start-up).

* :func:`sign_test` - two-sided exact binomial sign test: is "more" vs "less" across songs further from 50/50 than
  chance? ``p = min(1, 2 * P(X >= k))`` with ``X ~ Binomial(n, 1/2)`` and ``k`` the larger count (Conover,
  *Practical Nonparametric Statistics*, 3rd ed., section 3.4). Ties ("as expected") are left out of ``n``.
* :func:`fisher_exact` - two-sided Fisher exact test of a 2x2 table (sum of the hypergeometric probabilities of
  every table with the same margins that is no more likely than the one observed), used for "did it change?".
"""

from __future__ import annotations

from math import comb

#: Relative tolerance when comparing table probabilities (as R's fisher.test does, 1e-7).
_REL_TOL = 1e-7


def sign_test(more: int, less: int) -> float:
    """Two-sided exact sign-test p-value for ``more`` positive and ``less`` negative outcomes (ties excluded)."""
    if more < 0 or less < 0:
        raise ValueError("counts must be >= 0")
    n = more + less
    if n == 0:
        return 1.0
    k = max(more, less)
    tail = sum(comb(n, i) for i in range(k, n + 1)) / 2**n
    return min(1.0, 2.0 * tail)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher exact p-value of the table ``[[a, b], [c, d]]`` (rows: groups, columns: outcomes)."""
    if min(a, b, c, d) < 0:
        raise ValueError("counts must be >= 0")
    row1, col1, n = a + b, a + c, a + b + c + d
    if n == 0:
        return 1.0
    total = comb(n, col1)

    def prob(x: int) -> float:
        return comb(row1, x) * comb(n - row1, col1 - x) / total

    observed = prob(a)
    lo, hi = max(0, col1 - (n - row1)), min(row1, col1)
    p = sum(prob(x) for x in range(lo, hi + 1) if prob(x) <= observed * (1 + _REL_TOL))
    return min(1.0, p)

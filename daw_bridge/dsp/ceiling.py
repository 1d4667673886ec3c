"""Safety ceiling: a look-ahead true-peak limiter at the very end of the monitoring chain (protection, not loudness).

Nothing louder than the ceiling (default -1 dBFS true peak) reaches the headphones, whatever a preset, a boost or
a switch does upstream. In normal use it never acts: the monitoring headroom keeps the chain well below it.

Design, per input sample ``n`` (both channels share one gain, so the image never shifts):

1. ``tp[n]``: the largest of ``|x[n]|`` and the signal between samples on either side of it, estimated by an 8x
   polyphase interpolator (:data:`INTERP_TAPS`-tap Kaiser-windowed sinc per phase, eighth-sample steps);
2. ``g[n] = min(1, c / tp[n])`` with ``c`` the ceiling minus :data:`MARGIN_DB` for the interpolator's own error;
3. release: ``d[n] = max(1 - g[n], a * d[n-1])``, ``h = 1 - d`` (instant attack, exponential recovery of
   :data:`RELEASE_MS`);
4. look-ahead: ``m[n] = min(h[n .. n+L])`` with ``L`` = :data:`LOOKAHEAD_MS`;
5. smoothing: ``s[n] = mean(m[n-L .. n])``: a linear ramp of ``L`` samples that always reaches ``g[n]`` by sample
   ``n`` (every term of the mean covers ``n``), so ``s <= g`` holds exactly;
6. ``y[n] = clip(x[n] * s[n], -c, c)``: the sample-peak backstop (never reached by the gain above).

Latency: ``L + INTERP_TAPS / 2`` samples, ``latency_frames`` (about 1.2 ms at any rate; the JSFX reports it to
REAPER as ``pdc_delay``). The JSFX ``daw-bridge_ceiling.jsfx`` runs the same steps per sample; this module runs
them vectorized on blocks with the state carried across blocks.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from ..errors import InvalidParameter
from ..units import db_to_gain, gain_to_db
from .blocks import Audio, as_stereo

#: Default ceiling (dBFS, true peak).
DEFAULT_CEILING_DB = -1.0
#: Allowed ceiling range (dBFS).
CEILING_RANGE_DB = (-20.0, 0.0)
#: Look-ahead / attack ramp (ms).
LOOKAHEAD_MS = 1.0
#: Release time constant (ms).
RELEASE_MS = 50.0
#: Oversampling of the true-peak estimate (BS.1770's 4x under-reads by up to 0.7 dB near Nyquist; 8x by ~0.2).
OVERSAMPLE = 8
#: Taps per phase of the true-peak interpolator (even).
INTERP_TAPS = 16
#: Kaiser beta of the interpolator's window.
INTERP_BETA = 7.0
#: The gain aims this far below the ceiling: 8x interpolation under-reads true peaks by up to ~0.2 dB near Nyquist.
MARGIN_DB = 0.2


@lru_cache(maxsize=1)
def interp_phases() -> npt.NDArray[np.float64]:
    """``(OVERSAMPLE - 1, INTERP_TAPS)`` filters: x at ``n + k/OVERSAMPLE`` (k = 1 ..) from ``x[n-T/2+1 .. n+T/2]``."""
    half = INTERP_TAPS // 2
    offsets = np.arange(-half + 1, half + 1, dtype=np.float64)  # tap positions relative to n
    rows = []
    for k in range(1, OVERSAMPLE):
        t = offsets - k / OVERSAMPLE  # each tap's distance from the wanted point
        window = np.i0(INTERP_BETA * np.sqrt(np.maximum(0.0, 1.0 - (t / half) ** 2))) / np.i0(INTERP_BETA)
        h = np.sinc(t) * window
        rows.append(h / np.sum(h))
    return np.array(rows)


def lookahead_frames(sample_rate: float) -> int:
    """Look-ahead ``L`` in frames at ``sample_rate``."""
    return max(1, math.floor(LOOKAHEAD_MS * sample_rate / 1000.0 + 0.5))  # rounding half up, as the JSFX


def latency_frames(sample_rate: float) -> int:
    """Delay the ceiling adds, in frames (look-ahead plus the interpolator's half length)."""
    return lookahead_frames(sample_rate) + INTERP_TAPS // 2


def release_coefficient(sample_rate: float) -> float:
    """Per-sample decay ``a`` of the release."""
    return math.exp(-1000.0 / (RELEASE_MS * sample_rate))


def check_ceiling_db(ceiling_db: float) -> float:
    """``ceiling_db`` if within :data:`CEILING_RANGE_DB`, else InvalidParameter."""
    lo, hi = CEILING_RANGE_DB
    if not lo <= ceiling_db <= hi:
        raise InvalidParameter(f"ceiling {ceiling_db:g} dBFS is outside {lo:g}..{hi:g} dBFS")
    return float(ceiling_db)


class Ceiling:
    """The limiter as a stateful block processor: ``process((frames, 2)) -> (frames, 2)`` delayed by
    :func:`latency_frames`; ``reduction_db`` is the largest gain reduction of the last block (0 when idle)."""

    def __init__(self, *, ceiling_db: float = DEFAULT_CEILING_DB, sample_rate: float) -> None:
        self.set_ceiling_db(ceiling_db)
        self.lookahead = lookahead_frames(sample_rate)
        self.latency = latency_frames(sample_rate)
        self._a = release_coefficient(sample_rate)
        self._phases = interp_phases()
        self._gain_bound = float(np.max(np.sum(np.abs(self._phases), axis=1))) * (1.0 + 1e-9)
        self.reduction_db = 0.0
        self.reset()

    def set_ceiling_db(self, ceiling_db: float) -> None:
        """A new ceiling from the next frame on (as the JSFX's @slider: no fade needed, the gain ramps and the
        backstop clips meanwhile, so a lower ceiling holds at once and a higher one is no risk)."""
        check_ceiling_db(ceiling_db)
        self.ceiling_db = float(ceiling_db)
        self.ceiling = db_to_gain(ceiling_db)
        self.target = db_to_gain(ceiling_db - MARGIN_DB)

    def reset(self) -> None:
        """Silence: empty delay lines, no gain reduction."""
        self._x_tail = np.zeros((INTERP_TAPS, 2))  # last T inputs (for the interpolator)
        self._delay = np.zeros((self.latency, 2))  # x delayed by the latency
        self._d = 0.0
        self._h_tail = np.ones(self.lookahead)
        self._m_tail = np.ones(self.lookahead)

    def _true_peak(self, x: Audio) -> npt.NDArray[np.float64]:
        """``tp`` for the frames ``T/2`` before each new frame: max over both channels of the sample and the
        interpolated signal in the intervals before and after it."""
        half = INTERP_TAPS // 2
        n = x.shape[0]
        cat = np.concatenate([self._x_tail, x])  # cat[c] is x[N0 - T + c]
        self._x_tail = cat[-INTERP_TAPS:]
        # interval r (after cat[r + half - 1]) is interpolated from cat[r .. r + T - 1]: n + 1 intervals. Where even
        # the bound max|x| * sum|h| stays under the target the gain is 1 whatever the exact value: skip those.
        level = np.maximum(np.abs(cat[:, 0]), np.abs(cat[:, 1]))
        bound = level[: n + 1].copy()
        for t in range(1, INTERP_TAPS):
            np.maximum(bound, level[t : t + n + 1], out=bound)
        hot = np.flatnonzero(bound * self._gain_bound > self.target)
        between = np.zeros(n + 1)
        if hot.size:
            rows = hot[:, None] + np.arange(INTERP_TAPS)
            for ch in range(2):
                values = np.abs(cat[rows, ch] @ self._phases.T).max(axis=1)
                between[hot] = np.maximum(between[hot], values)
        centre = np.maximum(np.abs(cat[half : half + n, 0]), np.abs(cat[half : half + n, 1]))
        return np.asarray(np.maximum(centre, np.maximum(between[1:], between[:-1])))

    def process(self, block: npt.ArrayLike) -> Audio:
        """Limit the next block."""
        x = as_stereo(block)
        n = x.shape[0]
        if n == 0:
            return x.copy()
        tp = self._true_peak(x)
        g = np.minimum(1.0, self.target / np.maximum(tp, 1e-30))
        h = 1.0 - self._release(1.0 - g)
        span = self.lookahead + 1
        hcat = np.concatenate([self._h_tail, h])
        m = hcat[:n].copy()
        for k in range(1, span):  # min over each window of L + 1 (contiguous slices: fast)
            np.minimum(m, hcat[k : k + n], out=m)
        self._h_tail = hcat[-self.lookahead :]
        mcat = np.concatenate([self._m_tail, m])
        total = mcat[:n].copy()
        for k in range(1, span):
            total += mcat[k : k + n]
        s = total / span
        self._m_tail = mcat[-self.lookahead :]
        xcat = np.concatenate([self._delay, x])
        delayed = xcat[:n]
        self._delay = xcat[n:]
        self.reduction_db = -gain_to_db(float(np.min(s)))
        return np.clip(delayed * s[:, None], -self.ceiling, self.ceiling)

    def _release(self, depth: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """``d[n] = max(depth[n], a d[n-1])`` vectorized: ``log d[n] = n log a + cummax(log depth[m] - m log a)``."""
        out = np.empty_like(depth)
        log_a = math.log(self._a)
        chunk = 2048  # keeps |m log a| small enough for exp() at any rate
        for start in range(0, depth.size, chunk):
            part = depth[start : start + chunk]
            idx = np.arange(1, part.size + 1, dtype=np.float64)
            with np.errstate(divide="ignore"):
                u = np.log(part) - idx * log_a
            carried = math.log(self._d) if self._d > 0.0 else -math.inf
            run = np.maximum.accumulate(np.maximum(u, carried))
            d = np.exp(run + idx * log_a)
            d[d < 1e-300] = 0.0
            out[start : start + chunk] = np.maximum(part, d)
            self._d = float(out[start + part.size - 1])
        return out

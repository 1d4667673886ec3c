"""Burst-free parameter changes while audio plays: each effect crossfades from its old filter to a new one.

An IIR filter whose coefficients change keeps the state built up under the old ones; fed into the new sections that
state can burst (+49 dBFS when band solo went from highs to sub). So a change never touches a running filter:

* a change first **settles** for :data:`SETTLE_MS` (REAPER may run ``@slider`` between two of the many slider
  writes of one change; only the complete set is used); a further change restarts the settle time;
* then a **new** filter (state zero) starts next to the old one and the output fades linearly from the old to
  the new over :data:`FADE_MS`; the old one is then dropped. A linear fade never exceeds the larger of the two
  outputs at any sample. A change arriving during a fade waits for it to end.

"Off" is a pass-through, so switching an effect on or off fades the same way. The live chain gives our filter
effects neutral parameters for off (:data:`~.params.NEUTRAL`, e.g. the crossfeed's ``on=off``), as REAPER runs them
(never bypassed); ``None`` (a bypassed stage) remains for virtual speakers. The JSFX run the same scheme per
sample (same counts, same weights ``w = k / N``), so the emulator and ``daw-bridge process`` render what REAPER
plays. :class:`LiveChain` is the whole monitoring chain (our effects in order, then the safety ceiling) with
changes applied at exact frames.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from .blocks import Audio, as_stereo
from .ceiling import Ceiling
from .chain import Processor, make_processor
from .params import resolve

#: Time a change must stay unchanged before the fade starts (ms).
SETTLE_MS = 10.0
#: Crossfade length (ms).
FADE_MS = 30.0

Params = Mapping[str, float | str]
#: Builds an effect's processor from its parameters at a rate (default: :func:`~.chain.make_processor`).
Factory = Callable[[Params, int], Processor]


def settle_frames(sample_rate: float) -> int:
    """:data:`SETTLE_MS` in frames (at least 1)."""
    return max(1, math.floor(SETTLE_MS * sample_rate / 1000.0 + 0.5))  # rounding half up, as the JSFX


def fade_frames(sample_rate: float) -> int:
    """:data:`FADE_MS` in frames (at least 1)."""
    return max(1, math.floor(FADE_MS * sample_rate / 1000.0 + 0.5))


def _run(proc: Processor | None, block: Audio) -> Audio:
    return block if proc is None else proc.process(block)


class SwitchedEffect:
    """One effect ``kind`` whose parameters (``None`` = off, pass-through) change while it runs.

    ``set(params)`` takes effect after the settle time, through a crossfade; ``process`` handles any block size
    and places settle and fade at exact frames, whatever the blocks.
    """

    def __init__(self, kind: str, params: Params | None, sample_rate: int, *, factory: Factory | None = None) -> None:
        self.kind = kind
        self.sample_rate = sample_rate
        self._factory = factory
        self.params = dict(params) if params is not None else None
        self._current = self._make(self.params)
        self._old: Processor | None = None
        self._fading = False
        self._fade_pos = 0
        self._fade_len = fade_frames(sample_rate)
        self._pending: tuple[dict[str, float | str] | None] | None = None
        self._settle = 0

    def _make(self, params: Mapping[str, float | str] | None) -> Processor | None:
        if params is None:
            return None
        if self._factory is not None:
            return self._factory(params, self.sample_rate)
        return make_processor(self.kind, params, self.sample_rate)

    @property
    def pending_params(self) -> dict[str, float | str] | None:
        """The parameters it is heading for (the pending change, else the running ones)."""
        return self._pending[0] if self._pending is not None else self.params

    @property
    def busy(self) -> bool:
        """Whether a change is settling or fading."""
        return self._fading or self._pending is not None

    def set(self, params: Params | None) -> None:
        """Ask for new parameters (``None``: off). Raises InvalidParameter at once for bad ones."""
        wanted = dict(params) if params is not None else None
        self._make(wanted)  # validate now, not in the audio path
        self._pending = (wanted,)
        self._settle = settle_frames(self.sample_rate)

    def reset(self) -> None:
        """Forget all filter state and any fade (as after silence); a pending change applies at once."""
        if self._pending is not None:
            self.params = self._pending[0]
            self._current = self._make(self.params)
            self._pending = None
        elif self._current is not None:
            self._current.reset()
        self._old, self._fading = None, False

    def process(self, block: npt.ArrayLike) -> Audio:
        """Process the next block."""
        x = as_stereo(block)
        out = np.empty_like(x)
        i, n = 0, x.shape[0]
        while i < n:
            if self._pending is not None and not self._fading and self._settle <= 1:
                self._start_fade()
            if self._fading:
                seg = min(n - i, self._fade_len - self._fade_pos)
            elif self._pending is not None:
                seg = min(n - i, self._settle - 1)
            else:
                seg = n - i
            part = x[i : i + seg]
            if self._pending is not None:
                self._settle = max(0, self._settle - seg)
            if self._fading:
                k = np.arange(self._fade_pos + 1, self._fade_pos + seg + 1, dtype=np.float64)[:, None]
                w = k / self._fade_len
                out[i : i + seg] = _run(self._old, part) * (1.0 - w) + _run(self._current, part) * w
                self._fade_pos += seg
                if self._fade_pos >= self._fade_len:
                    self._fading, self._old = False, None
            else:
                out[i : i + seg] = _run(self._current, part)
            i += seg
        return out

    def _start_fade(self) -> None:
        assert self._pending is not None
        wanted = self._pending[0]
        self._pending = None
        if wanted == self.params:
            return
        self._old, self.params = self._current, wanted
        self._current = self._make(wanted)
        self._fading, self._fade_pos = True, 0


class CeilingStage:
    """The safety ceiling as the live chain runs it: a new ceiling applies at once (see
    :meth:`Ceiling.set_ceiling_db`); off (``None``) is REAPER's bypass: no delay, no limiting."""

    kind = "ceiling"

    def __init__(self, params: Params | None, sample_rate: int) -> None:
        self.params = dict(params) if params is not None else None
        self.sample_rate = sample_rate
        self.limiter: Ceiling | None = None
        if params is not None:
            self.limiter = Ceiling(ceiling_db=float(resolve("ceiling", params)["ceiling_db"]), sample_rate=sample_rate)

    def set(self, params: Params | None) -> None:
        """New parameters (``None``: off)."""
        self.params = dict(params) if params is not None else None
        if params is None:
            self.limiter = None
            return
        ceiling_db = float(resolve("ceiling", params)["ceiling_db"])
        if self.limiter is None:
            self.limiter = Ceiling(ceiling_db=ceiling_db, sample_rate=self.sample_rate)
        else:
            self.limiter.set_ceiling_db(ceiling_db)

    @property
    def pending_params(self) -> dict[str, float | str] | None:
        return self.params

    def process(self, block: npt.ArrayLike) -> Audio:
        return as_stereo(block) if self.limiter is None else self.limiter.process(block)


class LiveChain:
    """The monitoring chain as it plays: one :class:`SwitchedEffect` per kind, in order (the safety ceiling as a
    :class:`CeilingStage`). ``apply`` hands each effect its new parameters; unchanged ones are left alone.
    ``factories`` build a kind's processors another way (e.g. virtual speakers from the user's SOFA file)."""

    def __init__(self, effects: Sequence[tuple[str, Params | None]], sample_rate: int, *,
                 factories: Mapping[str, Factory] | None = None) -> None:  # fmt: skip
        made = factories or {}
        self.stages: list[SwitchedEffect | CeilingStage] = [
            CeilingStage(params, sample_rate) if kind == "ceiling"
            else SwitchedEffect(kind, params, sample_rate, factory=made.get(kind))
            for kind, params in effects
        ]

    def apply(self, effects: Sequence[tuple[str, Params | None]]) -> list[str]:
        """Set new parameters per effect (same kinds, same order); returns the kinds that change."""
        kinds = [kind for kind, _ in effects]
        if kinds != [s.kind for s in self.stages]:
            raise ValueError(f"chain kinds {kinds} differ from the running chain's {[s.kind for s in self.stages]}")
        changed = []
        for stage, (kind, params) in zip(self.stages, effects, strict=True):
            wanted = dict(params) if params is not None else None
            if wanted != stage.pending_params:
                stage.set(wanted)
                changed.append(kind)
        return changed

    def process(self, block: npt.ArrayLike) -> Audio:
        """Process the next block through every effect and the tail."""
        out = as_stereo(block)
        for stage in self.stages:
            out = stage.process(out)
        return out

"""The effects the emulator can run: the built-in ``trim`` gain and our JSFX kinds (``JS: daw-bridge/<kind>``).

Our JSFX kinds run through ``daw_bridge.dsp.chain.make_processor(kind, params, sample_rate)``, imported lazily so
that the emulator works (OSC, bridge, renders with ``trim`` only) even where that module is not available yet.
A bypassed effect is not run at all, as in REAPER.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ..errors import RenderError
from ..units import db_to_gain
from .project import TRIM_NAME, Fx

Audio = npt.NDArray[np.float64]


class Processor(Protocol):
    """A stateful block processor: ``process(block (frames, 2)) -> (frames, 2)``; ``reset()`` clears state."""

    def process(self, block: Audio) -> Audio: ...

    def reset(self) -> None: ...


class TrimProcessor:
    """Plain gain by ``gain_db`` (dB)."""

    def __init__(self, gain_db: float) -> None:
        self.gain = db_to_gain(gain_db)

    def process(self, block: Audio) -> Audio:
        return block * self.gain

    def reset(self) -> None:
        """Stateless."""


def make_fx_processor(fx: Fx, sample_rate: int) -> Processor:
    """A processor for ``fx`` at ``sample_rate`` Hz; RenderError names an effect the emulator cannot run."""
    kind = fx.kind
    if kind == TRIM_NAME:
        gain = fx.params.get("gain_db", 0.0)
        if isinstance(gain, str):
            raise RenderError(f"FX {fx.name!r}: gain_db must be a number, not {gain!r}")
        return TrimProcessor(float(gain))
    if not kind:
        raise RenderError(
            f"the emulator cannot run FX {fx.name!r}: only 'trim' and 'JS: daw-bridge/<kind>' effects render "
            "(bypass it to render without it)"
        )
    return _dsp_processor(kind, fx.params, sample_rate, fx.name)


def _dsp_processor(kind: str, params: Mapping[str, float | str], sample_rate: int, name: str) -> Processor:
    try:
        from ..dsp.chain import make_processor  # lazy: written in parallel by the DSP engineer
    except ImportError as exc:
        raise RenderError(
            f"FX {name!r} needs daw_bridge.dsp.chain.make_processor, which is not available ({exc})"
        ) from exc
    try:
        processor: Processor = make_processor(kind, params, sample_rate)
    except Exception as exc:  # the DSP layer's own errors, re-wrapped with the effect's name
        raise RenderError(f"FX {name!r} cannot be set up: {exc}") from exc
    return processor


class FxChain:
    """The enabled effects of one chain, run in order on (frames, 2) blocks.

    ``strict=False`` skips effects the emulator cannot run (they pass audio unchanged) instead of raising.
    """

    def __init__(self, fx: list[Fx], sample_rate: int, *, strict: bool = True) -> None:
        self.processors: list[Processor] = []
        for f in fx:
            if not f.enabled:
                continue
            try:
                self.processors.append(make_fx_processor(f, sample_rate))
            except RenderError:
                if strict:
                    raise

    def process(self, block: Audio) -> Audio:
        for p in self.processors:
            block = np.asarray(p.process(block), dtype=np.float64)
        return block

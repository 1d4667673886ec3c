"""Run any monitoring effect (or a chain of them) on audio blocks: what the emulator and ``daw-bridge process`` use.

``make_processor(kind, params, sample_rate)`` takes the same parameters the JSFX sliders hold (names, units and
ranges from :mod:`daw_bridge.dsp.params`; missing ones take their defaults) and returns a stateful
:class:`Processor` whose ``process`` maps ``(frames, 2)`` -> ``(frames, 2)`` float64 (mono is used on both sides).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from ..errors import InvalidParameter
from ..units import db_to_gain
from .bandsolo import band_sos
from .biquad import design_chain
from .blocks import Audio, SosFilter, as_stereo
from .ceiling import Ceiling
from .correction import filters_from_params
from .crossfeed import Crossfeed
from .params import CORRECTION_BANDS, SIMULATION_BANDS, resolve
from .rate_match import design_at
from .simulation import mono_width


@runtime_checkable
class Processor(Protocol):
    """A stateful block processor: ``process((frames, 2)) -> (frames, 2)``; ``reset()`` forgets the past."""

    def process(self, block: npt.ArrayLike) -> Audio:
        """Process the next block."""

    def reset(self) -> None:
        """Clear state, as after silence."""


class _Eq:
    """Sos cascade, then width (side gain), then a linear output gain."""

    def __init__(self, sos: npt.NDArray[np.float64], *, gain: float, width: float = 1.0) -> None:
        self._filter = SosFilter(sos)
        self._gain = gain
        self._width = width

    def reset(self) -> None:
        self._filter.reset()

    def process(self, block: npt.ArrayLike) -> Audio:
        out = mono_width(self._filter.process(as_stereo(block)), self._width)
        return np.asarray(out * self._gain)


class _Crossfeed:
    def __init__(self, inner: Crossfeed) -> None:
        self._inner = inner

    def reset(self) -> None:
        self._inner.reset()

    def process(self, block: npt.ArrayLike) -> Audio:
        return self._inner.process(as_stereo(block))


class ChainProcessor:
    """Several processors in series (an empty chain passes audio through)."""

    def __init__(self, stages: Sequence[Processor]) -> None:
        self.stages = list(stages)

    def reset(self) -> None:
        for stage in self.stages:
            stage.reset()

    def process(self, block: npt.ArrayLike) -> Audio:
        out = as_stereo(block)
        for stage in self.stages:
            out = stage.process(out)
        return out


def make_processor(kind: str, params: Mapping[str, float | str], sample_rate: int) -> Processor:
    """A processor for effect ``kind`` with ``params`` (real units) at ``sample_rate`` Hz.

    Raises InvalidParameter for an unknown kind, an unknown parameter or a value out of range.
    """
    if sample_rate <= 0:
        raise InvalidParameter(f"sample rate {sample_rate!r} Hz must be > 0")
    p = resolve(kind, params)
    if kind == "ceiling":
        return Ceiling(ceiling_db=float(p["ceiling_db"]), sample_rate=sample_rate)
    gain = db_to_gain(float(p["gain_db"]))
    if kind == "correction":
        filters = filters_from_params(p, bands=CORRECTION_BANDS)
        sos = design_at(filters, design_rate=float(p["design_hz"]), sample_rate=sample_rate)
        return _Eq(sos, gain=gain * db_to_gain(float(p["preamp_db"])))
    if kind == "simulation":
        sos = design_chain(filters_from_params(p, bands=SIMULATION_BANDS), sample_rate=sample_rate)
        return _Eq(sos, gain=gain, width=float(p["width"]))
    if kind == "speakers":  # virtual speakers (daw_bridge.speakers): convolution with a room's binaural response
        from ..speakers.stage import make_stage

        return make_stage(p, sample_rate)
    if kind == "bandsolo":
        order = int(p["order"])
        if order % 2:
            raise InvalidParameter(f"bandsolo.order {order} must be even")
        sos = band_sos(low_hz=float(p["low_hz"]), high_hz=float(p["high_hz"]), order=order, sample_rate=sample_rate)
        return _Eq(sos, gain=gain)
    # crossfeed (resolve() already rejected unknown kinds); off is a pass-through, as in the JSFX
    if p["on"] == "off":
        return ChainProcessor([])
    return _Crossfeed(
        Crossfeed(
            cut_hz=float(p["cut_hz"]),
            feed_db=float(p["feed_db"]),
            centre_db=float(p["centre_db"]),
            gain_db=float(p["gain_db"]),
            sample_rate=sample_rate,
        )  # fmt: skip
    )


def make_chain(effects: Sequence[tuple[str, Mapping[str, float | str]]], sample_rate: int) -> ChainProcessor:
    """A chain of ``(kind, params)`` effects, in order."""
    return ChainProcessor([make_processor(kind, params, sample_rate) for kind, params in effects])

"""The ``speakers`` monitoring stage: a room's response run by :class:`~.convolve.SpeakerConvolver` on stereo
blocks, the processor the emulator, ``daw-bridge process`` and the tests hear (what the JSFX does in REAPER)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy.typing as npt

from ..dsp.blocks import Audio, as_stereo
from ..units import db_to_gain
from .convolve import BLOCK_FRAMES, Design, SpeakerConvolver, design
from .response import response
from .rooms import room_name


def room_design(room: str, sample_rate: int, *, sofa: str | Path | None = None) -> Design:
    """The partitioned design of room ``room``'s response at ``sample_rate`` Hz."""
    return design(response(room, sample_rate, sofa=sofa).ir)


class SpeakerStage:
    """Stereo in, stereo (ears) out, through a room; ``set_room`` crossfades to another one click-free."""

    def __init__(self, room: str, sample_rate: int, *, gain_db: float = 0.0, sofa: str | Path | None = None) -> None:
        self.sample_rate = int(sample_rate)
        self.sofa = sofa
        self.room = room_name(room)  # checked now; the response is rendered on first use
        self._gain = db_to_gain(gain_db)
        self._built: SpeakerConvolver | None = None  # designed on first use: a stage can be made, then replaced

    @property
    def _conv(self) -> SpeakerConvolver:
        if self._built is None:
            self._built = SpeakerConvolver(room_design(self.room, self.sample_rate, sofa=self.sofa),
                                           sample_rate=self.sample_rate)  # fmt: skip
        return self._built

    @property
    def latency_frames(self) -> int:
        """Delay of the output, frames (REAPER compensates it from the JSFX's ``pdc_delay``)."""
        return BLOCK_FRAMES

    def set_room(self, room: str) -> None:
        """Change room at the next partition boundary, crossfaded over 30 ms."""
        self._conv.set_response(room_design(room, self.sample_rate, sofa=self.sofa))
        self.room = room_name(room)

    def reset(self) -> None:
        """Silence before the next block."""
        if self._built is not None:
            self._built.reset()

    def process(self, block: npt.ArrayLike) -> Audio:
        """The next ``(frames, 2)`` block at the ears."""
        out = self._conv.process(as_stereo(block))
        return out * self._gain if self._gain != 1.0 else out


def make_stage(params: Mapping[str, float | str], sample_rate: int) -> SpeakerStage:
    """The stage for resolved ``speakers`` effect parameters (``room`` name, ``gain_db``); the chain's hook."""
    return SpeakerStage(str(params["room"]), sample_rate, gain_db=float(params.get("gain_db", 0.0)))

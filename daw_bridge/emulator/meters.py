"""Track and master peak meters computed from the rendered audio, for csurf_osc's polled VU feedback.

REAPER reads ``Track_GetPeakInfo(track, channel)`` for the master, the device track and each bank track at every
surface tick (``csurf_osc.cpp``, ``Run``). The emulator renders the window of the timeline the play position just
crossed (the last surface period, at most :data:`MAX_WINDOW_S`) through the same mix graph as a bounce (item, FX,
fader, pan, folder sums, sends, solo and mute), and takes each track's post-fader peak per channel. REAPER's meter
ballistics (peak hold, decay) are not modelled: each tick reads the window's own peak. Effects the emulator cannot
run pass audio through unchanged here (a meter must not fail where a bounce would refuse).
"""

from __future__ import annotations

import numpy as np

from ..errors import DawBridgeError
from ..units import seconds_to_frames
from .project import Project
from .render import Mixer

#: Longest window read for one meter tick, in seconds.
MAX_WINDOW_S = 0.1


def _signature(project: Project) -> tuple[object, ...]:
    """What the mix graph is built from (not the faders and pans, which the mixer reads live)."""
    rows: list[object] = [project.sample_rate]
    for t in [project.master, *project.tracks]:
        rows.append((t.guid, t.audio, t.offset_s, t.mute, t.solo, t.parent,
                     tuple((f.name, f.enabled, tuple(f.params.items())) for f in t.fx),
                     tuple((s.dest, s.mute) for s in t.sends)))
    return tuple(rows)


class Meters:
    """Peaks of the last played window: ``read(project, start_s, end_s) -> {track number: (left, right)}``."""

    def __init__(self) -> None:
        self._mixer: Mixer | None = None
        self._signature: tuple[object, ...] | None = None
        self.failures = 0

    def close(self) -> None:
        if self._mixer is not None:
            self._mixer.close()
            self._mixer = None

    def read(self, project: Project, start_s: float, end_s: float) -> dict[int, tuple[float, float]]:
        """Post-fader peaks (linear) of every track (by number, 0 = master) over ``start_s``..``end_s``."""
        start_s = max(start_s, end_s - MAX_WINDOW_S, 0.0)
        rate = project.sample_rate
        first, last = seconds_to_frames(start_s, rate), seconds_to_frames(end_s, rate)
        if last <= first:
            return {}
        signature = _signature(project)
        try:
            if self._mixer is None or signature != self._signature:
                self.close()
                self._mixer = Mixer(project, rate, strict=False)
                self._signature = signature
            taps: dict[str, np.ndarray] = {}
            master = self._mixer.block(first, last, taps=taps)
        except (DawBridgeError, OSError, ValueError, ArithmeticError) as exc:  # meters read silence
            self.failures += 1
            self.close()
            self._signature = None
            del exc
            return {}
        peaks = {0: _peak(master)}
        for number, track in enumerate(project.tracks, start=1):
            block = taps.get(track.guid)
            if block is not None:
                peaks[number] = _peak(block)
        return peaks


def _peak(block: np.ndarray) -> tuple[float, float]:
    if block.size == 0:
        return 0.0, 0.0
    peak = np.max(np.abs(block), axis=0)
    return float(peak[0]), float(peak[-1])

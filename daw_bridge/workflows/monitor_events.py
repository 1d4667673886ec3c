"""Monitoring changes asked for by in-DAW shortcuts: next headphone preset, band solo, simulation, virtual room.

The choices (presets, band edges, simulation curves) live in Python, so the shortcut scripts send an event and the
controller answers it here: it steps the saved :class:`~daw_bridge.monitoring.MonitoringState`, sends the chain
to the DAW's monitoring path (level-compensated) and saves it. Toggles the scripts do themselves (crossfeed
on/off) arrive as ``monitor`` events and only update the saved state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..bands import BAND_NAMES
from ..daw import Daw
from ..dsp.params import SPEAKER_ROOMS
from ..dsp.simulation import SYSTEMS
from ..monitoring import MonitoringState, apply_monitoring, load_state, save_state
from ..presets.catalog import all_presets


def step(options: Sequence[str], current: str | None) -> str:
    """The option after ``current`` (case-insensitive), wrapping; the first when ``current`` is not among them."""
    lowered = [o.lower() for o in options]
    if current is not None and current.lower() in lowered:
        return options[(lowered.index(current.lower()) + 1) % len(options)]
    return options[0]


@dataclass
class MonitoringEvents:
    """Event handlers over the saved monitoring state (``base`` overrides the user data dir, for tests)."""

    daw: Daw
    base: Path | None = None

    def _push(self, state: MonitoringState) -> MonitoringState:
        apply_monitoring(self.daw, state, base=self.base)
        save_state(state, self.base)
        return state

    def preset_next(self, _event: dict[str, Any]) -> str:
        names = [p.name for p in all_presets(base=self.base)]
        state = load_state(self.base)
        new = self._push(state.with_changes(headphones=step(names, state.headphones)))
        return f"headphone correction: {new.headphones}"

    def band_next(self, _event: dict[str, Any]) -> str:
        state = load_state(self.base)
        new = self._push(state.with_changes(band=step(BAND_NAMES, state.band)))
        return f"band solo: {new.band}"

    def band_off(self, _event: dict[str, Any]) -> str:
        self._push(load_state(self.base).with_changes(band=None))
        return "band solo off"

    def simulation_next(self, _event: dict[str, Any]) -> str:
        state = load_state(self.base)
        new = self._push(state.with_changes(simulation=step(list(SYSTEMS), state.simulation)))
        return f"simulation: {new.simulation}"

    def simulation_off(self, _event: dict[str, Any]) -> str:
        self._push(load_state(self.base).with_changes(simulation=None))
        return "simulation off"

    def speakers_next(self, _event: dict[str, Any]) -> str:
        state = load_state(self.base)
        new = self._push(state.with_changes(speakers=step(list(SPEAKER_ROOMS), state.speakers)))
        return f"virtual room: {new.speakers}"

    def monitor(self, event: dict[str, Any]) -> str:
        """The script toggled an effect itself: keep the saved state in step (nothing is sent back)."""
        kind, enabled = event.get("kind"), bool(event.get("enabled"))
        state = load_state(self.base)
        if kind == "crossfeed":
            state = state.with_changes(crossfeed=(state.crossfeed or "default") if enabled else None)
        elif kind == "bandsolo" and not enabled:
            state = state.with_changes(band=None)
        elif kind == "simulation" and not enabled:
            state = state.with_changes(simulation=None)
        else:
            return f"{kind} {'on' if enabled else 'off'} (noted)"
        save_state(state, self.base)
        return f"{kind} {'on' if enabled else 'off'}"

    def event_handlers(self) -> dict[str, Callable[[dict[str, Any]], str]]:
        return {
            "preset_next": self.preset_next,
            "band_next": self.band_next,
            "band_off": self.band_off,
            "simulation_next": self.simulation_next,
            "simulation_off": self.simulation_off,
            "speakers_next": self.speakers_next,
            "monitor": self.monitor,
        }

"""What the listener hears while mixing: the monitoring state -> our effects on the master's monitoring FX chain.

:func:`chain` always returns our effects in :data:`~daw_bridge.dsp.params.KINDS` order (correction,
crossfeed, simulation, band solo, virtual speakers), each enabled or not, so the DAW side can set the chain up once
and update it.
Each effect carries its own loudness-compensation ``gain_db`` (see :mod:`daw_bridge.dsp.compensation`), so
switching any of them keeps the perceived level steady. The state persists as ``monitoring.json`` in the user
data dir so ``headphones off`` / ``next`` work across invocations.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .daw import Daw, MonitorFx
from .dsp import correction as corr
from .dsp import crossfeed as xf
from .dsp.bandsolo import band_params
from .dsp.params import KINDS, resolve
from .dsp.simulation import system, system_params
from .errors import ConfigError, InvalidParameter
from .presets.catalog import data_dir, find_preset

STATE_FILE = "monitoring.json"
#: Constant attenuation of the monitoring path (dB), whatever is switched on, so a correction's boosts plus its
#: loudness compensation never clip, and switching keeps the perceived level. 8 dB covers every shipped preset's
#: net boost (at most +7.0 dB, Beyerdynamic DT 990 (fresh earpads)); turn your headphone volume up once.
DEFAULT_HEADROOM_DB = 8.0


@dataclass(frozen=True)
class MonitoringState:
    """The user's monitoring choices. ``None`` switches that effect off.

    ``crossfeed`` is a preset name (``default``, ``cmoy``, ``jmeier``) or ``custom`` (then ``crossfeed_cut_hz`` /
    ``crossfeed_feed_db`` apply); ``centre_db`` trims the centre after crossfeed.
    """

    headphones: str | None = None
    strength_pct: float = 100.0
    bass_trim_db: float = 0.0
    crossfeed: str | None = None
    crossfeed_cut_hz: float = 700.0
    crossfeed_feed_db: float = 4.5
    centre_db: float = 0.0
    band: str | None = None
    simulation: str | None = None
    headroom_db: float = DEFAULT_HEADROOM_DB
    speakers: str | None = None  # virtual room (daw_bridge.speakers), None = off
    speakers_sofa: str | None = None  # SOFA file of the head-related responses, None = the system's KEMAR set

    def with_changes(self, **changes: Any) -> MonitoringState:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)


def correction_params(state: MonitoringState, sample_rate: int, *, base: Path | None = None) -> dict[str, float | str]:
    """The correction effect's parameters at ``sample_rate`` Hz: the preset's EQ (none when off) and the constant
    monitoring headroom.

    The effect is always on: with no preset it only applies ``-headroom_db``, so switching the correction keeps the
    level. The preset's loudness compensation is capped at the headroom, so the net gain at its largest boost (EQ +
    clip-free preamp + compensation - headroom) never exceeds 0 dB: clip-free wins over level matching when a
    preset needs more than the headroom (raise ``headroom_db`` then).
    """
    if state.headphones is None:
        return {"preamp_db": 0.0, "gain_db": -state.headroom_db}
    preset = find_preset(state.headphones, base=base)
    built = corr.build(
        preset.eq.filters, file_preamp_db=preset.eq.preamp_db, sample_rate=sample_rate,
        design_rate=preset.eq.design_rate_hz, strength_pct=state.strength_pct, bass_trim_db=state.bass_trim_db,
    )  # fmt: skip
    params = corr.slider_params(built)
    params["gain_db"] = round(min(float(params["gain_db"]), state.headroom_db) - state.headroom_db, 4)
    return params


def crossfeed_params(state: MonitoringState, sample_rate: int) -> dict[str, float | str]:
    """The crossfeed effect's parameters (preset or custom cut/feed, centre trim, compensation)."""
    if state.crossfeed is None:
        return {}
    if state.crossfeed.strip().lower() == "custom":
        cut, feed = state.crossfeed_cut_hz, state.crossfeed_feed_db
    else:
        cut, feed = xf.preset(state.crossfeed)
    gain = xf.compensation_gain_db(cut_hz=cut, feed_db=feed, centre_db=state.centre_db, sample_rate=sample_rate)
    return {"cut_hz": cut, "feed_db": feed, "centre_db": state.centre_db, "gain_db": round(gain, 4)}


def chain(state: MonitoringState, sample_rate: int, *, base: Path | None = None) -> list[MonitorFx]:
    """Our monitoring effects for ``state`` at ``sample_rate`` Hz (params complete, real units)."""
    active: dict[str, dict[str, float | str]] = {
        "correction": correction_params(state, sample_rate, base=base),
        "crossfeed": crossfeed_params(state, sample_rate),
        "simulation": system_params(state.simulation, sample_rate=sample_rate) if state.simulation else {},
        "bandsolo": band_params(state.band, sample_rate=sample_rate) if state.band else {},
        "speakers": {"room": state.speakers} if state.speakers else {},
    }
    on = {kind: bool(active[kind]) for kind in KINDS} | {"correction": True}  # carries the headroom
    return [MonitorFx(kind, resolve(kind, active[kind]), enabled=on[kind]) for kind in KINDS]


def apply_monitoring(daw: Daw, state: MonitoringState, *, base: Path | None = None) -> list[MonitorFx]:
    """Set (or update) our effects on ``daw``'s monitoring chain at the project's rate; returns the chain."""
    fx = chain(state, daw.project_info().sample_rate, base=base)
    daw.set_monitor_chain(fx)
    return fx


def state_path(base: Path | None = None) -> Path:
    """Where the state is kept: ``<data dir>/monitoring.json``."""
    return (base if base is not None else data_dir()) / STATE_FILE


def load_state(base: Path | None = None) -> MonitoringState:
    """The saved state (defaults when none is saved); a corrupt file raises ConfigError naming it."""
    path = state_path(base)
    if not path.exists():
        return MonitoringState()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {f.name for f in dataclasses.fields(MonitoringState)}
        return MonitoringState(**{k: v for k, v in _as_dict(data).items() if k in known})
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: unreadable monitoring state ({exc}); delete it to start afresh") from exc


def _as_dict(data: object) -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise TypeError("top level is not an object")
    return data


def save_state(state: MonitoringState, base: Path | None = None) -> Path:
    """Write ``state`` atomically; returns the file."""
    path = state_path(base)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dataclasses.asdict(state), indent=2), encoding="utf-8")
    tmp.replace(path)
    return path


def validate_state(state: MonitoringState, *, base: Path | None = None) -> None:
    """Raise the library's error for any unknown name or out-of-range option in ``state`` (cheap checks)."""
    if state.headphones is not None:
        find_preset(state.headphones, base=base)
    if not 0.0 <= state.headroom_db <= 24.0:
        raise InvalidParameter(f"monitoring headroom {state.headroom_db} dB must be within 0-24 dB")
    corr.user_filters([], strength_pct=state.strength_pct, bass_trim_db=state.bass_trim_db)
    if state.crossfeed is not None and state.crossfeed.strip().lower() != "custom":
        xf.preset(state.crossfeed)
    if state.crossfeed is not None:
        xf.coefficients(cut_hz=state.crossfeed_cut_hz, feed_db=state.crossfeed_feed_db, sample_rate=48000)
    resolve("crossfeed", {"centre_db": state.centre_db})
    if state.simulation is not None:
        system(state.simulation)
    if state.speakers is not None:
        from .speakers.rooms import room

        room(state.speakers)
    if state.band is not None:
        from .bands import band_by_name

        band_by_name(state.band)

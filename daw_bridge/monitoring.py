"""What the listener hears while mixing: the monitoring state -> our effects on the master's monitoring FX chain.

:func:`chain` always returns our effects in :data:`~daw_bridge.dsp.params.KINDS` order (correction,
crossfeed, simulation, band solo, virtual speakers, safety ceiling), each enabled or not, so the DAW side can set the
chain up once and update it. Every filter effect crossfades its own changes (:mod:`daw_bridge.dsp.switching`); the
ceiling (:mod:`daw_bridge.dsp.ceiling`) is on unless the user turns it off (``ceiling_db`` None).
Each effect carries its own loudness-compensation ``gain_db`` (see :mod:`daw_bridge.dsp.compensation`), so
switching any of them keeps the perceived level steady. The state persists as ``monitoring.json`` in the user
data dir so ``headphones off`` / ``next`` work across invocations.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .daw import Daw, MonitorFx
from .dsp import correction as corr
from .dsp import crossfeed as xf
from .dsp.bandsolo import band_params
from .dsp.ceiling import DEFAULT_CEILING_DB, check_ceiling_db
from .dsp.params import KINDS, NEUTRAL, SWITCHED_BY_PARAMS, resolve
from .dsp.simulation import system, system_params
from .errors import ConfigError, DawBridgeError, InvalidParameter
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
    ``crossfeed_feed_db`` apply); ``centre_db`` trims the centre after crossfeed. ``ceiling_db`` is the safety
    ceiling (dBFS true peak) at the end of the chain; ``None`` turns that protection off.
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
    ceiling_db: float | None = DEFAULT_CEILING_DB

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
    return {"cut_hz": cut, "feed_db": feed, "centre_db": state.centre_db, "gain_db": round(gain, 4), "on": "on"}


def chain(state: MonitoringState, sample_rate: int, *, base: Path | None = None) -> list[MonitorFx]:
    """Our monitoring effects for ``state`` at ``sample_rate`` Hz (params complete, real units).

    ``enabled`` says whether an effect does something. The effects of
    :data:`~daw_bridge.dsp.params.SWITCHED_BY_PARAMS` that are off carry neutral parameters (a pass-through; the
    crossfeed's off keeps the ``default`` preset's values behind ``on=off``, so the Lua "Crossfeed on-off" shortcut
    turns on a compensated crossfeed): the DAW side keeps them enabled (see :func:`daw_enabled`) and the switch is
    their own crossfade, never REAPER's abrupt bypass.
    """
    active: dict[str, dict[str, float | str]] = {
        "correction": correction_params(state, sample_rate, base=base),
        "crossfeed": crossfeed_params(state, sample_rate),
        "simulation": system_params(state.simulation, sample_rate=sample_rate) if state.simulation else {},
        "bandsolo": band_params(state.band, sample_rate=sample_rate) if state.band else {},
        "speakers": {"room": state.speakers} if state.speakers else {},
        "ceiling": {"ceiling_db": state.ceiling_db} if state.ceiling_db is not None else {},
    }
    on = {kind: bool(active[kind]) for kind in KINDS} | {"correction": True}  # carries the headroom
    if not on["crossfeed"]:
        active["crossfeed"] = crossfeed_params(state.with_changes(crossfeed="default"), sample_rate)
    for kind in SWITCHED_BY_PARAMS:
        if not on[kind]:
            active[kind] = {**active[kind], **NEUTRAL[kind]}
    return [MonitorFx(kind, resolve(kind, active[kind]), enabled=on[kind]) for kind in KINDS]


def daw_enabled(fx: MonitorFx) -> bool:
    """Whether the DAW keeps ``fx`` enabled on its monitoring chain: always for the effects switched off by
    neutral parameters (REAPER's bypass is abrupt), else whether it is on."""
    return fx.enabled or fx.kind in SWITCHED_BY_PARAMS


def apply_monitoring(daw: Daw, state: MonitoringState, *, base: Path | None = None) -> list[MonitorFx]:
    """Set (or update) our effects on ``daw``'s monitoring chain at the project's rate; returns the chain."""
    fx = chain(state, daw.project_info().sample_rate, base=base)
    daw.set_monitor_chain(fx)
    return fx


class RateFollower:
    """Re-applies the chain when the rate the DAW runs monitoring at changes. REAPER runs monitoring FX at the audio
    device's rate (a project that forces its rate makes REAPER reopen the device at it; the bridge's
    ``sample_rate`` reads exactly that). The JSFX follow ``srate`` themselves (the correction re-fits its
    rate-independent bands in @init, :mod:`daw_bridge.dsp.rate_match`), so this is no longer needed for them; it
    keeps the loudness-compensation gains Python computes at a rate (crossfeed, simulation, band solo) exact, and
    Ardour's correction (re-fitted by the bridge for its rate) right. The effects crossfade to it.
    ``daw-bridge serve`` calls :meth:`check` every second."""

    def __init__(self, daw: Daw, *, base: Path | None = None) -> None:
        self.daw = daw
        self.base = base
        self.rate = daw.project_info().sample_rate

    def check(self) -> str | None:
        """Re-apply when the rate changed since the last look; returns what was done (None: nothing)."""
        rate = self.daw.project_info().sample_rate
        if rate == self.rate:
            return None
        old = self.rate
        apply_monitoring(self.daw, load_state(self.base), base=self.base)
        self.rate = rate
        return f"sample rate {old} -> {rate} Hz: monitoring chain re-applied at {rate} Hz"


def ceiling_status(state: MonitoringState, monitor_fx: Sequence[Mapping[str, Any]] | None) -> str:
    """One line on the safety ceiling: its setting and, from the DAW's monitoring FX list (``monitor_fx`` state of
    the bridge, None when unavailable), whether it is acting now."""
    if state.ceiling_db is None:
        return "safety ceiling: OFF - nothing limits what reaches the headphones (daw-bridge ceiling -1 to restore)"
    line = f"safety ceiling: {state.ceiling_db:+.1f} dBFS true peak"
    ours = [fx for fx in monitor_fx or () if str(fx.get("name", "")).endswith("daw-bridge/ceiling")]
    if monitor_fx is None:
        return line + " (its meter needs the bridge)"
    if not ours or not ours[0].get("enabled", False):
        return line + " - NOT on the monitoring chain: apply the monitoring again (e.g. daw-bridge headphones next)"
    reduction = ours[0].get("reduction_db")
    if not isinstance(reduction, int | float):
        return line + ", on"
    if reduction > 0.05:
        return line + f", ACTING: {reduction:.1f} dB of gain reduction in the last 50 ms (upstream is too hot)"
    return line + ", on, idle"


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
    if state.ceiling_db is not None:
        check_ceiling_db(state.ceiling_db)
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


#: What a scheduled change (``process --at SECONDS KEY=VALUE``) may set: key -> (state field, kind of value).
SCHEDULE_KEYS: dict[str, tuple[str, str]] = {
    "headphones": ("headphones", "name"), "strength": ("strength_pct", "number"),
    "bass-trim": ("bass_trim_db", "number"), "crossfeed": ("crossfeed", "name"), "centre": ("centre_db", "number"),
    "band": ("band", "name"), "simulate": ("simulation", "name"), "simulation": ("simulation", "name"),
    "ceiling": ("ceiling_db", "number-or-off"), "headroom": ("headroom_db", "number"),
    "speakers": ("speakers", "name"),
}  # fmt: skip


@dataclass(frozen=True)
class ScheduledChange:
    """At ``time_s`` seconds into the audio, the state changes by ``changes`` (MonitoringState fields)."""

    time_s: float
    changes: Mapping[str, Any]


def parse_change(time_text: str, assignment: str) -> ScheduledChange:
    """``("5.0", "band=sub")`` -> a ScheduledChange; ``off`` switches an effect off. InvalidParameter names the
    entry and what is wrong with it."""
    where = f"--at {time_text} {assignment}"
    try:
        time_s = float(time_text)
    except ValueError:
        raise InvalidParameter(f"{where}: time {time_text!r} is not a number of seconds") from None
    if not math.isfinite(time_s) or time_s < 0:
        raise InvalidParameter(f"{where}: time must be >= 0 seconds")
    key, sep, value = assignment.partition("=")
    key, value = key.strip().lower().replace("_", "-"), value.strip()
    if not sep or not value:
        raise InvalidParameter(f"{where}: expected KEY=VALUE, e.g. band=sub (keys: {', '.join(SCHEDULE_KEYS)})")
    if key not in SCHEDULE_KEYS:
        raise InvalidParameter(f"{where}: unknown key {key!r} (keys: {', '.join(SCHEDULE_KEYS)})")
    field_name, kind = SCHEDULE_KEYS[key]
    parsed: Any
    if value.lower() == "off" and kind in ("name", "number-or-off"):
        parsed = None
    elif kind == "name":
        parsed = value
    else:
        try:
            parsed = float(value)
        except ValueError:
            raise InvalidParameter(f"{where}: {key} takes a number{' or off' if 'off' in kind else ''}") from None
    return ScheduledChange(time_s, {field_name: parsed})


def schedule_states(
    state: MonitoringState, changes: Sequence[ScheduledChange], *, base: Path | None = None
) -> list[tuple[float, MonitoringState]]:
    """The states in time order: ``(0, state)`` then one per change (changes at the same time apply in the order
    given). Every state is validated first, so a bad entry fails before any audio is written."""
    out = [(0.0, state)]
    for change in sorted(changes, key=lambda c: c.time_s):
        current = out[-1][1].with_changes(**change.changes)
        try:
            validate_state(current, base=base)
        except DawBridgeError as exc:
            items = ", ".join(f"{k}={v}" for k, v in change.changes.items())
            raise InvalidParameter(f"--at {change.time_s:g} ({items}): {exc}") from exc
        out.append((change.time_s, current))
    return out


def live_effects(state: MonitoringState, sample_rate: int, *, base: Path | None = None) -> list[tuple[str, Any]]:
    """``(kind, params, or None when bypassed)`` for every effect of :func:`chain`: what a LiveChain takes. Effects
    switched by parameters always carry them (off: neutral ones), so on/off crossfades as REAPER plays it."""
    return [(fx.kind, dict(fx.params) if daw_enabled(fx) else None) for fx in chain(state, sample_rate, base=base)]

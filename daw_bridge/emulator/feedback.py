"""What REAPER's OSC surface reports: the current value of every feedback address for one device.

:func:`feedback_state` walks the loaded pattern file and builds, for each feedback pattern the emulator models,
``address -> args`` from the project and the device's view (bank, counts, device track and FX). The surface diffs
this against its per-address cache to send only changes. Nothing here writes an address by hand: every address
comes from a :class:`~daw_bridge.osc.patterns.Pattern` of the file.

Read from ``csurf_osc.cpp`` (``UpdateSurfaceTrack``, ``SetActiveFXChange``, ``SetActiveTrackChange``, ``Run``,
``Extended``; value formats in :mod:`.formats`): every send/receive slot of the device's send/receive count is
reported, absent ones as ``Send N``/``Recv N`` (``Aux N`` on the master) at -inf and centre (the emulator
reports only the slots that exist, see :data:`ABSENT_SEND_SLOTS`); the device FX (``/fx/name`` …) reads empty
when the device track has no FX; ``/device/track/select/@`` and ``/device/fx/select/@`` flag the device track
and FX; meters are reported for the master, the device track and the bank tracks, from the latest peaks.

Order: REAPER sends a dump track by track (``UpdateSurfaceTrack``); the emulator sends the same messages in
pattern-file order with the send/receive slots and the device selection flags last, an order our client's
"dump is over when the mirror goes quiet" rule relies on (REAPER's per-track order would not satisfy it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..osc.codec import Arg, truncate_utf8
from ..osc.patterns import PatternSet
from .device import DeviceView, device_track
from .formats import NAME_MAX_BYTES, bit, fx_name, pan_args, time_str, track_name, volume_args, vu
from .project import Fx, Marker, Project, Send, Track

__all__ = ["DeviceView", "FeedbackPattern", "State", "compile_feedback", "feedback_state", "vu"]

State = dict[str, tuple[Arg, ...]]
#: Per-track peaks (linear, left and right) by REAPER track number (0 = master), from the meters.
Peaks = Mapping[int, tuple[float, float]]

#: Flags that produce feedback (``r`` never does, ``i`` patterns are device-to-REAPER only).
FEEDBACK_FLAGS = frozenset("nfbts")
#: Whether absent send/receive slots are reported as REAPER does (``Send N`` at -inf). Off: with the shipped file's
#: 4+4 slots that is 40 messages per track, long enough dumps to break our client's "quiet = done" sync rule.
ABSENT_SEND_SLOTS = False
#: Actions whose value REAPER polls at the surface rate (``Run``) rather than sending on change.
POLLED_ACTIONS = frozenset({
    "TIME", "BEAT", "SAMPLES", "FRAMES", "LOOP_START_TIME", "LOOP_END_TIME", "MASTER_VU", "MASTER_VU_L",
    "MASTER_VU_R", "TRACK_VU", "TRACK_VU_L", "TRACK_VU_R", "LAST_MARKER_NAME", "LAST_MARKER_NUMBER",
    "LAST_MARKER_TIME", "LAST_REGION_NAME", "LAST_REGION_NUMBER", "LAST_REGION_TIME", "LAST_REGION_LENGTH",
})  # fmt: skip


TrackValue = Callable[[str, Track, int], tuple[Arg, ...] | None]

#: Track-scoped actions: (flag, track, number) -> args, or None when the flag has no meaning for it.
TRACK_VALUES: dict[str, TrackValue] = {
    "TRACK_NAME": lambda flag, t, n: (track_name(t, n),) if flag == "s" else None,
    "TRACK_NUMBER": lambda flag, t, n: (str(n),) if flag == "s" else None,
    "TRACK_MUTE": lambda flag, t, n: bit(t.mute) if flag in "bt" else None,
    "TRACK_SOLO": lambda flag, t, n: bit(t.solo) if flag in "bt" else None,
    "TRACK_REC_ARM": lambda flag, t, n: bit(t.rec_arm) if flag in "bt" and n else None,
    "TRACK_SELECT": lambda flag, t, n: bit(t.selected) if flag in "bt" else None,
    "TRACK_VOLUME": lambda flag, t, n: volume_args(flag, t.volume_db) if flag in "nfs" else None,
    "TRACK_PAN": lambda flag, t, n: pan_args(flag, t.pan, centre="C") if flag in "ns" else None,
}

FxValue = Callable[[str, Fx | None, int], tuple[Arg, ...] | None]

#: FX-scoped actions: (flag, fx or None for an empty device-FX slot, 1-based fx number) -> args.
FX_VALUES: dict[str, FxValue] = {
    "FX_NAME": lambda flag, f, n: (fx_name(f) if f else "",) if flag == "s" else None,
    "FX_NUMBER": lambda flag, f, n: (str(n) if f else "",) if flag == "s" else None,
    "FX_BYPASS": lambda flag, f, n: bit(f is not None and f.enabled) if flag in "bt" else None,
    "FX_OPEN_UI": lambda flag, f, n: bit(f is not None and f.open) if flag in "bt" else None,
    "FX_PRESET": lambda flag, f, n: (truncate_utf8(f.preset, NAME_MAX_BYTES) if f else "",) if flag == "s" else None,
}
_SEND_ACTIONS = frozenset({
    "TRACK_SEND_NAME", "TRACK_SEND_VOLUME", "TRACK_SEND_PAN", "TRACK_RECV_NAME", "TRACK_RECV_VOLUME",
    "TRACK_RECV_PAN", "MASTER_SEND_NAME", "MASTER_SEND_VOLUME", "MASTER_SEND_PAN",
})  # fmt: skip
_LATE_ACTIONS = _SEND_ACTIONS | {"DEVICE_TRACK_SELECT", "DEVICE_FX_SELECT"}
VU_ACTIONS = frozenset({"TRACK_VU", "TRACK_VU_L", "TRACK_VU_R", "MASTER_VU", "MASTER_VU_L", "MASTER_VU_R"})


def _fx_param(flag: str, action: str, fx: Fx, index: int) -> tuple[Arg, ...] | None:
    names = fx.numeric_params()
    if not 1 <= index <= len(names):
        return None
    name = names[index - 1]
    if action == "FX_PARAM_NAME":
        return (name,) if flag == "s" else None
    if flag == "n":
        return (fx.normalized(name),)
    return (f"{float(fx.params[name]):.2f}",) if flag == "s" else None


@dataclass(frozen=True)
class FeedbackPattern:
    """A feedback pattern of the file, pre-analysed once: ``fmt`` is its template with ``{}`` for each ``@``."""

    action: str
    flag: str
    wildcards: int
    scoped: int  # 1 when the first wildcard is a /track/@ slot, else 0 (device-selected track or global)
    fmt: str

    def build(self, *targets: int) -> str:
        return self.fmt.format(*targets)


def compile_feedback(patterns: PatternSet) -> list[FeedbackPattern]:
    """The file's patterns that can produce feedback here, in file order."""
    out: list[FeedbackPattern] = []
    for p in patterns.patterns:
        if p.flag not in FEEDBACK_FLAGS:
            continue
        segs = p.segments
        scoped = 1 if len(segs) >= 2 and segs[0] == "track" and segs[1] == "@" else 0
        fmt = "/" + "/".join("{}" if s == "@" else s.replace("{", "{{").replace("}", "}}") for s in segs)
        compiled = FeedbackPattern(p.action, p.flag, p.wildcards, scoped, fmt)
        if _can_produce(compiled):
            out.append(compiled)
    # pattern-file order, sends/receives and device selection flags last (see the module docstring)
    return sorted(out, key=lambda p: p.action in _LATE_ACTIONS)


def _can_produce(p: FeedbackPattern) -> bool:
    """False for patterns whose action/flag/wildcard shape never yields a value here (scroll and zoom buttons,
    automation modes, FX EQ/instrument addresses …): skipping them keeps the per-message diff small."""
    rest = p.wildcards - p.scoped
    if p.action in TRACK_VALUES:
        return p.wildcards == p.scoped
    if p.action in FX_VALUES:
        return rest in (0, 1) and (FX_VALUES[p.action](p.flag, None, 0) is not None)
    if p.action in ("FX_PARAM_VALUE", "FX_PARAM_NAME"):
        return rest in (1, 2)
    if p.action in _SEND_ACTIONS:
        return rest == 1 and not (p.action.startswith("MASTER_") and p.scoped)
    if p.action in VU_ACTIONS:
        return p.flag == "n" and p.wildcards == p.scoped and not (p.action.startswith("MASTER_") and p.scoped)
    if p.action in ("DEVICE_TRACK_SELECT", "DEVICE_FX_SELECT"):
        return p.wildcards == 1 and p.flag in "bt"
    if p.action.startswith("FX_"):
        return False
    if p.wildcards == 0:  # whether a global has a value depends on its action and flag only, not on the project
        return _global_value(p.action, p.flag, Project(), DeviceView()) is not None
    return p.wildcards == 1 and p.action.startswith(("MARKER_", "REGION_"))


@dataclass
class _Scope:
    project: Project
    view: DeviceView
    slots: list[tuple[int, Track, int]]  # (slot, track, REAPER number) of the bank
    device: tuple[Track, int] | None  # the device track and its number
    peaks: Peaks
    _receives: dict[str, list[tuple[Track, Send]]] | None = None

    def receives(self, track: Track) -> list[tuple[Track, Send]]:
        """Sends that target ``track`` (source, send), in track order; the map is built once per state."""
        if self._receives is None:
            self._receives = {}
            for t in self.project.tracks:
                for snd in t.sends:
                    self._receives.setdefault(snd.dest, []).append((t, snd))
        return self._receives.get(track.guid, [])

    def targets(self, p: FeedbackPattern) -> list[tuple[tuple[int, ...], Track, int]]:
        if p.action.startswith("MASTER_"):
            return [((), self.project.master, 0)]
        if p.scoped:
            return [((slot,), t, n) for slot, t, n in self.slots]
        return [((), self.device[0], self.device[1])] if self.device is not None else []


def feedback_state(
    project: Project, patterns: PatternSet | list[FeedbackPattern], view: DeviceView,
    *, only_tracks: set[int] | None = None, peaks: Peaks | None = None,
) -> State:
    """Every feedback address the device should currently show, with its value (file order).

    ``only_tracks`` (REAPER track numbers) limits the track part to those tracks and skips the marker/region
    lists and device selection flags: the cheap partial state after a change known to touch only them (transport
    values and meters are always in). ``peaks`` are the meters' latest readings (none: silence).
    """
    compiled = compile_feedback(patterns) if isinstance(patterns, PatternSet) else patterns
    out: State = {}
    slots: list[tuple[int, Track, int]] = []
    for slot in range(1, view.track_count + 1):
        number = view.bank_start + slot
        if number > len(project.tracks):
            break
        if only_tracks is None or number in only_tracks:
            slots.append((slot, project.tracks[number - 1], number))
    device = None
    track = device_track(view, project)
    if track is not None and (only_tracks is None or view.device_track in only_tracks):
        device = (track, view.device_track)
    scope = _Scope(project, view, slots, device, peaks or {})
    vu_scope = scope
    if only_tracks is not None:  # the meters are polled: always in, whichever tracks were touched
        every = [(s, project.tracks[n - 1], n) for s in range(1, view.track_count + 1)
                 if (n := view.bank_start + s) <= len(project.tracks)]
        vu_scope = _Scope(project, view, every, (track, view.device_track) if track is not None else None,
                          scope.peaks)
    has_sends = ABSENT_SEND_SLOTS or any(t.sends for t in project.tracks)
    for p in compiled:
        if p.action in _SEND_ACTIONS and not has_sends:
            continue
        if p.action in VU_ACTIONS:
            _vu_state(out, p, vu_scope)
        elif only_tracks is not None and p.wildcards == 1 and p.action.startswith(
            ("MARKER_", "REGION_", "DEVICE_")
        ):
            continue
        else:
            _pattern_state(out, p, scope)
    return out


def _pattern_state(out: State, p: FeedbackPattern, scope: _Scope) -> None:
    action, flag, view = p.action, p.flag, scope.view
    if action in TRACK_VALUES:
        for prefix, track, number in scope.targets(p):
            value = TRACK_VALUES[action](flag, track, number)
            if value is not None:
                out[p.build(*prefix)] = value
        return
    if action in _SEND_ACTIONS:
        for prefix, track, number in scope.targets(p):
            _send_state(out, p, scope, prefix, track, number)
        return
    rest = p.wildcards - p.scoped
    if action in FX_VALUES and rest == 0:  # the device FX
        if scope.device is not None:
            fx_list = scope.device[0].fx
            fx = fx_list[view.device_fx] if view.device_fx < len(fx_list) else None
            value = FX_VALUES[action](flag, fx, view.device_fx + 1)
            if value is not None:
                out[p.build()] = value
        return
    if action in FX_VALUES or action in ("FX_PARAM_VALUE", "FX_PARAM_NAME"):
        offset = (view.fx_param_bank - 1) * view.fx_param_count
        if action not in FX_VALUES and rest == 1:  # parameters of the device FX
            if scope.device is not None and view.device_fx < len(scope.device[0].fx):
                _params(out, p, scope.device[0].fx[view.device_fx], (), offset, view.fx_param_count)
            return
        for prefix, track, _n in scope.targets(p):
            for fx_no, fx in enumerate(track.fx[: view.fx_count], start=1):
                if action in FX_VALUES:
                    value = FX_VALUES[action](flag, fx, fx_no)
                    if value is not None:
                        out[p.build(*prefix, fx_no)] = value
                else:
                    _params(out, p, fx, (*prefix, fx_no), offset, view.fx_param_count)
        return
    if action in ("DEVICE_TRACK_SELECT", "DEVICE_FX_SELECT"):
        if action == "DEVICE_TRACK_SELECT":
            for slot in range(1, view.track_count + 1):
                out[p.build(slot)] = bit(view.bank_start + slot == view.device_track)
        else:
            n_fx = len(scope.device[0].fx) if scope.device is not None else 0
            for slot in range(1, view.fx_count + 1):
                out[p.build(slot)] = bit(n_fx > 0 and slot - 1 == view.device_fx)
        return
    if p.wildcards == 0:
        value = _global_value(action, flag, scope.project, view)
        if value is not None:
            out[p.build()] = value
        return
    if p.wildcards == 1 and action.startswith(("MARKER_", "REGION_")):
        region = action.startswith("REGION_")
        count, bank = (view.region_count, view.region_bank) if region else (view.marker_count, view.marker_bank)
        project = scope.project
        items = project.timeline_regions() if region else project.timeline_markers()
        for slot in range(1, count + 1):
            index = (bank - 1) * count + slot - 1
            value = _marker_value(action, flag, items[index] if index < len(items) else None)
            if value is not None:
                out[p.build(slot)] = value


def _params(out: State, p: FeedbackPattern, fx: Fx, prefix: tuple[int, ...], offset: int, count: int) -> None:
    for slot in range(1, count + 1):
        value = _fx_param(p.flag, p.action, fx, offset + slot)
        if value is None:
            break
        out[p.build(*prefix, slot)] = value


def _send_state(
    out: State, p: FeedbackPattern, scope: _Scope, prefix: tuple[int, ...], track: Track, number: int,
) -> None:
    receive = "_RECV_" in p.action
    if receive and number == 0:
        return  # the master has no receives (csurf_osc: ``if (tidx)``)
    project, view = scope.project, scope.view
    pairs: list[tuple[str, Send]]
    if receive:
        pairs = [(s.name, snd) for s, snd in scope.receives(track)]
        count, placeholder = view.receive_count, "Recv {}"
    else:
        pairs = [(project.send_name(snd), snd) for snd in track.sends]
        count, placeholder = view.send_count, "Aux {}" if number == 0 else "Send {}"
    kind, flag = p.action.rsplit("_", 1)[1], p.flag
    if not ABSENT_SEND_SLOTS:
        count = min(count, len(pairs))
    for slot in range(1, count + 1):
        name, snd = pairs[slot - 1] if slot <= len(pairs) else ("", None)
        if kind == "NAME":
            value: tuple[Arg, ...] | None = (
                (truncate_utf8(name, NAME_MAX_BYTES) or placeholder.format(slot),) if flag == "s" else None)
        elif kind == "VOLUME":
            value = volume_args(flag, snd.volume_db if snd is not None else -math.inf) if flag in "ns" else None
        else:
            value = pan_args(flag, snd.pan if snd is not None else 0.0) if flag in "ns" else None
        if value is not None:
            out[p.build(*prefix, slot)] = value


def _vu_state(out: State, p: FeedbackPattern, scope: _Scope) -> None:
    side = p.action.rsplit("_", 1)[1]
    for prefix, _track, number in scope.targets(p):
        left, right = scope.peaks.get(number, (0.0, 0.0))
        peak = left if side == "L" else right if side == "R" else (left + right) / 2.0
        out[p.build(*prefix)] = (vu(peak),)


def _marker_value(action: str, flag: str, m: Marker | None) -> tuple[Arg, ...] | None:
    kind = action.split("_", 1)[1]
    if kind == "NAME" and flag == "s":
        return (m.name if m else "",)
    if kind == "NUMBER" and flag == "s":
        return (str(m.number) if m else "",)
    if kind == "TIME" and flag == "f":
        return (m.time_s if m else 0.0,)
    if kind == "LENGTH" and flag == "f":
        return ((m.end_s or m.time_s) - m.time_s if m else 0.0,)
    return None


def _last(items: list[Marker], position_s: float) -> Marker | None:
    before = [m for m in items if m.time_s <= position_s + 1e-9]
    return before[-1] if before else None


_BITS: dict[str, Callable[[Project, DeviceView], bool]] = {
    "PLAY": lambda p, v: p.playing and not p.paused,
    "STOP": lambda p, v: not p.playing and not p.recording and not p.paused,
    "PAUSE": lambda p, v: p.paused,
    "RECORD": lambda p, v: p.recording,
    "REPEAT": lambda p, v: p.repeat,
    "METRONOME": lambda p, v: p.metronome,
    "AUTO_REC_ARM": lambda p, v: p.auto_recarm,
    "REWIND_FORWARD_BYMARKER": lambda p, v: v.altnav == 1,
    "REWIND_FORWARD_SETLOOP": lambda p, v: v.altnav == 2,
    "ANY_SOLO": lambda p, v: p.any_solo(),  # a scan of every track: only computed for this action
}


def _global_value(action: str, flag: str, project: Project, view: DeviceView) -> tuple[Arg, ...] | None:
    master = project.master
    state = _BITS.get(action)
    if state is not None:
        return bit(state(project, view)) if flag in "bt" else None
    if action == "MASTER_VOLUME":
        return volume_args(flag, master.volume_db) if flag in "nfs" else None
    if action == "MASTER_PAN":
        return pan_args(flag, master.pan, centre="C") if flag in "ns" else None
    if action == "TIME":
        return (project.position_s,) if flag == "f" else (time_str(project.position_s),) if flag == "s" else None
    if action in ("LOOP_START_TIME", "LOOP_END_TIME") and flag == "f":
        value = project.loop_start_s if action == "LOOP_START_TIME" else project.loop_end_s
        return (value if value is not None else 0.0,)
    if action == "TEMPO":
        return (project.tempo_bpm,) if flag == "f" else (f"{project.tempo_bpm:.2f}",) if flag == "s" else None
    if action == "DEVICE_FX_PARAM_BANK_SELECT":
        return (str(view.fx_param_bank),) if flag == "s" else None
    if action.startswith(("LAST_MARKER_", "LAST_REGION_")):
        region = action.startswith("LAST_REGION_")
        items = project.timeline_regions() if region else project.timeline_markers()
        return _marker_value(action.removeprefix("LAST_"), flag, _last(items, project.position_s))
    return None

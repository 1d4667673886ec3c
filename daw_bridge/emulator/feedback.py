"""What REAPER's OSC surface reports: the current value of every feedback address for one device.

:func:`feedback_state` walks the loaded pattern file and builds, for each feedback pattern the emulator models,
``address -> args`` from the project and the device's view (bank, counts, selected track). The surface diffs this
against its per-address cache to send only changes. Nothing here writes an address by hand: every address comes
from a :class:`~daw_bridge.osc.patterns.Pattern` of the file.

Formats we chose where REAPER's depend on user preferences: volume strings ``-6.02dB`` / ``-inf dB``, pan strings
``center`` / ``25%L``, time strings ``m:ss.mmm``; silence is reported as -150 dB in ``f`` volume feedback.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..osc.codec import Arg
from ..osc.patterns import PatternSet
from ..reaper.fader import FLOOR_DB, db_to_slider
from ..units import pan_to_normalized
from .project import Fx, Marker, Project, Track

State = dict[str, tuple[Arg, ...]]

#: Flags that produce feedback (``r`` never does, ``i`` patterns are device-to-REAPER only).
FEEDBACK_FLAGS = frozenset("nfbts")


@dataclass
class DeviceView:
    """The device's view of the project, as csurf_osc keeps it per device."""

    track_count: int = 8
    bank: int = 1
    fx_count: int = 8
    fx_param_count: int = 16
    fx_param_bank: int = 1
    marker_count: int = 0
    marker_bank: int = 1
    region_count: int = 0
    region_bank: int = 1
    device_track: int | None = None  # REAPER track number selected on the device (None: none)

    @property
    def bank_start(self) -> int:
        """Tracks before the bank: slot @ addresses REAPER track ``bank_start + @``."""
        return (self.bank - 1) * self.track_count


def volume_str(volume_db: float) -> str:
    return "-inf dB" if volume_db <= FLOOR_DB else f"{volume_db:+.2f}dB"


def pan_str(pan: float) -> str:
    pct = round(abs(pan) * 100)
    return "center" if pct == 0 else f"{pct}%{'L' if pan < 0 else 'R'}"


def time_str(time_s: float) -> str:
    minutes, seconds = divmod(max(0.0, time_s), 60.0)
    return f"{int(minutes)}:{seconds:06.3f}"


def _db(volume_db: float) -> float:
    return FLOOR_DB if volume_db <= FLOOR_DB or math.isinf(volume_db) else volume_db


def _volume(flag: str, volume_db: float) -> tuple[Arg, ...]:
    if flag == "n":
        return (db_to_slider(volume_db),)
    if flag == "f":
        return (_db(volume_db),)
    return (volume_str(volume_db),)


def _pan(flag: str, pan: float) -> tuple[Arg, ...]:
    return (pan_to_normalized(pan),) if flag == "n" else (pan_str(pan),)


def _bit(value: bool) -> tuple[Arg, ...]:
    return (1 if value else 0,)


TrackValue = Callable[[str, Track, int], tuple[Arg, ...] | None]

#: Track-scoped actions: (flag, track, number) -> args, or None when the flag has no meaning for it.
TRACK_VALUES: dict[str, TrackValue] = {
    "TRACK_NAME": lambda flag, t, n: (t.name,) if flag == "s" else None,
    "TRACK_NUMBER": lambda flag, t, n: (str(n),) if flag == "s" else None,
    "TRACK_MUTE": lambda flag, t, n: _bit(t.mute) if flag in "bt" else None,
    "TRACK_SOLO": lambda flag, t, n: _bit(t.solo) if flag in "bt" else None,
    "TRACK_REC_ARM": lambda flag, t, n: _bit(t.rec_arm) if flag in "bt" else None,
    "TRACK_SELECT": lambda flag, t, n: _bit(t.selected) if flag in "bt" else None,
    "TRACK_VOLUME": lambda flag, t, n: _volume(flag, t.volume_db) if flag in "nfs" else None,
    "TRACK_PAN": lambda flag, t, n: _pan(flag, t.pan) if flag in "ns" else None,
}

FxValue = Callable[[str, Fx, int], tuple[Arg, ...] | None]

#: FX-scoped actions: (flag, fx, 1-based fx number) -> args.
FX_VALUES: dict[str, FxValue] = {
    "FX_NAME": lambda flag, f, n: (f.name,) if flag == "s" else None,
    "FX_NUMBER": lambda flag, f, n: (str(n),) if flag == "s" else None,
    "FX_BYPASS": lambda flag, f, n: _bit(f.enabled) if flag in "bt" else None,
}


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
    return out


def _can_produce(p: FeedbackPattern) -> bool:
    """False for patterns whose action/flag/wildcard shape never yields a value here (scroll and zoom buttons,
    VU meters, automation modes, FX EQ/instrument addresses …): skipping them keeps the per-message diff small."""
    rest = p.wildcards - p.scoped
    if p.action in TRACK_VALUES:
        return p.wildcards == p.scoped
    if p.action in FX_VALUES:
        return rest == 1
    if p.action in ("FX_PARAM_VALUE", "FX_PARAM_NAME"):
        return rest == 2
    if p.action.startswith("FX_"):
        return False
    if p.wildcards == 0:  # whether a global has a value depends on its action and flag only, not on the project
        return _global_value(p.action, p.flag, Project()) is not None
    return p.wildcards == 1 and p.action.startswith(("MARKER_", "REGION_"))


def feedback_state(
    project: Project, patterns: PatternSet | list[FeedbackPattern], view: DeviceView,
    *, only_tracks: set[int] | None = None,
) -> State:
    """Every feedback address the device should currently show, with its value (file order).

    ``only_tracks`` (REAPER track numbers) limits the track part to those tracks and skips the marker/region
    lists: the cheap partial state after a change known to touch only them (transport values are always in).
    """
    compiled = compile_feedback(patterns) if isinstance(patterns, PatternSet) else patterns
    out: State = {}
    slots: list[tuple[int, Track, int]] = []  # (slot, track, REAPER number)
    for slot in range(1, view.track_count + 1):
        number = view.bank_start + slot
        if number > len(project.tracks):
            break
        if only_tracks is None or number in only_tracks:
            slots.append((slot, project.tracks[number - 1], number))
    device = None
    if view.device_track is not None and 1 <= view.device_track <= len(project.tracks):
        if only_tracks is None or view.device_track in only_tracks:
            device = (project.tracks[view.device_track - 1], view.device_track)
    for p in compiled:
        if only_tracks is not None and p.wildcards == 1 and p.action.startswith(("MARKER_", "REGION_")):
            continue
        _pattern_state(out, p, project, view, slots, device)
    return out


def _pattern_state(
    out: State, p: FeedbackPattern, project: Project, view: DeviceView,
    slots: list[tuple[int, Track, int]], device: tuple[Track, int] | None,
) -> None:
    action, flag = p.action, p.flag
    scoped = p.scoped
    targets: list[tuple[tuple[int, ...], Track, int]] = []
    if action in TRACK_VALUES or action.startswith("FX_"):
        if scoped:
            targets = [((slot,), t, n) for slot, t, n in slots]
        elif device is not None:
            targets = [((), device[0], device[1])]
    if action in TRACK_VALUES:
        if p.wildcards != scoped:
            return
        for prefix, track, number in targets:
            value = TRACK_VALUES[action](flag, track, number)
            if value is not None:
                out[p.build(*prefix)] = value
        return
    if action in FX_VALUES or action in ("FX_PARAM_VALUE", "FX_PARAM_NAME"):
        rest = p.wildcards - scoped
        for prefix, track, _n in targets:
            for fx_no, fx in enumerate(track.fx[: view.fx_count], start=1):
                if action in FX_VALUES and rest == 1:
                    value = FX_VALUES[action](flag, fx, fx_no)
                    if value is not None:
                        out[p.build(*prefix, fx_no)] = value
                elif rest == 2:
                    offset = (view.fx_param_bank - 1) * view.fx_param_count
                    for slot in range(1, view.fx_param_count + 1):
                        value = _fx_param(flag, action, fx, offset + slot)
                        if value is None:
                            break
                        out[p.build(*prefix, fx_no, slot)] = value
        return
    if p.wildcards == 0:
        value = _global_value(action, flag, project)
        if value is not None:
            out[p.build()] = value
        return
    if p.wildcards == 1 and action.startswith(("MARKER_", "REGION_")):
        region = action.startswith("REGION_")
        count, bank = (view.region_count, view.region_bank) if region else (view.marker_count, view.marker_bank)
        items = project.timeline_regions() if region else project.timeline_markers()
        for slot in range(1, count + 1):
            index = (bank - 1) * count + slot - 1
            value = _marker_value(action, flag, items[index] if index < len(items) else None)
            if value is not None:
                out[p.build(slot)] = value


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


_BITS: dict[str, Callable[[Project], bool]] = {
    "PLAY": lambda p: p.playing and not p.paused,
    "STOP": lambda p: not p.playing and not p.recording and not p.paused,
    "PAUSE": lambda p: p.paused,
    "RECORD": lambda p: p.recording,
    "REPEAT": lambda p: p.repeat,
    "METRONOME": lambda p: p.metronome,
    "ANY_SOLO": lambda p: p.any_solo(),  # a scan of every track: only computed for this action
}


def _global_value(action: str, flag: str, project: Project) -> tuple[Arg, ...] | None:
    master = project.master
    bit = _BITS.get(action)
    if bit is not None:
        return _bit(bit(project)) if flag in "bt" else None
    if action == "MASTER_VOLUME":
        return _volume(flag, master.volume_db) if flag in "nfs" else None
    if action == "MASTER_PAN":
        return _pan(flag, master.pan) if flag in "ns" else None
    if action == "TIME":
        return (project.position_s,) if flag == "f" else (time_str(project.position_s),) if flag == "s" else None
    if action in ("LOOP_START_TIME", "LOOP_END_TIME") and flag == "f":
        value = project.loop_start_s if action == "LOOP_START_TIME" else project.loop_end_s
        return (value if value is not None else 0.0,)
    if action == "TEMPO":
        return (project.tempo_bpm,) if flag == "f" else (f"{project.tempo_bpm:.2f}",) if flag == "s" else None
    if action.startswith(("LAST_MARKER_", "LAST_REGION_")):
        region = action.startswith("LAST_REGION_")
        items = project.timeline_regions() if region else project.timeline_markers()
        return _marker_value(action.removeprefix("LAST_"), flag, _last(items, project.position_s))
    return None

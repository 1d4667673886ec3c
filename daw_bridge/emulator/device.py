"""The device's view of the project (csurf_osc keeps one per device) and the ``DEVICE_*`` messages that change it.

Read from ``csurf_osc.cpp`` (``ProcessStateAction``): counts come from an ``i`` argument (an ``f`` one is taken too)
or a ``t/.../@`` target; selections from an ``i`` argument or a target. Track-bank, marker-bank and region-bank
selection clamp to what exists; ``/device/track/select N`` makes track ``bank start + N`` (0 = the master when
the bank starts at 0) the device track, clamped to the last track; ``/device/track/+``/``-`` step it through the
master and wrap; ``/device/fx/select N`` picks FX N of the device track, ``/device/fx/+``/``-`` step and wrap.

Bounds (ours, not REAPER's): REAPER stores any count a device sends; the emulator caps each at
:data:`COUNT_LIMITS` so that one datagram (``/device/marker/count 2000000``) cannot make a dump unbounded.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..osc.codec import Arg
from ..osc.patterns import Match
from .project import Fx, Project, Track

#: Upper bound of each device count (REAPER has none; one datagram must not make a dump unbounded).
COUNT_LIMITS: dict[str, int] = {
    "DEVICE_TRACK_COUNT": 1024,
    "DEVICE_SEND_COUNT": 64,
    "DEVICE_RECEIVE_COUNT": 64,
    "DEVICE_FX_COUNT": 128,
    "DEVICE_FX_PARAM_COUNT": 1024,
    "DEVICE_FX_INST_PARAM_COUNT": 1024,
    "DEVICE_MARKER_COUNT": 256,
    "DEVICE_REGION_COUNT": 256,
}
#: csurf_osc's defaults when the pattern file does not set a count.
DEFAULT_COUNTS: dict[str, int] = {
    "DEVICE_TRACK_COUNT": 8, "DEVICE_SEND_COUNT": 4, "DEVICE_RECEIVE_COUNT": 4, "DEVICE_FX_COUNT": 8,
    "DEVICE_FX_PARAM_COUNT": 16, "DEVICE_FX_INST_PARAM_COUNT": 16, "DEVICE_MARKER_COUNT": 0,
    "DEVICE_REGION_COUNT": 0,
}  # fmt: skip
_FIELDS: dict[str, str] = {
    "DEVICE_TRACK_COUNT": "track_count", "DEVICE_SEND_COUNT": "send_count", "DEVICE_RECEIVE_COUNT": "receive_count",
    "DEVICE_FX_COUNT": "fx_count", "DEVICE_FX_PARAM_COUNT": "fx_param_count",
    "DEVICE_FX_INST_PARAM_COUNT": "fx_inst_param_count", "DEVICE_MARKER_COUNT": "marker_count",
    "DEVICE_REGION_COUNT": "region_count",
}  # fmt: skip


def bound_count(key: str, value: int) -> int:
    """``value`` limited to 0..COUNT_LIMITS[key]."""
    return max(0, min(COUNT_LIMITS[key], value))


@dataclass
class DeviceView:
    """The device's view of the project, as csurf_osc keeps it per device."""

    track_count: int = 8  # DEVICE_TRACK_COUNT: tracks per bank
    bank: int = 1  # 1-based track bank
    send_count: int = 4  # DEVICE_SEND_COUNT
    receive_count: int = 4  # DEVICE_RECEIVE_COUNT
    fx_count: int = 8  # DEVICE_FX_COUNT: FX reported per track
    fx_param_count: int = 16  # DEVICE_FX_PARAM_COUNT: parameters per FX-parameter bank
    fx_inst_param_count: int = 16  # DEVICE_FX_INST_PARAM_COUNT (kept, instrument addresses are not modelled)
    fx_param_bank: int = 1  # 1-based FX-parameter bank
    marker_count: int = 0  # DEVICE_MARKER_COUNT: 0 = no marker list feedback
    marker_bank: int = 1
    region_count: int = 0  # DEVICE_REGION_COUNT
    region_bank: int = 1
    device_track: int = 0  # REAPER track number of the device track; 0 = the master (csurf_osc's start value)
    device_fx: int = 0  # 0-based FX of the device track
    altnav: int = 0  # rewind/forward mode: 0 scrub, 1 by marker (/bymarker), 2 move loop points (/editloop)

    @property
    def bank_start(self) -> int:
        """Tracks before the bank: slot @ addresses REAPER track ``bank_start + @``."""
        return (self.bank - 1) * self.track_count


class Change(enum.Enum):
    """What a device message changed: nothing, the device track/FX (send what differs), or banks (full dump)."""

    NONE = 0
    STATE = 1
    DUMP = 2


def _int_arg(args: tuple[Arg, ...], *, floats: bool) -> int | None:
    if not args:
        return None
    a = args[0]
    if isinstance(a, int) or (floats and isinstance(a, float)):
        return int(a)
    return None


def _value(m: Match, args: tuple[Arg, ...], *, floats: bool) -> int | None:
    """The message's value: an ``i`` argument, or the target of a triggered ``t/.../@`` pattern."""
    if m.flag == "i":
        return _int_arg(args, floats=floats)
    if m.targets and isinstance(m.targets[0], int) and _triggered(m.flag, args):
        return m.targets[0]
    return None


def _triggered(flag: str, args: tuple[Arg, ...]) -> bool:
    """csurf_osc's TriggerMessage > 0: ``t`` with no argument or 1, ``b`` with 1."""
    value = args[0] if args else None
    if isinstance(value, str):
        return False
    if flag == "t":
        return value is None or value == 1
    return flag == "b" and value == 1


def _clamp_bank(bank: int, size: int, count: int) -> int:
    """1-based bank ``bank`` clamped as csurf_osc clamps its bank start: within the items that exist."""
    if size <= 0:
        return 1
    start = min(max(0, (bank - 1) * size), max(0, count - 1))
    return start // size + 1


def apply_device(view: DeviceView, project: Project, m: Match, args: tuple[Arg, ...]) -> Change:
    """Apply one ``DEVICE_*`` message to ``view``."""
    action = m.action
    n_tracks = len(project.tracks)
    if action in _FIELDS:
        value = _value(m, args, floats=True)
        if value is None or value < 0:
            return Change.NONE
        setattr(view, _FIELDS[action], bound_count(action, value))
        return Change.DUMP
    if action in ("DEVICE_PREV_TRACK", "DEVICE_NEXT_TRACK"):
        if not _triggered(m.flag, args):
            return Change.NONE
        track = view.device_track + (1 if action == "DEVICE_NEXT_TRACK" else -1)
        view.device_track = n_tracks if track < 0 else 0 if track > n_tracks else track
        return Change.STATE
    if action in ("DEVICE_PREV_FX", "DEVICE_NEXT_FX"):
        if not _triggered(m.flag, args):
            return Change.NONE
        n_fx = len(_device_fx_list(view, project))
        fx = view.device_fx + (1 if action == "DEVICE_NEXT_FX" else -1)
        view.device_fx = max(0, n_fx - 1) if fx < 0 else 0 if fx >= n_fx else fx
        return Change.STATE
    if action in ("DEVICE_PREV_TRACK_BANK", "DEVICE_NEXT_TRACK_BANK"):
        if not _triggered(m.flag, args) or view.track_count <= 0:
            return Change.NONE
        step = 1 if action == "DEVICE_NEXT_TRACK_BANK" else -1
        start = view.bank_start + step * view.track_count
        if start < 0:
            start = max(0, n_tracks - 1)  # csurf_osc wraps to the last bank
        elif start >= n_tracks:
            start = 0
        view.bank = start // view.track_count + 1
        return Change.DUMP
    if not action.endswith("_SELECT"):
        return Change.NONE
    value = _value(m, args, floats=False)
    if value is None or value < 0:
        return Change.NONE
    if action == "DEVICE_TRACK_SELECT":
        view.device_track = min(max(0, view.bank_start + value), n_tracks)
        return Change.STATE
    if action == "DEVICE_FX_SELECT":
        n_fx = len(_device_fx_list(view, project))
        view.device_fx = max(0, value - 1) if value - 1 < n_fx else 0
        return Change.STATE
    if action == "DEVICE_TRACK_BANK_SELECT":
        view.bank = _clamp_bank(value, view.track_count, n_tracks)
    elif action == "DEVICE_FX_PARAM_BANK_SELECT":
        fx_list = _device_fx_list(view, project)
        n_params = len(fx_list[view.device_fx].numeric_params()) if view.device_fx < len(fx_list) else 0
        view.fx_param_bank = _clamp_bank(value, view.fx_param_count, n_params)
    elif action == "DEVICE_MARKER_BANK_SELECT":
        view.marker_bank = _clamp_bank(value, view.marker_count, len(project.timeline_markers()))
    elif action == "DEVICE_REGION_BANK_SELECT":
        view.region_bank = _clamp_bank(value, view.region_count, len(project.timeline_regions()))
    else:
        return Change.NONE
    return Change.DUMP


def _device_fx_list(view: DeviceView, project: Project) -> list[Fx]:
    track = device_track(view, project)
    return track.fx if track is not None else []


def device_track(view: DeviceView, project: Project) -> Track | None:
    """The device track (the master for 0), or None when its number is past the last track."""
    if view.device_track == 0:
        return project.master
    if 1 <= view.device_track <= len(project.tracks):
        return project.tracks[view.device_track - 1]
    return None

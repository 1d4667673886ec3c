"""What each routed OSC message does to the project, as csurf_osc's ``Process*Action`` functions do it.

A handler takes ``(surface, match, targets, argument)``: targets are the ``@`` values of one expansion of a
comma-list message, in address order. Read from ``csurf_osc.cpp``: ``b`` messages set (1/0), ``t`` messages toggle
(no argument or 1); a ``/track/@`` slot is ``bank start + @`` (``/track/0`` the master only while the bank starts at
0), addresses without a track slot act on the device track, and ``/fx/...`` without an FX number on the device FX;
send/receive slot 0 is taken as slot 1, as REAPER does; ``/bymarker`` and ``/editloop`` switch what rewind/forward
do (by marker: previous/next marker, actions 40172/40173); ``/autorecarm`` toggles action 40740.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..osc.codec import Arg
from ..osc.patterns import Match
from ..reaper.fader import FLOOR_DB, slider_to_db
from ..units import normalized_to_pan
from .device import device_track
from .presets import load_preset, step_preset
from .project import Fx, Marker, Project, Send, Track, clamp_pan

if TYPE_CHECKING:
    from .surface import Surface

Targets = tuple[int | str, ...]
Handler = Callable[["Surface", Match, Targets, Arg | None], None]

#: Highest track volume accepted, in dB (ours: REAPER's limit is not in the public source; a device sending
#: ``/track/1/volume/db 3e38`` must not make every render and meter overflow).
MAX_VOLUME_DB = 24.0
#: Most markers and regions devices may create in a project (ours: REAPER has no limit, but a flood of
#: ``/marker_id/N/name`` datagrams must not grow the project, and every feedback diff, without bound).
MAX_MARKERS = 10_000
#: Largest marker/region number a device may address (REAPER reads it with ``atoi``: an int32).
MAX_MARKER_NUMBER = 2**31 - 1
_TIME_STR = re.compile(r"^\s*(?:(\d+):)?(\d+(?:\.\d*)?)\s*$")


def on(arg: Arg | None) -> bool:
    """A numeric argument above 0 (strings are not: REAPER reads only numbers here)."""
    return isinstance(arg, int | float) and float(arg) > 0.0


def toggle_or_set(m: Match, arg: Arg | None, current: bool) -> bool | None:
    """New value of a ``b``/``t`` switch: ``t`` toggles (no argument or > 0), ``b`` sets; None: leave it."""
    if m.flag == "t":
        return (not current) if arg is None or on(arg) else None
    return on(arg) if isinstance(arg, int | float) else None


def run_action(project: Project, command: int) -> bool:
    """Run one of the modelled main-section actions; True when it asks for a surface refresh (41743)."""
    if command == 41743:
        return True
    if command == 1007:
        project.playing, project.paused = True, False
    elif command == 1016:
        project.playing = project.paused = project.recording = False
    elif command in (40044, 40073):
        if project.playing and not project.paused:
            project.playing = command == 40073
            project.paused = command == 40073
            project.recording = False
        else:
            project.playing, project.paused = True, False
    elif command == 1008:
        if project.playing or project.paused:
            project.paused = not project.paused
            project.playing = True
    elif command == 1013:
        project.recording = not project.recording
        project.playing = project.playing or project.recording
    elif command == 1068:
        project.repeat = not project.repeat
    elif command == 40042:
        project.position_s = 0.0
    elif command in (40172, 40173):
        _step_marker(project, -1 if command == 40172 else 1)
    elif command == 40339:
        for t in project.tracks:
            t.mute = False
    elif command == 40340:
        for t in project.tracks:
            t.solo = False
    elif command == 40740:
        project.auto_recarm = not project.auto_recarm
    return False


def _step_marker(project: Project, direction: int) -> None:
    times = sorted({m.time_s for m in project.markers})
    pos = project.position_s
    if direction > 0:
        later = [t for t in times if t > pos + 1e-9]
        if later:
            project.position_s = later[0]
    else:
        earlier = [t for t in times if t < pos - 1e-9]
        project.position_s = earlier[-1] if earlier else 0.0


# ---- targets --------------------------------------------------------------------------------------
def track_of(s: Surface, m: Match, targets: Targets) -> tuple[Track | None, Targets]:
    """The track a message addresses and the targets after its slot."""
    segs = m.pattern.segments
    if len(segs) >= 2 and segs[0] == "track" and segs[1] == "@":
        slot = int(targets[0])
        if slot == 0:
            return (s.project.master if s.view.bank_start == 0 else None), targets[1:]
        number = s.view.bank_start + slot
        return (s.project.tracks[number - 1] if number <= len(s.project.tracks) else None), targets[1:]
    if segs and segs[0] == "master":
        return s.project.master, targets
    return device_track(s.view, s.project), targets


def _fx_of(s: Surface, m: Match, targets: Targets) -> tuple[Track | None, Fx | None, list[int]]:
    """(track, fx, remaining integer targets): ``fx/@`` names the FX, else the device FX."""
    track, rest = track_of(s, m, targets)
    if track is None:
        return None, None, []
    segs = [x for x in m.pattern.segments if not (x == "track")]
    numbers = [int(t) for t in rest]
    if "fx" in segs and segs.index("fx") + 1 < len(segs) and segs[segs.index("fx") + 1] == "@":
        index, numbers = numbers[0] - 1, numbers[1:]
    else:
        index = s.view.device_fx
    fx = track.fx[index] if 0 <= index < len(track.fx) else None
    return track, fx, numbers


# ---- tracks ----------------------------------------------------------------------------------------
def set_track_bool(attr: str) -> Handler:
    def handler(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
        track, _ = track_of(s, m, targets)
        if track is not None and not (attr == "rec_arm" and track is s.project.master):
            _switch(s, m, arg, track, track, attr)
    return handler


def _switch(s: Surface, m: Match, arg: Arg | None, track: Track, owner: Track | Fx, attr: str) -> None:
    """Set (``b``) or toggle (``t``) the switch ``owner.attr`` and note that ``track`` changed."""
    value = toggle_or_set(m, arg, bool(getattr(owner, attr)))
    if value is not None:
        setattr(owner, attr, value)
        s.touch(track)


def volume(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
    track, _ = track_of(s, m, targets)
    if track is None or not isinstance(arg, int | float) or m.flag not in "nf":
        return
    value = slider_to_db(float(arg)) if m.flag == "n" else float(arg)
    track.volume_db = -math.inf if value <= FLOOR_DB else min(value, MAX_VOLUME_DB)
    s.touch(track)


def pan(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
    track, _ = track_of(s, m, targets)
    if track is not None and isinstance(arg, int | float) and m.flag == "n":
        track.pan = clamp_pan(normalized_to_pan(float(arg)))
        s.touch(track)


def name(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
    track, _ = track_of(s, m, targets)
    if track is not None and track is not s.project.master and isinstance(arg, str):
        track.name = arg
        s.touch(track)


# ---- sends and receives --------------------------------------------------------------------------------
def send(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
    """``TRACK_SEND_*``/``TRACK_RECV_*`` volume and pan (``n``: fader position / 0..1 pan)."""
    track, rest = track_of(s, m, targets)
    if track is None or not rest or not isinstance(arg, int | float) or m.flag != "n":
        return
    index = max(0, int(rest[-1]) - 1)  # csurf_osc: ``if (sidx) --sidx``
    pairs: list[tuple[Track, Send]]
    if "_RECV_" in m.action:
        pairs = s.project.receives_of(track)
    else:
        pairs = [(track, snd) for snd in track.sends]
    if index >= len(pairs):
        return
    source, snd = pairs[index]
    if m.action.endswith("_VOLUME"):
        db = slider_to_db(float(arg))
        snd.volume_db = -math.inf if db <= FLOOR_DB else db
    else:
        snd.pan = clamp_pan(normalized_to_pan(float(arg)))
    s.touch(source)
    dest = s.project.by_guid(snd.dest)
    if dest is not None:
        s.touch(dest)


# ---- FX ----------------------------------------------------------------------------------------------
def fx_switch(attr: str) -> Handler:
    """``FX_BYPASS`` (1 = enabled) and ``FX_OPEN_UI``: ``b`` sets, ``t`` toggles."""
    def handler(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
        track, fx, _ = _fx_of(s, m, targets)
        if track is not None and fx is not None:
            _switch(s, m, arg, track, fx, attr)
    return handler


def fx_preset(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
    """``FX_PRESET`` loads a preset by name; ``FX_PREV_PRESET``/``FX_NEXT_PRESET`` step the list."""
    track, fx, _ = _fx_of(s, m, targets)
    if track is None or fx is None:
        return
    if m.action == "FX_PRESET":
        changed = isinstance(arg, str) and bool(arg) and load_preset(fx, arg)
    elif m.flag == "t" and (arg is None or on(arg)):
        changed = step_preset(fx, -1 if m.action == "FX_PREV_PRESET" else 1)
    else:
        changed = False
    if changed:
        s.touch(track)


def fx_param(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
    track, fx, rest = _fx_of(s, m, targets)
    if track is None or fx is None or len(rest) != 1 or not isinstance(arg, int | float) or m.flag != "n":
        return
    names = fx.numeric_params()
    index = (s.view.fx_param_bank - 1) * s.view.fx_param_count + rest[0]
    if 1 <= index <= len(names):
        fx.set_normalized(names[index - 1], float(arg))
        s.touch(track)


# ---- transport, time, markers ----------------------------------------------------------------------
def transport(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
    if arg is not None and not on(arg):
        return  # trigger released
    command = {"PLAY": 1007, "STOP": 1016, "PAUSE": 1008, "RECORD": 1013, "REPEAT": 1068,
               "SOLO_RESET": 40340, "AUTO_REC_ARM": 40740}.get(m.action)
    if command is not None:
        run_action(s.project, command)
    elif m.action == "METRONOME":
        s.project.metronome = not s.project.metronome


def nav_mode(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
    """``/bymarker`` (mode 1) and ``/editloop`` (mode 2) switch what rewind/forward do."""
    mode = 1 if m.action == "REWIND_FORWARD_BYMARKER" else 2
    value = toggle_or_set(m, arg, s.view.altnav == mode)
    if value is not None:
        s.view.altnav = mode if value else 0


def rewind_forward(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
    """In by-marker mode, rewind/forward go to the previous/next marker; scrubbing is not modelled."""
    if s.view.altnav == 1 and (on(arg) or (arg is None and m.flag == "t")):
        run_action(s.project, 40172 if m.action == "REWIND" else 40173)


def time(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
    if m.flag == "s" and m.action == "TIME" and isinstance(arg, str):
        found = _TIME_STR.match(arg)
        if found is None:
            return
        value = 60.0 * float(found.group(1) or 0) + float(found.group(2))
    elif m.flag == "f" and isinstance(arg, int | float):
        value = max(0.0, float(arg))
    else:
        return
    if m.action == "TIME":
        s.project.position_s = value
    elif m.action == "LOOP_START_TIME":
        s.project.loop_start_s = value
    elif m.action == "LOOP_END_TIME":
        s.project.loop_end_s = value
    elif m.action == "TEMPO" and 1.0 <= value <= 960.0:  # REAPER's tempo range
        s.project.tempo_bpm = value


def goto_marker(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
    n = int(targets[0]) if targets else (int(arg) if isinstance(arg, int | float) else 0)
    items = s.project.timeline_regions() if m.action == "GOTO_REGION" else s.project.timeline_markers()
    if 1 <= n <= len(items):
        s.project.position_s = items[n - 1].time_s


def marker_id(s: Surface, m: Match, targets: Targets, arg: Arg | None) -> None:
    """``MARKERID_*`` / ``REGIONID_*``: write by number, creating the marker (no colour) if absent."""
    if not targets or arg is None:
        return
    number = int(targets[0])
    if not 0 <= number <= MAX_MARKER_NUMBER:
        return
    region = m.action.startswith("REGIONID_")
    marker = next((x for x in s.project.markers if x.number == number and x.is_region == region), None)
    if marker is None:
        if len(s.project.markers) >= MAX_MARKERS:
            return
        marker = Marker(number, s.project.position_s, "", None, s.project.position_s + 1.0 if region else None)
        s.project.markers.append(marker)
    if m.action.endswith("_NAME") and isinstance(arg, str):
        marker.name = arg
    elif m.action.endswith("_TIME") and isinstance(arg, int | float):
        length = (marker.end_s - marker.time_s) if marker.end_s is not None else None
        marker.time_s = max(0.0, float(arg))
        if length is not None:
            marker.end_s = marker.time_s + length
    elif m.action.endswith("_LENGTH") and region and isinstance(arg, int | float) and float(arg) > 0:
        marker.end_s = marker.time_s + float(arg)


HANDLERS: dict[str, Handler] = {
    "TRACK_MUTE": set_track_bool("mute"),
    "TRACK_SOLO": set_track_bool("solo"),
    "TRACK_REC_ARM": set_track_bool("rec_arm"),
    "TRACK_SELECT": set_track_bool("selected"),
    "TRACK_VOLUME": volume, "MASTER_VOLUME": volume,
    "TRACK_PAN": pan, "MASTER_PAN": pan,
    "TRACK_NAME": name,
    "TRACK_SEND_VOLUME": send, "TRACK_SEND_PAN": send, "TRACK_RECV_VOLUME": send, "TRACK_RECV_PAN": send,
    "FX_BYPASS": fx_switch("enabled"), "FX_OPEN_UI": fx_switch("open"),
    "FX_PRESET": fx_preset, "FX_PREV_PRESET": fx_preset, "FX_NEXT_PRESET": fx_preset,
    "FX_PARAM_VALUE": fx_param,
    "PLAY": transport, "STOP": transport, "PAUSE": transport, "RECORD": transport, "REPEAT": transport,
    "METRONOME": transport, "SOLO_RESET": transport, "AUTO_REC_ARM": transport,
    "REWIND_FORWARD_BYMARKER": nav_mode, "REWIND_FORWARD_SETLOOP": nav_mode,
    "REWIND": rewind_forward, "FORWARD": rewind_forward,
    "TIME": time, "LOOP_START_TIME": time, "LOOP_END_TIME": time, "TEMPO": time,
    "GOTO_MARKER": goto_marker, "GOTO_REGION": goto_marker,
    "MARKERID_NAME": marker_id, "MARKERID_TIME": marker_id,
    "REGIONID_NAME": marker_id, "REGIONID_TIME": marker_id, "REGIONID_LENGTH": marker_id,
}  # fmt: skip

"""REAPER's OSC control surface (csurf_osc) for one device: routing, device state, feedback rules.

* Every incoming address is routed through the loaded :class:`~daw_bridge.osc.patterns.PatternSet`; addresses the
  file does not know, and actions REAPER would not act on, are ignored (and counted), as REAPER ignores them.
* Device state (bank, track/FX-param/marker/region counts, selected track) starts from the file's ``DEVICE_*``
  settings; the device changes it with the ``DEVICE_*`` patterns, which triggers a full dump.
* Feedback is sent on change: a per-address cache suppresses unchanged values. Anti-echo: a ``n``/``f``/``s``
  message to an address is not echoed (its cache entry takes the new value); ``t``/``b`` messages are (their cache
  entry is cleared). ``r`` patterns never produce feedback.
* Full dump (cache cleared, everything sent) at surface start, on bank/count change and on action 41743.
* Actions: 41743 refresh, the bridge command (handed to ``on_bridge``), transport actions and a few common ones
  (:data:`ACTIONS`); unknown actions are ignored like REAPER.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from ..osc.codec import Arg, Message
from ..osc.patterns import Match, PatternSet, Target
from ..reaper.fader import FLOOR_DB, slider_to_db
from ..units import normalized_to_pan
from .feedback import DeviceView, State, compile_feedback, feedback_state
from .project import Marker, Project, Track, clamp_pan

log = logging.getLogger(__name__)

#: "Control surface: Refresh all surfaces".
ACTION_REFRESH = 41743
#: Action ids the emulator runs (REAPER's main-section command ids).
ACTIONS: dict[int, str] = {
    1007: "Transport: Play",
    1008: "Transport: Pause",
    1013: "Transport: Record",
    1016: "Transport: Stop",
    1068: "Transport: Toggle repeat",
    40042: "Transport: Go to start of project",
    40044: "Transport: Play/stop",
    40073: "Transport: Play/pause",
    40339: "Track: Unmute all tracks",
    40340: "Track: Unsolo all tracks",
    ACTION_REFRESH: "Control surface: Refresh all surfaces",
}


class Surface:
    """One OSC device's surface over ``project``; ``handle(messages) -> feedback messages``."""

    def __init__(
        self, project: Project, patterns: PatternSet, *, bridge_command: str = "_RSdawbridge_bridge",
        on_bridge: Callable[[], object] | None = None,
    ) -> None:
        self.project = project
        self.patterns = patterns
        self.bridge_command = bridge_command
        self.on_bridge = on_bridge
        self.cache: State = {}
        self.feedback_patterns = compile_feedback(patterns)
        self.view = DeviceView()
        self.ignored = 0
        self._dirty: set[int] | None = None
        self.reset()

    def reset(self) -> None:
        """Device state from the pattern file's settings, cache cleared (a surface (re)start)."""
        p = self.patterns
        self.view = DeviceView(
            track_count=max(1, p.track_count),
            fx_count=max(0, p.setting_int("DEVICE_FX_COUNT", 8)),
            fx_param_count=max(1, p.fx_param_count),
            marker_count=max(0, p.marker_count),
            region_count=max(0, p.setting_int("DEVICE_REGION_COUNT", 0)),
        )
        self.cache.clear()

    # ---- feedback -------------------------------------------------------------------------------
    def state(self, only_tracks: set[int] | None = None) -> State:
        """The current feedback state (``only_tracks``: just those tracks plus transport values)."""
        return feedback_state(self.project, self.feedback_patterns, self.view, only_tracks=only_tracks)

    def dump(self) -> list[Message]:
        """Full state dump: cache cleared, every feedback address sent."""
        self.cache.clear()
        return self.changes()

    def changes(self, state: State | None = None, *, only_tracks: set[int] | None = None) -> list[Message]:
        """Feedback for every address whose value differs from the cache; the cache is updated."""
        state = self.state(only_tracks) if state is None else state
        out: list[Message] = []
        for address, args in state.items():
            if self.cache.get(address) != args:
                self.cache[address] = args
                out.append(Message(address, args))
        return out

    # ---- incoming -------------------------------------------------------------------------------
    def handle(self, messages: list[Message]) -> list[Message]:
        """Apply ``messages`` (one datagram) and return the feedback REAPER would send for them."""
        dump = False
        touched: list[tuple[str, str]] = []
        self._dirty = set()  # tracks a message touched; None: anything may have changed
        for msg in messages:
            matches = self.patterns.match(msg.address)
            if not matches:
                self.ignored += 1
                continue
            match = _pick(matches, msg.args)
            touched.append((msg.address, match.flag))
            try:
                dump = self._apply(match, msg.args) or dump
            except (ValueError, TypeError, IndexError) as exc:  # bad argument: REAPER ignores the message
                log.debug("ignored %s %r: %s", msg.address, msg.args, exc)
                self.ignored += 1
        if dump:
            self.cache.clear()
            self._dirty = None
        state = self.state(self._dirty)
        for address, flag in touched:
            if flag in "tb":
                self.cache.pop(address, None)
            elif address in state:
                self.cache[address] = state[address]
        return self.changes(state)

    def _apply(self, m: Match, args: tuple[Arg, ...]) -> bool:
        """Apply one routed message; True when it asks for a full dump."""
        action = m.action
        if action.startswith("DEVICE_"):
            return self._device(action, m, args)
        if action == "ACTION":
            return self._action(m, args)
        handler = _HANDLERS.get(action)
        if handler is None:
            self.ignored += 1
            return False
        if not action.startswith(("TRACK_", "FX_", "MASTER_")) and self._dirty is not None:
            self._dirty = None  # transport, markers …: take the full state
        for targets, arg in _expand(m.targets, args):
            handler(self, m, targets, arg)
        return False

    def touch(self, track: Track) -> None:
        """Note that a message changed ``track`` (limits the next feedback diff to the touched tracks)."""
        if self._dirty is not None:
            self._dirty.add(self.project.number_of(track) if track is not self.project.master else 0)

    def _device(self, action: str, m: Match, args: tuple[Arg, ...]) -> bool:
        v = self.view
        value = int(float(m.targets[0])) if m.targets and isinstance(m.targets[0], int) else (
            int(float(args[0])) if args else None)
        if action == "DEVICE_TRACK_BANK_SELECT" and value is not None:
            v.bank = max(1, value)
        elif action == "DEVICE_NEXT_TRACK_BANK":
            v.bank += 1
        elif action == "DEVICE_PREV_TRACK_BANK":
            v.bank = max(1, v.bank - 1)
        elif action == "DEVICE_TRACK_COUNT" and value is not None:
            v.track_count = max(1, value)
        elif action == "DEVICE_MARKER_COUNT" and value is not None:
            v.marker_count = max(0, value)
        elif action == "DEVICE_REGION_COUNT" and value is not None:
            v.region_count = max(0, value)
        elif action == "DEVICE_FX_COUNT" and value is not None:
            v.fx_count = max(0, value)
        elif action == "DEVICE_FX_PARAM_COUNT" and value is not None:
            v.fx_param_count = max(1, value)
        elif action == "DEVICE_FX_PARAM_BANK_SELECT" and value is not None:
            v.fx_param_bank = max(1, value)
        elif action == "DEVICE_MARKER_BANK_SELECT" and value is not None:
            v.marker_bank = max(1, value)
        elif action == "DEVICE_TRACK_SELECT" and value is not None:
            v.device_track = v.bank_start + value if value > 0 else None
        else:
            self.ignored += 1
            return False
        return True

    def _action(self, m: Match, args: tuple[Arg, ...]) -> bool:
        self._dirty = None  # an action (the bridge above all) may change anything
        command: Target | Arg | None = m.targets[0] if m.targets else (args[0] if args else None)
        if m.flag == "t" and args and not _on(args[0]):
            return False  # a trigger with argument 0 (button release) does nothing
        if isinstance(command, float) and command.is_integer():
            command = int(command)
        if isinstance(command, str) and command.strip().isdigit():
            command = int(command.strip())
        if command == self.bridge_command:
            if self.on_bridge is not None:
                self.on_bridge()
            return False
        if not isinstance(command, int) or command not in ACTIONS:
            self.ignored += 1  # unknown action: REAPER ignores it
            return False
        return _run_action(self.project, command)


def _on(arg: Arg) -> bool:
    try:
        return float(arg) > 0.0
    except ValueError:
        return False


def _pick(matches: list[Match], args: tuple[Arg, ...]) -> Match:
    """Several patterns may share an address (``i/action`` vs ``s/action/str`` do not; ``f``/``i`` vkb do)."""
    if len(matches) > 1 and args:
        want = "s" if isinstance(args[0], str) else "i" if isinstance(args[0], int) else "f"
        for m in matches:
            if m.flag == want or (want == "f" and m.flag in "nf"):
                return m
    return matches[0]


def _expand(targets: tuple[Target, ...], args: tuple[Arg, ...]) -> list[tuple[tuple[int | str, ...], Arg | None]]:
    """Comma-list targets (``fx/1,2,5/fxparam/6,7,7``) paired with successive arguments."""
    count = max((len(t) for t in targets if isinstance(t, tuple)), default=1)
    out: list[tuple[tuple[int | str, ...], Arg | None]] = []
    for i in range(count):
        one = tuple(t[min(i, len(t) - 1)] if isinstance(t, tuple) else t for t in targets)
        out.append((one, args[min(i, len(args) - 1)] if args else None))
    return out


def _run_action(project: Project, command: int) -> bool:
    if command == ACTION_REFRESH:
        return True
    if command in (1007,):
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
    elif command == 40339:
        for t in project.tracks:
            t.mute = False
    elif command == 40340:
        for t in project.tracks:
            t.solo = False
    return False


# ---- message handlers: (surface, match, targets, argument) -> None ----------------------------------
Handler = Callable[[Surface, Match, tuple[int | str, ...], Arg | None], None]


def _track(s: Surface, m: Match, targets: tuple[int | str, ...]) -> tuple[Track | None, tuple[int | str, ...]]:
    segs = m.pattern.segments
    if len(segs) >= 2 and segs[0] == "track" and segs[1] == "@":
        slot = int(targets[0])
        if slot == 0:
            return (s.project.master if s.view.bank_start == 0 else None), targets[1:]
        number = s.view.bank_start + slot
        return (s.project.tracks[number - 1] if number <= len(s.project.tracks) else None), targets[1:]
    if segs and segs[0] in ("track", "fx", "fxparam") and s.view.device_track is not None:
        n = s.view.device_track
        return (s.project.tracks[n - 1] if n <= len(s.project.tracks) else None), targets
    return None, targets


def _bool_or_toggle(m: Match, arg: Arg | None, current: bool) -> bool | None:
    if m.flag == "t":
        return (not current) if arg is None or _on(arg) else None
    return _on(arg) if arg is not None else None


def _set_track_bool(attr: str) -> Handler:
    def handler(s: Surface, m: Match, targets: tuple[int | str, ...], arg: Arg | None) -> None:
        track, _ = _track(s, m, targets)
        if track is not None:
            value = _bool_or_toggle(m, arg, bool(getattr(track, attr)))
            if value is not None:
                setattr(track, attr, value)
                s.touch(track)
    return handler


def _volume(s: Surface, m: Match, targets: tuple[int | str, ...], arg: Arg | None) -> None:
    track, _ = _track(s, m, targets) if m.action == "TRACK_VOLUME" else (s.project.master, ())
    if track is None or arg is None or m.flag not in "nf":
        return
    value = slider_to_db(float(arg)) if m.flag == "n" else float(arg)
    track.volume_db = -math.inf if value <= FLOOR_DB else value
    s.touch(track)


def _pan(s: Surface, m: Match, targets: tuple[int | str, ...], arg: Arg | None) -> None:
    track, _ = _track(s, m, targets) if m.action == "TRACK_PAN" else (s.project.master, ())
    if track is not None and arg is not None and m.flag == "n":
        track.pan = clamp_pan(normalized_to_pan(float(arg)))
        s.touch(track)


def _name(s: Surface, m: Match, targets: tuple[int | str, ...], arg: Arg | None) -> None:
    track, _ = _track(s, m, targets)
    if track is not None and track is not s.project.master and isinstance(arg, str):
        track.name = arg
        s.touch(track)


def _fx_target(s: Surface, m: Match, targets: tuple[int | str, ...]) -> tuple[Track | None, list[int]]:
    track, rest = _track(s, m, targets)
    return track, [int(t) for t in rest]


def _fx_bypass(s: Surface, m: Match, targets: tuple[int | str, ...], arg: Arg | None) -> None:
    track, rest = _fx_target(s, m, targets)
    if track is not None and len(rest) == 1 and 1 <= rest[0] <= len(track.fx):
        fx = track.fx[rest[0] - 1]
        value = _bool_or_toggle(m, arg, fx.enabled)
        if value is not None:
            fx.enabled = value
            s.touch(track)


def _fx_param(s: Surface, m: Match, targets: tuple[int | str, ...], arg: Arg | None) -> None:
    track, rest = _fx_target(s, m, targets)
    if track is None or len(rest) != 2 or arg is None or m.flag != "n" or not 1 <= rest[0] <= len(track.fx):
        return
    fx = track.fx[rest[0] - 1]
    names = fx.numeric_params()
    index = (s.view.fx_param_bank - 1) * s.view.fx_param_count + rest[1]
    if 1 <= index <= len(names):
        fx.set_normalized(names[index - 1], float(arg))
        s.touch(track)


def _transport(s: Surface, m: Match, targets: tuple[int | str, ...], arg: Arg | None) -> None:
    if arg is not None and not _on(arg):
        return  # trigger released
    command = {"PLAY": 1007, "STOP": 1016, "PAUSE": 1008, "RECORD": 1013, "REPEAT": 1068}.get(m.action)
    if command is not None:
        _run_action(s.project, command)
    elif m.action == "METRONOME":
        s.project.metronome = not s.project.metronome
    elif m.action == "SOLO_RESET":
        _run_action(s.project, 40340)


def _time(s: Surface, m: Match, targets: tuple[int | str, ...], arg: Arg | None) -> None:
    if arg is None or m.flag != "f":
        return
    value = max(0.0, float(arg))
    if m.action == "TIME":
        s.project.position_s = value
    elif m.action == "LOOP_START_TIME":
        s.project.loop_start_s = value
    elif m.action == "LOOP_END_TIME":
        s.project.loop_end_s = value
    elif m.action == "TEMPO" and value > 0:
        s.project.tempo_bpm = value


def _goto_marker(s: Surface, m: Match, targets: tuple[int | str, ...], arg: Arg | None) -> None:
    n = int(targets[0]) if targets else (int(float(arg)) if arg is not None else 0)
    items = s.project.timeline_regions() if m.action == "GOTO_REGION" else s.project.timeline_markers()
    if 1 <= n <= len(items):
        s.project.position_s = items[n - 1].time_s


def _marker_id(s: Surface, m: Match, targets: tuple[int | str, ...], arg: Arg | None) -> None:
    """``MARKERID_*`` / ``REGIONID_*``: write by number, creating the marker (no colour) if absent."""
    if not targets or arg is None:
        return
    region = m.action.startswith("REGIONID_")
    number = int(targets[0])
    marker = next((x for x in s.project.markers if x.number == number and x.is_region == region), None)
    if marker is None:
        marker = Marker(number, s.project.position_s, "", None, s.project.position_s + 1.0 if region else None)
        s.project.markers.append(marker)
    if m.action.endswith("_NAME") and isinstance(arg, str):
        marker.name = arg
    elif m.action.endswith("_TIME"):
        length = (marker.end_s - marker.time_s) if marker.end_s is not None else None
        marker.time_s = max(0.0, float(arg))
        if length is not None:
            marker.end_s = marker.time_s + length
    elif m.action.endswith("_LENGTH") and region and float(arg) > 0:
        marker.end_s = marker.time_s + float(arg)


_HANDLERS: dict[str, Handler] = {
    "TRACK_MUTE": _set_track_bool("mute"),
    "TRACK_SOLO": _set_track_bool("solo"),
    "TRACK_REC_ARM": _set_track_bool("rec_arm"),
    "TRACK_SELECT": _set_track_bool("selected"),
    "TRACK_VOLUME": _volume,
    "MASTER_VOLUME": _volume,
    "TRACK_PAN": _pan,
    "MASTER_PAN": _pan,
    "TRACK_NAME": _name,
    "FX_BYPASS": _fx_bypass,
    "FX_PARAM_VALUE": _fx_param,
    "PLAY": _transport, "STOP": _transport, "PAUSE": _transport, "RECORD": _transport, "REPEAT": _transport,
    "METRONOME": _transport, "SOLO_RESET": _transport,
    "TIME": _time, "LOOP_START_TIME": _time, "LOOP_END_TIME": _time, "TEMPO": _time,
    "GOTO_MARKER": _goto_marker, "GOTO_REGION": _goto_marker,
    "MARKERID_NAME": _marker_id, "MARKERID_TIME": _marker_id,
    "REGIONID_NAME": _marker_id, "REGIONID_TIME": _marker_id, "REGIONID_LENGTH": _marker_id,
}

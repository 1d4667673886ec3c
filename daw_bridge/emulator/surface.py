"""REAPER's OSC control surface (csurf_osc) for one device: routing, device state, feedback rules.

* Every incoming address is routed through the loaded :class:`~daw_bridge.osc.patterns.PatternSet`; addresses the
  file does not know, and actions REAPER would not act on, are ignored (and counted), as REAPER ignores them.
* Validation at the edge: a message with a non-finite float (``/time inf``, ``/track/1/volume/db nan``) is ignored;
  a comma list of more than 16 targets, or whose lists differ in length, matches nothing (csurf_osc's
  ``MAX_OSC_RPTCNT`` and its "1 or rptcnt" rule); device counts are bounded (:mod:`.device`).
* Device state (bank, counts, device track and FX) starts from the file's ``DEVICE_*`` settings; bank and count
  changes bring a full dump, device track/FX changes send what differs.
* Feedback is sent on change: a per-address cache suppresses unchanged values. An incoming message clears its
  address's cache entry and anti-echo covers only the feedback generated while it is processed
  (``csurf_osc.cpp``, ``ProcessMessage``/``SetSurfaceVal``): a ``n``/``f``/``s`` message is not echoed now; a
  polled address (time, loop points …) is then reported by the next poll; ``t``/``b`` messages are echoed.
  ``r`` patterns never produce feedback.
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
from .device import DEFAULT_COUNTS, Change, DeviceView, apply_device, bound_count
from .feedback import POLLED_ACTIONS, Peaks, State, compile_feedback, feedback_state
from .handlers import HANDLERS, on, run_action
from .project import Project, Track

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
    40172: "Markers: Go to previous marker/project start",
    40173: "Markers: Go to next marker/project end",
    40339: "Track: Unmute all tracks",
    40340: "Track: Unsolo all tracks",
    40740: "Auto-recarm all tracks (csurf_osc's AUTO_REC_ARM)",
    ACTION_REFRESH: "Control surface: Refresh all surfaces",
}
#: csurf_osc's MAX_OSC_RPTCNT: most targets one comma list may carry.
MAX_REPEAT = 16


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
        self.peaks: Peaks = {}
        self.ignored = 0
        self._dirty: set[int] | None = None
        self.reset()

    def reset(self) -> None:
        """Device state from the pattern file's settings, cache cleared (a surface (re)start)."""
        counts = {key: bound_count(key, self.patterns.setting_int(key, default))
                  for key, default in DEFAULT_COUNTS.items()}
        self.view = DeviceView(
            track_count=counts["DEVICE_TRACK_COUNT"], send_count=counts["DEVICE_SEND_COUNT"],
            receive_count=counts["DEVICE_RECEIVE_COUNT"], fx_count=counts["DEVICE_FX_COUNT"],
            fx_param_count=counts["DEVICE_FX_PARAM_COUNT"], fx_inst_param_count=counts["DEVICE_FX_INST_PARAM_COUNT"],
            marker_count=counts["DEVICE_MARKER_COUNT"], region_count=counts["DEVICE_REGION_COUNT"],
        )
        self.cache.clear()

    # ---- feedback -------------------------------------------------------------------------------
    def state(self, only_tracks: set[int] | None = None) -> State:
        """The current feedback state (``only_tracks``: just those tracks plus transport values and meters)."""
        return feedback_state(self.project, self.feedback_patterns, self.view, only_tracks=only_tracks,
                              peaks=self.peaks)

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
        touched: list[tuple[str, Match]] = []
        self._dirty = set()  # tracks a message touched; None: anything may have changed
        for msg in messages:
            if not all(math.isfinite(a) for a in msg.args if isinstance(a, float)):
                self.ignored += 1  # a non-finite value is no position, level or count
                continue
            matches = self.patterns.match(msg.address)
            if not matches:
                self.ignored += 1
                continue
            match = _pick(matches, msg.args)
            touched.append((msg.address, match))
            try:
                dump = self._apply(match, msg.args) or dump
            except (ValueError, TypeError, IndexError, OverflowError) as exc:  # REAPER ignores the message
                log.debug("ignored %s %r: %s", msg.address, msg.args, exc)
                self.ignored += 1
        if dump:
            self.cache.clear()
            self._dirty = None
        state = self.state(self._dirty)
        for address, match in touched:
            if match.flag in "tb":
                self.cache.pop(address, None)
            elif address in state:
                self.cache[address] = state[address]
        out = self.changes(state)
        for address, match in touched:
            if match.action in POLLED_ACTIONS and match.flag not in "tb":
                self.cache.pop(address, None)  # cleared by the message: the next poll reports it
        return out

    def _apply(self, m: Match, args: tuple[Arg, ...]) -> bool:
        """Apply one routed message; True when it asks for a full dump."""
        action = m.action
        if action == "ACTION":
            return self._action(m, args)
        if action.startswith("DEVICE_"):
            change = apply_device(self.view, self.project, m, args)
            if change is Change.NONE:
                self.ignored += 1
            elif change is Change.STATE:
                self._dirty = None
            return change is Change.DUMP
        handler = HANDLERS.get(action)
        expanded = _expand(m.targets, args)
        if handler is None or expanded is None:
            self.ignored += 1
            return False
        if not action.startswith(("TRACK_", "FX_", "MASTER_")) and self._dirty is not None:
            self._dirty = None  # transport, markers …: take the full state
        if self._dirty is not None and "track" not in m.pattern.segments[:1]:
            self._dirty.add(self.view.device_track)  # a device-track or device-FX address
        for targets, arg in expanded:
            handler(self, m, targets, arg)
        return False

    def touch(self, track: Track) -> None:
        """Note that a message changed ``track`` (limits the next feedback diff to the touched tracks)."""
        if self._dirty is not None:
            self._dirty.add(self.project.number_of(track) if track is not self.project.master else 0)

    def _action(self, m: Match, args: tuple[Arg, ...]) -> bool:
        self._dirty = None  # an action (the bridge above all) may change anything
        command: Target | Arg | None = m.targets[0] if m.targets else (args[0] if args else None)
        if m.flag == "t" and args and not on(args[0]):
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
        return run_action(self.project, command)


def _pick(matches: list[Match], args: tuple[Arg, ...]) -> Match:
    """Several patterns may share an address (``i/action`` vs ``s/action/str`` do not; ``f``/``i`` vkb do)."""
    if len(matches) > 1 and args:
        want = "s" if isinstance(args[0], str) else "i" if isinstance(args[0], int) else "f"
        for m in matches:
            if m.flag == want or (want == "f" and m.flag in "nf"):
                return m
    return matches[0]


def _expand(
    targets: tuple[Target, ...], args: tuple[Arg, ...]
) -> list[tuple[tuple[int | str, ...], Arg | None]] | None:
    """Comma-list targets (``fx/1,2,5/fxparam/6,7,7``) paired with successive arguments; None when the lists are
    longer than 16 or differ in length (csurf_osc then matches nothing)."""
    lengths = {len(t) for t in targets if isinstance(t, tuple)}
    count = max(lengths, default=1)
    if count > MAX_REPEAT or len(lengths) > 1:
        return None
    out: list[tuple[tuple[int | str, ...], Arg | None]] = []
    for i in range(count):
        one = tuple(t[i] if isinstance(t, tuple) else t for t in targets)
        out.append((one, args[min(i, len(args) - 1)] if args else None))
    return out

"""The project as REAPER reports it over OSC: a thread-safe mirror built from feedback.

REAPER reports tracks by *slot*: ``/track/@/...`` with ``@`` = 1..bank size, relative to the device's bank
start, so the REAPER track is ``bank_start + slot`` (master: ``MASTER_*`` patterns). The mirror keeps one record
per absolute track number. Two REAPER habits shape it:

* **Per-address de-duplication.** After a bank change REAPER only sends the values that differ from what the
  slot showed before. So on a bank change each slot's record is *carried over* to the new absolute track, and
  the feedback that follows overwrites what differs: the device's view, exactly.
* **``TRACK_NUMBER`` feedback** (``s/track/@/number/str``, the absolute number as text) tells which track a
  slot shows; when it disagrees with the bank we asked for (REAPER clamps a bank select past the last track),
  the mirror corrects its bank start.

A slot past the last track shows REAPER's placeholder: name ``"Track N"`` and volume at the bottom of the
range (gain 0, reported as -150 dB or -inf). :attr:`TrackState.placeholder` spots it; :meth:`set_track_count`
(after a sync) prunes everything past the real end.

Every change bumps :attr:`version` and wakes :meth:`wait_for`. :meth:`stamp` tells when a field last heard
feedback (any of its forms), which is how the client confirms commands whose exact address REAPER does not
echo.
"""

from __future__ import annotations

import copy
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..daw import FxInfo, MarkerInfo, TrackInfo, TransportState
from ..osc.codec import Message
from ..osc.dispatch import Dispatcher
from ..osc.patterns import Match

#: Feedback REAPER sends by polling while it plays; it never "settles", so dump-settling ignores it.
POLLED = frozenset({"time"})

#: Volumes at or below this (dB) are REAPER's "-inf" (it reports gain 0 as -150 dB).
FLOOR_DB = -144.0

_VOLUME_STR = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*dB\s*$", re.IGNORECASE)
_PAN_STR = re.compile(r"^(\d+(?:\.\d+)?)%\s*([LR])$")
_TRACK_NUMBER = re.compile(r"^[0-9]{1,9}$")


@dataclass
class FxState:
    """One effect as mirrored: display ``name``, ``enabled`` (REAPER's "bypass" 1 = enabled), params 0..1."""

    name: str = ""
    enabled: bool = True
    params: dict[int, float] = field(default_factory=dict)


@dataclass
class TrackState:
    """One track as mirrored; ``number`` is 1-based (0 = master); ``volume_db`` may be -inf."""

    number: int
    name: str = ""
    volume_db: float = 0.0
    pan: float = 0.0
    mute: bool = False
    solo: bool = False
    selected: bool = False
    fx: dict[int, FxState] = field(default_factory=dict)

    @property
    def placeholder(self) -> bool:
        """Whether this looks like REAPER's filler for a slot past the last track."""
        return (
            self.name in ("", f"Track {self.number}")
            and self.volume_db <= FLOOR_DB
            and not any(f.name for f in self.fx.values())
        )

    def info(self) -> TrackInfo:
        fx = tuple(
            FxInfo(i, f.name, f.enabled, tuple(f.params[k] for k in sorted(f.params)))
            for i, f in sorted(self.fx.items())
            if f.name
        )
        vol = -math.inf if self.volume_db <= FLOOR_DB else self.volume_db
        return TrackInfo(self.number, self.name, vol, self.pan, self.mute, self.solo, self.selected, fx)


@dataclass
class MarkerState:
    name: str = ""
    number: str = ""
    time_s: float = 0.0


def parse_volume_str(text: object) -> float | None:
    """dB from REAPER's volume string (``"-6.02dB"``, ``"+0.00dB"``, ``"-inf dB"``); None if unreadable."""
    if not isinstance(text, str):
        return None
    found = _VOLUME_STR.match(text)
    if found:
        value = float(found.group(1))
        return value if math.isfinite(value) else None  # "1e400"-long digit strings read as inf
    return -math.inf if text.strip().lower().startswith("-inf") else None


def parse_pan_str(text: object) -> float | None:
    """Pan -1..+1 from REAPER's pan string (``"25%L"``, ``"100%R"``, ``"center"``/``"C"``); None if unreadable."""
    if not isinstance(text, str):
        return None
    t = text.strip().upper()
    if t in ("C", "CENTER", "0%"):
        return 0.0
    found = _PAN_STR.match(t)
    if not found:
        return None
    value = min(1.0, float(found.group(1)) / 100.0)
    return -value if found.group(2) == "L" else value


def _same_db(a: float, b: float, tol_db: float) -> bool:
    if math.isinf(a) or math.isinf(b) or a <= FLOOR_DB or b <= FLOOR_DB:
        return (a <= FLOOR_DB) == (b <= FLOOR_DB)
    return abs(a - b) <= tol_db


def _as_bool(value: object) -> bool:
    return isinstance(value, int | float) and float(value) >= 0.5


def _as_float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


class ProjectMirror:
    """Tracks, master, transport and markers as last reported, keyed by absolute track number."""

    def __init__(self, *, bank_size: int = 8) -> None:
        self._cond = threading.Condition(threading.RLock())
        self.bank_size = bank_size
        self.bank_start = 0
        self.track_count: int | None = None
        self.version = 0
        self.packets = 0
        self.last_packet_s = 0.0
        self.changes = 0  #: feedback messages that changed or confirmed something (polled ones excluded)
        self.last_change_s = 0.0
        self.bank_corrections = 0
        self._tracks: dict[int, TrackState] = {}
        self.master = TrackState(0, "MASTER")
        self._markers: dict[int, MarkerState] = {}
        self.playing = self.paused = self.recording = self.repeat = False
        self.position_s = 0.0
        self.loop_s = (0.0, 0.0)
        self.any_solo = False
        self._stamps: dict[tuple[int, str], int] = {}

    # ---- waiting ------------------------------------------------------------------------------
    def wait_for(self, predicate: Callable[[ProjectMirror], bool], timeout_s: float) -> bool:
        """Block until ``predicate(mirror)`` is true (checked under the lock) or ``timeout_s`` passes."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout=max(0.0, timeout_s))

    def wait_quiet(self, quiet_s: float, timeout_s: float) -> bool:
        """Block until no feedback changed the mirror for ``quiet_s`` seconds (a dump has settled).

        Polled feedback (play position, VU meters) keeps flowing while REAPER plays and does not count.
        Returns False on timeout.
        """
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                now = time.monotonic()
                idle = now - self.last_change_s
                if idle >= quiet_s:
                    return True
                if now >= deadline:
                    return False
                self._cond.wait(min(quiet_s - idle, deadline - now))

    def note_packet(self) -> None:
        """Record that a datagram arrived (any datagram proves the DAW is alive)."""
        with self._cond:
            self.packets += 1
            self.last_packet_s = time.monotonic()
            self._cond.notify_all()

    def stamp(self, number: int, what: str) -> int:
        """The :attr:`version` at which feedback last touched ``what`` of track ``number`` (-1: global)."""
        with self._cond:
            return self._stamps.get((number, what), 0)

    def _touch(self, number: int, what: str) -> None:
        self.version += 1
        self._stamps[(number, what)] = self.version
        if what not in POLLED:
            self.changes += 1
            self.last_change_s = time.monotonic()
        self._cond.notify_all()

    # ---- bank bookkeeping ---------------------------------------------------------------------
    def set_bank(self, bank_start: int, *, carry: bool = True) -> None:
        """The device now shows tracks ``bank_start+1 .. bank_start+bank_size`` (we asked REAPER to).

        With ``carry`` each slot's record is copied to the new absolute track (REAPER only sends what differs).
        """
        with self._cond:
            if bank_start == self.bank_start:
                return
            if carry:
                moved = {
                    s: copy.deepcopy(self._tracks[self.bank_start + s])
                    for s in range(1, self.bank_size + 1)
                    if self.bank_start + s in self._tracks
                }
                for s, rec in moved.items():
                    rec.number = bank_start + s
                    self._tracks[bank_start + s] = rec
            self.bank_start = bank_start
            self.version += 1
            self._cond.notify_all()

    def set_bank_size(self, size: int) -> None:
        """The device's bank now holds ``size`` tracks (``DEVICE_TRACK_COUNT``)."""
        with self._cond:
            self.bank_size = size
            self.version += 1
            self._cond.notify_all()

    def reset_tracks(self) -> None:
        """Forget every track (before a full resync: deleted tracks must not linger)."""
        with self._cond:
            self._tracks.clear()
            self._markers.clear()
            self.track_count = None
            self.version += 1

    def set_track_count(self, count: int) -> None:
        """The project has ``count`` tracks: drop records past the end."""
        with self._cond:
            self.track_count = count
            for n in [n for n in self._tracks if n > count]:
                del self._tracks[n]
            self.version += 1
            self._cond.notify_all()

    def _slot(self, target: object) -> TrackState | None:
        if isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= self.bank_size:
            return None
        number = self.bank_start + target
        rec = self._tracks.get(number)
        if rec is None:
            rec = self._tracks[number] = TrackState(number)
        return rec

    # ---- reading ------------------------------------------------------------------------------
    def slot_records(self) -> list[TrackState]:
        """Copies of the records the current bank shows, slot order (for sync's end-of-project test)."""
        with self._cond:
            return [
                copy.deepcopy(self._tracks[self.bank_start + s])
                for s in range(1, self.bank_size + 1)
                if self.bank_start + s in self._tracks
            ]

    def last_real_track(self) -> int:
        """The highest track number whose record is not a placeholder (0 if none)."""
        with self._cond:
            return max((n for n, rec in self._tracks.items() if not rec.placeholder), default=0)

    def track_state(self, number: int) -> TrackState | None:
        with self._cond:
            rec = self.master if number == 0 else self._tracks.get(number)
            return copy.deepcopy(rec) if rec is not None else None

    def tracks(self) -> list[TrackInfo]:
        """Every real track in project order (placeholders and tracks past :attr:`track_count` left out)."""
        with self._cond:
            out = []
            for n in sorted(self._tracks):
                rec = self._tracks[n]
                if self.track_count is not None:
                    if n <= self.track_count:
                        out.append(rec.info())
                elif not rec.placeholder:
                    out.append(rec.info())
            return out

    def master_info(self) -> TrackInfo:
        with self._cond:
            return self.master.info()

    def transport(self) -> TransportState:
        with self._cond:
            start, end = self.loop_s
            has_loop = end > start
            return TransportState(
                playing=self.playing,
                recording=self.recording,
                position_s=self.position_s,
                loop_start_s=start if has_loop else None,
                loop_end_s=end if has_loop else None,
                repeat=self.repeat,
            )

    def markers(self) -> list[MarkerInfo]:
        """Markers from the marker-list feedback (only when DEVICE_MARKER_COUNT > 0), in time order."""
        with self._cond:
            out = []
            for slot, m in self._markers.items():
                if not m.number and not m.name:
                    continue
                number = int(m.number) if _TRACK_NUMBER.match(m.number) else slot
                out.append(MarkerInfo(number=number, time_s=m.time_s, name=m.name))
            return sorted(out, key=lambda m: (m.time_s, m.number))

    # ---- feedback handlers --------------------------------------------------------------------
    def bind(self, dispatcher: Dispatcher) -> None:
        """Register the feedback handlers this mirror understands on ``dispatcher``."""
        track = [
            ("TRACK_NAME", "s", self._on_name),
            ("TRACK_NUMBER", "s", self._on_number),
            ("TRACK_VOLUME", "f", self._on_volume_db),
            ("TRACK_VOLUME", "n", self._on_volume_other),
            ("TRACK_VOLUME", "s", self._on_volume_other),
            ("TRACK_PAN", "n", self._on_pan),
            ("TRACK_PAN", "s", self._on_pan_str),
            ("TRACK_MUTE", "b", self._on_flag("mute")),
            ("TRACK_SOLO", "b", self._on_flag("solo")),
            ("TRACK_SELECT", "b", self._on_flag("selected")),
        ]
        for action, flag, handler in track:
            dispatcher.map(action, flag, handler, wildcards=1)
        dispatcher.map("FX_NAME", "s", self._on_fx_name, wildcards=2)
        dispatcher.map("FX_BYPASS", "b", self._on_fx_bypass, wildcards=2)
        dispatcher.map("FX_PARAM_VALUE", "n", self._on_fx_param, wildcards=3)
        dispatcher.map("MASTER_VOLUME", "f", self._on_master_volume_db, wildcards=0)
        dispatcher.map("MASTER_VOLUME", "s", self._on_master_volume_str, wildcards=0)
        dispatcher.map("MASTER_VOLUME", "n", self._on_master_touch, wildcards=0)
        dispatcher.map("MASTER_PAN", "n", self._on_master_pan, wildcards=0)
        for action in ("PLAY", "STOP", "PAUSE", "RECORD", "REPEAT"):
            dispatcher.map(action, "t", self._on_transport_flag, wildcards=0)
            dispatcher.map(action, "b", self._on_transport_flag, wildcards=0)
        dispatcher.map("TIME", "f", self._on_time, wildcards=0)
        dispatcher.map("TIME", "s", self._on_time, wildcards=0)  # "1:02.500": format varies, only a stamp
        dispatcher.map("LOOP_START_TIME", "f", self._on_loop, wildcards=0)
        dispatcher.map("LOOP_END_TIME", "f", self._on_loop, wildcards=0)
        dispatcher.map("ANY_SOLO", "b", self._on_any_solo, wildcards=0)
        dispatcher.map("MARKER_NAME", "s", self._on_marker, wildcards=1)
        dispatcher.map("MARKER_NUMBER", "s", self._on_marker, wildcards=1)
        dispatcher.map("MARKER_TIME", "f", self._on_marker, wildcards=1)

    def _track_update(self, match: Match, what: str, apply: Callable[[TrackState], None]) -> None:
        with self._cond:
            rec = self._slot(match.targets[0])
            if rec is None:
                return
            apply(rec)
            self._touch(rec.number, what)

    def _on_name(self, match: Match, msg: Message) -> None:
        value = msg.args[0]

        def apply(rec: TrackState) -> None:
            rec.name = str(value)

        self._track_update(match, "name", apply)

    def _on_number(self, match: Match, msg: Message) -> None:
        text, slot = msg.args[0], match.targets[0]
        if not isinstance(text, str) or not _TRACK_NUMBER.match(text.strip()) or not isinstance(slot, int):
            return  # at most 9 ASCII digits: int() refuses '²' and 5,000-digit strings
        number = int(text)
        with self._cond:
            if 1 <= slot <= self.bank_size and number - slot != self.bank_start and number >= slot:
                wrong = self.bank_start
                self.bank_corrections += 1
                self.set_bank(number - slot, carry=True)
                limit = self.track_count if self.track_count is not None else number - slot + self.bank_size
                for n in range(wrong + 1, wrong + self.bank_size + 1):
                    if n > limit:
                        self._tracks.pop(n, None)
            self._touch(number, "number")

    def _on_volume_db(self, match: Match, msg: Message) -> None:
        value = _as_float(msg.args[0])
        if value is None:
            return

        def apply(rec: TrackState) -> None:
            rec.volume_db = value

        self._track_update(match, "volume", apply)

    def _on_volume_other(self, match: Match, msg: Message) -> None:
        """``n`` (opaque fader) or ``s`` ("-6.02dB"): the latter updates dB when the exact ``f`` was not echoed."""
        parsed = parse_volume_str(msg.args[0]) if match.flag == "s" else None

        def apply(rec: TrackState) -> None:
            if parsed is not None and not _same_db(parsed, rec.volume_db, 0.006):
                rec.volume_db = parsed

        self._track_update(match, "volume", apply)

    def _on_pan(self, match: Match, msg: Message) -> None:
        value = _as_float(msg.args[0])
        if value is None:
            return

        def apply(rec: TrackState) -> None:
            rec.pan = max(-1.0, min(1.0, 2.0 * value - 1.0))

        self._track_update(match, "pan", apply)

    def _on_pan_str(self, match: Match, msg: Message) -> None:
        """``s`` pan ("25%L", "center"): updates pan when the exact ``n`` value was not echoed (1 % steps)."""
        parsed = parse_pan_str(msg.args[0])

        def apply(rec: TrackState) -> None:
            if parsed is not None and abs(parsed - rec.pan) > 0.0051:
                rec.pan = parsed

        self._track_update(match, "pan", apply)

    def _on_flag(self, name: str) -> Callable[[Match, Message], None]:
        def handler(match: Match, msg: Message) -> None:
            on = _as_bool(msg.args[0])
            self._track_update(match, name, lambda rec: setattr(rec, name, on))

        return handler

    def _fx_update(self, match: Match, what: str, apply: Callable[[FxState], None]) -> None:
        fx_index = match.targets[1]
        if isinstance(fx_index, bool) or not isinstance(fx_index, int) or fx_index < 1:
            return

        def on_track(rec: TrackState) -> None:
            apply(rec.fx.setdefault(fx_index, FxState()))

        self._track_update(match, what, on_track)

    def _on_fx_name(self, match: Match, msg: Message) -> None:
        self._fx_update(match, "fx", lambda fx: setattr(fx, "name", str(msg.args[0])))

    def _on_fx_bypass(self, match: Match, msg: Message) -> None:
        self._fx_update(match, "fx", lambda fx: setattr(fx, "enabled", _as_bool(msg.args[0])))

    def _on_fx_param(self, match: Match, msg: Message) -> None:
        param, value = match.targets[2], _as_float(msg.args[0])
        if not isinstance(param, int) or value is None:
            return
        self._fx_update(match, "fx", lambda fx: fx.params.__setitem__(param, value))

    def _on_master_volume_db(self, match: Match, msg: Message) -> None:
        value = _as_float(msg.args[0])
        with self._cond:
            if value is not None:
                self.master.volume_db = value
            self._touch(0, "volume")

    def _on_master_volume_str(self, match: Match, msg: Message) -> None:
        parsed = parse_volume_str(msg.args[0])
        with self._cond:
            if parsed is not None and not _same_db(parsed, self.master.volume_db, 0.006):
                self.master.volume_db = parsed
            self._touch(0, "volume")

    def _on_master_touch(self, match: Match, msg: Message) -> None:
        with self._cond:
            self._touch(0, "volume")

    def _on_master_pan(self, match: Match, msg: Message) -> None:
        value = _as_float(msg.args[0])
        with self._cond:
            if value is not None:
                self.master.pan = max(-1.0, min(1.0, 2.0 * value - 1.0))
            self._touch(0, "pan")

    def _on_transport_flag(self, match: Match, msg: Message) -> None:
        on = _as_bool(msg.args[0]) if msg.args else True
        attr = {"PLAY": "playing", "STOP": None, "PAUSE": "paused", "RECORD": "recording", "REPEAT": "repeat"}
        with self._cond:
            name = attr[match.action]
            if name is None:  # /stop 1 means stopped; /play carries the same news
                if on:
                    self.playing = False
            else:
                setattr(self, name, on)
            self._touch(-1, "repeat" if match.action == "REPEAT" else "play")

    def _on_time(self, match: Match, msg: Message) -> None:
        value = _as_float(msg.args[0])
        with self._cond:
            if value is not None:
                self.position_s = value
            self._touch(-1, "time")

    def _on_loop(self, match: Match, msg: Message) -> None:
        value = _as_float(msg.args[0])
        with self._cond:
            if value is not None:
                start, end = self.loop_s
                self.loop_s = (value, end) if match.action == "LOOP_START_TIME" else (start, value)
            self._touch(-1, "loop")

    def _on_any_solo(self, match: Match, msg: Message) -> None:
        with self._cond:
            self.any_solo = _as_bool(msg.args[0])
            self._touch(-1, "anysolo")

    def _on_marker(self, match: Match, msg: Message) -> None:
        slot, value = match.targets[0], msg.args[0]
        if isinstance(slot, bool) or not isinstance(slot, int):
            return
        with self._cond:
            m = self._markers.setdefault(slot, MarkerState())
            if match.action == "MARKER_NAME":
                m.name = str(value)
            elif match.action == "MARKER_NUMBER":
                m.number = str(value).strip()
            else:
                m.time_s = float(value) if isinstance(value, int | float) else m.time_s
            self._touch(-1, "markers")

    # ---- optimistic updates (values we set whose exact address REAPER does not echo) ----------------
    def assume(self, number: int, **fields: object) -> None:
        """Record values the client just set (REAPER does not echo the address it was sent)."""
        with self._cond:
            rec = self.master if number == 0 else self._tracks.setdefault(number, TrackState(number))
            for key, value in fields.items():
                setattr(rec, key, value)
            self.version += 1
            self._cond.notify_all()

    def assume_transport(self, **fields: object) -> None:
        """Record transport values the client just set (``position_s``)."""
        with self._cond:
            for key, value in fields.items():
                setattr(self, key, value)
            self.version += 1
            self._cond.notify_all()

    def assume_fx(self, number: int, fx_index: int, *, param: int, value: float) -> None:
        with self._cond:
            rec = self._tracks.setdefault(number, TrackState(number))
            rec.fx.setdefault(fx_index, FxState()).params[param] = value
            self.version += 1
            self._cond.notify_all()

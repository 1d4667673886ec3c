"""Ardour's state as mirrored from its OSC feedback (``/strip/*``, ``/master/*``, transport) and replies.

Thread-safe: the receiver thread calls :meth:`ArdourMirror.feed`; callers read snapshots or wait for a
condition with :meth:`ArdourMirror.wait_for`. ``/reply`` messages are queued for the query that waits on them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..daw import TrackInfo
from ..osc.codec import Message
from .osc import position_to_pan


@dataclass
class StripState:
    """One strip as Ardour last reported it (``pan_position`` in Ardour's 0..1)."""

    ssid: int
    name: str = ""
    gain_db: float = 0.0
    mute: bool = False
    solo: bool = False
    pan_position: float = 0.5
    kind: str = "AT"

    def info(self) -> TrackInfo:
        """As the Daw interface's TrackInfo."""
        return TrackInfo(index=self.ssid, name=self.name, volume_db=self.gain_db,
                         pan=position_to_pan(self.pan_position), mute=self.mute, solo=self.solo)


@dataclass
class ArdourMirror:
    """Strips by ssid, master, transport flags, session sample rate and the pending query replies."""

    strips: dict[int, StripState] = field(default_factory=dict)
    master_gain_db: float = 0.0
    playing: bool = False
    looping: bool = False
    sample_rate: int = 0
    last_sample: int = 0
    messages_seen: int = 0
    replies: list[Message] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def _strip(self, ssid: object) -> StripState | None:
        if isinstance(ssid, int) and not isinstance(ssid, bool) and ssid >= 1:
            return self.strips.setdefault(ssid, StripState(ssid))
        return None

    def feed(self, msg: Message) -> None:
        """Apply one feedback message (unknown addresses are ignored, counted in ``messages_seen``)."""
        with self._cond:
            self.messages_seen += 1
            self._apply(msg)
            self._cond.notify_all()

    def _apply(self, msg: Message) -> None:
        a, args = msg.address, msg.args
        if a == "/reply" or a.startswith("/strip/plugin/") or a == "/transport_frame":
            self.replies.append(msg)
            if a == "/reply" and args and args[0] == "end_route_list" and len(args) >= 3:
                self.sample_rate = int(args[1])
                self.last_sample = int(args[2])
            elif a == "/reply" and len(args) >= 7 and isinstance(args[6], int):
                strip = self._strip(args[6])
                if strip is not None:
                    strip.kind, strip.name = str(args[0]), str(args[1])
            return
        if a.startswith("/strip/") and len(args) >= 2:
            strip = self._strip(args[0])
            if strip is None:
                return
            value = args[1]
            if a == "/strip/name":
                strip.name = str(value)
            elif a == "/strip/gain" and isinstance(value, int | float):
                strip.gain_db = float(value)
            elif a == "/strip/mute" and isinstance(value, int | float):
                strip.mute = value >= 0.5
            elif a == "/strip/solo" and isinstance(value, int | float):
                strip.solo = value >= 0.5
            elif a == "/strip/pan_stereo_position" and isinstance(value, int | float):
                strip.pan_position = float(value)
            return
        if not args or not isinstance(args[0], int | float):
            return
        if a == "/master/gain":
            self.master_gain_db = float(args[0])
        elif a == "/transport_play":
            self.playing = args[0] >= 0.5
        elif a == "/transport_stop" and args[0] >= 0.5:
            self.playing = False
        elif a == "/loop_toggle":
            self.looping = args[0] >= 0.5

    def wait_for(self, predicate: Callable[[ArdourMirror], bool], timeout_s: float) -> bool:
        """Wait until ``predicate(self)`` holds (checked under the lock); False on timeout."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def take_replies(self, predicate: Callable[[Message], bool]) -> list[Message]:
        """Remove and return the queued replies matching ``predicate``."""
        with self._cond:
            taken = [m for m in self.replies if predicate(m)]
            self.replies = [m for m in self.replies if not predicate(m)]
            return taken

    def snapshot(self) -> list[StripState]:
        """Copies of every named strip (tracks and buses), in ssid order."""
        with self._cond:
            return [replace(s) for _, s in sorted(self.strips.items()) if s.name]


__all__ = ["ArdourMirror", "StripState"]

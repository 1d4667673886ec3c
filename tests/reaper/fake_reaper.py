"""A deliberately small REAPER OSC surface for unit tests (the real stand-in is ``daw_bridge.emulator``).

It follows the csurf_osc rules the client relies on: ``/track/@`` slots relative to the bank start, 1-based bank
select clamped to the last track, placeholders ``"Track N"`` at -150 dB for slots past the end, feedback only on
change (per-address cache), no echo of the exact ``n``/``f``/``s`` address just set, a full dump on 41743.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from daw_bridge.osc.codec import Arg, Message, decode_packet, pack_bundles
from daw_bridge.osc.patterns import PatternSet

FLOOR_DB = -150.0


@dataclass
class FakeTrack:
    name: str
    volume_db: float = 0.0
    pan: float = 0.0
    mute: bool = False
    solo: bool = False
    selected: bool = False
    fx: list[list[object]] = field(default_factory=list)  # [name, enabled]


class FakeReaper:
    """``handle(packet) -> [feedback packets]`` for :class:`~daw_bridge.reaper.transport.MockTransport`."""

    def __init__(self, patterns: PatternSet, tracks: list[FakeTrack]) -> None:
        self.p = patterns
        self.tracks = tracks
        self.bank_size = patterns.track_count
        self.bank_start = 0
        self.cache: dict[str, tuple[Arg, ...]] = {}
        self.playing = self.repeat = False
        self.time_s = 0.0
        self.loop = (0.0, 0.0)
        self.markers: list[tuple[int, float, str]] = []
        self.received: list[Message] = []
        self.packets_in = 0
        self.silent = False  # True: act, but send no feedback at all

    # ---- what the device should show -------------------------------------------------------
    def state(self) -> dict[str, tuple[Arg, ...]]:
        p, out = self.p, dict[str, tuple[Arg, ...]]()
        for slot in range(1, self.bank_size + 1):
            n = self.bank_start + slot
            t = self.tracks[n - 1] if n <= len(self.tracks) else None
            db = t.volume_db if t else FLOOR_DB
            out[p.address("TRACK_NAME", "s", slot)] = ((t.name or f"Track {n}") if t else f"Track {n}",)
            out[p.address("TRACK_NUMBER", "s", slot)] = (str(n),)
            out[p.address("TRACK_VOLUME", "f", slot)] = (db,)
            out[p.address("TRACK_VOLUME", "n", slot)] = ((db - FLOOR_DB) / 162.0,)
            out[p.address("TRACK_VOLUME", "s", slot)] = (f"{db:+.2f}dB",)
            pan = t.pan if t else 0.0
            out[p.address("TRACK_PAN", "n", slot)] = ((pan + 1) / 2,)
            pct = round(abs(pan) * 100)
            out[p.address("TRACK_PAN", "s", slot)] = ("center" if pct == 0 else f"{pct}%{'L' if pan < 0 else 'R'}",)
            for what in ("mute", "solo", "selected"):
                action = "TRACK_SELECT" if what == "selected" else f"TRACK_{what.upper()}"
                out[p.address(action, "b", slot)] = (float(bool(t and getattr(t, what))),)
            for i in range(1, 9):
                fx = t.fx[i - 1] if t and i <= len(t.fx) else None
                out[p.address("FX_NAME", "s", slot, i)] = (str(fx[0]) if fx else "",)
                out[p.address("FX_BYPASS", "b", slot, i)] = (float(bool(fx and fx[1])),)
        out[p.address("PLAY", "t")] = (float(self.playing),)
        out[p.address("STOP", "t")] = (float(not self.playing),)
        out[p.address("REPEAT", "t")] = (float(self.repeat),)
        out[p.address("TIME", "f")] = (self.time_s,)
        out[p.address("LOOP_START_TIME", "f")] = (self.loop[0],)
        out[p.address("LOOP_END_TIME", "f")] = (self.loop[1],)
        for slot in range(1, self.p.marker_count + 1):
            m = sorted(self.markers, key=lambda x: x[1])[slot - 1] if slot <= len(self.markers) else None
            out[p.address("MARKER_NAME", "s", slot)] = (m[2] if m else "",)
            out[p.address("MARKER_NUMBER", "s", slot)] = (str(m[0]) if m else "",)
            out[p.address("MARKER_TIME", "f", slot)] = (m[1] if m else 0.0,)
        return out

    def changes(self, skip: str | None = None) -> list[Message]:
        out = []
        for address, args in self.state().items():
            if self.cache.get(address) == args:
                continue
            self.cache[address] = args
            if address != skip:
                out.append(Message(address, args))
        return [] if self.silent else out

    def dump(self) -> list[bytes]:
        """Feedback for a GUI-side change (no anti-echo)."""
        msgs = self.changes()
        return pack_bundles(msgs) if msgs else []

    # ---- what the device sends ---------------------------------------------------------------
    def handle(self, packet: bytes) -> list[bytes]:
        self.packets_in += 1
        out: list[Message] = []
        for msg in decode_packet(packet):
            self.received.append(msg)
            out += self._one(msg)
        return pack_bundles(out) if out else []

    def _one(self, msg: Message) -> list[Message]:
        match = next(
            (m for m in self.p.match(msg.address) if (m.flag == "s") == any(isinstance(a, str) for a in msg.args)),
            None,
        )
        if match is None:
            return []
        a, flag, args = match.action, match.flag, msg.args
        slot = match.targets[0] if match.targets and isinstance(match.targets[0], int) else 0
        n = self.bank_start + slot
        t = self.tracks[n - 1] if 1 <= n <= len(self.tracks) else None
        if a == "ACTION" and args == (41743,):
            self.cache.clear()
        elif a == "DEVICE_TRACK_BANK_SELECT":
            start = (int(args[0]) - 1) * self.bank_size
            start = max(0, min(start, len(self.tracks) - 1))
            self.bank_start = start - start % self.bank_size
        elif a == "DEVICE_TRACK_COUNT":
            self.bank_size = int(args[0])
        elif a == "TRACK_VOLUME" and flag == "f" and t:
            t.volume_db = max(FLOOR_DB, float(args[0]))
        elif a == "TRACK_PAN" and flag == "n" and t:
            t.pan = float(args[0]) * 2 - 1
        elif a in ("TRACK_MUTE", "TRACK_SOLO", "TRACK_SELECT") and flag == "b" and t:
            setattr(t, {"TRACK_SELECT": "selected"}.get(a, a[6:].lower()), bool(args[0]))
        elif a == "TRACK_NAME" and t:
            t.name = str(args[0])
        elif a == "FX_BYPASS" and t:
            t.fx[int(match.targets[1]) - 1][1] = bool(args[0])  # type: ignore[arg-type]
        elif a == "PLAY":
            self.playing = True
        elif a == "STOP":
            self.playing = False
        elif a == "REPEAT":
            self.repeat = not self.repeat
        elif a == "TIME":
            self.time_s = float(args[0])
            self.cache.pop(msg.address, None)  # polled, so REAPER does report it back
        elif a in ("LOOP_START_TIME", "LOOP_END_TIME"):
            self.loop = (float(args[0]), self.loop[1]) if a == "LOOP_START_TIME" else (self.loop[0], float(args[0]))
            self.cache.pop(msg.address, None)
        return self.changes(skip=msg.address if flag in "nfs" and a not in ("TIME",) and "LOOP" not in a else None)

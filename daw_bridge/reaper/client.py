"""``ReaperClient``: REAPER's OSC surface driven in real units, with a mirror of the project kept from feedback.

Every address is built from the loaded :class:`~daw_bridge.osc.patterns.PatternSet` (our shipped file or
REAPER's ``Default.ReaperOSC``), never typed in. Verbs take 1-based track numbers or names, gains in dB
(``f/track/@/volume/db``; the normalized fader value is opaque), pan -1..+1, times in seconds.

* **Banks.** ``/track/@`` addresses a slot of the device's current bank. A track outside the bank is reached
  by prepending ``DEVICE_TRACK_BANK_SELECT`` (1-based bank) to the same bundle, so the switch and the change
  arrive together.
* **Atomic changes.** Several messages always go as ONE ``#bundle`` (:meth:`apply`, :meth:`set_loop`).
* **Confirmation.** With ``wait=True`` a verb returns once REAPER's feedback confirms it, or raises
  :class:`~daw_bridge.errors.DawTimeout`. REAPER never echoes the exact address a device set (except ``t``/``b``
  patterns) and never re-sends an unchanged value, so a dB change is confirmed by the fader/string forms it
  triggers, an unchanged value needs no confirmation, and a rename or an FX parameter (no other form is sent
  back) is applied to the mirror without one.
* **Sync.** :meth:`sync` triggers action 41743 (refresh all surfaces: cache cleared, full dump), waits for
  the dump to settle, and walks the banks until one ends before its last slot. No answer at all within
  ``timeout_s`` raises :class:`~daw_bridge.errors.DawUnreachable`, never a hang.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence

from ..daw import TrackChange, TrackInfo, TransportState
from ..errors import DawTimeout, DawUnreachable, InvalidParameter, TrackNotFound
from ..osc.codec import Message, encode_bundle, encode_message
from ..osc.dispatch import Dispatcher
from ..osc.patterns import PatternSet, load_patterns
from .mirror import ProjectMirror
from .transport import Transport

log = logging.getLogger(__name__)

#: "Control surface: Refresh all surfaces": REAPER clears its feedback cache and dumps everything.
ACTION_REFRESH_SURFACES = 41743

TrackRef = int | str
#: A confirmation to wait for: (predicate on the mirror, what it confirms, for the error message).
Check = tuple[Callable[[ProjectMirror], bool], str]


class ReaperClient:
    """Commands to REAPER over ``transport`` and a :class:`ProjectMirror` of its feedback."""

    def __init__(
        self,
        transport: Transport,
        patterns: PatternSet | None = None,
        *,
        timeout_s: float = 2.0,
        settle_s: float = 0.15,
        dump_timeout_s: float = 60.0,
        max_banks: int = 64,
    ) -> None:
        if timeout_s <= 0:
            raise InvalidParameter(f"timeout_s {timeout_s} must be > 0 seconds")
        self.transport = transport
        self.patterns = patterns if patterns is not None else load_patterns()
        self.timeout_s = timeout_s
        self.settle_s = settle_s
        self.dump_timeout_s = dump_timeout_s
        self.max_banks = max_banks
        self.mirror = ProjectMirror(bank_size=self.patterns.track_count)
        self.dispatcher = Dispatcher(self.patterns)
        self.mirror.bind(self.dispatcher)
        self._lock = threading.RLock()
        self._started = False

    # ---- lifecycle ----------------------------------------------------------------------------
    def _on_packet(self, data: bytes) -> None:
        self.dispatcher.dispatch_packet(data)
        self.mirror.note_packet()

    def start(self) -> None:
        """Start listening for feedback (idempotent)."""
        if not self._started:
            self.transport.start(self._on_packet)
            self._started = True

    def connect(self, *, timeout_s: float | None = None) -> None:
        """Start listening and :meth:`sync`; DawUnreachable within ``timeout_s`` if REAPER does not answer."""
        self.start()
        self.sync(timeout_s=timeout_s)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> ReaperClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- wire ---------------------------------------------------------------------------------
    def message(
        self, action: str, flag: str, *targets: int | str, args: tuple[int | float | str, ...] = ()
    ) -> Message:
        """A message for ``action``'s ``flag`` pattern with ``targets``, its address from the pattern file."""
        return Message(self.patterns.address(action, flag, *targets), args)

    def send(self, messages: Sequence[Message]) -> None:
        """One message as a plain packet; several as ONE bundle (REAPER applies them together)."""
        if not messages:
            return
        packet = encode_message(messages[0]) if len(messages) == 1 else encode_bundle(list(messages))
        self.start()
        self.transport.send(packet)

    def _where(self) -> str:
        host = getattr(self.transport, "host", None)
        port = getattr(self.transport, "send_port", None)
        listen = getattr(self.transport, "listen_port", None)
        if host is None:
            return "the DAW transport"
        return f"REAPER at {host}:{port} (feedback expected on port {listen})"

    # ---- tracks and banks ---------------------------------------------------------------------
    def find_track(self, name: str) -> int:
        """The 1-based number of the track called ``name`` (case-insensitive); TrackNotFound otherwise."""
        wanted = name.strip().casefold()
        tracks = self.mirror.tracks()
        for t in tracks:
            if t.name.strip().casefold() == wanted:
                return t.index
        names = ", ".join(repr(t.name) for t in tracks[:20]) or "none mirrored: did sync() run?"
        raise TrackNotFound(f"no track named {name!r} in REAPER (tracks: {names})")

    def resolve(self, ref: TrackRef) -> int:
        """Track number for a 1-based number or a name."""
        if isinstance(ref, str):
            return self.find_track(ref)
        if isinstance(ref, bool) or not isinstance(ref, int) or ref < 1:
            raise TrackNotFound(f"track {ref!r} is not a 1-based track number or a name")
        count = self.mirror.track_count
        if count is not None and ref > count:
            raise TrackNotFound(f"track {ref} does not exist (the project has {count} tracks)")
        return ref

    def track(self, ref: TrackRef) -> TrackInfo:
        number = self.resolve(ref)
        state = self.mirror.track_state(number)
        if state is None:
            raise TrackNotFound(f"track {number} has not been reported by REAPER yet (run sync())")
        return state.info()

    def tracks(self) -> list[TrackInfo]:
        return self.mirror.tracks()

    def transport_state(self) -> TransportState:
        return self.mirror.transport()

    def _bank_select(self, bank: int) -> Message:
        return self.message("DEVICE_TRACK_BANK_SELECT", "i", args=(bank,))

    def _route(self, number: int) -> tuple[list[Message], int]:
        """(bank-select messages to prepend, slot) for absolute track ``number``; moves the mirror's bank."""
        size, start = self.mirror.bank_size, self.mirror.bank_start
        if start < number <= start + size:
            return [], number - start
        bank = (number - 1) // size + 1
        # let the previous burst land first: feedback still in flight would be read against the new bank
        self.mirror.wait_quiet(self.settle_s, self.timeout_s)
        self.mirror.set_bank((bank - 1) * size)
        return [self._bank_select(bank)], number - (bank - 1) * size

    def _fit_bank(self, numbers: list[int]) -> list[Message]:
        """Messages that make ONE bank hold every track in ``numbers`` (none if the current bank does).

        When the tracks span several banks, REAPER's bank is grown (``DEVICE_TRACK_COUNT``) so the whole change
        stays one bundle whose feedback is attributed unambiguously; :meth:`sync` restores the file's size.
        """
        size = self.mirror.bank_size
        banks = {(n - 1) // size for n in numbers}
        if len(banks) <= 1:
            return []
        msgs = [self._bank_select(1)] if self.mirror.bank_start != 0 else []
        self.mirror.wait_quiet(self.settle_s, self.timeout_s)
        self.mirror.set_bank(0)
        new_size = max(numbers)
        msgs.append(self.message("DEVICE_TRACK_COUNT", "i", args=(new_size,)))
        self.mirror.set_bank_size(new_size)
        return msgs

    def select_bank_for(self, ref: TrackRef, *, timeout_s: float | None = None) -> int:
        """Make the device's bank contain track ``ref`` and wait for REAPER's bank dump; returns the slot.

        Needed before a value REAPER never reports back (a name, an FX parameter): sent in the same bundle as
        the bank select, the dump of the new bank would arrive after it and overwrite the mirror's copy.
        """
        with self._lock:
            number = self.resolve(ref)
            version = self.mirror.version
            pre, slot = self._route(number)
            if pre:
                self.send(pre)
                first = self.mirror.bank_start + 1
                self._await([_heard(first, "number", version, f"bank switch to track {number}")], timeout_s)
                self.mirror.wait_quiet(self.settle_s, self.timeout_s)
            return slot

    # ---- confirmation -------------------------------------------------------------------------
    def _await(self, checks: list[Check], timeout_s: float | None) -> None:
        limit_s = timeout_s if timeout_s is not None else self.timeout_s
        deadline = time.monotonic() + limit_s
        heard = self.mirror.packets
        for check, what in checks:
            if not self.mirror.wait_for(check, deadline - time.monotonic()):
                silent = (": it sent nothing at all in that time, so it stopped answering (closed, stopped, or a "
                          "dialog waiting in it?)") if self.mirror.packets == heard else ""
                raise DawTimeout(f"{self._where()} did not confirm {what} within {limit_s:.1f} s{silent}")

    def _track_messages(self, number: int, change: TrackChange, version: int) -> tuple[list[Message], list[Check]]:
        """Messages (bank select first if needed) and the confirmations to wait for, for one change.

        REAPER sends nothing back for a value that does not change, so unchanged values are not waited for.
        """
        current = self.mirror.track_state(number)
        pre, slot = self._route(number)
        msgs: list[Message] = list(pre)
        checks: list[Check] = []
        if change.volume_db is not None:
            gain_db = _check_db(change.volume_db)
            msgs.append(self.message("TRACK_VOLUME", "f", slot, args=(gain_db,)))
            if current is None or not math.isclose(current.volume_db, gain_db, abs_tol=0.005):
                checks.append(_heard(number, "volume", version, f"track {number} volume {gain_db:+.2f} dB"))
            self.mirror.assume(number, volume_db=gain_db)
        if change.pan is not None:
            pan = _check_pan(change.pan)
            msgs.append(self.message("TRACK_PAN", "n", slot, args=((pan + 1.0) / 2.0,)))
            if current is None or not math.isclose(current.pan, pan, abs_tol=1e-4):
                checks.append(_heard(number, "pan", version, f"track {number} pan {pan:+.2f}"))
            self.mirror.assume(number, pan=pan)
        for name, value in (("mute", change.mute), ("solo", change.solo)):
            if value is None:
                continue
            msgs.append(self.message(f"TRACK_{name.upper()}", "b", slot, args=(int(bool(value)),)))
            if current is None or getattr(current, name) != bool(value):
                checks.append(_became(number, name, bool(value), version))
        return msgs, checks

    # ---- track verbs --------------------------------------------------------------------------
    def apply(self, changes: Sequence[TrackChange], *, wait: bool = True, timeout_s: float | None = None) -> None:
        """Apply several track changes as ONE bundle (grouped by bank), then wait for their confirmations."""
        with self._lock:
            resolved = [(self.resolve(c.track), c) for c in changes]
            version = self.mirror.version
            msgs: list[Message] = self._fit_bank([n for n, _ in resolved])
            checks: list[Check] = []
            for number, change in resolved:
                m, c = self._track_messages(number, change, version)
                msgs += m
                checks += c
            self.send(msgs)
        if wait:
            self._await(checks, timeout_s)

    def set_volume_db(
        self, ref: TrackRef, gain_db: float, *, wait: bool = True, timeout_s: float | None = None
    ) -> None:
        """Set a track's volume in dB (``f/track/@/volume/db``); 0 is the master (needs ``f/master/volume/db``)."""
        if ref == 0:
            with self._lock:
                gain_db = _check_db(gain_db)
                version = self.mirror.version
                self.mirror.assume(0, volume_db=gain_db)
                self.send([self.message("MASTER_VOLUME", "f", args=(gain_db,))])
            if wait:
                self._await([_heard(0, "volume", version, f"master volume {gain_db:+.2f} dB")], timeout_s)
            return
        self.apply([TrackChange(ref, volume_db=gain_db)], wait=wait, timeout_s=timeout_s)

    def set_pan(self, ref: TrackRef, pan: float, *, wait: bool = True, timeout_s: float | None = None) -> None:
        """Set a track's pan, -1 (left) .. +1 (right)."""
        self.apply([TrackChange(ref, pan=pan)], wait=wait, timeout_s=timeout_s)

    def set_mute(self, ref: TrackRef, on: bool, *, wait: bool = True, timeout_s: float | None = None) -> None:
        self.apply([TrackChange(ref, mute=on)], wait=wait, timeout_s=timeout_s)

    def set_solo(self, ref: TrackRef, on: bool, *, wait: bool = True, timeout_s: float | None = None) -> None:
        self.apply([TrackChange(ref, solo=on)], wait=wait, timeout_s=timeout_s)

    def select(self, ref: TrackRef, on: bool = True, *, wait: bool = True, timeout_s: float | None = None) -> None:
        """Select (or deselect) a track in REAPER."""
        with self._lock:
            number = self.resolve(ref)
            version = self.mirror.version
            current = self.mirror.track_state(number)
            pre, slot = self._route(number)
            self.send(pre + [self.message("TRACK_SELECT", "b", slot, args=(int(bool(on)),))])
        if wait and (current is None or current.selected != bool(on)):
            self._await([_became(number, "selected", bool(on), version)], timeout_s)

    def rename(self, ref: TrackRef, name: str) -> None:
        """Rename a track. REAPER sends nothing back for it (anti-echo), so the mirror is updated directly."""
        with self._lock:
            number = self.resolve(ref)
            slot = self.select_bank_for(number)
            self.mirror.assume(number, name=name)
            self.send([self.message("TRACK_NAME", "s", slot, args=(name,))])

    def set_fx_enabled(
        self, ref: TrackRef, fx: int, on: bool, *, wait: bool = True, timeout_s: float | None = None
    ) -> None:
        """Enable (``on``) or bypass effect ``fx`` (1-based) of a track (``b/track/@/fx/@/bypass``, 1 = enabled)."""
        with self._lock:
            number = self.resolve(ref)
            version = self.mirror.version
            current = self.mirror.track_state(number)
            pre, slot = self._route(number)
            self.send(pre + [self.message("FX_BYPASS", "b", slot, fx, args=(int(bool(on)),))])
        known = current.fx.get(fx) if current is not None else None
        if wait and (known is None or known.enabled != bool(on)):
            self._await([(lambda m: _fx_enabled(m, number, fx) == bool(on) and m.stamp(number, "fx") > version,
                          f"track {number} FX {fx} {'enabled' if on else 'bypassed'}")], timeout_s)

    def set_fx_param(self, ref: TrackRef, fx: int, param: int, value: float) -> None:
        """Set parameter ``param`` (1-based, first parameter bank) of effect ``fx`` to ``value`` in 0..1.

        REAPER echoes no form of this address for a bank track, so it is applied to the mirror unconfirmed.
        """
        if not 0.0 <= value <= 1.0:
            raise InvalidParameter(f"FX parameter value {value} must be normalized 0..1")
        with self._lock:
            number = self.resolve(ref)
            slot = self.select_bank_for(number)
            self.mirror.assume_fx(number, fx, param=param, value=float(value))
            self.send([self.message("FX_PARAM_VALUE", "n", slot, fx, param, args=(float(value),))])

    # ---- transport ----------------------------------------------------------------------------
    def play(self, *, wait: bool = True, timeout_s: float | None = None) -> None:
        self.send([self.message("PLAY", "t")])
        if wait:
            self._await([(lambda m: m.playing, "play")], timeout_s)

    def stop(self, *, wait: bool = True, timeout_s: float | None = None) -> None:
        self.send([self.message("STOP", "t")])
        if wait:
            self._await([(lambda m: not m.playing, "stop")], timeout_s)

    def seek(self, time_s: float, *, wait: bool = True, timeout_s: float | None = None) -> None:
        """Move the edit cursor (the play position when stopped) to ``time_s`` (``f/time``)."""
        if not math.isfinite(time_s) or time_s < 0:
            raise InvalidParameter(f"seek time {time_s} s must be a finite number >= 0")
        version, moved = self.mirror.version, not math.isclose(self.mirror.position_s, time_s, abs_tol=1e-6)
        self.mirror.assume_transport(position_s=float(time_s))
        self.send([self.message("TIME", "f", args=(float(time_s),))])
        if wait and moved:
            self._await([(lambda m: m.stamp(-1, "time") > version, f"seek to {time_s:.3f} s")], timeout_s)

    def set_loop(
        self,
        start_s: float,
        end_s: float,
        *,
        repeat: bool | None = True,
        wait: bool = True,
        timeout_s: float | None = None,
    ) -> None:
        """Set the loop range (seconds) and, unless None, repeat on/off, in ONE bundle.

        REAPER reports loop points by polling (a later ``/loop/start/time``), so the range is applied to the
        mirror at once and only the repeat toggle is waited for.
        """
        if not (math.isfinite(start_s) and math.isfinite(end_s) and 0 <= start_s < end_s):
            raise InvalidParameter(f"loop {start_s}..{end_s} s must satisfy 0 <= start < end")
        cur_start, cur_end = self.mirror.loop_s
        start = self.message("LOOP_START_TIME", "f", args=(float(start_s),))
        end = self.message("LOOP_END_TIME", "f", args=(float(end_s),))
        msgs = [end, start] if start_s >= cur_end else [start, end]  # never let start pass the old end
        toggle = repeat is not None and self.mirror.repeat != repeat
        if toggle:
            msgs.append(self.message("REPEAT", "t"))  # REAPER's t/repeat toggles
        self.mirror.assume_transport(loop_s=(float(start_s), float(end_s)))
        self.send(msgs)
        checks: list[Check] = []
        if toggle:
            checks.append((lambda m: m.repeat == repeat, f"repeat {'on' if repeat else 'off'}"))
        if wait:
            self._await(checks, timeout_s)

    def trigger_action(self, action: int | str) -> None:
        """Run a REAPER action by numeric id or named command id (``"_RS..."``)."""
        if isinstance(action, str) and action.strip().isdigit():
            action = int(action)
        if isinstance(action, int) and not isinstance(action, bool) and action > 0:
            self.send([self.message("ACTION", "i", args=(action,))])
        elif isinstance(action, str) and action.startswith("_") and action[1:].replace("_", "").isalnum():
            self.send([self.message("ACTION", "s", args=(action,))])
        else:
            raise InvalidParameter(f"action {action!r} is neither a positive command id nor a named id ('_RS...')")

    # ---- sync ---------------------------------------------------------------------------------
    def sync(self, *, timeout_s: float | None = None) -> None:
        """Refresh the whole mirror: 41743 per bank until the project ends; DawUnreachable if no answer."""
        wait_s = timeout_s if timeout_s is not None else self.timeout_s
        with self._lock:
            self.start()
            self.mirror.reset_tracks()
            bank = 1
            first: list[Message] = []
            if self.mirror.bank_size != self.patterns.track_count:  # undo a grown bank (see _fit_bank)
                resize = self.message("DEVICE_TRACK_COUNT", "i", args=(self.patterns.track_count,))
                first = [self._bank_select(1), resize]
                self.mirror.set_bank(0, carry=False)
                self.mirror.set_bank_size(self.patterns.track_count)
            size = self.mirror.bank_size
            while True:
                msgs, first = first, []
                if self.mirror.bank_start != (bank - 1) * size:
                    msgs.append(self._bank_select(bank))
                    self.mirror.set_bank((bank - 1) * size, carry=False)
                msgs.append(self.message("ACTION", "i", args=(ACTION_REFRESH_SURFACES,)))
                seen = self.mirror.changes
                self.send(msgs)
                if not self.mirror.wait_for(_changes_after(seen), wait_s):
                    if self.mirror.packets:
                        raise DawUnreachable(
                            f"{self._where()} answers but sent no project feedback within {wait_s:.1f} s after "
                            "action 41743: does its OSC surface use a pattern file with TRACK_* feedback?"
                        )
                    raise DawUnreachable(
                        f"no feedback from {self._where()} within {wait_s:.1f} s: is REAPER running, with an OSC "
                        "control surface (Preferences > Control/OSC/web) that sends to this port and listens on "
                        "the port we send to?"
                    )
                if not self.mirror.wait_quiet(self.settle_s, self.dump_timeout_s):
                    log.warning("REAPER's feedback dump did not settle within %.0f s", self.dump_timeout_s)
                slots = self.mirror.slot_records()
                clamped = self.mirror.bank_start != (bank - 1) * size
                full = len(slots) == size and not any(r.placeholder for r in slots)
                if clamped or not full or bank >= self.max_banks:
                    break
                bank += 1
            count = self.mirror.last_real_track()
            if self.mirror.bank_start != 0:  # back to the first bank: REAPER sends what differs per slot
                self.mirror.set_bank(0)
                seen = self.mirror.changes
                self.send([self._bank_select(1)])
                if self.mirror.wait_for(_changes_after(seen), wait_s):
                    self.mirror.wait_quiet(self.settle_s, self.dump_timeout_s)
            self.mirror.set_track_count(count)


def _changes_after(seen: int) -> Callable[[ProjectMirror], bool]:
    return lambda m: m.changes > seen


def _heard(number: int, what: str, version: int, description: str) -> Check:
    """Confirmed once any feedback about ``what`` of track ``number`` arrives after ``version``."""
    return (lambda m: m.stamp(number, what) > version, description)


def _became(number: int, name: str, value: bool, version: int) -> Check:
    """Confirmed once feedback sets boolean ``name`` of track ``number`` to ``value``."""

    def check(m: ProjectMirror) -> bool:
        state = m.track_state(number)
        return m.stamp(number, name) > version and state is not None and getattr(state, name) == value

    return (check, f"track {number} {name} {'on' if value else 'off'}")


def _fx_enabled(mirror: ProjectMirror, number: int, fx: int) -> bool | None:
    state = mirror.track_state(number)
    known = state.fx.get(fx) if state is not None else None
    return known.enabled if known is not None else None


def _check_db(gain_db: float) -> float:
    if math.isnan(gain_db) or gain_db == math.inf:
        raise InvalidParameter(f"volume {gain_db} dB is not a level (use a finite number or -inf)")
    return float(gain_db)


def _check_pan(pan: float) -> float:
    if not -1.0 <= pan <= 1.0:
        raise InvalidParameter(f"pan {pan} must be in -1 (left) .. +1 (right)")
    return float(pan)

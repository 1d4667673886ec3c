"""Ardour 7 as a :class:`~daw_bridge.daw.Daw`: its own OSC address space for the mixer and transport, and the
daw-bridge Lua bridge (``daw_bridge/data/ardour/daw-bridge/daw_bridge_hook.lua``) for what OSC cannot do.

Every setter waits for Ardour's feedback to confirm the value (DawTimeout otherwise), so a render requested
right after a change always hears it. :meth:`ArdourDaw.apply` sends one ``#bundle``.
"""

from __future__ import annotations

import math
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..bridged import BridgeOps
from ..config import Config
from ..daw import (
    MonitorFx,
    TrackChange,
    TrackInfo,
    TransportState,
)
from ..errors import CodecError, DawTimeout, DawUnreachable, InvalidParameter, TrackNotFound
from ..osc.codec import Message
from ..reaper.bridge import BridgeClient
from . import osc
from .mirror import ArdourMirror, StripState

GAIN_TOLERANCE_DB = 0.01
PAN_TOLERANCE = 1e-3


@dataclass(frozen=True)
class PluginParam:
    """A plugin parameter as ``/strip/plugin/descriptor`` reports it: 1-based ``index``, native range."""

    index: int
    name: str
    minimum: float
    maximum: float
    value: float


def ardour_params(fx: MonitorFx, sample_rate: int) -> dict[str, Any]:
    """The parameters the monitor section's processor for ``fx`` gets at ``sample_rate`` Hz. Ardour's Lua DSP
    designs plain RBJ filters at its rate: the correction's bands are re-fitted for it here
    (:func:`~daw_bridge.dsp.correction.params_at_rate`; REAPER's JSFX re-fit them themselves)."""
    from ..dsp.correction import params_at_rate

    if fx.kind == "correction":
        return params_at_rate(fx.params, sample_rate=sample_rate)
    return dict(fx.params)


class ArdourDaw(BridgeOps):
    """Ardour over OSC at ``host:port`` plus the bridge mailbox in ``bridge_dir``."""

    name = "ardour"
    host_label = "Ardour"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 3819,
        bridge_dir: Path,
        bounce_dir: Path | None = None,
        listen_host: str = "127.0.0.1",
        timeout_s: float = 2.0,
        bridge_timeout_s: float = 10.0,
    ) -> None:
        self.address = (host, int(port))
        self.listen_host = listen_host
        self.timeout_s = timeout_s
        roots = (Path(bridge_dir),) + ((Path(bounce_dir),) if bounce_dir is not None else ())
        # The Ardour bridge polls its mailbox (no trigger needed).
        self.bridge = BridgeClient(
            Path(bridge_dir), lambda: None, timeout_s=bridge_timeout_s, allowed_roots=roots, host="Ardour",
            setup_hint="is the daw-bridge hook running in Ardour (docs/ardour.md: the luasession loop headless, "
            "the editor hook in the GUI)?",
        )
        self.mirror = ArdourMirror()
        self.datagrams_sent = 0
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._loop: tuple[float, float] | None = None
        #: Per-effect messages of the last :meth:`set_monitor_chain` (effects Ardour could not host).
        self.monitor_notes: list[str] = []

    @classmethod
    def from_config(cls, cfg: Config) -> ArdourDaw:
        """Host from ``[reaper] host``, port from ``[ardour] port``, mailbox and bounce folders from ``[paths]``."""
        return cls(host=cfg.host, port=cfg.ardour_port, bridge_dir=cfg.bridge_dir, bounce_dir=cfg.bounce_dir,
                   listen_host=cfg.listen_host, timeout_s=cfg.timeout_s, bridge_timeout_s=max(10.0, cfg.timeout_s))

    # ---- lifecycle ------------------------------------------------------------------------------
    def connect(self, *, timeout_s: float | None = None) -> None:
        """Register as a surface, read the strip list; DawUnreachable if Ardour stays silent."""
        wait_s = self.timeout_s if timeout_s is None else timeout_s
        if self._sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((self.listen_host, 0))
            sock.settimeout(0.1)
            self._sock = sock
            self._stop.clear()
            self._thread = threading.Thread(target=self._receive, name="ardour-osc", daemon=True)
            self._thread.start()
        self._send([osc.set_surface()])
        self.refresh(timeout_s=wait_s)

    def refresh(self, *, timeout_s: float | None = None) -> None:
        """Re-read the strip list (names, kinds, session rate)."""
        wait_s = self.timeout_s if timeout_s is None else timeout_s
        self.mirror.take_replies(lambda m: m.address == "/reply")
        self._send([osc.strip_list()])
        ok = self.mirror.wait_for(lambda m: any(r.args[:1] == ("end_route_list",) for r in m.replies), wait_s)
        if not ok:
            host, port = self.address
            raise DawUnreachable(
                f"no OSC reply from Ardour at {host}:{port} within {wait_s:.1f} s: is Ardour running with OSC "
                "enabled on that port (Edit > Preferences > Control Surfaces > OSC, port mode Auto)?"
            )
        self.mirror.take_replies(lambda m: m.address == "/reply")

    def close(self) -> None:
        """Stop listening; idempotent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
            self._thread = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> ArdourDaw:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _receive(self) -> None:
        sock = self._sock
        assert sock is not None
        while not self._stop.is_set():
            try:
                data, _ = sock.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                messages = osc.decode(data)
            except CodecError:
                continue
            for msg in messages:
                self.mirror.feed(msg)

    def _send(self, messages: list[Message]) -> None:
        if self._sock is None:
            raise DawUnreachable("ArdourDaw is not connected: call connect() first")
        self._sock.sendto(osc.encode(messages), self.address)
        self.datagrams_sent += 1

    # ---- mixer ----------------------------------------------------------------------------------
    def tracks(self) -> list[TrackInfo]:
        return [s.info() for s in self.mirror.snapshot()]

    def _strip(self, ref: int | str) -> StripState:
        strips = self.mirror.snapshot()
        if isinstance(ref, int) and not isinstance(ref, bool):
            found = next((s for s in strips if s.ssid == ref), None)
        else:
            key = str(ref).strip().casefold()
            found = next((s for s in strips if s.name.casefold() == key), None)
        if found is None:
            names = ", ".join(f"{s.ssid}:{s.name}" for s in strips)
            raise TrackNotFound(f"no Ardour track {ref!r} (tracks: {names or 'none'})")
        return found

    def track(self, ref: int | str) -> TrackInfo:
        return self._strip(ref).info()

    def set_volume_db(self, ref: int | str, gain_db: float) -> None:
        self.apply([TrackChange(ref, volume_db=gain_db)])

    def set_pan(self, ref: int | str, pan: float) -> None:
        self.apply([TrackChange(ref, pan=pan)])

    def set_mute(self, ref: int | str, on: bool) -> None:
        self.apply([TrackChange(ref, mute=on)])

    def set_solo(self, ref: int | str, on: bool) -> None:
        self.apply([TrackChange(ref, solo=on)])

    def apply(self, changes: Sequence[TrackChange]) -> None:
        """All changes in one ``#bundle``, then wait until Ardour's feedback shows every one of them."""
        messages: list[Message] = []
        checks: list[tuple[int, str, float | bool]] = []
        for change in changes:
            ssid = self._strip(change.track).ssid
            if change.volume_db is not None:
                if not math.isfinite(change.volume_db) or change.volume_db > 6.0:
                    raise InvalidParameter(f"volume {change.volume_db} dB for {change.track!r}: Ardour's fader "
                                           "goes from -inf to +6 dB")
                messages.append(osc.strip_gain(ssid, change.volume_db))
                checks.append((ssid, "gain_db", float(change.volume_db)))
            if change.pan is not None:
                position = osc.pan_to_position(change.pan)
                messages.append(osc.strip_pan(ssid, position))
                checks.append((ssid, "pan_position", position))
            if change.mute is not None:
                messages.append(osc.strip_mute(ssid, change.mute))
                checks.append((ssid, "mute", bool(change.mute)))
            if change.solo is not None:
                messages.append(osc.strip_solo(ssid, change.solo))
                checks.append((ssid, "solo", bool(change.solo)))
        if not messages:
            return
        self._send(messages)

        def confirmed(m: ArdourMirror) -> bool:
            for ssid, attr, want in checks:
                have = getattr(m.strips.get(ssid), attr, None)
                if isinstance(want, bool):
                    if have is not want:
                        return False
                elif not isinstance(have, float) or abs(have - want) > (
                        GAIN_TOLERANCE_DB if attr == "gain_db" else PAN_TOLERANCE):
                    return False
            return True

        if not self.mirror.wait_for(confirmed, self.timeout_s):
            raise DawTimeout(f"Ardour did not confirm {len(checks)} change(s) within {self.timeout_s:.1f} s: "
                             f"{', '.join(f'{a} of strip {s}' for s, a, _ in checks)}")

    # ---- plugins (native units) -----------------------------------------------------------------
    def plugins(self, ref: int | str) -> list[tuple[int, str, bool]]:
        """``(piid, name, enabled)`` for each plugin on a track, piid 1-based."""
        ssid = self._strip(ref).ssid
        self._send([osc.plugin_list(ssid)])
        self.mirror.wait_for(lambda m: any(r.address == "/strip/plugin/list" for r in m.replies), self.timeout_s)
        replies = self.mirror.take_replies(lambda m: m.address == "/strip/plugin/list")
        return [(int(r.args[1]), str(r.args[2]), bool(r.args[3])) for r in replies if len(r.args) >= 4]

    def plugin_params(self, ref: int | str, piid: int) -> list[PluginParam]:
        """The parameters of plugin ``piid`` with their native ranges (``/strip/plugin/descriptor``)."""
        ssid = self._strip(ref).ssid
        self._send([osc.plugin_descriptor(ssid, piid)])
        done = self.mirror.wait_for(
            lambda m: any(r.address == "/strip/plugin/descriptor_end" for r in m.replies), self.timeout_s)
        replies = self.mirror.take_replies(lambda m: m.address.startswith("/strip/plugin/descriptor"))
        if not done:
            raise DawTimeout(f"no plugin descriptor from Ardour for strip {ssid} plugin {piid}")
        out = []
        for r in replies:
            a = r.args
            if r.address == "/strip/plugin/descriptor" and len(a) >= 8:
                out.append(PluginParam(int(a[2]), str(a[3]), float(a[6]), float(a[7]), float(a[-1])))
        return out

    def set_plugin_param(self, ref: int | str, piid: int, param: int | str, value: float) -> None:
        """Set a plugin parameter (by 1-based index or name) in native units, validated against its range."""
        params = self.plugin_params(ref, piid)
        if isinstance(param, str):
            found = next((p for p in params if p.name.casefold() == param.casefold()), None)
        else:
            found = next((p for p in params if p.index == param), None)
        if found is None:
            raise InvalidParameter(f"plugin {piid} on {ref!r} has no parameter {param!r} "
                                   f"(has: {', '.join(p.name for p in params)})")
        if not found.minimum <= value <= found.maximum:
            raise InvalidParameter(f"{found.name} = {value} is outside {found.minimum}..{found.maximum}")
        self._send([osc.plugin_parameter(self._strip(ref).ssid, piid, found.index, float(value))])
        if not self._param_is(ref, piid, found.index, value):
            raise DawTimeout(f"Ardour did not apply {found.name} = {value}")

    def _param_is(self, ref: int | str, piid: int, index: int, value: float) -> bool:
        for _ in range(20):
            now = next((p for p in self.plugin_params(ref, piid) if p.index == index), None)
            if now is not None and abs(now.value - value) <= 1e-4 * max(1.0, abs(value)):
                return True
        return False

    # ---- transport ------------------------------------------------------------------------------
    def _rate(self) -> int:
        if self.mirror.sample_rate <= 0:
            self.refresh()
        return self.mirror.sample_rate

    def transport(self) -> TransportState:
        self.mirror.take_replies(lambda m: m.address == "/transport_frame")
        self._send([osc.simple("/transport_frame")])
        self.mirror.wait_for(lambda m: any(r.address == "/transport_frame" for r in m.replies), self.timeout_s)
        frames = self.mirror.take_replies(lambda m: m.address == "/transport_frame")
        position = float(frames[-1].args[0]) / self._rate() if frames and frames[-1].args else 0.0
        start, end = self._loop if self._loop else (None, None)
        return TransportState(playing=self.mirror.playing, position_s=position, loop_start_s=start,
                              loop_end_s=end, repeat=self.mirror.looping)

    def play(self) -> None:
        self._send([osc.simple("/transport_play")])
        self._confirm(lambda m: m.playing, "play")

    def stop(self) -> None:
        self._send([osc.simple("/transport_stop")])
        self._confirm(lambda m: not m.playing, "stop")

    def seek(self, time_s: float) -> None:
        if time_s < 0:
            raise InvalidParameter(f"seek time {time_s} s must be >= 0")
        self._send([osc.locate(round(time_s * self._rate()), roll=self.mirror.playing)])

    def set_loop(self, start_s: float, end_s: float, *, repeat: bool = True) -> None:
        if not 0 <= start_s < end_s:
            raise InvalidParameter(f"loop {start_s}..{end_s} s: need 0 <= start < end")
        rate = self._rate()
        self._send([osc.loop_location(round(start_s * rate), round(end_s * rate))])
        self._loop = (start_s, end_s)
        if repeat != self.mirror.looping:
            self._send([osc.simple("/loop_toggle")])
            self._confirm(lambda m: m.looping == repeat, "loop")

    def _confirm(self, predicate: Any, what: str) -> None:
        if not self.mirror.wait_for(predicate, self.timeout_s):
            raise DawTimeout(f"Ardour did not confirm {what} within {self.timeout_s:.1f} s")

    # ---- through the bridge: markers, render, monitoring, media, state (daw_bridge/bridged.py) -----
    def set_monitor_chain(self, chain: Sequence[MonitorFx]) -> None:
        """Our effects into the monitor section. The effects switched off by neutral parameters
        (:func:`~daw_bridge.monitoring.daw_enabled`) stay there with pass-through parameters, so switching them on
        or off is their own crossfade (monitor_dsp.lua), like any other change; other effects that are off are
        simply absent.

        An effect Ardour cannot host is skipped by the bridge with a message (kept in :attr:`monitor_notes`) when
        it is on (one that is off changes nothing); the others are applied.
        """
        from ..dsp.params import KINDS
        from ..monitoring import daw_enabled
        from .dsp_scripts import ARDOUR_KINDS

        # ours that Ardour cannot host are left out with a note; anything else goes to the bridge, which refuses
        # what it does not know
        hosted = [fx for fx in chain if daw_enabled(fx) and (fx.kind in ARDOUR_KINDS or fx.kind not in KINDS)]
        local = [
            f"monitoring effect {fx.kind} is not available in Ardour (it runs in REAPER's monitoring chain and in "
            "'daw-bridge process'); the other effects are applied"
            for fx in chain if fx.enabled and fx not in hosted
        ]  # fmt: skip
        rate = self.project_info().sample_rate if any(fx.kind == "correction" for fx in hosted) else 0
        result = self.bridge.set_monitor_chain(
            [{"kind": fx.kind, "enabled": True, "params": ardour_params(fx, rate)} for fx in hosted]
        )
        off = {fx.kind for fx in hosted if not fx.enabled}
        skipped = [s for s in result.get("skipped") or [] if isinstance(s, dict) and s.get("kind") not in off]
        self.monitor_notes = local + [str(s.get("message", s)) for s in skipped]

    def monitor_fx(self) -> list[dict[str, Any]]:
        """The monitor section's plugins as the bridge reports them (``index``, ``name``, ``enabled``, ``ours``,
        ``id``: Ardour's processor id)."""
        return list(self.bridge.get_state(["monitor_fx"]).get("monitor_fx") or [])


__all__ = ["ArdourDaw", "PluginParam", "ardour_params"]

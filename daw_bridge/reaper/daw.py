"""``ReaperDaw``: the :class:`~daw_bridge.daw.Daw` interface over REAPER's OSC surface plus the JSON bridge.

Mixer and transport verbs go over OSC (:class:`~daw_bridge.reaper.client.ReaperClient`); what OSC cannot do
(markers with colour, render to a path, the monitoring chain, inserting media, project state, project info) goes
through the bridge (:class:`~daw_bridge.reaper.bridge.BridgeClient`), which is triggered over OSC with the
bridge command id.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..bridged import BridgeOps
from ..config import Config
from ..daw import (
    TrackChange,
    TrackInfo,
    TransportState,
)
from ..osc.patterns import load_patterns
from .bridge import BridgeClient
from .client import ReaperClient
from .transport import UdpTransport


def client_from_config(cfg: Config) -> ReaperClient:
    """A ReaperClient on UDP as ``cfg`` says (binds the feedback port now; not yet synced)."""
    patterns = load_patterns(cfg.pattern_file)
    transport = UdpTransport(cfg.host, cfg.send_port, listen_host=cfg.listen_host, listen_port=cfg.receive_port)
    return ReaperClient(transport, patterns, timeout_s=cfg.timeout_s)


class ReaperDaw(BridgeOps):
    """REAPER (or the emulator) as a :class:`~daw_bridge.daw.Daw`."""

    name = "reaper"
    host_label = "REAPER"

    def __init__(self, client: ReaperClient, bridge: BridgeClient) -> None:
        self.client = client
        self.bridge = bridge

    @classmethod
    def from_config(cls, cfg: Config) -> ReaperDaw:
        client = client_from_config(cfg)
        command = cfg.bridge_command
        bridge = BridgeClient(
            cfg.bridge_dir,
            lambda: client.trigger_action(command),
            timeout_s=max(5.0, cfg.timeout_s),
            allowed_roots=(cfg.bridge_dir, cfg.bounce_dir),
        )
        return cls(client, bridge)

    # ---- lifecycle ----------------------------------------------------------------------------
    def connect(self, *, timeout_s: float | None = None) -> None:
        self.client.connect(timeout_s=timeout_s)

    def close(self) -> None:
        self.client.close()

    # ---- mixer (OSC) --------------------------------------------------------------------------
    def tracks(self) -> list[TrackInfo]:
        return self.client.tracks()

    def track(self, ref: int | str) -> TrackInfo:
        return self.client.track(ref)

    def set_volume_db(self, ref: int | str, gain_db: float) -> None:
        self.client.set_volume_db(ref, gain_db)

    def set_pan(self, ref: int | str, pan: float) -> None:
        self.client.set_pan(ref, pan)

    def set_mute(self, ref: int | str, on: bool) -> None:
        self.client.set_mute(ref, on)

    def set_solo(self, ref: int | str, on: bool) -> None:
        self.client.set_solo(ref, on)

    def apply(self, changes: Sequence[TrackChange]) -> None:
        """One bundle for all ``changes`` (an A/B switch never has a moment with half of it applied)."""
        self.client.apply(changes)

    # ---- transport (OSC) ----------------------------------------------------------------------
    def transport(self) -> TransportState:
        return self.client.transport_state()

    def play(self) -> None:
        self.client.play()

    def stop(self) -> None:
        self.client.stop()

    def seek(self, time_s: float) -> None:
        self.client.seek(time_s)

    def set_loop(self, start_s: float, end_s: float, *, repeat: bool = True) -> None:
        self.client.set_loop(start_s, end_s, repeat=repeat)

    # ---- through the bridge: markers, render, monitoring, media, state (daw_bridge/bridged.py) -----

"""``ReaperDaw``: the :class:`~daw_bridge.daw.Daw` interface over REAPER's OSC surface plus the JSON bridge.

Mixer and transport verbs go over OSC (:class:`~daw_bridge.reaper.client.ReaperClient`); what OSC cannot do
(markers with colour, render to a path, the monitoring chain, inserting media, project state, project info) goes
through the bridge (:class:`~daw_bridge.reaper.bridge.BridgeClient`), which is triggered over OSC with the
bridge command id.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..config import Config
from ..daw import (
    MARKER_TAG,
    MarkerInfo,
    MarkerSpec,
    MonitorFx,
    Progress,
    ProjectInfo,
    RenderRequest,
    RenderResult,
    TrackChange,
    TrackInfo,
    TransportState,
)
from ..errors import BridgeRefused, RenderError
from ..osc.patterns import load_patterns
from .bridge import BridgeClient
from .client import ReaperClient
from .transport import UdpTransport


def client_from_config(cfg: Config) -> ReaperClient:
    """A ReaperClient on UDP as ``cfg`` says (binds the feedback port now; not yet synced)."""
    patterns = load_patterns(cfg.pattern_file)
    transport = UdpTransport(cfg.host, cfg.send_port, listen_host=cfg.listen_host, listen_port=cfg.receive_port)
    return ReaperClient(transport, patterns, timeout_s=cfg.timeout_s)


class ReaperDaw:
    """REAPER (or the emulator) as a :class:`~daw_bridge.daw.Daw`."""

    name = "reaper"

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

    # ---- through the bridge -------------------------------------------------------------------
    def markers(self) -> list[MarkerInfo]:
        raw = self.bridge.get_state(["markers"]).get("markers") or []
        out = [
            MarkerInfo(
                number=int(m.get("number", 0)),
                time_s=float(m.get("time_s", 0.0)),
                name=str(m.get("name", "")),
                color=m.get("color"),
                end_s=None if m.get("end_s") is None else float(m["end_s"]),
            )
            for m in raw
            if isinstance(m, dict)
        ]
        return sorted(out, key=lambda m: (m.time_s, m.number))

    def replace_markers(self, markers: Sequence[MarkerSpec]) -> None:
        """Delete our tagged markers and add ``markers`` (the bridge adds the tag), one undo point."""
        payload = [
            {
                "time_s": float(m.time_s),
                "end_s": None if m.end_s is None else float(m.end_s),
                "name": m.name.removeprefix(MARKER_TAG).lstrip(),
                "color": m.color,
            }
            for m in markers
        ]
        self.bridge.replace_markers(payload)

    def render(
        self, request: RenderRequest, *, progress: Progress | None = None, timeout_s: float = 120.0
    ) -> RenderResult:
        """Render the master mix through the bridge; RenderError names what failed."""
        args: dict[str, Any] = {
            "directory": str(Path(request.directory).expanduser().resolve()),
            "file_name": request.file_name,
            "sample_rate": request.sample_rate,
            "channels": request.channels,
            "bit_depth": request.bit_depth,
            "start_s": request.start_s,
            "end_s": request.end_s,
        }
        if progress is not None:
            progress(0.0, f"rendering {request.file_name}")
        try:
            result = self.bridge.render(args, timeout_s=timeout_s)
        except BridgeRefused as exc:
            raise RenderError(f"render of {request.file_name} failed: {exc}") from exc
        files = tuple(Path(f) for f in result.get("files", []))
        if not files:
            raise RenderError(f"render of {request.file_name} reported no files")
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            raise RenderError(f"render reported {', '.join(missing)} but the file never appeared")
        if progress is not None:
            progress(1.0, "render done")
        duration = float(result.get("duration_s", 0.0))
        return RenderResult(files=files, duration_s=duration if math.isfinite(duration) else 0.0)

    def set_monitor_chain(self, chain: Sequence[MonitorFx]) -> None:
        payload = [{"kind": fx.kind, "enabled": fx.enabled, "params": dict(fx.params)} for fx in chain]
        self.bridge.set_monitor_chain(payload)

    def insert_reference(self, track_name: str, path: Path, *, position_s: float = 0.0) -> None:
        self.bridge.insert_media(track_name, Path(path).expanduser().resolve(), position_s=position_s)

    def get_project_state(self, key: str) -> str | None:
        return self.bridge.get_project_state(key)

    def set_project_state(self, key: str, value: str) -> None:
        self.bridge.set_project_state(key, value)

    def project_info(self) -> ProjectInfo:
        state = self.bridge.get_state(["sample_rate", "length_s", "project_path"])
        return ProjectInfo(
            sample_rate=int(state.get("sample_rate") or 0),
            length_s=float(state.get("length_s") or 0.0),
            path=str(state.get("project_path") or ""),
        )

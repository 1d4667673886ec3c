"""The :class:`~daw_bridge.daw.Daw` operations that go through the JSON bridge, shared by every backend.

REAPER and Ardour both execute docs/bridge-protocol.md inside the DAW, so markers, renders, the monitoring chain,
media insertion and project state are the same requests whichever DAW answers; a backend mixes this in and
provides ``self.bridge`` (a :class:`~daw_bridge.reaper.bridge.BridgeClient`) and ``host_label`` for messages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .daw import MARKER_TAG, MarkerInfo, MarkerSpec, MonitorFx, Progress, ProjectInfo, RenderRequest, RenderResult
from .errors import BridgeRefused, RenderError
from .reaper.bridge import BridgeClient


def parse_markers(raw: object) -> list[MarkerInfo]:
    """Markers and regions in time order from the bridge's ``get_state`` ``markers`` list (junk entries skipped)."""
    out = [
        MarkerInfo(
            number=int(m.get("number", 0)),
            time_s=float(m.get("time_s", 0.0)),
            name=str(m.get("name", "")),
            color=m.get("color"),
            end_s=None if m.get("end_s") is None else float(m["end_s"]),
            # a bridge from before marker IDs says nothing: then the tag in the name is all there is to go by
            ours=m["ours"] if isinstance(m.get("ours"), bool) else str(m.get("name", "")).startswith(MARKER_TAG),
            id=m["id"] if isinstance(m.get("id"), str) else None,
        )
        for m in (raw if isinstance(raw, list) else [])
        if isinstance(m, dict)
    ]
    return sorted(out, key=lambda m: (m.time_s, m.number))


class BridgeOps:
    """Bridge-backed halves of the Daw interface (mixin)."""

    bridge: BridgeClient
    host_label: str = "the DAW"

    def markers(self) -> list[MarkerInfo]:
        """Markers and regions in time order, as the bridge reads them."""
        return parse_markers(self.bridge.get_state(["markers"]).get("markers"))

    def replace_markers(self, markers: Sequence[MarkerSpec]) -> None:
        """Delete the markers we wrote (known by ID) and add ``markers`` (the bridge adds the tag), one undo point."""
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

    def clear_markers(self) -> int:
        """Delete the markers and regions we wrote, known by ID (the user's stay); returns how many went."""
        return self.bridge.clear_markers()

    def render(
        self, request: RenderRequest, *, progress: Progress | None = None, timeout_s: float = 120.0
    ) -> RenderResult:
        """Render the master mix (never the monitoring path) through the bridge; RenderError names what failed."""
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
            progress(0.0, f"rendering {request.file_name} in {self.host_label}")
        try:
            result = self.bridge.render(args, timeout_s=timeout_s)
        except BridgeRefused as exc:
            raise RenderError(f"{self.host_label} render of {request.file_name} failed: {exc}") from exc
        files = tuple(Path(f) for f in result.get("files", []))
        if not files:
            raise RenderError(f"{self.host_label} render of {request.file_name} reported no files")
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            raise RenderError(f"{self.host_label} reported {', '.join(missing)} but the file never appeared")
        if progress is not None:
            progress(1.0, "render done")
        duration = float(result.get("duration_s", 0.0))
        return RenderResult(files=files, duration_s=duration if math.isfinite(duration) else 0.0)

    def set_monitor_chain(self, chain: Sequence[MonitorFx]) -> None:
        """Our effects on the monitoring path (REAPER's monitoring FX, Ardour's monitor section). Effects switched
        off by neutral parameters stay enabled (:func:`~daw_bridge.monitoring.daw_enabled`): their off crossfades."""
        from .monitoring import daw_enabled

        self.bridge.set_monitor_chain(
            [{"kind": fx.kind, "enabled": daw_enabled(fx), "params": dict(fx.params)} for fx in chain]
        )

    def insert_reference(self, track_name: str, path: Path, *, position_s: float = 0.0) -> None:
        """Put ``path`` on the named track (created if absent) at ``position_s`` seconds."""
        self.bridge.insert_media(track_name, Path(path).expanduser().resolve(), position_s=position_s)

    def align_reference(self, track_name: str, offset_s: float) -> None:
        """Shift the track's audio so its source's time 0 plays at ``offset_s`` seconds (negative: earlier)."""
        self.bridge.align_item(track_name, offset_s)

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

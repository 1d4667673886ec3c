"""The DAW boundary: one small interface the workflows drive, whatever DAW is behind it.

``ReaperDaw`` (OSC + the JSON bridge, against REAPER or the emulator) and ``ArdourDaw`` implement
:class:`Daw`. Workflows (level matching, A/B, bounce-and-check) only ever see this interface, in real units:
gains in dB, pan -1..+1, times in seconds, 1-based track numbers (0 = master).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

#: ``progress(fraction 0..1, message)``; long operations call it, callers may print it.
Progress = Callable[[float, str], None]

#: Prefix of every marker daw-bridge writes; only markers carrying it are ever deleted.
MARKER_TAG = "[daw-bridge]"


@dataclass(frozen=True)
class FxInfo:
    """One effect in a chain: 1-based ``index``, display ``name``, ``enabled``, normalized ``params``."""

    index: int
    name: str
    enabled: bool = True
    params: tuple[float, ...] = ()


@dataclass(frozen=True)
class TrackInfo:
    """A track as mirrored from the DAW. ``index`` is 1-based (0 = master)."""

    index: int
    name: str
    volume_db: float = 0.0
    pan: float = 0.0
    mute: bool = False
    solo: bool = False
    selected: bool = False
    fx: tuple[FxInfo, ...] = ()


@dataclass(frozen=True)
class TrackChange:
    """Part of an atomic change: fields left None are not touched. ``track`` is a name or 1-based index."""

    track: int | str
    volume_db: float | None = None
    pan: float | None = None
    mute: bool | None = None
    solo: bool | None = None


@dataclass(frozen=True)
class TransportState:
    """Play state and positions in seconds."""

    playing: bool = False
    recording: bool = False
    position_s: float = 0.0
    loop_start_s: float | None = None
    loop_end_s: float | None = None
    repeat: bool = False


@dataclass(frozen=True)
class MarkerSpec:
    """A marker to write: ``time_s``, ``name``, colour ``#rrggbb``; with ``end_s`` it is a region."""

    time_s: float
    name: str
    color: str = "#ff8000"
    end_s: float | None = None


@dataclass(frozen=True)
class MarkerInfo:
    """A marker (or region, with ``end_s``) as the DAW reports it.

    ``ours``: whether daw-bridge wrote it, as the DAW side knows from the IDs it recorded (never from the name: a
    user's marker called "[daw-bridge] ..." is not ours, one of ours the user renamed still is). ``id``: the DAW's
    own ID (REAPER 7.62+ marker GUID, Ardour location ID), None where the DAW has none.
    """

    number: int
    time_s: float
    name: str
    color: str | None = None
    end_s: float | None = None
    ours: bool = False
    id: str | None = None


@dataclass(frozen=True)
class RenderRequest:
    """Render the master mix to ``directory/file_name`` (a ``.wav``).

    ``start_s``/``end_s`` None renders the whole project; ``sample_rate`` None keeps the project's rate.
    """

    directory: Path
    file_name: str
    sample_rate: int | None = None
    channels: int = 2
    bit_depth: int = 24
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True)
class RenderResult:
    """Files a render wrote and how long the rendered audio is, in seconds."""

    files: tuple[Path, ...]
    duration_s: float = 0.0


@dataclass(frozen=True)
class MonitorFx:
    """One of our effects on the monitoring chain: ``kind`` (``correction``, ``crossfeed``, ``bandsolo``,
    ``simulation``, ``trim``), its parameters in real units, and whether it is on."""

    kind: str
    params: Mapping[str, float | str] = field(default_factory=dict)
    enabled: bool = True


@dataclass(frozen=True)
class ProjectInfo:
    """What the workflows need to know about the open project."""

    sample_rate: int
    length_s: float
    path: str = ""


@runtime_checkable
class Daw(Protocol):
    """What every backend offers. Errors are :class:`~daw_bridge.errors.DawError`/``BridgeError``."""

    name: str

    def connect(self, *, timeout_s: float | None = None) -> None:
        """Start listening and sync the mirror; raise DawUnreachable within ``timeout_s``."""

    def close(self) -> None:
        """Stop listening; idempotent."""

    def tracks(self) -> list[TrackInfo]:
        """Every track, in project order (master excluded)."""

    def track(self, ref: int | str) -> TrackInfo:
        """The track with that 1-based number or name (case-insensitive); raise TrackNotFound."""

    def set_volume_db(self, ref: int | str, gain_db: float) -> None:
        """Set a track's volume in dB."""

    def set_pan(self, ref: int | str, pan: float) -> None:
        """Set a track's pan, -1 (left) .. +1 (right)."""

    def set_mute(self, ref: int | str, on: bool) -> None:
        """Mute or unmute a track."""

    def set_solo(self, ref: int | str, on: bool) -> None:
        """Solo or unsolo a track."""

    def apply(self, changes: Sequence[TrackChange]) -> None:
        """Apply several track changes at once (one bundle: no moment with half of them applied)."""

    def transport(self) -> TransportState:
        """Play state and positions."""

    def play(self) -> None:
        """Start playback."""

    def stop(self) -> None:
        """Stop playback."""

    def seek(self, time_s: float) -> None:
        """Move the play/edit position to ``time_s``."""

    def set_loop(self, start_s: float, end_s: float, *, repeat: bool = True) -> None:
        """Set the loop range in seconds and switch repeat on or off."""

    def markers(self) -> list[MarkerInfo]:
        """Markers and regions, in time order."""

    def replace_markers(self, markers: Sequence[MarkerSpec]) -> None:
        """Delete the markers we wrote (known by the IDs the DAW side recorded, never by name) and write
        ``markers`` (tag added), in one undo point."""

    def render(
        self, request: RenderRequest, *, progress: Progress | None = None, timeout_s: float = 120.0
    ) -> RenderResult:
        """Render the master mix; monitoring FX never reach it. Raise RenderError on failure."""

    def set_monitor_chain(self, chain: Sequence[MonitorFx]) -> None:
        """Set up (or update) our effects on the monitoring path, never the render path."""

    def insert_reference(self, track_name: str, path: Path, *, position_s: float = 0.0) -> None:
        """Put an audio file on the named track (created if absent)."""

    def align_reference(self, track_name: str, offset_s: float) -> None:
        """Shift the named track's audio so its source's time 0 plays at ``offset_s`` s (negative: earlier)."""

    def get_project_state(self, key: str) -> str | None:
        """A value daw-bridge stored in the project (None if absent)."""

    def set_project_state(self, key: str, value: str) -> None:
        """Store a value in the project (saved with it), so in-DAW scripts can read it."""

    def project_info(self) -> ProjectInfo:
        """Sample rate, length and path of the open project."""

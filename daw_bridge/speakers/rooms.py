"""The virtual rooms: each one's parameters live in ``daw_bridge/data/speakers/<name>.toml``.

A room file holds a one-line ``description``, the response ``length_ms``, an optional playback ``system`` (a
curve of :mod:`daw_bridge.dsp.simulation` that colours every speaker: phone, laptop, car, cube), the listener's
position, one ``[[speaker]]`` table per speaker (``name`` left/right/centre and either ``position_m`` or
``azimuth_deg`` + ``distance_m`` + ``height_m`` relative to the listener) and, unless it is free field, a
``[room]`` table: ``size_m`` (x front-to-back, y right-to-left, z up), ``absorption`` per wall (front, back, right,
left, floor, ceiling; 0..1, at 500 Hz and below), optionally ``absorption_hf`` (the same walls at 4 kHz and above;
in between the reflection factor moves smoothly on a log-frequency scale), ``rt60_s`` and ``tail_start_ms`` /
``tail_lowpass_hz`` of the diffuse tail.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import shipped
from ..dsp.params import SPEAKER_ROOMS
from ..dsp.simulation import system
from ..errors import InvalidParameter
from .image_source import WALLS, speaker_position

ROOMS_DIR = "speakers"
#: Which inputs feed each speaker kind (left, right).
FEEDS: dict[str, tuple[float, float]] = {"left": (1.0, 0.0), "right": (0.0, 1.0), "centre": (0.5, 0.5)}


@dataclass(frozen=True)
class Speaker:
    """One speaker: ``name`` (left, right or centre) at ``position_m`` [x, y, z]."""

    name: str
    position_m: tuple[float, float, float]

    @property
    def feeds(self) -> tuple[float, float]:
        """Gains from the (left, right) inputs."""
        return FEEDS[self.name]


@dataclass(frozen=True)
class Room:
    """A room's parameters (see the module doc); ``size_m`` None is free field (no reflections, no tail)."""

    name: str
    description: str
    length_ms: float
    listener_m: tuple[float, float, float]
    speakers: tuple[Speaker, ...]
    size_m: tuple[float, float, float] | None = None
    absorption: tuple[float, ...] = (0.0,) * 6
    absorption_hf: tuple[float, ...] | None = None  # at 4 kHz and above; None = as ``absorption``
    rt60_s: float = 0.0
    tail_start_ms: float = 0.0
    tail_lowpass_hz: float = 8000.0
    system: str | None = None

    @property
    def mirrored(self) -> bool:
        """Whether the right speaker's response is the left one's with the ears swapped (a symmetric room)."""
        names = [s.name for s in self.speakers]
        if names != ["left", "right"]:
            return False
        (lx, ly, lz), (rx, ry, rz) = self.speakers[0].position_m, self.speakers[1].position_m
        cy = self.listener_m[1]
        same = abs(lx - rx) < 1e-9 and abs(lz - rz) < 1e-9 and abs((ly - cy) + (ry - cy)) < 1e-9
        if self.size_m is None:
            return same
        centred = abs(self.size_m[1] - 2 * cy) < 1e-9
        hf = self.absorption_hf or self.absorption
        return same and centred and self.absorption[2] == self.absorption[3] and hf[2] == hf[3]


def rooms_dir() -> Path:
    """The shipped room files' folder."""
    return shipped.path(ROOMS_DIR)


def _floats(value: Any, n: int, where: str) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != n or not all(isinstance(v, int | float) for v in value):
        raise InvalidParameter(f"{where} must be a list of {n} numbers, got {value!r}")
    return tuple(float(v) for v in value)


def _number(table: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
    value = table.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InvalidParameter(f"{where}: {key} must be a number, got {value!r}")
    return float(value)


def parse_room(name: str, data: dict[str, Any], *, where: str) -> Room:
    """A :class:`Room` from a room file's table; InvalidParameter names the file and the field at fault."""
    listener_table = data.get("listener")
    if not isinstance(listener_table, dict):
        raise InvalidParameter(f"{where}: needs a [listener] table with position_m = [x, y, z]")
    lx, ly, lz = _floats(listener_table.get("position_m"), 3, f"{where}: listener.position_m")
    listener = (lx, ly, lz)
    speakers: list[Speaker] = []
    tables = data.get("speaker", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise InvalidParameter(f"{where}: speakers are [[speaker]] tables")
    for i, sp in enumerate(tables, 1):
        label = sp.get("name")
        if label not in FEEDS:
            raise InvalidParameter(f"{where}: speaker {i} name {label!r} must be one of {', '.join(FEEDS)}")
        if "position_m" in sp:
            pos = _floats(sp["position_m"], 3, f"{where}: speaker {label} position_m")
        else:
            pos = speaker_position(listener, azimuth_deg=_number(sp, "azimuth_deg", where),
                                   distance_m=_number(sp, "distance_m", where),
                                   height_m=_number(sp, "height_m", where, 0.0))  # fmt: skip
        speakers.append(Speaker(label, (pos[0], pos[1], pos[2])))
    if [s.name for s in speakers] not in (["left", "right"], ["centre"]):
        raise InvalidParameter(f"{where}: speakers must be left and right (in that order), or one centre")
    room = data.get("room")
    if room is not None and not isinstance(room, dict):
        raise InvalidParameter(f"{where}: room must be a [room] table")
    sim = data.get("system")
    if sim is not None:
        sim = system(str(sim)).name
    length = _number(data, "length_ms", where)
    if not 5.0 <= length <= 1000.0:
        raise InvalidParameter(f"{where}: length_ms {length:g} must be within 5-1000 ms")
    common = dict(name=name, description=str(data.get("description", "")), length_ms=length, listener_m=listener,
                  speakers=tuple(speakers), system=sim)  # fmt: skip
    if room is None:
        return Room(**common)  # type: ignore[arg-type]
    size = _floats(room.get("size_m"), 3, f"{where}: room.size_m")
    absorption = _floats(room.get("absorption"), 6, f"{where}: room.absorption ({', '.join(WALLS)})")
    absorption_hf = absorption
    if "absorption_hf" in room:
        absorption_hf = _floats(room["absorption_hf"], 6, f"{where}: room.absorption_hf ({', '.join(WALLS)})")
    if not all(0.0 <= a <= 1.0 for a in (*absorption, *absorption_hf)):
        raise InvalidParameter(f"{where}: room.absorption and absorption_hf values must lie in 0..1")
    rt60 = _number(room, "rt60_s", where)
    start = _number(room, "tail_start_ms", where)
    if not 0.02 <= rt60 <= 3.0 or not 1.0 <= start < length:
        raise InvalidParameter(f"{where}: rt60_s must be 0.02-3 s and tail_start_ms within 1 ms..length_ms")
    return Room(**common, size_m=(size[0], size[1], size[2]), absorption=absorption,  # type: ignore[arg-type]
                absorption_hf=absorption_hf, rt60_s=rt60,
                tail_start_ms=start, tail_lowpass_hz=_number(room, "tail_lowpass_hz", where, 8000.0))  # fmt: skip


def load_room(path: Path) -> Room:
    """The room in the TOML file ``path`` (its name is the file's stem)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidParameter(f"{path}: unreadable room file ({exc})") from exc
    return parse_room(path.stem, data, where=str(path))


def room_name(name: str) -> str:
    """The canonical name of room ``name`` (case, spaces and underscores forgiven); InvalidParameter lists them."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    if key not in SPEAKER_ROOMS:
        raise InvalidParameter(f"unknown virtual room {name!r}: choose one of {', '.join(SPEAKER_ROOMS)}")
    return key


def room(name: str) -> Room:
    """The shipped room called ``name`` (see :func:`room_name`)."""
    return load_room(rooms_dir() / f"{room_name(name)}.toml")


def all_rooms() -> list[Room]:
    """Every shipped room, in :data:`~daw_bridge.dsp.params.SPEAKER_ROOMS` order."""
    return [room(name) for name in SPEAKER_ROOMS]

"""Load and save the emulator's small TOML project file (format documented in docs/emulator.md).

Audio paths in the file are relative to the file's folder (absolute paths are kept). Every error is a
:class:`~daw_bridge.errors.ConfigError` naming the file and the offending key.
"""

from __future__ import annotations

import math
import os
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from ..errors import ConfigError
from .project import Fx, Marker, Project, Send, Track, clamp_pan, valid_color


def load_project(path: str | Path) -> Project:
    """Read the project file at ``path``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: project file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read project file ({exc})") from exc
    project = project_from_mapping(data, base=path.parent, source=str(path))
    project.path = path
    return project


def project_from_mapping(data: dict[str, Any], *, base: Path, source: str = "<project>") -> Project:
    """Build a Project from parsed TOML ``data``; relative audio paths resolve against ``base``."""
    r = _Reader(source)
    head = r.table(data, "project")
    project = Project(
        sample_rate=r.int_(head, "sample_rate", 48000, lo=8000),
        tempo_bpm=r.float_(head, "tempo_bpm", 120.0),
        repeat=r.bool_(head, "repeat", False),
        position_s=r.float_(head, "position_s", 0.0),
    )
    loop = head.get("loop")
    if loop is not None:
        if not (isinstance(loop, list) and len(loop) == 2 and all(isinstance(v, int | float) for v in loop)):
            raise ConfigError(f"{source}: project.loop must be [start_s, end_s]")
        if not 0 <= loop[0] < loop[1]:
            raise ConfigError(f"{source}: project.loop {loop} must have 0 <= start < end")
        project.loop_start_s, project.loop_end_s = float(loop[0]), float(loop[1])
    project.master = _track(r, r.table(data, "master"), "master", base, default_name="MASTER")
    project.monitor_fx = [_fx(r, f, f"monitor_fx[{i}]") for i, f in enumerate(r.list_(data, "monitor_fx"))]
    parents: list[tuple[Track, str]] = []
    sends: list[tuple[Track, list[dict[str, Any]], str]] = []
    for i, t in enumerate(r.list_(data, "tracks")):
        track = _track(r, t, f"tracks[{i}]", base)
        parent = t.get("parent")
        if parent is not None:
            parents.append((track, r.str_(t, "parent", "")))
        sends.append((track, r.list_(t, "sends"), f"tracks[{i}].sends"))
        project.tracks.append(track)
    for track, raw_sends, where in sends:
        for j, raw in enumerate(raw_sends):
            dest_name = r.str_(raw, "dest", None)
            dest = project.find_track(dest_name)
            if dest is None or dest is track:
                raise ConfigError(f"{source}: {where}[{j}].dest {dest_name!r} is not another track")
            track.sends.append(Send(dest.guid, r.float_(raw, "volume_db", 0.0), clamp_pan(r.float_(raw, "pan", 0.0)),
                                    r.bool_(raw, "mute", False)))
    for track, parent_name in parents:
        parent_track = project.find_track(parent_name)
        if parent_track is None or parent_track is track:
            raise ConfigError(f"{source}: track {track.name!r} has parent {parent_name!r}, which is not a track")
        track.parent = parent_track.guid
    for track in project.tracks:
        if track in project.ancestors(track):
            raise ConfigError(f"{source}: track {track.name!r} is its own folder parent (a cycle)")
    for i, m in enumerate(r.list_(data, "markers")):
        project.markers.append(_marker(r, m, f"markers[{i}]", project))
    ext = data.get("ext_state", {})
    if not isinstance(ext, dict) or not all(
        isinstance(sec, dict) and all(isinstance(v, str) for v in sec.values()) for sec in ext.values()
    ):
        raise ConfigError(f"{source}: ext_state must be tables of strings ([ext_state.section] key = \"value\")")
    project.ext_state = {str(s): dict(v) for s, v in ext.items()}
    return project


def _track(r: _Reader, t: dict[str, Any], where: str, base: Path, default_name: str | None = None) -> Track:
    name = r.str_(t, "name", default_name) if default_name is not None else r.str_(t, "name", None)
    audio = t.get("audio")
    if audio is not None and not isinstance(audio, str):
        raise ConfigError(f"{r.source}: {where}.audio must be a path string")
    volume_db = r.float_(t, "volume_db", 0.0)
    return Track(
        name=name,
        audio=(base / audio) if audio else None,
        offset_s=r.float_(t, "offset_s", 0.0),
        volume_db=volume_db,
        pan=clamp_pan(r.float_(t, "pan", 0.0)),
        mute=r.bool_(t, "mute", False),
        solo=r.bool_(t, "solo", False),
        selected=r.bool_(t, "selected", False),
        fx=[_fx(r, f, f"{where}.fx[{i}]") for i, f in enumerate(r.list_(t, "fx"))],
    )


def _fx(r: _Reader, f: dict[str, Any], where: str) -> Fx:
    if not isinstance(f, dict):
        raise ConfigError(f"{r.source}: {where} must be a table")
    params = f.get("params", {})
    if not isinstance(params, dict) or not all(
        isinstance(v, int | float | str) and not isinstance(v, bool) for v in params.values()
    ):
        raise ConfigError(f"{r.source}: {where}.params must map names to numbers or strings")
    presets = f.get("presets")
    if presets is not None and not (isinstance(presets, list) and all(isinstance(p, str) for p in presets)):
        raise ConfigError(f"{r.source}: {where}.presets must be a list of preset names")
    fx = Fx(r.str_(f, "name", None), r.bool_(f, "enabled", True), dict(params), preset=r.str_(f, "preset", ""),
            presets=list(presets) if presets is not None else None)
    if fx.kind == "trim":
        fx.ranges = {"gain_db": (-24.0, 24.0)}
    return fx


def _marker(r: _Reader, m: dict[str, Any], where: str, project: Project) -> Marker:
    end = m.get("end_s")
    time_s = r.float_(m, "time_s", None)
    if end is not None and (not isinstance(end, int | float) or end <= time_s):
        raise ConfigError(f"{r.source}: {where}.end_s must be a number after time_s")
    color = m.get("color")
    if color is not None and (not isinstance(color, str) or not valid_color(color)):
        raise ConfigError(f"{r.source}: {where}.color {color!r} must be \"#rrggbb\"")
    region = end is not None
    number = m.get("number")
    if number is None:
        number = project.next_marker_number(region=region)
    elif not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise ConfigError(f"{r.source}: {where}.number must be an integer >= 1")
    marker = Marker(number, time_s, r.str_(m, "name", ""), color, float(end) if end is not None else None)
    guid = m.get("guid")
    if guid is not None:
        if not isinstance(guid, str) or not guid:
            raise ConfigError(f"{r.source}: {where}.guid must be a GUID string")
        marker.guid = guid
    return marker


class _Reader:
    """Typed access to a TOML table; errors name the file and key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def table(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.source}: [{key}] must be a table")
        return value

    def list_(self, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ConfigError(f"{self.source}: {key} must be an array of tables ([[{key}]])")
        return value

    def str_(self, data: dict[str, Any], key: str, default: str | None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            raise ConfigError(f"{self.source}: {key} = {value!r} must be a string")
        return value

    def float_(self, data: dict[str, Any], key: str, default: float | None) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise ConfigError(f"{self.source}: {key} = {value!r} must be a number")
        return float(value)

    def int_(self, data: dict[str, Any], key: str, default: int, *, lo: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < lo:
            raise ConfigError(f"{self.source}: {key} = {value!r} must be an integer >= {lo}")
        return value

    def bool_(self, data: dict[str, Any], key: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise ConfigError(f"{self.source}: {key} = {value!r} must be true or false")
        return value


# ---- saving -------------------------------------------------------------------------------------
def project_to_mapping(project: Project, *, base: Path) -> dict[str, Any]:
    """The TOML mapping of ``project``; audio paths are written relative to ``base`` when inside it."""
    head: dict[str, Any] = {
        "sample_rate": project.sample_rate,
        "tempo_bpm": project.tempo_bpm,
        "repeat": project.repeat,
        "position_s": project.position_s,
    }
    if project.loop_start_s is not None and project.loop_end_s is not None:
        head["loop"] = [project.loop_start_s, project.loop_end_s]
    out: dict[str, Any] = {"project": head, "master": _track_map(project.master, project, base)}
    out["monitor_fx"] = [_fx_map(f) for f in project.monitor_fx]
    out["tracks"] = [_track_map(t, project, base) for t in project.tracks]
    markers = []
    for m in project.markers:
        mm: dict[str, Any] = {"number": m.number, "time_s": m.time_s, "name": m.name, "guid": m.guid}
        if m.color is not None:
            mm["color"] = m.color
        if m.end_s is not None:
            mm["end_s"] = m.end_s
        markers.append(mm)
    out["markers"] = markers
    out["ext_state"] = project.ext_state
    return out


def _track_map(t: Track, project: Project, base: Path) -> dict[str, Any]:
    d: dict[str, Any] = {"name": t.name, "volume_db": t.volume_db, "pan": t.pan, "mute": t.mute}
    if t is not project.master:
        d.update(solo=t.solo, selected=t.selected, offset_s=t.offset_s)
        parent = project.parent_of(t)
        if parent is not None:
            d["parent"] = parent.name
    if t.audio is not None:
        try:
            d["audio"] = os.path.relpath(Path(t.audio).resolve(), base)
        except ValueError:  # another drive on Windows
            d["audio"] = str(t.audio)
    d["fx"] = [_fx_map(f) for f in t.fx]
    sends = []
    for snd in t.sends:
        dest = project.by_guid(snd.dest)
        if dest is not None:
            sends.append({"dest": dest.name, "volume_db": snd.volume_db, "pan": snd.pan, "mute": snd.mute})
    if sends:
        d["sends"] = sends
    return d


def _fx_map(f: Fx) -> dict[str, Any]:
    d: dict[str, Any] = {"name": f.name, "enabled": f.enabled, "params": dict(f.params)}
    if f.preset:
        d["preset"] = f.preset
    if f.presets is not None:
        d["presets"] = list(f.presets)
    return d


def save_project(project: Project, path: str | Path) -> Path:
    """Write ``project`` to ``path`` atomically and return the path."""
    path = Path(path)
    text = tomli_w.dumps(project_to_mapping(project, base=path.parent.resolve()))
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    project.path = path
    return path

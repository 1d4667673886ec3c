"""Ardour 7 session files, edited while the session is closed: OSC activation and audio injection.

Ardour 7.3 has no headless import, so a reference goes into a closed session by writing what Ardour itself
writes after a bounce: the WAV copied to ``interchange/<name>/audiofiles/``, one ``<Source>`` per channel,
a whole-file ``<Region>`` plus a playlist ``<Region>`` (times in superclock units: ``a<samples*282240000/rate>``,
a region's position is the ``@`` part of its ``length``), a session range widened to cover it, and
``id-counter`` bumped. Everything goes through :mod:`xml.etree.ElementTree`; every failure is a
:class:`~daw_bridge.errors.DawError` naming the file.
"""

from __future__ import annotations

import shutil
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from ..errors import DawError, InvalidAudio

#: Ardour's superclock ticks per second (7.x default, written in ``<TempoMap superclocks-per-second>``).
SUPERCLOCK_RATE = 282_240_000
OSC_PROTOCOL = "Open Sound Control (OSC)"


class SessionFileError(DawError, ValueError):
    """An Ardour session file that is missing, unparsable or lacks what we need (names the file)."""


@dataclass(frozen=True)
class SessionMarker:
    """A marker or range read from a saved session: times in seconds, ``flags`` as Ardour writes them."""

    name: str
    start_s: float
    end_s: float
    flags: str


def session_file(session_dir: Path, name: str | None = None) -> Path:
    """The ``<name>.ardour`` file in ``session_dir`` (name defaults to the folder name)."""
    path = Path(session_dir) / f"{name or Path(session_dir).name}.ardour"
    if not path.is_file():
        raise SessionFileError(f"{path}: no Ardour session file there")
    return path


def _load(path: Path) -> tuple[ET.ElementTree[ET.Element], ET.Element]:
    try:
        tree: ET.ElementTree[ET.Element] = ET.parse(path)
    except (ET.ParseError, OSError) as exc:
        raise SessionFileError(f"{path}: cannot parse session XML ({exc})") from exc
    root = tree.getroot()
    if root is None or root.tag != "Session":
        raise SessionFileError(f"{path}: not an Ardour session (root element is not <Session>)")
    return tree, root


def _save(tree: ET.ElementTree[ET.Element], path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp-daw-bridge")
    tree.write(tmp, encoding="UTF-8", xml_declaration=True)
    tmp.replace(path)


def to_superclock(samples: int, sample_rate: int) -> int:
    """Superclock ticks for ``samples`` at ``sample_rate`` Hz."""
    return samples * SUPERCLOCK_RATE // sample_rate


def parse_timepos(text: str, sample_rate: int) -> float:
    """Seconds of an Ardour ``timepos_t`` string (``a<superclock>``); beat times are refused."""
    value = text.split("@", 1)[0]
    if not value.startswith("a"):
        raise SessionFileError(f"time {text!r} is not an audio time (a<superclock>)")
    return int(value[1:]) / SUPERCLOCK_RATE


def enable_osc(path: Path) -> None:
    """Mark the OSC surface active with replies to the sender's port (``address-only="0"``)."""
    tree, root = _load(path)
    protocols = root.find("ControlProtocols")
    if protocols is None:
        protocols = ET.SubElement(root, "ControlProtocols")
    node = next((p for p in protocols.findall("Protocol") if p.get("name") == OSC_PROTOCOL), None)
    if node is None:
        node = ET.SubElement(protocols, "Protocol", {"name": OSC_PROTOCOL})
    node.set("active", "1")
    node.set("address-only", "0")
    _save(tree, path)


def sample_rate_of(root: ET.Element, path: Path) -> int:
    """The session's sample rate in Hz."""
    rate = root.get("sample-rate")
    if rate is None or not rate.isdigit():
        raise SessionFileError(f"{path}: <Session> has no sample-rate")
    return int(rate)


def read_markers(path: Path) -> list[SessionMarker]:
    """Markers and ranges of a saved session, session range and loop excluded, in time order."""
    _, root = _load(path)
    rate = sample_rate_of(root, path)
    out: list[SessionMarker] = []
    for loc in root.iterfind("Locations/Location"):
        flags = loc.get("flags", "")
        if any(f in flags for f in ("IsSessionRange", "IsAutoLoop", "IsAutoPunch")):
            continue
        start = parse_timepos(loc.get("start", "a0"), rate)
        end = parse_timepos(loc.get("end", "a0"), rate)
        out.append(SessionMarker(loc.get("name", ""), start, end, flags))
    return sorted(out, key=lambda m: (m.start_s, m.name))


class _Ids:
    """Hands out fresh object ids and writes the new ``id-counter`` back."""

    def __init__(self, root: ET.Element, path: Path) -> None:
        counter = root.get("id-counter", "")
        if not counter.isdigit():
            raise SessionFileError(f"{path}: <Session> has no id-counter")
        used = [int(v) for el in root.iter() for k, v in el.attrib.items() if k == "id" and v.isdigit()]
        self.root = root
        self.next = max([int(counter), *used]) + 1

    def take(self) -> str:
        value = self.next
        self.next += 1
        self.root.set("id-counter", str(self.next))
        return str(value)


def _region_attrs(name: str, length: str, sources: list[str], *, whole_file: bool, rid: str) -> dict[str, str]:
    attrs = {
        "name": name, "muted": "0", "opaque": "1", "locked": "0", "video-locked": "0", "automatic": "0",
        "whole-file": "1" if whole_file else "0", "import": "1", "external": "0", "sync-marked": "0",
        "left-of-split": "0", "right-of-split": "0", "hidden": "0", "position-locked": "0",
        "valid-transients": "0", "start": "a0", "length": length, "sync-position": "a0",
        "ancestral-start": "a0", "ancestral-length": "a0@a0", "stretch": "1", "shift": "1",
        "layering-index": "0", "tags": "", "contents": "0", "envelope-active": "0",
        "default-fade-in": "0", "default-fade-out": "0", "fade-in-active": "1", "fade-out-active": "1",
        "scale-amplitude": "1", "id": rid, "type": "audio", "first-edit": "nothing",
    }
    for i, sid in enumerate(sources):
        attrs[f"source-{i}"] = sid
    for i, sid in enumerate(sources):
        attrs[f"master-source-{i}"] = sid
    attrs["channels"] = str(len(sources))
    return attrs


def _track_playlist(root: ET.Element, track_name: str, path: Path) -> ET.Element:
    route = next((r for r in root.iterfind("Routes/Route") if r.get("name") == track_name), None)
    if route is None:
        names = [r.get("name", "") for r in root.iterfind("Routes/Route")]
        raise SessionFileError(f"{path}: no track named {track_name!r} (tracks: {', '.join(names)})")
    playlist_id = route.get("audio-playlist")
    playlist = next(
        (p for p in root.iterfind("Playlists/Playlist")
         if p.get("id") == playlist_id or (playlist_id is None and p.get("orig-track-id") == route.get("id"))),
        None,
    )
    if playlist is None:
        raise SessionFileError(f"{path}: track {track_name!r} has no audio playlist")
    return playlist


def _input_channels(root: ET.Element, track_name: str) -> int:
    for route in root.iterfind("Routes/Route"):
        if route.get("name") == track_name:
            io = next((i for i in route.findall("IO") if i.get("direction") == "Input"), None)
            return len(io.findall("Port")) if io is not None else 0
    return 0


def _widen_session_range(root: ET.Element, ids: _Ids, end_sc: int) -> None:
    locations = root.find("Locations")
    if locations is None:
        locations = ET.SubElement(root, "Locations")
    rng = next((loc for loc in locations.findall("Location") if "IsSessionRange" in loc.get("flags", "")), None)
    if rng is None:
        ET.SubElement(locations, "Location", {
            "id": ids.take(), "name": "session", "start": "a0", "end": f"a{end_sc}", "flags": "IsSessionRange",
            "locked": "0", "timestamp": str(int(time.time())), "cue": "0",
        })
        return
    current = int(rng.get("end", "a0")[1:] or 0)
    rng.set("end", f"a{max(current, end_sc)}")


def inject_audio(session_dir: Path, track_name: str, audio: Path, *, position_s: float = 0.0) -> Path:
    """Place ``audio`` (a WAV at the session rate, channels = the track's inputs) on ``track_name``.

    The session must be closed. Returns the copied file inside the session. Raises InvalidAudio for an
    unreadable or mismatched file and SessionFileError for a session without that track.
    """
    if position_s < 0:
        raise SessionFileError(f"position_s {position_s} must be >= 0 seconds")
    path = session_file(session_dir)
    tree, root = _load(path)
    rate = sample_rate_of(root, path)
    try:
        info = sf.info(str(audio))
    except (RuntimeError, OSError) as exc:
        raise InvalidAudio(f"{audio}: cannot read audio ({exc})") from exc
    if info.samplerate != rate:
        raise InvalidAudio(f"{audio}: {info.samplerate} Hz, but the session runs at {rate} Hz: resample it first")
    if info.frames == 0:
        raise InvalidAudio(f"{audio}: no audio frames")
    playlist = _track_playlist(root, track_name, path)
    inputs = _input_channels(root, track_name)
    if inputs and info.channels != inputs:
        raise InvalidAudio(f"{audio}: {info.channels} channel(s), but track {track_name!r} has {inputs} input(s)")

    session_name = path.stem
    target_dir = Path(session_dir) / "interchange" / session_name / "audiofiles"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / Path(audio).name
    stem, n = target.stem, 1
    while target.exists():
        target = target_dir / f"{stem}-{n}{target.suffix}"
        n += 1
    shutil.copyfile(audio, target)

    ids = _Ids(root, path)
    sources_el = root.find("Sources")
    if sources_el is None:
        sources_el = ET.SubElement(root, "Sources")
    source_ids: list[str] = []
    for channel in range(info.channels):
        sid = ids.take()
        source_ids.append(sid)
        ET.SubElement(sources_el, "Source", {
            "name": target.name, "take-id": "", "type": "audio", "flags": "", "id": sid,
            "natural-position": "a0", "captured-for": track_name, "channel": str(channel), "origin": "",
            "gain": "1",
        })
    length_sc = to_superclock(info.frames, rate)
    pos_sc = to_superclock(int(round(position_s * rate)), rate)
    regions_el = root.find("Regions")
    if regions_el is None:
        regions_el = ET.SubElement(root, "Regions")
    name = target.stem
    ET.SubElement(regions_el, "Region",
                  _region_attrs(name, f"a{length_sc}@a0", source_ids, whole_file=True, rid=ids.take()))
    ET.SubElement(playlist, "Region",
                  _region_attrs(name, f"a{length_sc}@a{pos_sc}", source_ids, whole_file=False, rid=ids.take()))
    _widen_session_range(root, ids, pos_sc + length_sc)
    _save(tree, path)
    return target


__all__ = [
    "SUPERCLOCK_RATE",
    "SessionFileError",
    "SessionMarker",
    "enable_osc",
    "inject_audio",
    "parse_timepos",
    "read_markers",
    "session_file",
    "to_superclock",
]

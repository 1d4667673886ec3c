"""The emulator's project model, with REAPER's semantics.

* Tracks are numbered 1..N by position (track 0 is the master); each has a stable ``guid``.
* Folders: a track's ``parent`` is the guid of its folder track. Children feed their folder's input; the folder's
  own audio, FX, volume, pan and mute apply to the sum. The master sums top-level tracks and folder buses.
* Solo (REAPER semantics): when any track is soloed, a track is heard only if it is soloed, inside a soloed folder,
  or a folder on the path of a soloed track. Mute on a folder silences everything inside it.
* Track FX and the master's **monitoring** FX are separate lists; monitoring FX never reach a render.
* Sends: a track's ``sends`` route its post-fader output to another track's input (REAPER's default send mode,
  post-fader/post-pan); a track's receives are the sends that target it, in track order.
* Markers and regions (a region has ``end_s``) carry REAPER's numbers and an optional ``#rrggbb`` colour.
* Project ext state (``SetProjExtState``) is ``ext_state[section][key] = value``.

Load and save with :mod:`daw_bridge.emulator.project_file`.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import soundfile as sf

from ..errors import InvalidAudio, TrackNotFound

#: Name prefix of our own JSFX as REAPER shows them.
JSFX_PREFIX = "JS: daw-bridge/"
#: Name of the built-in gain effect.
TRIM_NAME = "trim"

_guids = itertools.count(1)
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def new_guid() -> str:
    """A fresh track id, unique in this process (REAPER uses GUIDs)."""
    return f"{{emu-{next(_guids):08d}}}"


@dataclass
class Fx:
    """One effect: REAPER display ``name`` (``trim`` or ``JS: daw-bridge/<kind>``), ``enabled``, real-unit params.

    ``ranges`` maps a parameter name to (min, max) for OSC's normalized ``fxparam`` values; parameters without a
    range are taken as already normalized 0..1.
    """

    name: str
    enabled: bool = True
    params: dict[str, float | str] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    open: bool = False  # its window (REAPER: TrackFX_GetOpen)
    preset: str = ""  # the loaded preset's name ("" = none, as TrackFX_GetPreset reports)
    presets: list[str] | None = None  # the preset list; None: the list emulator.presets gives for its kind

    @property
    def kind(self) -> str:
        """``trim``, our JSFX kind (``correction`` …), or ``""`` for an effect the emulator cannot run."""
        if self.name == TRIM_NAME:
            return TRIM_NAME
        if self.name.startswith(JSFX_PREFIX):
            return self.name[len(JSFX_PREFIX):]
        return ""

    def numeric_params(self) -> list[str]:
        """Names of the numeric parameters, in order (OSC ``fxparam/1..``)."""
        return [k for k, v in self.params.items() if isinstance(v, int | float) and not isinstance(v, bool)]

    def normalized(self, name: str) -> float:
        """Parameter ``name`` as 0..1."""
        value = float(self.params[name])
        lo, hi = self.ranges.get(name, (0.0, 1.0))
        return min(1.0, max(0.0, (value - lo) / (hi - lo))) if hi > lo else 0.0

    def set_normalized(self, name: str, value: float) -> None:
        lo, hi = self.ranges.get(name, (0.0, 1.0))
        self.params[name] = lo + min(1.0, max(0.0, value)) * (hi - lo)


def trim_fx(gain_db: float, *, enabled: bool = True) -> Fx:
    """The emulator's built-in gain effect (``gain_db`` -24..+24 over OSC)."""
    return Fx(TRIM_NAME, enabled, {"gain_db": float(gain_db)}, {"gain_db": (-24.0, 24.0)})


@dataclass
class Send:
    """A send to the track with guid ``dest``: post-fader level ``volume_db``, ``pan`` -1..+1, ``mute``."""

    dest: str
    volume_db: float = 0.0
    pan: float = 0.0
    mute: bool = False


@dataclass
class Track:
    """A track: ``audio`` file placed at ``offset_s`` on the timeline, fader ``volume_db``, ``pan`` -1..+1."""

    name: str
    audio: Path | None = None
    offset_s: float = 0.0
    volume_db: float = 0.0
    pan: float = 0.0
    mute: bool = False
    solo: bool = False
    selected: bool = False
    rec_arm: bool = False
    parent: str | None = None
    fx: list[Fx] = field(default_factory=list)
    sends: list[Send] = field(default_factory=list)
    guid: str = field(default_factory=new_guid)

    def item_length_s(self) -> float:
        """Length of the track's audio in seconds (0 without audio); InvalidAudio names an unreadable file."""
        if self.audio is None:
            return 0.0
        try:
            info = sf.info(str(self.audio))
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            raise InvalidAudio(f"{self.audio}: cannot read audio of track {self.name!r} ({exc})") from exc
        return info.frames / float(info.samplerate)


@dataclass
class Marker:
    """A marker (``end_s`` None) or region; ``number`` is REAPER's displayed id (the user may change it, and two may
    share one), ``color`` ``#rrggbb`` or None, ``guid`` the ID that survives renames and moves (REAPER 7.62+)."""

    number: int
    time_s: float
    name: str = ""
    color: str | None = None
    end_s: float | None = None
    guid: str = field(default_factory=new_guid)

    @property
    def is_region(self) -> bool:
        return self.end_s is not None


def valid_color(color: str | None) -> bool:
    return color is None or bool(_COLOR.match(color))


@dataclass
class Project:
    """Everything the emulated REAPER holds. Times in seconds, gains in dB, ``sample_rate`` in Hz."""

    tracks: list[Track] = field(default_factory=list)
    master: Track = field(default_factory=lambda: Track("MASTER"))
    monitor_fx: list[Fx] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    sample_rate: int = 48000
    tempo_bpm: float = 120.0
    loop_start_s: float | None = None
    loop_end_s: float | None = None
    repeat: bool = False
    playing: bool = False
    paused: bool = False
    recording: bool = False
    metronome: bool = False
    auto_recarm: bool = False  # action 40740, "auto-recarm all tracks" in csurf_osc.cpp
    position_s: float = 0.0
    ext_state: dict[str, dict[str, str]] = field(default_factory=dict)
    path: Path | None = None
    undo_history: list[str] = field(default_factory=list)

    # ---- tracks ---------------------------------------------------------------------------------
    def track(self, number: int) -> Track:
        """Track ``number`` (1-based; 0 = master)."""
        if number == 0:
            return self.master
        if not 1 <= number <= len(self.tracks):
            raise TrackNotFound(f"no track {number} (the project has {len(self.tracks)} tracks)")
        return self.tracks[number - 1]

    def number_of(self, track: Track) -> int:
        """1-based number of ``track`` (0 for the master)."""
        if track is self.master:
            return 0
        for i, t in enumerate(self.tracks, start=1):
            if t is track:
                return i
        raise TrackNotFound(f"track {track.name!r} is not in the project")

    def find_track(self, name: str) -> Track | None:
        """The first track called ``name`` (case-sensitive, as REAPER), or None."""
        return next((t for t in self.tracks if t.name == name), None)

    def by_guid(self, guid: str) -> Track | None:
        return next((t for t in self.tracks if t.guid == guid), None)

    def parent_of(self, track: Track) -> Track | None:
        return self.by_guid(track.parent) if track.parent else None

    def children_of(self, track: Track | None) -> list[Track]:
        """Direct children of folder ``track`` (None: the top-level tracks), in track order."""
        if track is None:
            return [t for t in self.tracks if self.parent_of(t) is None]
        return [t for t in self.tracks if t.parent == track.guid]

    def ancestors(self, track: Track) -> list[Track]:
        out: list[Track] = []
        parent = self.parent_of(track)
        while parent is not None and parent not in out:
            out.append(parent)
            parent = self.parent_of(parent)
        return out

    def any_solo(self) -> bool:
        return any(t.solo for t in self.tracks)

    def solo_passes(self, track: Track) -> bool:
        """REAPER solo: with any solo active, only soloed tracks, their folders' contents and the folders on the
        way to a soloed track pass audio."""
        if not self.any_solo():
            return True
        if track.solo or any(a.solo for a in self.ancestors(track)):
            return True
        return any(track in self.ancestors(t) for t in self.tracks if t.solo)

    def is_heard(self, track: Track) -> bool:
        """Whether ``track`` reaches the master: not muted, no muted folder above, and passing solo."""
        if track.mute or any(a.mute for a in self.ancestors(track)):
            return False
        return self.solo_passes(track)

    # ---- sends ----------------------------------------------------------------------------------
    def receives_of(self, track: Track) -> list[tuple[Track, Send]]:
        """Sends that target ``track`` as (source track, send), in track order (REAPER's receive order)."""
        return [(t, s) for t in self.tracks for s in t.sends if s.dest == track.guid]

    def send_name(self, send: Send) -> str:
        """A send's name as REAPER reports it: the destination track's name."""
        dest = self.by_guid(send.dest)
        return dest.name if dest is not None else ""

    # ---- markers --------------------------------------------------------------------------------
    def next_marker_number(self, *, region: bool) -> int:
        used = {m.number for m in self.markers if m.is_region == region}
        return next(n for n in itertools.count(1) if n not in used)

    def timeline_markers(self) -> list[Marker]:
        """Markers (not regions) in timeline order."""
        return sorted((m for m in self.markers if not m.is_region), key=lambda m: (m.time_s, m.number))

    def timeline_regions(self) -> list[Marker]:
        return sorted((m for m in self.markers if m.is_region), key=lambda m: (m.time_s, m.number))

    # ---- time -----------------------------------------------------------------------------------
    def length_s(self) -> float:
        """Project length: the end of the last item (REAPER's render bounds for "entire project")."""
        ends = [t.offset_s + t.item_length_s() for t in [*self.tracks, self.master] if t.audio is not None]
        return max(ends, default=0.0)

    # ---- state ----------------------------------------------------------------------------------
    def snapshot(self) -> Project:
        """A deep copy (an undo point)."""
        return copy.deepcopy(self)

    def restore(self, snapshot: Project) -> None:
        """Put this project back to ``snapshot`` in place (references to this object stay valid)."""
        self.__dict__.update(copy.deepcopy(snapshot).__dict__)

    def set_ext_state(self, section: str, key: str, value: str) -> None:
        self.ext_state.setdefault(section, {})[key] = value

    def get_ext_state(self, section: str, key: str) -> str | None:
        return self.ext_state.get(section, {}).get(key)


def clamp_pan(pan: float) -> float:
    """Pan limited to -1..+1 (NaN -> centre)."""
    return 0.0 if math.isnan(pan) else max(-1.0, min(1.0, pan))

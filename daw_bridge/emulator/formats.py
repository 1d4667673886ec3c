"""How csurf_osc writes values: volume, pan and time strings, names, the VU scale (``csurf_osc.cpp``).

Read from the source: names are copied into ``char buf[512]`` (511 bytes kept) and an empty track name, or one equal
to the track number, reads ``Track N`` (``MASTER`` for the master) (``UpdateSurfaceTrack``); FX names lose their
``VST: ``/``JS: ``… prefix (``GetFXName``); the track pan string reads ``C`` at centre (``Extended``,
``CSURF_EXT_SETPAN_EX``); VU is ``(dB(peak) - min) / (max - min)`` clamped to 0..1 (``Run``). Ours, where REAPER's
depend on user preferences: volume ``-6.02dB`` / ``-inf dB``, pan ``25%L``, time ``m:ss.mmm``, the VU range
-60..+6 dB, and -150 dB for silence in ``f`` volume feedback.
"""

from __future__ import annotations

import math

from ..osc.codec import Arg, truncate_utf8
from ..reaper.fader import FLOOR_DB, db_to_slider
from ..units import gain_to_db, pan_to_normalized
from .project import Fx, Track

#: REAPER copies names into ``char buf[512]`` before sending them (``UpdateSurfaceTrack``, ``GetFXName``).
NAME_MAX_BYTES = 511
#: Meter range mapped to VU 0..1, in dB (REAPER's ``g_vu_minvol``/``g_vu_maxvol`` preferences; defaults inferred).
VU_MIN_DB, VU_MAX_DB = -60.0, 6.0
#: Prefixes csurf_osc strips from FX names (``GetFXName``).
FX_NAME_PREFIXES = ("VST: ", "VSTi: ", "VST3: ", "VST3i: ", "JS: ", "DX: ", "DXi: ", "AU: ", "AUi: ")


def volume_str(volume_db: float) -> str:
    return "-inf dB" if volume_db <= FLOOR_DB else f"{volume_db:+.2f}dB"


def pan_str(pan: float) -> str:
    pct = round(abs(pan) * 100)
    return "center" if pct == 0 else f"{pct}%{'L' if pan < 0 else 'R'}"


def time_str(time_s: float) -> str:
    if not math.isfinite(time_s):
        time_s = 0.0
    minutes, seconds = divmod(max(0.0, time_s), 60.0)
    return f"{int(minutes)}:{seconds:06.3f}"


def track_name(track: Track, number: int) -> str:
    """The name REAPER reports: at most 511 bytes; ``Track N`` (``MASTER``) when empty or equal to N."""
    name = truncate_utf8(track.name, NAME_MAX_BYTES)
    if not name or name == str(number):
        return "MASTER" if number == 0 else f"Track {number}"
    return name


def fx_name(fx: Fx) -> str:
    name = fx.name
    for prefix in FX_NAME_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return truncate_utf8(name, NAME_MAX_BYTES)


def vu(peak: float) -> float:
    """csurf_osc's VU value of a linear peak: dB mapped from the meter range to 0..1."""
    if peak <= 0.0 or not math.isfinite(peak):
        return 0.0
    db = gain_to_db(peak)
    return min(1.0, max(0.0, (db - VU_MIN_DB) / (VU_MAX_DB - VU_MIN_DB)))


def _db(volume_db: float) -> float:
    return FLOOR_DB if volume_db <= FLOOR_DB or math.isinf(volume_db) else volume_db


def volume_args(flag: str, volume_db: float) -> tuple[Arg, ...]:
    if flag == "n":
        return (db_to_slider(volume_db),)
    if flag == "f":
        return (_db(volume_db),)
    return (volume_str(volume_db),)


def pan_args(flag: str, pan: float, *, centre: str = "center") -> tuple[Arg, ...]:
    if flag == "n":
        return (pan_to_normalized(pan),)
    text = pan_str(pan)
    return (centre if text == "center" else text,)


def bit(value: bool) -> tuple[Arg, ...]:
    return (1 if value else 0,)

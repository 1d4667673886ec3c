"""Listening level: estimate SPL for the mix's loudness, and keep outputs at the same perceived level.

Each monitoring output is calibrated once to ``spl_at_0lufs_db``: the SPL (dB, 1 kHz-equivalent, per ear) that a
0 LUFS programme would produce with the volume control at 0 dB. Then, at volume ``volume_db`` (<= 0)::

    SPL = spl_at_0lufs_db + volume_db + loudness_lufs

Headphones are calibrated from the output's voltage at 0 dBFS (entered as Vrms, dBu or dBV, from a spec sheet or a
meter) and the headphone's sensitivity. A stereo 0 dBFS 1 kHz sine reads 0 LUFS (BS.1770) and its RMS per channel
is that voltage, so ``spl_at_0lufs_db = S_V + 20 log10(V_0dBFS * Z / (Z + Z_out))``. Speakers are calibrated
from one SPL-meter reading: ``measured_spl_db`` for a programme at ``at_lufs`` with the volume at ``volume_db``.

Each output also stores ``offset_db``, the monitoring trim that makes it sound as loud as the others; switching
outputs returns the trim to apply. Profiles are JSON (``level.json`` in the user data dir, or ``--profile``).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..config import default_data_dir
from ..errors import ConfigError, InvalidParameter
from ..units import db_to_gain
from .drive import DEFAULT_LISTENING_SPL_DB, load_voltage_vrms, spl_at_voltage_db

PROFILE_ENV = "DAW_BRIDGE_LEVEL_PROFILE"
#: 0 dBu in Vrms (1 mW into 600 ohm).
DBU_REF_VRMS = math.sqrt(0.6)
#: Above this average level (dB SPL) the estimate carries a warning.
LOUD_SPL_DB = 85.0
OUTPUT_KINDS = ("headphones", "speakers")
VOLUME_RANGE_DB = (-120.0, 0.0)
OFFSET_RANGE_DB = (-40.0, 40.0)


def dbu_to_vrms(level_dbu: float) -> float:
    """Vrms for a level in dBu (0 dBu = 0.775 Vrms)."""
    return DBU_REF_VRMS * db_to_gain(level_dbu)


def dbv_to_vrms(level_dbv: float) -> float:
    """Vrms for a level in dBV (0 dBV = 1 Vrms)."""
    return db_to_gain(level_dbv)


def headphone_spl_at_0lufs_db(
    *, sens_db_per_v: float, vout_0dbfs_vrms: float, impedance_ohm: float | None = None, zout_ohm: float = 0.0
) -> float:
    """SPL for a 0 LUFS programme at full volume: sensitivity plus the (loaded) 0 dBFS voltage in dBV."""
    if not math.isfinite(vout_0dbfs_vrms) or vout_0dbfs_vrms <= 0:
        raise InvalidParameter(f"output voltage at 0 dBFS {vout_0dbfs_vrms!r} must be a positive Vrms")
    volts = vout_0dbfs_vrms
    if impedance_ohm is not None and zout_ohm:
        volts = load_voltage_vrms(volts, zout_ohm=zout_ohm, impedance_ohm=impedance_ohm)
    return spl_at_voltage_db(volts, sens_db_per_v=sens_db_per_v)


def speaker_spl_at_0lufs_db(*, measured_spl_db: float, at_lufs: float, volume_db: float = 0.0) -> float:
    """SPL for a 0 LUFS programme at full volume, from one meter reading of a programme at ``at_lufs``."""
    _check_range(volume_db, VOLUME_RANGE_DB, "volume_db")
    if not 0.0 < measured_spl_db < 140.0:
        raise InvalidParameter(f"measured SPL {measured_spl_db} dB must be within 0-140 dB SPL")
    return measured_spl_db - at_lufs - volume_db


@dataclass(frozen=True)
class OutputProfile:
    """One monitoring output: calibration (dB SPL at 0 LUFS, 0 dB volume), volume (dB <= 0) and trim (dB)."""

    name: str
    kind: str
    spl_at_0lufs_db: float
    volume_db: float = 0.0
    offset_db: float = 0.0
    model: str | None = None
    basis: str = ""


@dataclass(frozen=True)
class LevelProfile:
    """All outputs and which one is active."""

    outputs: dict[str, OutputProfile] = field(default_factory=dict)
    current: str | None = None

    def output(self, name: str) -> OutputProfile:
        """The output called ``name``; InvalidParameter lists the known ones."""
        if name not in self.outputs:
            known = ", ".join(self.outputs) or "none yet (run `daw-bridge level setup`)"
            raise InvalidParameter(f"no monitoring output {name!r}; known: {known}")
        return self.outputs[name]


@dataclass(frozen=True)
class Switch:
    """Result of :func:`switch_output`: the new profile, the trim to set (dB) and the change from before (dB)."""

    profile: LevelProfile
    gain_db: float
    change_db: float


def estimate_spl_db(output: OutputProfile, *, loudness_lufs: float, with_offset: bool = True) -> float:
    """Estimated average SPL (dB) of a programme at ``loudness_lufs`` on ``output`` at its current volume."""
    if not math.isfinite(loudness_lufs):
        raise InvalidParameter(f"loudness {loudness_lufs!r} LUFS must be a finite number (silence has no level)")
    trim = output.offset_db if with_offset else 0.0
    return output.spl_at_0lufs_db + output.volume_db + loudness_lufs + trim


def level_advice(spl_db: float, *, target_db: float = DEFAULT_LISTENING_SPL_DB) -> str:
    """One line judging an average level against a steady, moderate target (dB SPL)."""
    if spl_db > LOUD_SPL_DB:
        down = spl_db - target_db
        return f"{spl_db:.1f} dB SPL is loud (> {LOUD_SPL_DB:.0f} dB SPL average): turn down {down:.1f} dB."
    delta = spl_db - target_db
    if abs(delta) <= 3.0:
        return f"{spl_db:.1f} dB SPL: a steady, moderate level."
    direction = "down" if delta > 0 else "up"
    return f"{spl_db:.1f} dB SPL: {abs(delta):.1f} dB from {target_db:.0f} dB SPL; turn {direction} if you want it."


def volume_for_spl_db(output: OutputProfile, *, loudness_lufs: float, target_spl_db: float) -> float:
    """Volume setting (dB) that puts a programme at ``loudness_lufs`` at ``target_spl_db`` on ``output``."""
    return target_spl_db - output.spl_at_0lufs_db - loudness_lufs - output.offset_db


def set_output(profile: LevelProfile, output: OutputProfile) -> LevelProfile:
    """``profile`` with ``output`` added or replaced (the first output becomes current)."""
    if output.kind not in OUTPUT_KINDS:
        raise InvalidParameter(f"output kind {output.kind!r} is not one of {', '.join(OUTPUT_KINDS)}")
    if not output.name.strip():
        raise InvalidParameter("an output needs a name (e.g. 'headphones' or 'speakers')")
    if not math.isfinite(output.spl_at_0lufs_db):
        raise InvalidParameter(f"calibration {output.spl_at_0lufs_db!r} dB SPL is not finite")
    _check_range(output.volume_db, VOLUME_RANGE_DB, "volume_db")
    _check_range(output.offset_db, OFFSET_RANGE_DB, "offset_db")
    outputs = dict(profile.outputs)
    outputs[output.name] = output
    return LevelProfile(outputs, profile.current or output.name)


def set_volume(profile: LevelProfile, name: str, volume_db: float) -> LevelProfile:
    """``profile`` with the volume control of ``name`` at ``volume_db`` (dB, <= 0)."""
    _check_range(volume_db, VOLUME_RANGE_DB, "volume_db")
    return set_output(profile, replace(profile.output(name), volume_db=volume_db))


def set_offset(profile: LevelProfile, name: str, offset_db: float) -> LevelProfile:
    """``profile`` with the trim of ``name`` at ``offset_db`` (dB), e.g. after matching by ear."""
    _check_range(offset_db, OFFSET_RANGE_DB, "offset_db")
    return set_output(profile, replace(profile.output(name), offset_db=offset_db))


def match_offsets(profile: LevelProfile, *, reference: str) -> LevelProfile:
    """Trims so every output's estimated SPL equals ``reference``'s at the current volumes (loudness cancels)."""
    ref = profile.output(reference)
    ref_level = estimate_spl_db(ref, loudness_lufs=0.0)
    out = profile
    for name, output in profile.outputs.items():
        if name != reference:
            offset = ref_level - estimate_spl_db(output, loudness_lufs=0.0, with_offset=False)
            out = set_offset(out, name, round(offset, 2))
    return out


def switch_output(profile: LevelProfile, name: str) -> Switch:
    """Make ``name`` current; ``gain_db`` is its monitoring trim (set it absolutely), ``change_db`` the step."""
    target = profile.output(name)
    before = profile.outputs[profile.current].offset_db if profile.current in profile.outputs else 0.0
    return Switch(LevelProfile(dict(profile.outputs), name), target.offset_db, target.offset_db - before)


def default_profile_path() -> Path:
    """``$DAW_BRIDGE_LEVEL_PROFILE`` or ``level.json`` in the user data dir."""
    override = os.environ.get(PROFILE_ENV)
    return Path(override).expanduser() if override else default_data_dir() / "level.json"


def load_profile(path: Path | None = None) -> LevelProfile:
    """Read a profile (a missing file is an empty profile); ConfigError names a damaged file."""
    file = path if path is not None else default_profile_path()
    if not file.exists():
        return LevelProfile()
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        outputs = {str(k): _output_from_json(v) for k, v in data["outputs"].items()}
        current = data.get("current")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{file}: not a daw-bridge level profile ({exc}); fix or delete it") from exc
    if current is not None and current not in outputs:
        raise ConfigError(f"{file}: current output {current!r} is not among its outputs")
    return LevelProfile(outputs, current)


def save_profile(profile: LevelProfile, path: Path | None = None) -> Path:
    """Write ``profile`` atomically; returns the path."""
    file = path if path is not None else default_profile_path()
    file.parent.mkdir(parents=True, exist_ok=True)
    data = {"current": profile.current, "outputs": {k: asdict(v) for k, v in profile.outputs.items()}}
    tmp = file.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, file)
    return file


def _output_from_json(raw: Any) -> OutputProfile:
    if not isinstance(raw, dict):
        raise TypeError("output entries must be objects")
    out = OutputProfile(
        name=str(raw["name"]),
        kind=str(raw["kind"]),
        spl_at_0lufs_db=float(raw["spl_at_0lufs_db"]),
        volume_db=float(raw.get("volume_db", 0.0)),
        offset_db=float(raw.get("offset_db", 0.0)),
        model=raw.get("model"),
        basis=str(raw.get("basis", "")),
    )
    if out.kind not in OUTPUT_KINDS or not math.isfinite(out.spl_at_0lufs_db):
        raise ValueError(f"output {out.name!r}: bad kind or calibration")
    return out


def _check_range(value: float, bounds: tuple[float, float], name: str) -> None:
    lo, hi = bounds
    if not math.isfinite(value) or not lo <= value <= hi:
        raise InvalidParameter(f"{name} {value!r} dB must be within {lo:g}..{hi:g} dB")


__all__ = [
    "LevelProfile",
    "OutputProfile",
    "Switch",
    "dbu_to_vrms",
    "dbv_to_vrms",
    "default_profile_path",
    "estimate_spl_db",
    "headphone_spl_at_0lufs_db",
    "level_advice",
    "load_profile",
    "match_offsets",
    "save_profile",
    "set_offset",
    "set_output",
    "set_volume",
    "speaker_spl_at_0lufs_db",
    "switch_output",
    "volume_for_spl_db",
]

"""Amplifier (headphone-output) presets: maximum output voltage, output impedance and rated load limits.

Data: ``presets/facts/amplifiers.toml``. A figure we could not confirm is ``None`` with a reason in
:attr:`AmpPreset.missing_reason`; the drive check then asks for ``--vout``/``--zout`` instead of guessing.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidParameter, PresetError
from .facts import facts_dir, read_toml

AMP_KINDS = ("laptop", "phone", "interface", "headphone-amp", "custom")


@dataclass(frozen=True)
class LoadLimit:
    """Rated maximum output at one load: ``vrms`` volts RMS across ``load_ohm`` ohms."""

    load_ohm: float
    vrms: float


@dataclass(frozen=True)
class AmpPreset:
    """One headphone output. ``vout_vrms`` is the unloaded maximum (full-scale sine, volume at maximum)."""

    key: str
    name: str
    kind: str
    vout_vrms: float | None
    zout_ohm: float | None
    limits: tuple[LoadLimit, ...] = ()
    vout_range_vrms: tuple[float, float] | None = None
    zout_range_ohm: tuple[float, float] | None = None
    vout_source: str = ""
    zout_source: str = ""
    limits_source: str = ""
    sources: tuple[str, ...] = ()
    missing_reason: dict[str, str] = field(default_factory=dict)


def custom_amp(*, vout_vrms: float, zout_ohm: float, name: str = "Your output") -> AmpPreset:
    """An amplifier from figures the user measured or read off a spec sheet (Vrms, ohm)."""
    if not math.isfinite(vout_vrms) or vout_vrms <= 0:
        raise InvalidParameter(f"--vout {vout_vrms!r} must be a positive voltage in Vrms")
    if not math.isfinite(zout_ohm) or zout_ohm < 0:
        raise InvalidParameter(f"--zout {zout_ohm!r} must be an output impedance >= 0 ohm")
    return AmpPreset("custom", name, "custom", float(vout_vrms), float(zout_ohm), vout_source="given by the user",
                     zout_source="given by the user")


@functools.lru_cache(maxsize=8)
def _load_cached(path_str: str, mtime_ns: int) -> dict[str, AmpPreset]:
    path = Path(path_str)
    entries = read_toml(path).get("amplifier")
    if not isinstance(entries, list) or not entries:
        raise PresetError(f"{path}: no [[amplifier]] tables")
    out: dict[str, AmpPreset] = {}
    for index, entry in enumerate(entries, start=1):
        amp = _parse_amp(entry, where=f"{path}: [[amplifier]] #{index}")
        if amp.key in out:
            raise PresetError(f"{path}: amplifier key {amp.key!r} appears twice")
        out[amp.key] = amp
    return out


def load_amp_presets(path: str | Path | None = None) -> dict[str, AmpPreset]:
    """Every amplifier preset, keyed by its lower-case key."""
    file = Path(path) if path is not None else facts_dir() / "amplifiers.toml"
    try:
        mtime = file.stat().st_mtime_ns
    except OSError:
        mtime = -1
    return _load_cached(str(file), mtime)


def get_amp(key: str, *, path: str | Path | None = None) -> AmpPreset:
    """The preset named ``key`` (case-insensitive); InvalidParameter lists the known keys."""
    table = load_amp_presets(path)
    amp = table.get(key.strip().lower())
    if amp is None:
        raise InvalidParameter(f"no amplifier preset {key!r}; known: {', '.join(table)} (or pass --vout and --zout)")
    return amp


def _parse_amp(entry: Any, *, where: str) -> AmpPreset:
    if not isinstance(entry, dict):
        raise PresetError(f"{where}: must be a table")
    key = entry.get("key")
    if not isinstance(key, str) or not key or key != key.lower():
        raise PresetError(f"{where}: key must be a non-empty lower-case string")
    where = f"{where} ({key})"
    kind = entry.get("kind")
    if kind not in AMP_KINDS:
        raise PresetError(f"{where}: kind {kind!r} is not one of {', '.join(AMP_KINDS)}")
    reasons: dict[str, str] = {}
    vout = _number_or_reason(entry, "vout_vrms", "vout_missing", where, reasons, allow_zero=False)
    zout = _number_or_reason(entry, "zout_ohm", "zout_missing", where, reasons, allow_zero=True)
    limits = tuple(_parse_limit(raw, where=f"{where}: limits") for raw in entry.get("limits", []))
    if vout is None and not limits:
        reasons.setdefault("vout_vrms", "no maximum output figure")
    sources = entry.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise PresetError(f"{where}: sources must be a list of strings")
    return AmpPreset(
        key=key,
        name=str(entry.get("name", key)),
        kind=str(kind),
        vout_vrms=vout,
        zout_ohm=zout,
        limits=tuple(sorted(limits, key=lambda lim: lim.load_ohm)),
        vout_range_vrms=_parse_range(entry.get("vout_range_vrms"), f"{where}: vout_range_vrms"),
        zout_range_ohm=_parse_range(entry.get("zout_range_ohm"), f"{where}: zout_range_ohm"),
        vout_source=str(entry.get("vout_source", "")),
        zout_source=str(entry.get("zout_source", "")),
        limits_source=str(entry.get("limits_source", "")),
        sources=tuple(sources),
        missing_reason=reasons,
    )


def _number_or_reason(
    entry: dict[str, Any], key: str, reason_key: str, where: str, reasons: dict[str, str], *, allow_zero: bool
) -> float | None:
    if key not in entry:
        reason = entry.get(reason_key)
        if not isinstance(reason, str) or not reason:
            raise PresetError(f"{where}: {key} is missing and {reason_key} does not say why")
        reasons[key] = reason
        return None
    value = entry[key]
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        raise PresetError(f"{where}: {key} must be a positive number, not {value!r}")
    return float(value)


def _parse_limit(raw: Any, *, where: str) -> LoadLimit:
    if not isinstance(raw, dict):
        raise PresetError(f"{where}: each limit must be a table {{load_ohm, vrms | power_mw}}")
    load = raw.get("load_ohm")
    if isinstance(load, bool) or not isinstance(load, int | float) or load <= 0:
        raise PresetError(f"{where}: load_ohm must be a positive number")
    if "vrms" in raw:
        vrms = raw["vrms"]
    elif "power_mw" in raw:
        power = raw["power_mw"]
        if isinstance(power, bool) or not isinstance(power, int | float) or power <= 0:
            raise PresetError(f"{where}: power_mw must be a positive number")
        vrms = math.sqrt(power / 1000.0 * load)
    else:
        raise PresetError(f"{where}: a limit needs vrms or power_mw")
    if isinstance(vrms, bool) or not isinstance(vrms, int | float) or vrms <= 0:
        raise PresetError(f"{where}: vrms must be a positive number")
    return LoadLimit(float(load), float(vrms))


def _parse_range(raw: Any, where: str) -> tuple[float, float] | None:
    if raw is None:
        return None
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw)
        or not 0 <= raw[0] <= raw[1]
    ):
        raise PresetError(f"{where}: must be [low, high] with 0 <= low <= high")
    return (float(raw[0]), float(raw[1]))


__all__ = ["AmpPreset", "LoadLimit", "custom_amp", "get_amp", "load_amp_presets"]

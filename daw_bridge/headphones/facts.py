"""Headphone facts: design, impedance, sensitivity, power rating and role, each with its source.

The data lives in ``presets/facts/headphones.toml`` (one ``[[headphone]]`` table per AutoEq model name). A value we
could not confirm is ``None`` and :attr:`HeadphoneFacts.missing_reason` says why. Sensitivity is kept in the unit
the maker states; :meth:`HeadphoneFacts.sensitivity_in` derives the other unit from the impedance and marks it
``derived``.
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import shipped
from ..errors import InvalidParameter, PresetError
from .drive import spl_per_mw_to_per_v, spl_per_v_to_per_mw

#: Environment variable naming another folder holding ``headphones.toml`` / ``amplifiers.toml``.
FACTS_DIR_ENV = "DAW_BRIDGE_FACTS_DIR"
#: The shipped facts folder (``daw_bridge/data/presets/facts``).
DEFAULT_FACTS_DIR = shipped.path(shipped.FACTS, must_exist=False)

DESIGNS = ("open-back", "semi-open", "closed-back")
DRIVERS = ("dynamic", "planar")
ROLES = ("tracking", "mixing", "mastering")
UNIT_PER_MW = "dB SPL/mW"
UNIT_PER_V = "dB SPL/V"
SENSITIVITY_UNITS = (UNIT_PER_MW, UNIT_PER_V)


@dataclass(frozen=True)
class Sensitivity:
    """SPL for a reference drive: ``value_db`` in ``unit`` ("dB SPL/mW" or "dB SPL/V")."""

    value_db: float
    unit: str
    reference: str = ""
    source: str = ""
    derived: bool = False


@dataclass(frozen=True)
class HeadphoneFacts:
    """What the maker (or a named measurement) says about one headphone model; ``None`` means not known."""

    model: str
    design: str
    driver: str
    impedance_ohm: float | None
    sensitivity: Sensitivity | None
    max_input_mw: float | None
    role: str
    role_note: str
    sources: tuple[str, ...] = ()
    measured_sensitivity: Sensitivity | None = None
    impedance_source: str = ""
    max_input_source: str = ""
    missing_reason: dict[str, str] = field(default_factory=dict)

    def sensitivity_in(self, unit: str, *, measured: bool = False) -> Sensitivity | None:
        """Sensitivity in ``unit``, converted with the impedance when the maker used the other one.

        Returns None when the sensitivity is missing, or when a conversion is needed and the impedance is missing.
        """
        if unit not in SENSITIVITY_UNITS:
            raise InvalidParameter(f"sensitivity unit {unit!r} is not one of {', '.join(SENSITIVITY_UNITS)}")
        stated = self.measured_sensitivity if measured else self.sensitivity
        if stated is None:
            return None
        if stated.unit == unit:
            return stated
        if self.impedance_ohm is None:
            return None
        if unit == UNIT_PER_V:
            value = spl_per_mw_to_per_v(stated.value_db, impedance_ohm=self.impedance_ohm)
        else:
            value = spl_per_v_to_per_mw(stated.value_db, impedance_ohm=self.impedance_ohm)
        return Sensitivity(value, unit, stated.reference, f"derived from {stated.unit} and impedance", True)

    def with_overrides(
        self, *, impedance_ohm: float | None = None, sensitivity: Sensitivity | None = None
    ) -> HeadphoneFacts:
        """A copy with a user-supplied impedance and/or sensitivity (the missing reasons they fill are dropped)."""
        changes: dict[str, Any] = {}
        reasons = dict(self.missing_reason)
        if impedance_ohm is not None:
            _check_positive(impedance_ohm, "impedance_ohm")
            changes["impedance_ohm"] = float(impedance_ohm)
            changes["impedance_source"] = "given by the user"
            reasons.pop("impedance_ohm", None)
        if sensitivity is not None:
            if sensitivity.unit not in SENSITIVITY_UNITS:
                raise InvalidParameter(f"sensitivity unit {sensitivity.unit!r} is not one of {SENSITIVITY_UNITS}")
            changes["sensitivity"] = sensitivity
            reasons.pop("sensitivity", None)
        return replace(self, missing_reason=reasons, **changes)


def facts_dir() -> Path:
    """The folder holding the facts files (``$DAW_BRIDGE_FACTS_DIR`` or the shipped ``presets/facts``)."""
    override = os.environ.get(FACTS_DIR_ENV)
    return Path(override).expanduser() if override else DEFAULT_FACTS_DIR


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a facts TOML file; PresetError names the file on any failure."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PresetError(f"{path}: facts file not found (set {FACTS_DIR_ENV} to its folder)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"{path}: not valid TOML ({exc})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PresetError(f"{path}: cannot read ({exc})") from exc


@functools.lru_cache(maxsize=8)
def _load_cached(path_str: str, mtime_ns: int) -> dict[str, HeadphoneFacts]:
    path = Path(path_str)
    data = read_toml(path)
    entries = data.get("headphone")
    if not isinstance(entries, list) or not entries:
        raise PresetError(f"{path}: no [[headphone]] tables")
    out: dict[str, HeadphoneFacts] = {}
    for index, entry in enumerate(entries, start=1):
        facts = _parse_headphone(entry, where=f"{path}: [[headphone]] #{index}")
        key = normalize_model(facts.model)
        if key in out:
            raise PresetError(f"{path}: model {facts.model!r} appears twice")
        out[key] = facts
    return out


def load_headphone_facts(path: str | Path | None = None) -> dict[str, HeadphoneFacts]:
    """Every model in ``path`` (default: ``headphones.toml`` in :func:`facts_dir`), keyed by normalized name."""
    file = Path(path) if path is not None else facts_dir() / "headphones.toml"
    try:
        mtime = file.stat().st_mtime_ns
    except OSError:
        mtime = -1
    return _load_cached(str(file), mtime)


def normalize_model(name: str) -> str:
    """Case- and whitespace-insensitive key for a model name."""
    return " ".join(name.split()).casefold()


def _compact(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def get_facts(model: str, *, path: str | Path | None = None) -> HeadphoneFacts:
    """Facts for ``model`` (case-insensitive). InvalidParameter names close matches when it is unknown."""
    table = load_headphone_facts(path)
    key = normalize_model(model)
    if key in table:
        return table[key]
    wanted = _compact(model)
    hits = [f for f in table.values() if wanted in (_compact(f.model), _compact(f.model.split(" ", 1)[-1]))]
    if len(hits) == 1:
        return hits[0]
    names = [f.model for f in table.values()]
    close = difflib.get_close_matches(model, names, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else f" Known: {', '.join(sorted(names))}."
    raise InvalidParameter(f"no headphone facts for {model!r}.{hint}")


def format_facts(facts: HeadphoneFacts) -> list[str]:
    """Human-readable lines for ``daw-bridge headphones show/facts`` (values, units, sources, missing reasons)."""
    lines = [facts.model, f"  design       {facts.design}, {facts.driver} driver"]
    if facts.impedance_ohm is not None:
        lines.append(f"  impedance    {facts.impedance_ohm:g} ohm  [{facts.impedance_source or 'source not given'}]")
    else:
        lines.append(f"  impedance    missing: {facts.missing_reason.get('impedance_ohm', 'not known')}")
    if facts.sensitivity is not None:
        s = facts.sensitivity
        ref = f" ({s.reference})" if s.reference else ""
        lines.append(f"  sensitivity  {s.value_db:.1f} {s.unit}{ref}, as stated  [{s.source}]")
        other = UNIT_PER_MW if s.unit == UNIT_PER_V else UNIT_PER_V
        converted = facts.sensitivity_in(other)
        if converted is not None:
            lines.append(f"               {converted.value_db:.1f} {other} (derived with the impedance)")
        else:
            lines.append(f"               {other}: cannot derive without the impedance")
    else:
        lines.append(f"  sensitivity  missing: {facts.missing_reason.get('sensitivity', 'not known')}")
    if facts.measured_sensitivity is not None:
        m = facts.measured_sensitivity
        lines.append(f"  measured     {m.value_db:.1f} {m.unit}  [{m.source}]")
    if facts.max_input_mw is not None:
        lines.append(f"  max input    {facts.max_input_mw:g} mW  [{facts.max_input_source or 'source not given'}]")
    else:
        lines.append(f"  max input    missing: {facts.missing_reason.get('max_input_mw', 'not known')}")
    lines.append(f"  role         {facts.role}: {facts.role_note}")
    if facts.sources:
        lines.append("  sources")
        lines.extend(f"    - {source}" for source in facts.sources)
    return lines


# -- parsing ---------------------------------------------------------------------------------------------------


def _parse_headphone(entry: Any, *, where: str) -> HeadphoneFacts:
    if not isinstance(entry, dict):
        raise PresetError(f"{where}: must be a table")
    model = _require_str(entry, "model", where)
    where = f"{where} ({model})"
    design = _require_choice(entry, "design", DESIGNS, where)
    driver = _require_choice(entry, "driver", DRIVERS, where)
    role = _require_choice(entry, "role", ROLES, where)
    reasons: dict[str, str] = {}
    impedance = _optional_number(entry, "impedance_ohm", where, reasons)
    max_input = _optional_number(entry, "max_input_mw", where, reasons)
    sensitivity = _parse_sensitivity(entry.get("sensitivity"), where=f"{where}: sensitivity")
    if sensitivity is None:
        reasons["sensitivity"] = _missing_reason(entry, "sensitivity", where)
    measured_raw = entry.get("measured_sensitivity")
    measured = _parse_sensitivity(measured_raw, where=f"{where}: measured_sensitivity") if measured_raw else None
    sources = entry.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise PresetError(f"{where}: sources must be a list of strings")
    return HeadphoneFacts(
        model=model,
        design=design,
        driver=driver,
        impedance_ohm=impedance,
        sensitivity=sensitivity,
        max_input_mw=max_input,
        role=role,
        role_note=str(entry.get("role_note", "")),
        sources=tuple(sources),
        measured_sensitivity=measured,
        impedance_source=str(entry.get("impedance_source", "")),
        max_input_source=str(entry.get("max_input_source", "")),
        missing_reason=reasons,
    )


def _parse_sensitivity(raw: Any, *, where: str) -> Sensitivity | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise PresetError(f"{where}: must be a table {{value, unit, source}}")
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PresetError(f"{where}: value must be a number in dB")
    unit = raw.get("unit")
    if unit not in SENSITIVITY_UNITS:
        raise PresetError(f"{where}: unit {unit!r} must be one of {', '.join(SENSITIVITY_UNITS)}")
    source = raw.get("source")
    if not isinstance(source, str) or not source:
        raise PresetError(f"{where}: every value needs a source")
    return Sensitivity(float(value), str(unit), str(raw.get("reference", "")), source)


def _optional_number(entry: dict[str, Any], key: str, where: str, reasons: dict[str, str]) -> float | None:
    if key not in entry:
        reasons[key] = _missing_reason(entry, key, where)
        return None
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise PresetError(f"{where}: {key} must be a positive number, not {value!r}")
    return float(value)


def _missing_reason(entry: dict[str, Any], key: str, where: str) -> str:
    reason = entry.get(f"{key}_missing")
    if not isinstance(reason, str) or not reason:
        raise PresetError(f"{where}: {key} is missing and {key}_missing does not say why")
    return reason


def _require_str(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PresetError(f"{where}: {key} must be a non-empty string")
    return value


def _require_choice(entry: dict[str, Any], key: str, choices: tuple[str, ...], where: str) -> str:
    value = entry.get(key)
    if value not in choices:
        raise PresetError(f"{where}: {key} {value!r} is not one of {', '.join(choices)}")
    return str(value)


def _check_positive(value: float, name: str) -> None:
    if not math.isfinite(value) or value <= 0:
        raise InvalidParameter(f"{name} must be a positive number, not {value!r}")


__all__ = [
    "HeadphoneFacts",
    "Sensitivity",
    "format_facts",
    "get_facts",
    "load_headphone_facts",
    "normalize_model",
    "facts_dir",
]

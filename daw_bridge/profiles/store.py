"""Reference profiles: the measurements of a set of references, kept as numbers so no audio is needed later.

A profile is one JSON file (``<data dir>/profiles/<name>.json``, or any path a user shares) holding each
reference's full :class:`~daw_bridge.analysis.measurement.Measurement` (the same numbers the analysis cache keeps:
band levels, width, reverb, loudness and dynamics, per section) plus a summary of ranges for people to read.
Comparing a mix against a profile is the same comparison as against the reference files, without decoding them.

Measurements only mean the same thing under the same analysis, so a profile records the analysis version it was
built with and is refused, with the way out, by a daw-bridge that measures differently.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..analysis.engine import ANALYSIS_VERSION
from ..analysis.measurement import Measurement, measurement_from_plain, to_plain
from ..errors import ProfileError
from ..presets.catalog import data_dir

#: Version of the profile file's own layout (the measurements inside carry the analysis version).
PROFILE_SCHEMA = 1
#: What a profile file says it is, so another JSON file is not taken for one.
PROFILE_KIND = "daw-bridge reference profile"
_NAME = re.compile(r"^[\w][\w .()+-]{0,79}$")


@dataclass(frozen=True)
class Profile:
    """A named set of reference measurements (``created`` is an ISO 8601 UTC time)."""

    name: str
    created: str
    analysis_version: int
    references: tuple[Measurement, ...]

    def summary(self) -> dict[str, Any]:
        """Ranges over the references: ``{figure: {"min", "median", "max", "unit"}}`` (figures with values)."""
        return summarize(self.references)


def profiles_dir(base: Path | None = None) -> Path:
    """Where built profiles are kept: ``<data dir>/profiles``."""
    return (base if base is not None else data_dir()) / "profiles"


def _figures(m: Measurement) -> dict[str, tuple[float | None, str]]:
    """The headline figures of one measurement, with units (None where undefined)."""
    loud = m.loudness
    out: dict[str, tuple[float | None, str]] = {
        "loudness": (loud.integrated_lufs, "LUFS"),
        "loudness range": (loud.lra_lu, "LU"),
        "true peak": (loud.true_peak_dbtp, "dBTP"),
        "peak to loudness (PLR)": (loud.true_peak_dbtp - loud.integrated_lufs, "dB"),
        "highs vs mids": (m.balance.highs_db, "dB"),
        "spectral tilt": (m.balance.tilt_db_per_oct, "dB/oct"),
        "reverb (reverberant/direct)": (m.reverb.reverb_db, "dB"),
        "RT60": (m.reverb.rt60_s, "s"),
    }
    for band in m.balance.bands:
        out[f"band {band.name}"] = (band.level_db, "dB re track")
    if m.width is not None:
        out["width (side/mid)"] = (m.width.side_mid_db, "dB")
        out["correlation"] = (m.width.correlation, "")
    return out


def summarize(measurements: Sequence[Measurement]) -> dict[str, Any]:
    """Min, median and max of each headline figure over ``measurements`` (finite values only)."""
    columns: dict[str, tuple[list[float], str]] = {}
    for m in measurements:
        for key, (value, unit) in _figures(m).items():
            values, _ = columns.setdefault(key, ([], unit))
            if value is not None and math.isfinite(value):
                values.append(float(value))
    summary: dict[str, Any] = {}
    for key, (values, unit) in columns.items():
        if values:
            ordered = sorted(values)
            mid = len(ordered) // 2
            median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
            summary[key] = {"min": ordered[0], "median": median, "max": ordered[-1], "unit": unit, "n": len(values)}
    return summary


def check_name(name: str) -> str:
    """``name`` if it can be a profile's file name (letters, digits, space, ``._-+()``; at most 80), else an error."""
    if not _NAME.match(name) or name.strip() != name:
        raise ProfileError(
            f"profile name {name!r}: use letters, digits, spaces and ._-+() (at most 80 characters, "
            "no leading or trailing space)"
        )
    return name


def build_profile(name: str, references: Sequence[Measurement]) -> Profile:
    """A profile named ``name`` from the measurements of its references (at least one)."""
    check_name(name)
    if not references:
        raise ProfileError(f"profile {name!r}: no references to build it from")
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    stripped = tuple(_without_path(m) for m in references)
    return Profile(name=name, created=created, analysis_version=ANALYSIS_VERSION, references=stripped)


def _without_path(m: Measurement) -> Measurement:
    """The measurement without the builder's local path (the file name stays as the reference's label)."""
    from dataclasses import replace

    return replace(m, path=None)


def profile_to_json(profile: Profile) -> str:
    """The profile file's text (stable key order, so equal profiles give equal files)."""
    doc = {
        "kind": PROFILE_KIND,
        "schema": PROFILE_SCHEMA,
        "analysis_version": profile.analysis_version,
        "name": profile.name,
        "created": profile.created,
        "summary": profile.summary(),
        "references": [to_plain(m) for m in profile.references],
    }
    return json.dumps(doc, indent=1, sort_keys=True, allow_nan=True) + "\n"


def profile_from_json(text: str, source: str = "profile") -> Profile:
    """Read a profile file's text; ``source`` names it in errors. Refuses other schemas and analysis versions."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ProfileError(f"{source}: not a daw-bridge profile (invalid JSON: {exc})") from None
    if not isinstance(doc, dict) or doc.get("kind") != PROFILE_KIND:
        raise ProfileError(f"{source}: not a daw-bridge reference profile")
    schema = doc.get("schema")
    if schema != PROFILE_SCHEMA:
        raise ProfileError(
            f"{source}: profile format {schema!r}, this daw-bridge reads format {PROFILE_SCHEMA}: "
            "rebuild it with 'daw-bridge profile build' (or use the daw-bridge that wrote it)"
        )
    version = doc.get("analysis_version")
    if version != ANALYSIS_VERSION:
        raise ProfileError(
            f"{source}: built with analysis version {version!r}, this daw-bridge measures with version "
            f"{ANALYSIS_VERSION}; its figures would not compare like with like: rebuild it from the reference "
            "files with 'daw-bridge profile build NAME --refs-dir DIR --force'"
        )
    try:
        references = tuple(measurement_from_plain(r) for r in doc["references"])
        profile = Profile(
            name=check_name(str(doc["name"])),
            created=str(doc["created"]),
            analysis_version=int(version),
            references=references,
        )
    except ProfileError:
        raise
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        raise ProfileError(f"{source}: damaged profile ({type(exc).__name__}: {exc})") from None
    if not references:
        raise ProfileError(f"{source}: the profile holds no references")
    return profile


def save_profile(profile: Profile, *, folder: Path | None = None, force: bool = False) -> Path:
    """Write ``profile`` to ``<folder>/<name>.json`` atomically; an existing one is replaced only with ``force``."""
    target_dir = folder if folder is not None else profiles_dir()
    path = target_dir / f"{profile.name}.json"
    if path.exists() and not force:
        raise ProfileError(f"profile {profile.name!r} already exists at {path}: pass --force to replace it")
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(profile_to_json(profile), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise ProfileError(f"cannot write profile {path}: {exc.strerror or exc}") from None
    return path


def resolve(name_or_path: str | Path, *, folder: Path | None = None) -> Path:
    """The file of a profile given by name (in the profiles folder) or by path (a shared ``.json`` file)."""
    text = str(name_or_path)
    candidate = Path(text).expanduser()
    if text.endswith(".json") or os.sep in text or candidate.is_file():
        if not candidate.is_file():
            raise ProfileError(f"profile file {candidate} not found")
        return candidate
    path = (folder if folder is not None else profiles_dir()) / f"{text}.json"
    if not path.is_file():
        known = ", ".join(repr(p) for p in list_profiles(folder=folder)) or "none yet"
        raise ProfileError(
            f"no profile named {text!r} (profiles: {known}); build one with 'daw-bridge profile build {text} "
            "--refs-dir DIR'"
        )
    return path


def load_profile(name_or_path: str | Path, *, folder: Path | None = None) -> Profile:
    """The profile named ``name_or_path`` (or at that path)."""
    path = resolve(name_or_path, folder=folder)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read profile {path}: {exc}") from None
    return profile_from_json(text, source=str(path))


def list_profiles(*, folder: Path | None = None) -> list[str]:
    """Names of the profiles in the profiles folder, sorted."""
    target = folder if folder is not None else profiles_dir()
    if not target.is_dir():
        return []
    return sorted(p.stem for p in target.glob("*.json") if p.is_file() and not p.name.startswith("."))

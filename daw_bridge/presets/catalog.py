"""Headphone presets: read/write the TOML preset files, find shipped and user-imported presets by model name.

Shipped presets live in ``presets/headphones/*.toml`` at the repository root (found from an editable install);
user presets in ``<data dir>/presets/*.toml`` where the data dir is ``$DAW_BRIDGE_DATA_DIR`` if set, else
platformdirs' ``user_data_dir("daw-bridge")``. Model names match case-insensitively (aliases too).

Schema (unknown tables such as ``[facts]`` are kept out of the way and ignored)::

    schema = 1
    name = "Sennheiser HD 650"
    aliases = []
    caveats = ["..."]
    [source]      measurement, autoeq_path, autoeq_commit, target, license, license_file, design_rate_hz, ...
    [eq]          preamp_db = -6.1
    [[eq.filters]] type = "lowshelf", freq_hz = 105.0, gain_db = 6.4, q = 0.7
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from .. import shipped
from ..config import default_data_dir
from ..dsp.biquad import KINDS, Biquad
from ..dsp.params import CORRECTION_BANDS, resolve, sliders
from ..errors import InvalidParameter, PresetError
from .autoeq import AUTOEQ_RATE_HZ, ParametricEq, parse_file

SCHEMA_VERSION = 1
#: Sample rates an imported preset must work at (the correction adapts its filters to the project's rate).
CHECK_RATES_HZ = (44100, 48000, 96000)
#: Environment variable overriding the user data dir (tests point it at a tmp dir).
DATA_DIR_ENV = "DAW_BRIDGE_DATA_DIR"


@dataclass(frozen=True)
class Preset:
    """A headphone preset: model ``name``, its EQ, where it came from, and its caveats."""

    name: str
    eq: ParametricEq
    source: dict[str, Any] = field(default_factory=dict)
    caveats: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    path: Path | None = None
    user: bool = False


def data_dir() -> Path:
    """The user data dir (``$DAW_BRIDGE_DATA_DIR`` or the platform's)."""
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env).expanduser() if env else default_data_dir()


def shipped_dir() -> Path:
    """The shipped presets folder (``daw_bridge/data/presets/headphones``)."""
    return shipped.path(shipped.PRESETS, must_exist=False)


def user_dir(base: Path | None = None) -> Path:
    """Where imported presets go: ``<data dir>/presets``."""
    return (base if base is not None else data_dir()) / "presets"


def preset_to_toml(preset: Preset) -> str:
    """The TOML text of ``preset`` (``[eq]`` last so the metadata reads first)."""
    doc: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "name": preset.name,
        "aliases": list(preset.aliases),
        "caveats": list(preset.caveats),
        "source": dict(preset.source),
        "eq": {
            "preamp_db": preset.eq.preamp_db,
            "design_rate_hz": preset.eq.design_rate_hz,
            "filters": [
                {"type": f.kind, "freq_hz": f.freq_hz, "gain_db": f.gain_db, "q": f.q} for f in preset.eq.filters
            ],
        },
    }
    return tomli_w.dumps(doc)


def load_preset(path: Path, *, user: bool = False) -> Preset:
    """Read one preset file; PresetError names the file and the bad key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PresetError(f"{path}: cannot read preset ({exc})") from exc
    try:
        if data.get("schema") != SCHEMA_VERSION:
            raise PresetError(f"{path}: schema {data.get('schema')!r} is not {SCHEMA_VERSION}")
        eq = data["eq"]
        filters = tuple(_filter(f, path, i) for i, f in enumerate(eq["filters"], start=1))
        if not filters:
            raise PresetError(f"{path}: [eq] has no filters")
        return Preset(
            name=str(data["name"]),
            eq=ParametricEq(float(eq["preamp_db"]), filters, int(eq.get("design_rate_hz", AUTOEQ_RATE_HZ))),
            source=dict(data.get("source", {})),
            caveats=tuple(str(c) for c in data.get("caveats", [])),
            aliases=tuple(str(a) for a in data.get("aliases", [])),
            path=path,
            user=user,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PresetError):
            raise
        raise PresetError(f"{path}: missing or bad preset field ({exc!r})") from exc


def _filter(raw: dict[str, Any], path: Path, index: int) -> Biquad:
    kind = str(raw["type"])
    if kind not in KINDS or kind == "off":
        raise PresetError(f"{path}: filter {index} type {kind!r} is not one of {', '.join(KINDS[1:])}")
    return Biquad(kind, float(raw["freq_hz"]), float(raw.get("gain_db", 0.0)), float(raw.get("q", 0.7071)))


def all_presets(*, base: Path | None = None) -> list[Preset]:
    """Shipped presets then user presets, each sorted by name (a user preset may shadow a shipped one)."""
    shipped = [load_preset(p) for p in sorted(shipped_dir().glob("*.toml"))]
    udir = user_dir(base)
    users = [load_preset(p, user=True) for p in sorted(udir.glob("*.toml"))] if udir.is_dir() else []
    return sorted(shipped, key=lambda p: p.name.lower()) + sorted(users, key=lambda p: p.name.lower())


def find_preset(name: str, *, base: Path | None = None) -> Preset:
    """The preset for model ``name`` (case-insensitive, aliases too; user presets win); PresetError suggests."""
    key = " ".join(name.split()).lower()
    presets = all_presets(base=base)
    for preset in reversed(presets):  # user presets last in the list: search them first
        if key == preset.name.lower() or key in (a.lower() for a in preset.aliases):
            return preset
    names = [p.name for p in presets]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else " See 'daw-bridge headphones list'."
    raise PresetError(f"no headphone preset named {name!r}.{hint}")


def check_usable(eq: ParametricEq, where: str) -> None:
    """Raise PresetError (with the reason and the limit) unless the correction effect can run ``eq`` at every rate
    of :data:`CHECK_RATES_HZ`: at most :data:`~daw_bridge.dsp.params.CORRECTION_BANDS` filters, a clip-free preamp
    within the preamp slider's range, and every filter within the band sliders (they carry the filters as designed,
    the same at every rate; the effect re-fits them itself)."""
    from ..dsp.correction import build, slider_params

    if len(eq.filters) > CORRECTION_BANDS:
        raise PresetError(f"{where}: {len(eq.filters)} filters; the correction effect has {CORRECTION_BANDS} bands "
                          f"(at most {CORRECTION_BANDS} filters)")
    table = {s.name: s for s in sliders("correction")}
    for rate in CHECK_RATES_HZ:
        try:
            corr = build(eq.filters, file_preamp_db=eq.preamp_db, sample_rate=rate, design_rate=eq.design_rate_hz)
        except InvalidParameter as exc:
            raise PresetError(f"{where}: the correction cannot use it at {rate} Hz ({exc})") from exc
        preamp = table["preamp_db"]
        if not preamp.minimum <= corr.preamp_db <= preamp.maximum:
            raise PresetError(
                f"{where}: the filters boost up to {-corr.preamp_db:+.1f} dB together, which needs a preamp of "
                f"{corr.preamp_db:.1f} dB; the correction's preamp goes down to {preamp.minimum:g} dB"
            )
        for i, f in enumerate(corr.filters, start=1):
            for slider_name, value in ((f"band{i}_gain", f.gain_db), (f"band{i}_freq", f.freq_hz),
                                       (f"band{i}_q", f.q)):
                slider = table[slider_name]
                if not slider.minimum <= value <= slider.maximum:
                    spec = eq.filters[i - 1]
                    raise PresetError(
                        f"{where}: filter {i} ({spec.kind} {spec.freq_hz:g} Hz, {spec.gain_db:+g} dB, Q {spec.q:g}) "
                        f"needs {slider.label.lower().replace(f'band {i} ', '')} {value:.6g} {slider.unit} at "
                        f"{rate} Hz; the correction's limit is {slider.minimum:g}..{slider.maximum:g} {slider.unit}"
                    )
        try:
            resolve("correction", slider_params(corr))
        except InvalidParameter as exc:  # any other slider (the loudness compensation)
            raise PresetError(f"{where}: the correction would refuse it at {rate} Hz ({exc})") from exc


def import_autoeq(path: Path, *, name: str | None = None, base: Path | None = None, force: bool = False) -> Preset:
    """Parse an AutoEq ParametricEQ.txt and save it as a user preset (named after the file unless ``name``).

    Refused (PresetError) when the correction could not run it (:func:`check_usable`), and, unless ``force``,
    when the name is a shipped preset's (the import would shadow it) or an imported preset's (it would be
    replaced)."""
    eq = parse_file(path)
    model = name or path.name.removesuffix(".txt").removesuffix(" ParametricEQ").strip()
    if not model:
        raise PresetError(f"{path}: cannot derive a model name from the file name; pass --name")
    check_usable(eq, str(path))
    if not force:
        key = " ".join(model.split()).lower()
        for existing in all_presets(base=base):
            if key == existing.name.lower() or key in (a.lower() for a in existing.aliases):
                what = "an imported preset (it would be replaced)" if existing.user else (
                    "a shipped preset (yours would hide it)")
                raise PresetError(f"{model!r} is already {what}; pass --name to import under another name, or "
                                  "--force to import it anyway")
    preset = Preset(
        name=model,
        eq=eq,
        source={"kind": "user import", "file": str(path.resolve()), "design_rate_hz": eq.design_rate_hz},
        caveats=("imported by the user; measurement and target unknown",),
        user=True,
    )
    out_dir = user_dir(base)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{_safe_file_name(model)}.toml"
    target.write_text(preset_to_toml(preset), encoding="utf-8")
    return Preset(preset.name, preset.eq, preset.source, preset.caveats, (), target, True)


def _safe_file_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in " ()-_.," else "_" for c in name).strip(" .")
    return cleaned or "preset"

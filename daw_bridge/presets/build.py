"""Build the shipped presets from the AutoEq text files and their ``SOURCES.md`` (sources, commits, caveats).

``python presets/build_presets.py [AUTOEQ_DIR]`` calls :func:`build_shipped`; the output is deterministic, so a
test rebuilds into a tmp dir and compares with the committed files.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import shipped
from ..errors import PresetError
from .autoeq import parse_file
from .catalog import Preset, preset_to_toml

#: Where the reference AutoEq files live (shipped with the package, MIT).
DEFAULT_AUTOEQ_DIR = shipped.path(shipped.AUTOEQ_SOURCE, must_exist=False)
LICENSE_FILE = "LICENSE-AutoEq.txt"
HARMAN = "Harman over-ear 2018"
#: Extra caveats by model name (from the reference notes), added to those in SOURCES.md.
EXTRA_CAVEATS: dict[str, tuple[str, ...]] = {
    "Beyerdynamic DT 990 Pro": (
        "Only a Rtings (HMS II.3) measurement exists for the exact 'DT 990 Pro'; "
        "'Beyerdynamic DT 990 (fresh earpads)' (oratory1990) is an alternate.",
    ),
    "Audeze LCD-X": ("Older, unlabelled AutoEq entry (pre-2021 units); for current units use 'Audeze LCD-X (2021)'.",),
}
BEYER_CAVEAT = (
    "Beyerdynamic unit-to-unit variance is larger than the differences between impedance versions (AutoEq issue #228)."
)
ALIASES: dict[str, tuple[str, ...]] = {"Beyerdynamic DT 880": ("Beyerdynamic DT 880 Pro",)}
_ROW = re.compile(
    r"^\|\s*(?P<file>[^|]+?ParametricEQ\.txt)\s*\|\s*(?P<src>[^|]+?)\s*\|\s*(?P<path>[^|]+?)\s*\|\s*(?P<commit>[0-9a-f]{40})\s*\|"
)


def read_sources(sources_md: Path) -> dict[str, dict[str, str]]:
    """Per file name: ``measurement``, ``note`` (text after the dash), ``autoeq_path``, ``autoeq_commit``."""
    out: dict[str, dict[str, str]] = {}
    for line in sources_md.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line.strip())
        if not m:
            continue
        measurement, _, note = m.group("src").partition("—")
        out[m.group("file")] = {
            "measurement": measurement.strip(),
            "note": note.strip(),
            "autoeq_path": m.group("path"),
            "autoeq_commit": m.group("commit"),
        }
    return out


def license_text(sources_md: Path) -> str:
    """The AutoEq MIT notice reproduced in SOURCES.md (from 'MIT License' to the end of the disclaimer)."""
    text = sources_md.read_text(encoding="utf-8")
    start = text.find("MIT License")
    end = text.find("SOFTWARE.", text.find("THE SOFTWARE IS PROVIDED"))
    if start < 0 or end < 0:
        raise PresetError(f"{sources_md}: AutoEq MIT notice not found")
    return text[start : end + len("SOFTWARE.")] + "\n"


def shipped_preset(txt: Path, meta: dict[str, str]) -> Preset:
    """One shipped preset from an AutoEq file and its SOURCES.md row."""
    model = txt.name.removesuffix(" ParametricEQ.txt")
    eq = parse_file(txt)
    caveats = [meta["note"][0].upper() + meta["note"][1:] + "."] if meta["note"] else []
    caveats += EXTRA_CAVEATS.get(model, ())
    if model.startswith("Beyerdynamic"):
        caveats.append(BEYER_CAVEAT)
    oratory = meta["measurement"].startswith("oratory1990")
    source = {
        "kind": "AutoEq ParametricEQ.txt",
        "measurement": meta["measurement"],
        "autoeq_repository": "https://github.com/jaakkopasanen/AutoEq",
        "autoeq_path": meta["autoeq_path"],
        "autoeq_commit": meta["autoeq_commit"],
        "target": HARMAN if oratory else f"{HARMAN} (AutoEq's default for over-ear results)",
        "design_rate_hz": eq.design_rate_hz,
        "file_preamp_db": eq.preamp_db,
        "license": "MIT (AutoEq, Copyright (c) 2018-2022 Jaakko Pasanen)",
        "license_file": LICENSE_FILE,
    }
    return Preset(model, eq, source, tuple(caveats), ALIASES.get(model, ()))


def build_shipped(autoeq_dir: Path, out_dir: Path) -> list[Path]:
    """Write one ``<Model>.toml`` per AutoEq file listed in SOURCES.md, plus the licence; return the presets."""
    sources_md = autoeq_dir / "SOURCES.md"
    if not sources_md.is_file():
        raise PresetError(f"{sources_md}: not found (pass the AutoEq reference folder)")
    rows = read_sources(sources_md)
    headphones = out_dir / "headphones"
    headphones.mkdir(parents=True, exist_ok=True)
    (out_dir / LICENSE_FILE).write_text(license_text(sources_md), encoding="utf-8")
    written = []
    for file_name, meta in sorted(rows.items()):
        txt = autoeq_dir / file_name
        if not txt.is_file():
            raise PresetError(f"{txt}: listed in SOURCES.md but missing")
        preset = shipped_preset(txt, meta)
        target = headphones / f"{preset.name}.toml"
        header = (
            f"# {preset.name}: headphone correction preset for daw-bridge, built from AutoEq by build_presets.py.\n"
        )
        header += f"# AutoEq data is MIT-licensed: see ../{LICENSE_FILE}.\n"
        target.write_text(header + preset_to_toml(preset), encoding="utf-8")
        written.append(target)
    return written

"""Install daw-bridge into REAPER's resource folder, and remove exactly what was installed.

What goes where (relative to the resource folder)::

    Scripts/daw-bridge/*.lua, lib/*.lua        the bridge action and the shortcut actions
    Scripts/daw-bridge/daw-bridge.config.json  mailbox and bounce folders for the Lua side (generated)
    Effects/daw-bridge/*.jsfx, *.jsfx-inc      our monitoring effects and the biquad library they import
    OSC/daw-bridge.ReaperOSC                   the OSC pattern file ("Pattern config: daw-bridge")
    reaper-kb.ini                              one ``SCR`` line per action, stable ids ``_RSdawbridge_*``
    Data/daw-bridge/install-manifest.json      what we wrote (sha256 of each file), for uninstall
    Data/daw-bridge/backups/<time>/...         a user's changed file, kept before we replace it

A file is replaced silently only when it is byte-identical to what we installed last time (its hash is in the
manifest); anything else (a user's edit, a foreign file) is copied to the backups folder first.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import shipped
from .config import Config
from .errors import ConfigError

SCRIPTS_DIR = "Scripts/daw-bridge"
EFFECTS_DIR = "Effects/daw-bridge"
OSC_FILE = "OSC/daw-bridge.ReaperOSC"
CONFIG_FILE = f"{SCRIPTS_DIR}/daw-bridge.config.json"
DATA_DIR = "Data/daw-bridge"
MANIFEST_FILE = f"{DATA_DIR}/install-manifest.json"
BACKUP_DIR = f"{DATA_DIR}/backups"
KB_INI = "reaper-kb.ini"
MANIFEST_VERSION = 1

#: Action script -> stable command id suffix (REAPER shows ``_RS<suffix>``; ids never change between versions).
ACTIONS: dict[str, str] = {
    "daw-bridge_Bridge.lua": "dawbridge_bridge",
    "daw-bridge_Toggle mix and reference (A-B).lua": "dawbridge_ab_toggle",
    "daw-bridge_Next reference.lua": "dawbridge_next_reference",
    "daw-bridge_Level-match now.lua": "dawbridge_match_now",
    "daw-bridge_Bounce and check.lua": "dawbridge_bounce_check",
    "daw-bridge_Next headphone preset.lua": "dawbridge_next_preset",
    "daw-bridge_Crossfeed on-off.lua": "dawbridge_crossfeed",
    "daw-bridge_Next band solo.lua": "dawbridge_band_next",
    "daw-bridge_Band solo off.lua": "dawbridge_band_off",
    "daw-bridge_Next translation simulation.lua": "dawbridge_simulation_next",
    "daw-bridge_Translation simulation off.lua": "dawbridge_simulation_off",
    "daw-bridge_Clear markers.lua": "dawbridge_clear_markers",
    "daw-bridge_Journal note at playhead.lua": "dawbridge_journal_note",
    "daw-bridge_Next checklist step.lua": "dawbridge_journal_step",
}


def default_resource_path(
    system: str | None = None, *, env: Mapping[str, str] | None = None, home: Path | None = None
) -> Path:
    """REAPER's default resource folder on ``system`` (``Linux``, ``Darwin``, ``Windows``; default: this one)."""
    system = system or platform.system()
    env = os.environ if env is None else env
    home = home or Path.home()
    if system == "Windows":
        appdata = env.get("APPDATA")
        return Path(appdata) / "REAPER" if appdata else home / "AppData" / "Roaming" / "REAPER"
    if system == "Darwin":
        return home / "Library" / "Application Support" / "REAPER"
    xdg = env.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else home / ".config") / "REAPER"


def source_dir() -> Path:
    """Our REAPER scripts folder, shipped in the package (``daw_bridge/data/reaper/daw-bridge``)."""
    here = shipped.path(shipped.REAPER_SCRIPTS, must_exist=False)
    if not (here / "daw-bridge_Bridge.lua").is_file():
        raise shipped.ShippedFileMissing(f"daw-bridge's REAPER scripts are not at {here}: reinstall daw-bridge")
    return here


def kb_line(script: str, command_id: str) -> str:
    """The ``reaper-kb.ini`` line registering ``script`` (under Scripts/daw-bridge) as ``_RS<command_id>``."""
    return f'SCR 4 0 RS{command_id} "Custom: {script}" "daw-bridge/{script}"'


def config_json(cfg: Config) -> bytes:
    """The Lua side's config file: mailbox and bounce folders (absolute), bridge command id."""
    payload = {
        "protocol": 1,
        "bridge_dir": str(Path(cfg.bridge_dir).expanduser().resolve()),
        "bounce_dir": str(Path(cfg.bounce_dir).expanduser().resolve()),
        "bridge_command": cfg.bridge_command,
    }
    return (json.dumps(payload, indent=2) + "\n").encode("utf-8")


def planned_files(cfg: Config, *, source: Path | None = None, config_only: bool = False) -> dict[str, bytes]:
    """Resource-relative path -> content of every file an install writes."""
    files: dict[str, bytes] = {CONFIG_FILE: config_json(cfg)}
    if config_only:
        return files
    src = source or source_dir()
    for path in sorted(src.glob("*.lua")):
        files[f"{SCRIPTS_DIR}/{path.name}"] = path.read_bytes()
    for path in sorted((src / "lib").glob("*.lua")):
        files[f"{SCRIPTS_DIR}/lib/{path.name}"] = path.read_bytes()
    for path in sorted([*src.glob("*.jsfx"), *src.glob("*.jsfx-inc")]):  # effects and the library they import
        files[f"{EFFECTS_DIR}/{path.name}"] = path.read_bytes()
    osc = src / "daw-bridge.ReaperOSC"
    if osc.is_file():
        files[OSC_FILE] = osc.read_bytes()
    return files


@dataclass
class InstallReport:
    """What an install did; paths are absolute."""

    resource_path: Path
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    backups: dict[str, str] = field(default_factory=dict)  # installed path -> backup path
    registered: list[str] = field(default_factory=list)  # command ids newly added to reaper-kb.ini
    kb_backup: Path | None = None


@dataclass
class UninstallReport:
    """What an uninstall did; paths are absolute."""

    resource_path: Path
    removed: list[Path] = field(default_factory=list)
    kept_changed: list[Path] = field(default_factory=list)
    restored: list[Path] = field(default_factory=list)
    unregistered: list[str] = field(default_factory=list)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST_FILE
    if not path.exists():
        return {"version": MANIFEST_VERSION, "files": {}, "backups": {}, "kb_lines": [], "kb_backups": [], "dirs": []}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: unreadable install manifest ({exc}); move it away and reinstall") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ConfigError(f"{path}: not a daw-bridge install manifest")
    for key, default in (("backups", {}), ("kb_lines", []), ("kb_backups", []), ("dirs", [])):
        manifest.setdefault(key, default)
    return manifest


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _backup(root: Path, rel: str, stamp: str) -> Path:
    dest = root / BACKUP_DIR / stamp / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / rel, dest)
    return dest


def _new_dirs(root: Path, rels: list[str]) -> list[str]:
    """Folders (resource-relative) an install will create, deepest first."""
    made: set[str] = set()
    for rel in rels:
        parent = Path(rel).parent
        while str(parent) not in (".", ""):
            if not (root / parent).exists():
                made.add(parent.as_posix())
            parent = parent.parent
    return sorted(made, key=lambda p: (-p.count("/"), p))


def install(
    resource_path: Path,
    cfg: Config,
    *,
    source: Path | None = None,
    config_only: bool = False,
    register: bool = True,
    stamp: str | None = None,
) -> InstallReport:
    """Copy our files into ``resource_path`` and register the actions; see the module docstring for the rules."""
    root = Path(resource_path).expanduser()
    if not root.is_dir():
        raise ConfigError(
            f"REAPER resource folder {root} does not exist: start REAPER once, or pass --resource-path "
            "(REAPER: Options > Show REAPER resource path)"
        )
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S")
    files = planned_files(cfg, source=source, config_only=config_only)
    manifest = _load_manifest(root)
    report = InstallReport(resource_path=root)
    new_dirs = _new_dirs(root, [*files, MANIFEST_FILE])
    manifest["dirs"] = sorted(set(manifest["dirs"]) | set(new_dirs), key=lambda p: (-p.count("/"), p))
    for rel, data in files.items():
        target = root / rel
        if target.exists():
            current = target.read_bytes()
            if current == data:
                report.unchanged.append(target)
                manifest["files"][rel] = {"sha256": _sha256(data)}
                continue
            recorded = manifest["files"].get(rel, {}).get("sha256")
            if recorded != _sha256(current):  # a user's change or a file we never wrote: keep a copy
                backup = _backup(root, rel, stamp)
                manifest["backups"].setdefault(rel, backup.relative_to(root).as_posix())
                report.backups[str(target)] = str(backup)
        _write_atomic(target, data)
        manifest["files"][rel] = {"sha256": _sha256(data)}
        report.written.append(target)
    if register and not config_only:
        _register(root, manifest, report, stamp)
    manifest["version"] = MANIFEST_VERSION
    _write_atomic(root / MANIFEST_FILE, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return report


def _read_kb(path: Path) -> tuple[list[str], str]:
    if not path.exists():
        return [], "\n"
    text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    newline = "\r\n" if "\r\n" in text else "\n"
    return text.splitlines(), newline


def _write_kb(path: Path, lines: list[str], newline: str) -> None:
    text = newline.join(lines) + (newline if lines else "")
    _write_atomic(path, text.encode("utf-8", errors="surrogateescape"))


def _register(root: Path, manifest: dict[str, Any], report: InstallReport, stamp: str) -> None:
    kb = root / KB_INI
    lines, newline = _read_kb(kb)
    present = {line.split()[3] for line in lines if line.startswith("SCR ") and len(line.split()) > 3}
    added: list[str] = []
    for script, command_id in ACTIONS.items():
        if not (root / SCRIPTS_DIR / script).exists() or f"RS{command_id}" in present:
            continue
        line = kb_line(script, command_id)
        lines.append(line)
        added.append(line)
        report.registered.append(f"_RS{command_id}")
    if not added:
        return
    if kb.exists():
        report.kb_backup = _backup(root, KB_INI, stamp)
        manifest["kb_backups"] = [*manifest["kb_backups"], report.kb_backup.relative_to(root).as_posix()]
    _write_kb(kb, lines, newline)
    manifest["kb_lines"] = sorted(set(manifest["kb_lines"]) | set(added))


def uninstall(resource_path: Path) -> UninstallReport:
    """Remove every file the manifest lists (unless the user changed it since), restore backed-up originals,
    take our lines out of ``reaper-kb.ini`` and remove the folders we created when empty."""
    root = Path(resource_path).expanduser()
    if not (root / MANIFEST_FILE).exists():
        raise ConfigError(f"no daw-bridge installation in {root} (no {MANIFEST_FILE}); nothing to uninstall")
    manifest = _load_manifest(root)
    report = UninstallReport(resource_path=root)
    for rel, entry in sorted(manifest["files"].items()):
        target = root / rel
        if not target.exists():
            continue
        if _sha256(target.read_bytes()) != entry.get("sha256"):
            report.kept_changed.append(target)
            continue
        target.unlink()
        report.removed.append(target)
        backup = manifest["backups"].get(rel)
        if backup and (root / backup).exists():
            shutil.move(str(root / backup), target)
            report.restored.append(target)
    ours = set(manifest["kb_lines"])
    kb = root / KB_INI
    if ours and kb.exists():
        lines, newline = _read_kb(kb)
        kept = [line for line in lines if line.rstrip() not in ours]
        report.unregistered = [line.split()[3] for line in lines if line.rstrip() in ours]
        if len(kept) != len(lines):
            _write_kb(kb, kept, newline)
    for rel in manifest["kb_backups"]:  # our own safety copies of reaper-kb.ini: our lines are out again
        (root / rel).unlink(missing_ok=True)
    (root / MANIFEST_FILE).unlink()
    _prune_empty(root / BACKUP_DIR)
    for rel in manifest["dirs"]:
        folder = root / rel
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return report


def _prune_empty(folder: Path) -> None:
    if not folder.is_dir():
        return
    for sub in [*sorted(folder.rglob("*"), key=lambda p: -len(p.parts)), folder]:
        if sub.is_dir() and not any(sub.iterdir()):
            sub.rmdir()


def osc_settings(cfg: Config) -> str:
    """The control-surface settings to enter in REAPER, for ``cfg``."""
    return "\n".join(
        [
            "In REAPER: Options > Preferences > Control/OSC/web > Add > OSC (Open Sound Control):",
            "  Device name:        daw-bridge",
            "  Pattern config:     daw-bridge",
            "  Mode:               Configure device IP + local port",
            f"  Device IP:          {cfg.listen_host}   (the machine running daw-bridge)",
            f"  Device port:        {cfg.receive_port}   (daw-bridge listens for feedback here)",
            f"  Local listen port:  {cfg.send_port}   (REAPER listens for daw-bridge here)",
            "  Allow binding messages to REAPER actions and FX learn: leave off (not needed)",
            f"The bridge action is triggered as /action/str {cfg.bridge_command}.",
        ]
    )


__all__ = [
    "ACTIONS",
    "InstallReport",
    "UninstallReport",
    "default_resource_path",
    "install",
    "kb_line",
    "osc_settings",
    "planned_files",
    "source_dir",
    "uninstall",
]

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

import errno
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
    "daw-bridge_Next virtual room.lua": "dawbridge_speakers_next",
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
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _remove_leftovers(root: Path, rels: list[str]) -> list[Path]:
    """Delete our own temporary names next to ``rels`` (``.<name>.tmp-*``, ``.<name>.keep-*``: a killed install's);
    returns what was removed."""
    removed: list[Path] = []
    for rel in rels:
        target = root / rel
        if not target.parent.is_dir():
            continue
        for pattern in (f".{target.name}.tmp-*", f".{target.name}.keep-*"):
            for stray in target.parent.glob(pattern):
                if stray.is_file() and not stray.is_symlink():
                    stray.unlink()
                    removed.append(stray)
    return removed



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


@dataclass
class _Change:
    """One file an install replaces or creates: staged next to its target, then renamed over it."""

    rel: str
    data: bytes
    existed: bool
    staged: Path | None = None
    keep: Path | None = None  # the original, hard-linked (or copied) aside until the install is committed
    done: bool = False


class _Transaction:
    """Stage every file, then replace; on any failure put back exactly what was there (see :func:`install`)."""

    def __init__(self, root: Path, stamp: str) -> None:
        self.root = root
        self.tag = f"{os.getpid()}-{stamp}"
        self.changes: list[_Change] = []
        self.made_dirs: list[Path] = []  # created by this install, in creation order
        self.made_files: list[Path] = []  # backups written by this install
        self.dir_times: dict[Path, tuple[int, int]] = {}  # existing folders we add entries to: their times

    def _note_dir(self, folder: Path) -> None:
        if folder not in self.dir_times and folder not in self.made_dirs:
            st = folder.stat()
            self.dir_times[folder] = (st.st_atime_ns, st.st_mtime_ns)

    def mkdirs(self, folder: Path) -> None:
        missing: list[Path] = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        self._note_dir(folder)
        for path in reversed(missing):
            path.mkdir()
            self.made_dirs.append(path)

    def backup(self, rel: str, stamp: str) -> Path:
        dest = self.root / BACKUP_DIR / stamp / rel
        self.mkdirs(dest.parent)
        if dest.exists():
            raise OSError(errno.EEXIST, "a backup of that name already exists", str(dest))
        self.made_files.append(dest)
        shutil.copy2(self.root / rel, dest)
        return dest

    def stage(self, change: _Change) -> None:
        target = self.root / change.rel
        self.mkdirs(target.parent)
        if change.existed:
            change.keep = target.with_name(f".{target.name}.keep-{self.tag}")
            try:
                os.link(target, change.keep)  # the very file (inode, mode, times) to put back on failure
            except OSError:
                shutil.copy2(target, change.keep)
        change.staged = target.with_name(f".{target.name}.tmp-{self.tag}")
        with open(change.staged, "xb") as fh:
            fh.write(change.data)
            fh.flush()
            os.fsync(fh.fileno())
        if change.existed:
            shutil.copymode(target, change.staged)
        self.changes.append(change)

    def commit(self) -> None:
        for change in self.changes:
            assert change.staged is not None
            os.replace(change.staged, self.root / change.rel)
            change.done = True
        for change in self.changes:  # committed: the originals are not needed any more
            if change.keep is not None:
                change.keep.unlink(missing_ok=True)

    def rollback(self) -> list[str]:
        """Undo everything; returns what could not be undone (empty when the folder is exactly as before)."""
        left: list[str] = []
        for change in reversed(self.changes):
            target = self.root / change.rel
            try:
                if change.done and change.keep is not None:
                    os.replace(change.keep, target)
                elif change.done:
                    target.unlink(missing_ok=True)
                elif change.keep is not None:
                    change.keep.unlink(missing_ok=True)
                if change.staged is not None:
                    change.staged.unlink(missing_ok=True)
            except OSError as exc:
                left.append(f"{target} ({exc.strerror or exc})")
        for path in reversed(self.made_files):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                left.append(f"{path} ({exc.strerror or exc})")
        for folder in reversed(self.made_dirs):
            try:
                folder.rmdir()
            except OSError as exc:
                left.append(f"{folder} ({exc.strerror or exc})")
        for folder, times in self.dir_times.items():  # adding and removing entries changed the folders' times
            try:
                os.utime(folder, ns=times)
            except OSError:
                pass  # a folder's time is not the user's work
        return left


def install(
    resource_path: Path,
    cfg: Config,
    *,
    source: Path | None = None,
    config_only: bool = False,
    register: bool = True,
    stamp: str | None = None,
    extra_files: Mapping[str, bytes] | None = None,
) -> InstallReport:
    """Copy our files into ``resource_path`` and register the actions; see the module docstring for the rules.

    All or nothing: every file is read and decided first, then the user's files are backed up and every new
    file staged next to its target (``.<name>.tmp-<pid>-<stamp>``; the original hard-linked aside), and only then
    renamed over the targets, the manifest last. On any failure (a read-only folder, an immutable file, a full
    disk) everything done so far is undone, so the resource folder is exactly as before, and
    :class:`~daw_bridge.errors.ConfigError` names the file and the reason. ``extra_files`` (resource-relative
    path -> bytes) are installed with the rest, recorded in the manifest and removed by :func:`uninstall`.
    """
    root = Path(resource_path).expanduser()
    if not root.is_dir():
        raise ConfigError(
            f"REAPER resource folder {root} does not exist: start REAPER once, or pass --resource-path "
            "(REAPER: Options > Show REAPER resource path)"
        )
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S")
    files = planned_files(cfg, source=source, config_only=config_only)
    files.update(extra_files or {})  # e.g. the virtual speakers' room responses: installed and removed alike
    manifest = _load_manifest(root)
    report = InstallReport(resource_path=root)
    new_dirs = _new_dirs(root, [*files, MANIFEST_FILE])
    manifest["dirs"] = sorted(set(manifest["dirs"]) | set(new_dirs), key=lambda p: (-p.count("/"), p))
    # 1. check and decide, touching nothing
    changes: list[_Change] = []
    to_back_up: list[str] = []
    try:
        for rel, data in files.items():
            target = root / rel
            if target.is_symlink() or (target.exists() and not target.is_file()):
                raise ConfigError(f"cannot install {target}: something that is not a file is in the way; move it")
            current = target.read_bytes() if target.exists() else None
            if current == data:
                report.unchanged.append(target)
                manifest["files"][rel] = {"sha256": _sha256(data)}
                continue
            if current is not None and manifest["files"].get(rel, {}).get("sha256") != _sha256(current):
                to_back_up.append(rel)  # a user's change or a file we never wrote: keep a copy
            changes.append(_Change(rel, data, existed=current is not None))
            manifest["files"][rel] = {"sha256": _sha256(data)}
            report.written.append(target)
        kb_change = _register(root, manifest, report) if register and not config_only else None
    except OSError as exc:
        raise ConfigError(f"cannot install into {root}: {_describe_os_error(exc)}; nothing was changed") from exc
    # 2. back up, stage; 3. replace (the manifest last) -- undone entirely on any failure
    tx = _Transaction(root, stamp)
    try:
        for rel in to_back_up:
            backup = tx.backup(rel, stamp)
            manifest["backups"].setdefault(rel, backup.relative_to(root).as_posix())
            report.backups[str(root / rel)] = str(backup)
        if kb_change is not None:
            if kb_change.existed:
                report.kb_backup = tx.backup(KB_INI, stamp)
                manifest["kb_backups"] = [*manifest["kb_backups"], report.kb_backup.relative_to(root).as_posix()]
            changes.append(kb_change)
        manifest["version"] = MANIFEST_VERSION
        manifest_data = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
        changes.append(_Change(MANIFEST_FILE, manifest_data, existed=(root / MANIFEST_FILE).exists()))
        for change in changes:
            tx.stage(change)
        tx.commit()
    except OSError as exc:
        left = tx.rollback()
        undone = "nothing was changed" if not left else "could not undo: " + "; ".join(left)
        raise ConfigError(
            f"cannot install into {root}: {_describe_os_error(exc)}; {undone}. Make the folder writable (or pass "
            "another --resource-path) and run the install again"
        ) from exc
    return report


def _describe_os_error(exc: OSError) -> str:
    where = f" {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}:{where}" if where else str(exc.strerror or exc)


def _read_kb(path: Path) -> tuple[list[str], str]:
    if not path.exists():
        return [], "\n"
    text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    newline = "\r\n" if "\r\n" in text else "\n"
    return text.splitlines(), newline


def _write_kb(path: Path, lines: list[str], newline: str) -> None:
    text = newline.join(lines) + (newline if lines else "")
    _write_atomic(path, text.encode("utf-8", errors="surrogateescape"))


def _register(root: Path, manifest: dict[str, Any], report: InstallReport) -> _Change | None:
    """The new ``reaper-kb.ini`` with our missing action lines added, or None when nothing is missing."""
    kb = root / KB_INI
    lines, newline = _read_kb(kb)
    present = {line.split()[3] for line in lines if line.startswith("SCR ") and len(line.split()) > 3}
    added: list[str] = []
    for script, command_id in ACTIONS.items():
        if f"RS{command_id}" in present:
            continue
        if f"{SCRIPTS_DIR}/{script}" not in manifest["files"] and not (root / SCRIPTS_DIR / script).exists():
            continue
        line = kb_line(script, command_id)
        lines.append(line)
        added.append(line)
        report.registered.append(f"_RS{command_id}")
    if not added:
        return None
    manifest["kb_lines"] = sorted(set(manifest["kb_lines"]) | set(added))
    text = newline.join(lines) + (newline if lines else "")
    return _Change(KB_INI, text.encode("utf-8", errors="surrogateescape"), existed=kb.exists())


def uninstall(resource_path: Path) -> UninstallReport:
    """Remove every file the manifest lists (unless the user changed it since), restore backed-up originals,
    take our lines out of ``reaper-kb.ini`` and remove the folders we created when empty."""
    root = Path(resource_path).expanduser()
    if not (root / MANIFEST_FILE).exists():
        raise ConfigError(f"no daw-bridge installation in {root} (no {MANIFEST_FILE}); nothing to uninstall")
    manifest = _load_manifest(root)
    report = UninstallReport(resource_path=root)
    try:
        _uninstall(root, manifest, report)
    except OSError as exc:
        done = f"{len(report.removed)} file(s) removed and {len(report.restored)} restored so far"
        raise ConfigError(
            f"cannot uninstall from {root}: {_describe_os_error(exc)} ({done}; the manifest is kept, so "
            "`daw-bridge reaper uninstall` can be run again once that is writable)"
        ) from exc
    return report


def _uninstall(root: Path, manifest: dict[str, Any], report: UninstallReport) -> None:
    for rel, entry in sorted(manifest["files"].items()):
        target = root / rel
        if target.exists():
            if _sha256(target.read_bytes()) != entry.get("sha256"):
                report.kept_changed.append(target)
                continue
            target.unlink()
            report.removed.append(target)
        backup = manifest["backups"].get(rel)
        if backup and (root / backup).exists():  # also on a second run, after a failure between the two steps
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
    report.removed.extend(_remove_leftovers(root, [*manifest["files"], KB_INI, MANIFEST_FILE]))
    _prune_empty(root / BACKUP_DIR)
    for rel in manifest["dirs"]:
        folder = root / rel
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


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

"""`reaper install` is all or nothing (issue 17).

The attack: with a file to replace that could not be written (read-only folder, immutable file) the installer
crashed with a PermissionError traceback, left a ``.tmp-<pid>`` file that survived uninstall, and had already
overwritten the user's own ``Scripts/daw-bridge/daw-bridge_Bridge.lua``. Now a failure anywhere (staging, a
backup, the replacing, the manifest last) leaves the resource folder exactly as it was: same names, bytes, modes,
mtimes and inodes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from daw_bridge import install as inst
from daw_bridge.cli import cli
from daw_bridge.config import Config
from daw_bridge.errors import ConfigError

BRIDGE = f"{inst.SCRIPTS_DIR}/daw-bridge_Bridge.lua"
USER_BRIDGE = b"-- the user's own bridge script, edited by hand\n"


def exact_state(root: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry under ``root``: kind, bytes, mode, mtime (ns) and inode."""
    out: dict[str, tuple[Any, ...]] = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        data = path.read_bytes() if path.is_file() else b""
        out[path.relative_to(root).as_posix()] = (path.is_dir(), data, st.st_mode, st.st_mtime_ns, st.st_ino)
    return out


@pytest.fixture
def resource(tmp_path: Path) -> Path:
    """A resource folder where the user already has their own daw-bridge_Bridge.lua and a reaper-kb.ini."""
    root = tmp_path / "REAPER"
    (root / inst.SCRIPTS_DIR).mkdir(parents=True)
    for rel, data in ((BRIDGE, USER_BRIDGE), ("Scripts/other.lua", b"-- another script of the user's\n"),
                      (inst.KB_INI, b'SCR 4 0 RSuser "Custom: mine.lua" "mine.lua"\n')):
        (root / rel).write_bytes(data)
    return root


@pytest.fixture
def cfg(resource: Path) -> Config:
    """Mailbox and bounce folders beside the resource folder."""
    return Config(bridge_dir=resource.parent / "mailbox", bounce_dir=resource.parent / "bounces")


def failing_at(monkeypatch: pytest.MonkeyPatch, name: str, predicate: Callable[[Any], bool]) -> None:
    """Make ``install``'s ``name`` (``os.replace``, ``os.link``, ``open``, ``shutil.copy2``/``move``) raise
    PermissionError when ``predicate(first argument)`` holds, as a read-only folder or immutable file does."""
    if name == "open":
        real: Callable[..., Any] = open
        monkeypatch.setattr(inst, "open", lambda *a, **k: _raise(a[0]) if predicate(a[0]) else real(*a, **k),
                            raising=False)  # shadows the builtin for the module only
        return
    module, attr = {"os.replace": (inst.os, "replace"), "os.link": (inst.os, "link"),
                    "shutil.copy2": (inst.shutil, "copy2"), "shutil.move": (inst.shutil, "move")}[name]
    real_fn = getattr(module, attr)

    def fake(*args: Any, **kwargs: Any) -> Any:
        if predicate(args[1] if name == "os.replace" else args[0]):
            _raise(args[0])
        return real_fn(*args, **kwargs)

    monkeypatch.setattr(module, attr, fake)


def _raise(path: Any) -> None:
    raise PermissionError(13, "Permission denied", str(path))


INJECTIONS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    # staging a new file in Effects/ (a read-only folder)
    "stage-in-readonly-folder": ("open", lambda p: "Effects" in str(p)),
    # replacing the user's Bridge.lua (an immutable file), after other files were already replaced
    "replace-immutable-file": ("os.replace", lambda p: str(p).endswith("daw-bridge_Bridge.lua")),
    # the very last step: the manifest
    "replace-manifest": ("os.replace", lambda p: str(p).endswith("install-manifest.json")),
    # backing up the user's file
    "backup": ("shutil.copy2", lambda p: str(p).endswith("daw-bridge_Bridge.lua")),
}


@pytest.mark.parametrize("where", sorted(INJECTIONS))
def test_a_failure_anywhere_leaves_the_folder_exactly_as_before(
    resource: Path, cfg: Config, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    before = exact_state(resource)
    name, predicate = INJECTIONS[where]
    failing_at(monkeypatch, name, predicate)
    with pytest.raises(ConfigError, match="nothing was changed") as info:
        inst.install(resource, cfg, stamp="t1")
    assert "Permission denied" in str(info.value)
    assert exact_state(resource) == before
    assert (resource / BRIDGE).read_bytes() == USER_BRIDGE


def test_an_install_over_a_previous_one_rolls_back_to_the_previous_one(
    resource: Path, cfg: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    inst.install(resource, cfg, stamp="t1")
    (resource / inst.SCRIPTS_DIR / "lib" / "json.lua").write_bytes(b"-- edited by the user\n")
    before = exact_state(resource)
    failing_at(monkeypatch, "os.replace", lambda p: str(p).endswith("install-manifest.json"))
    with pytest.raises(ConfigError, match="nothing was changed"):
        inst.install(resource, Config(bridge_dir=cfg.bridge_dir / "new", bounce_dir=cfg.bounce_dir), stamp="t2")
    assert exact_state(resource) == before
    monkeypatch.undo()
    inst.uninstall(resource)
    assert (resource / BRIDGE).read_bytes() == USER_BRIDGE  # the user's file came back from the first backup


@pytest.fixture
def unwritable_bridge(resource: Path) -> Iterator[str]:
    """The user's Bridge.lua made really unwritable: immutable (root, ext4) or its folder read-only (a user)."""
    target = resource / BRIDGE
    if os.geteuid() != 0:
        target.parent.chmod(0o555)
        try:
            yield "read-only folder"
        finally:
            target.parent.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(target)], capture_output=True).returncode != 0:
        pytest.skip("running as root where chattr +i is not available: permissions cannot be made to bite")
    try:
        yield "immutable file"
    finally:
        subprocess.run([chattr, "-i", str(target)], capture_output=True, check=False)


def test_cli_install_with_an_unwritable_file_fails_cleanly_and_uninstall_finds_nothing(
    resource: Path, tmp_path: Path, unwritable_bridge: str
) -> None:
    before = exact_state(resource)
    folders = {"bridge_dir": tmp_path / "mb", "bounce_dir": tmp_path / "bo"}
    (tmp_path / "config.toml").write_text("[paths]\n" + "".join(f'{k} = "{v}"\n' for k, v in folders.items()))
    args = ["--config", str(tmp_path / "config.toml"), "reaper", "install", "--resource-path", str(resource)]
    runner = CliRunner()
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "Error: ConfigError" in result.output and "nothing was changed" in result.output
    assert "Traceback" not in result.output and str(resource) in result.output
    assert exact_state(resource) == before, unwritable_bridge
    assert not [p for p in resource.rglob("*") if ".tmp-" in p.name or ".keep-" in p.name]
    result = runner.invoke(cli, ["reaper", "uninstall", "--resource-path", str(resource)])
    assert result.exit_code == 1 and "nothing to uninstall" in result.output


def test_uninstall_removes_a_killed_installs_temporary_files(resource: Path, cfg: Config) -> None:
    inst.install(resource, cfg, stamp="t1")
    stray = resource / inst.SCRIPTS_DIR / ".daw-bridge_Bridge.lua.tmp-12345"
    stray.write_bytes(b"half")
    inst.uninstall(resource)
    assert not stray.exists()
    assert (resource / BRIDGE).read_bytes() == USER_BRIDGE


def test_a_failed_uninstall_says_so_and_a_second_run_restores_the_users_file(
    resource: Path, cfg: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    inst.install(resource, cfg, stamp="t1")
    failing_at(monkeypatch, "shutil.move", lambda p: "backups" in str(p))  # after our Bridge.lua is removed
    with pytest.raises(ConfigError, match="cannot uninstall .*Permission denied.*can be run again"):
        inst.uninstall(resource)
    assert not (resource / BRIDGE).exists() and (resource / inst.MANIFEST_FILE).exists()
    monkeypatch.undo()
    inst.uninstall(resource)
    assert (resource / BRIDGE).read_bytes() == USER_BRIDGE
    assert not (resource / inst.MANIFEST_FILE).exists()

"""The REAPER installer: where files go, backups of changed files, reaper-kb.ini, exact uninstall."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from daw_bridge import install as inst
from daw_bridge.cli import cli
from daw_bridge.config import Config
from daw_bridge.errors import ConfigError

KB_USER = 'KEY 1 65 _RSuser 0\r\nSCR 4 0 RSuser "Custom: mine.lua" "mine.lua"\r\n'


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    return Config(bridge_dir=tmp_path / "mailbox", bounce_dir=tmp_path / "bounces")


@pytest.fixture
def resource(tmp_path: Path) -> Path:
    root = tmp_path / "REAPER"
    (root / "Scripts").mkdir(parents=True)
    (root / "OSC").mkdir()
    (root / "Scripts" / "other.lua").write_text("-- the user's own script\n")
    (root / "reaper-kb.ini").write_bytes(KB_USER.encode())
    return root


def test_default_resource_paths_per_os(tmp_path: Path) -> None:
    home = tmp_path
    assert inst.default_resource_path("Linux", env={}, home=home) == home / ".config" / "REAPER"
    assert inst.default_resource_path("Linux", env={"XDG_CONFIG_HOME": "/x"}, home=home) == Path("/x/REAPER")
    assert inst.default_resource_path("Darwin", env={}, home=home) == home / "Library/Application Support/REAPER"
    assert inst.default_resource_path("Windows", env={"APPDATA": "/w"}, home=home) == Path("/w/REAPER")


def test_every_action_script_has_a_stable_command_id_and_the_bridge_matches_the_config() -> None:
    scripts = {p.name for p in inst.source_dir().glob("daw-bridge_*.lua")}
    assert scripts == set(inst.ACTIONS)
    assert f"_RS{inst.ACTIONS['daw-bridge_Bridge.lua']}" == Config().bridge_command
    assert len(set(inst.ACTIONS.values())) == len(inst.ACTIONS)


def test_install_copies_scripts_config_and_pattern_file_and_registers_actions(resource: Path, cfg: Config) -> None:
    report = inst.install(resource, cfg, stamp="t1")
    src = inst.source_dir()
    bridge = resource / inst.SCRIPTS_DIR / "daw-bridge_Bridge.lua"
    assert bridge.read_bytes() == (src / "daw-bridge_Bridge.lua").read_bytes()
    lib = resource / inst.SCRIPTS_DIR / "lib" / "bridge.lua"
    assert lib.read_bytes() == (src / "lib" / "bridge.lua").read_bytes()
    assert (resource / inst.OSC_FILE).read_bytes() == (src / "daw-bridge.ReaperOSC").read_bytes()
    for jsfx in [*src.glob("*.jsfx"), *src.glob("*.jsfx-inc")]:
        assert (resource / inst.EFFECTS_DIR / jsfx.name).read_bytes() == jsfx.read_bytes()
    lua_cfg = json.loads((resource / inst.CONFIG_FILE).read_text())
    assert lua_cfg["bridge_dir"] == str(cfg.bridge_dir.resolve())
    assert lua_cfg["bounce_dir"] == str(cfg.bounce_dir.resolve())
    assert lua_cfg["bridge_command"] == "_RSdawbridge_bridge"

    kb = (resource / "reaper-kb.ini").read_bytes().decode()
    assert kb.startswith(KB_USER), "the user's lines stay first and untouched"
    assert 'SCR 4 0 RSdawbridge_bridge "Custom: daw-bridge_Bridge.lua" "daw-bridge/daw-bridge_Bridge.lua"\r\n' in kb
    assert kb.count("RSdawbridge_") == len(inst.ACTIONS)
    assert "\n" not in kb.replace("\r\n", ""), "line endings kept as CRLF"
    assert len(report.registered) == len(inst.ACTIONS)
    assert report.kb_backup is not None and report.kb_backup.read_bytes() == KB_USER.encode()
    assert report.backups == {}


def test_reinstall_is_idempotent(resource: Path, cfg: Config) -> None:
    inst.install(resource, cfg, stamp="t1")
    before = snapshot(resource)
    report = inst.install(resource, cfg, stamp="t2")
    assert report.written == [] and report.backups == {} and report.registered == []
    assert snapshot(resource) == before


def test_a_users_changed_file_is_backed_up_and_restored_on_uninstall(resource: Path, cfg: Config) -> None:
    target = resource / inst.SCRIPTS_DIR / "daw-bridge_Clear markers.lua"
    target.parent.mkdir(parents=True)
    target.write_text("-- my own version\n")
    report = inst.install(resource, cfg, stamp="t1")
    backup = Path(report.backups[str(target)])
    assert backup.read_text() == "-- my own version\n"
    assert target.read_bytes() == (inst.source_dir() / target.name).read_bytes()

    target.write_text("-- edited again after install\n")  # a change since our install: backed up too
    report2 = inst.install(resource, cfg, stamp="t2")
    assert Path(report2.backups[str(target)]).read_text() == "-- edited again after install\n"

    inst.uninstall(resource)
    assert target.read_text() == "-- my own version\n", "the original user file comes back"


def test_uninstall_removes_exactly_what_was_installed(resource: Path, cfg: Config) -> None:
    before = snapshot(resource)
    inst.install(resource, cfg, stamp="t1")
    report = inst.uninstall(resource)
    after = snapshot(resource)
    assert after == before
    assert sorted(p.relative_to(resource).as_posix() for p in resource.rglob("*") if p.is_dir()) == ["OSC", "Scripts"]
    assert sorted(report.unregistered) == sorted(f"RS{v}" for v in inst.ACTIONS.values())


def test_uninstall_keeps_files_changed_since_install(resource: Path, cfg: Config) -> None:
    inst.install(resource, cfg, stamp="t1")
    changed = resource / inst.SCRIPTS_DIR / "lib" / "json.lua"
    changed.write_text("-- patched by the user\n")
    report = inst.uninstall(resource)
    assert changed in report.kept_changed
    assert changed.read_text() == "-- patched by the user\n"
    assert not (resource / inst.SCRIPTS_DIR / "daw-bridge_Bridge.lua").exists()


def test_config_only_writes_just_the_lua_config(resource: Path, cfg: Config) -> None:
    report = inst.install(resource, cfg, config_only=True)
    assert report.written == [resource / inst.CONFIG_FILE]
    assert (resource / "reaper-kb.ini").read_bytes() == KB_USER.encode()


def test_errors_name_the_folder(tmp_path: Path, cfg: Config) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        inst.install(tmp_path / "nope", cfg)
    with pytest.raises(ConfigError, match="nothing to uninstall"):
        inst.uninstall(tmp_path)


def test_cli_install_prints_the_osc_settings_and_uninstall_reverts(resource: Path, tmp_path: Path) -> None:
    conf = tmp_path / "config.toml"
    conf.write_text(f'[paths]\nbridge_dir = "{tmp_path / "mb"}"\nbounce_dir = "{tmp_path / "bo"}"\n')
    before = snapshot(resource)
    runner = CliRunner()
    result = runner.invoke(cli, ["--config", str(conf), "reaper", "install", "--resource-path", str(resource)])
    assert result.exit_code == 0, result.output
    assert "Pattern config:     daw-bridge" in result.output
    assert "Local listen port:  8000" in result.output and "Device port:        9000" in result.output
    assert (tmp_path / "mb" / "requests").is_dir() and (tmp_path / "bo").is_dir()
    result = runner.invoke(cli, ["--config", str(conf), "reaper", "uninstall", "--resource-path", str(resource)])
    assert result.exit_code == 0, result.output
    assert snapshot(resource) == before
    result = runner.invoke(cli, ["reaper", "uninstall", "--resource-path", str(resource)])
    assert result.exit_code == 1 and "Error: ConfigError" in result.output


def _build_index_module() -> Any:
    path = Path(__file__).resolve().parent.parent / "tools" / "build_index.py"
    spec = importlib.util.spec_from_file_location("build_index", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_reapack_index_is_generated_from_the_headers_and_up_to_date() -> None:
    build_index = _build_index_module()
    text = build_index.build()
    assert (build_index.INDEX).read_text(encoding="utf-8") == text, (
        "index.xml is stale: run python tools/build_index.py"
    )
    root = ElementTree.fromstring(text)
    package = root.find("./category[@name='daw-bridge']/reapack[@name='daw-bridge_Bridge.lua']")
    assert package is not None
    sources = {s.get("file"): s for s in package.iter("source")}
    src = inst.source_dir()
    for script in inst.ACTIONS:
        assert sources[script].get("main") == "main", f"{script} is registered as an action by ReaPack"
    for lib in (src / "lib").glob("*.lua"):
        assert f"lib/{lib.name}" in sources
    for jsfx in [*src.glob("*.jsfx"), *src.glob("*.jsfx-inc")]:
        assert sources[jsfx.name].get("type") == "effect"
    assert len(root.findall(".//reapack")) == 1, "the shortcut scripts are @noindex parts of one package"

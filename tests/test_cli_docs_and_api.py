"""Every command has help and is in docs/cli.md (generated, and current); the public API matches ``__all__``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import click
from click.testing import CliRunner

import daw_bridge
from daw_bridge.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out: list[tuple[tuple[str, ...], click.Command]] = []
    for name, cmd in group.commands.items():
        out.append(((*path, name), cmd))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, (*path, name)))
    return out


def test_every_command_has_help_and_a_docs_entry() -> None:
    docs = (ROOT / "docs" / "cli.md").read_text()
    runner = CliRunner()
    for path, cmd in _commands(cli):
        assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
        assert f"`daw-bridge {' '.join(path)}" in docs, f"{' '.join(path)} is missing from docs/cli.md"
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_cli_reference_is_current() -> None:
    spec = importlib.util.spec_from_file_location("gen_cli", ROOT / "docs" / "gen_cli.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.render() == (ROOT / "docs" / "cli.md").read_text(), "run: python docs/gen_cli.py"


def test_public_api_is_exported() -> None:
    for name in daw_bridge.__all__:
        assert hasattr(daw_bridge, name), name
    public = {n for n in vars(daw_bridge) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(daw_bridge.__all__), f"exported but not in __all__: {public - set(daw_bridge.__all__)}"


def test_unknown_command_and_bad_config_are_clean_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "c.toml"
    bad.write_text("[reaper]\nsend_port = 'x'\n")
    result = runner.invoke(cli, ["--config", str(bad), "status"])
    assert result.exit_code == 1 and "ConfigError" in result.output and "Traceback" not in result.output
    assert runner.invoke(cli, ["nonsense"]).exit_code == 2

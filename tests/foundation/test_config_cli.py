"""``daw-bridge config show/path``: the effective config and where it came from, worded truthfully."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from daw_bridge.cli import cli
from daw_bridge.config import default_config_path


def test_show_says_defaults_when_there_is_no_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nowhere"))
    missing = default_config_path()
    assert str(missing).startswith(str(tmp_path)) and not missing.exists()
    result = CliRunner().invoke(cli, ["config", "show"])
    assert result.exit_code == 0, result.output
    first, _, body = result.output.partition("\n")
    assert first == f"# defaults (no config file at {missing})"
    assert tomllib.loads(body)["reaper"]["send_port"] == 8000


def test_show_names_the_file_it_read(tmp_path: Path) -> None:
    conf = tmp_path / "config.toml"
    conf.write_text("[reaper]\nsend_port = 8100\n")
    result = CliRunner().invoke(cli, ["--config", str(conf), "config", "show"])
    assert result.exit_code == 0, result.output
    first, _, body = result.output.partition("\n")
    assert first == f"# read from: {conf}"
    assert tomllib.loads(body)["reaper"]["send_port"] == 8100


def test_an_explicit_missing_config_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "config.toml"
    result = CliRunner().invoke(cli, ["--config", str(missing), "config", "show"])
    assert result.exit_code == 1 and f"{missing}: config file not found" in result.output
    assert "# " not in result.output

"""The safety ceiling from the user's side: set it, turn it off (with a warning), see whether it is acting."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from daw_bridge.cli import cli
from daw_bridge.monitoring import MonitoringState, ceiling_status, load_state


@pytest.fixture(autouse=True)
def _tmp_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAW_BRIDGE_DATA_DIR", str(tmp_path / "data"))


def test_the_ceiling_command_sets_turns_off_with_a_warning_and_refuses_bad_levels() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["ceiling", "-3", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert load_state().ceiling_db == -3.0 and "safety ceiling -3.0 dBFS" in result.output
    result = runner.invoke(cli, ["ceiling", "off", "--dry-run"])
    assert result.exit_code == 0 and load_state().ceiling_db is None
    assert "warning: the safety ceiling is off" in result.output
    for bad, message in (("+6", "ceiling 6 dBFS is outside -20..0"), ("loud", "not a level in dBFS")):
        result = runner.invoke(cli, ["ceiling", bad, "--dry-run"])
        assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
    assert load_state().ceiling_db is None  # a refused change leaves the saved state alone


def test_the_status_line_says_whether_the_ceiling_is_acting() -> None:
    on = MonitoringState()
    ceiling = {"index": 5, "name": "JS: daw-bridge/ceiling", "enabled": True, "reduction_db": 0.0}
    assert ceiling_status(on, [ceiling]).endswith("on, idle")
    assert "ACTING: 4.2 dB" in ceiling_status(on, [ceiling | {"reduction_db": 4.2}])
    assert "NOT on the monitoring chain" in ceiling_status(on, [])
    assert "NOT on the monitoring chain" in ceiling_status(on, [ceiling | {"enabled": False}])
    assert "needs the bridge" in ceiling_status(on, None)
    assert "OFF" in ceiling_status(MonitoringState(ceiling_db=None), [ceiling])

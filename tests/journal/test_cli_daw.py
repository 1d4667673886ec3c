"""The journal commands against the emulator over UDP, as against REAPER: a guided session from the terminal with
band solo, and blind A/B rounds stored in the journal named by ``[paths] journal``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from daw_bridge.cli import cli
from daw_bridge.config import Config, config_to_toml, load_config
from daw_bridge.dsp.params import is_pass_through
from daw_bridge.emulator.core import Emulator
from daw_bridge.emulator.project_file import load_project
from daw_bridge.emulator.server import EmulatorServer
from daw_bridge.journal.guided import CHECKLIST
from daw_bridge.journal.store import Journal
from daw_bridge.workflows.embedded import _free_udp_port


def test_session_and_blind_rounds_through_the_cli(tmp_path: Path, demo_folder: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAW_BRIDGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # the blind score file
    feedback_port = _free_udp_port("127.0.0.1")
    bridge, bounces = tmp_path / "bridge", tmp_path / "bounces"
    emulator = Emulator(load_project(demo_folder / "session" / "demo.toml"), bridge_dir=bridge, bounce_dir=bounces)
    with EmulatorServer(emulator, listen_port=0, send_port=feedback_port) as server:
        _session_and_blind_rounds(tmp_path, emulator, Config(send_port=server.listen_port, receive_port=feedback_port,
                                                             bridge_dir=bridge, bounce_dir=bounces,
                                                             journal_path=tmp_path / "mine" / "journal.sqlite"))


def _session_and_blind_rounds(tmp_path: Path, emulator: Emulator, config: Config) -> None:
    journal = config.journal_path
    cfg = tmp_path / "config.toml"
    cfg.write_text(config_to_toml(config))
    assert load_config(cfg).journal_path == journal  # the [paths] journal key round-trips
    runner = CliRunner()

    answers = "=\n2\n\n\n" * len(CHECKLIST)
    result = runner.invoke(cli, ["--config", str(cfg), "journal", "session", "--headphones", "Sennheiser HD 650",
                                 "--title", "Aja", "--json"], input=answers)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert data["complete"] and len(data["answered"]) == len(CHECKLIST)
    fx = {f.name: f for f in emulator.project.monitor_fx}
    band = fx["JS: daw-bridge/bandsolo"]  # soloed during the band steps, handed back after: switched off by its
    assert band.enabled and is_pass_through("bandsolo", band.params)  # sliders (a crossfade), never bypassed

    assert runner.invoke(cli, ["--config", str(cfg), "ab", "blind"]).exit_code == 0
    guessed = runner.invoke(cli, ["--config", str(cfg), "ab", "guess", "mix"])
    assert guessed.exit_code == 0, guessed.output
    actual = re.search(r"it was (.+?)\.", guessed.output)
    assert actual is not None
    with Journal(journal) as j:
        assert len(j.notes()) == len(CHECKLIST)
        [row] = j.blind_results()
        assert (row["answer"], row["guess"], row["correct"], row["candidates"]) == (
            actual.group(1), "mix", actual.group(1) == "mix", 3)
    review = runner.invoke(cli, ["--config", str(cfg), "journal", "review", "--json"])
    assert review.exit_code == 0 and json.loads(review.output)["blind"] == {
        "rounds": 1, "right": int(actual.group(1) == "mix")}
    text = runner.invoke(cli, ["--config", str(cfg), "journal", "review"]).output
    assert f"Blind A/B: {int(actual.group(1) == 'mix')} of 1 rounds right" in text

"""Every DAW command of the CLI, the same test for each backend (see conftest.py): what it changes in the DAW is
checked in the DAW (fader values, renders, the monitoring path, markers), never only in the command's output."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from daw_bridge.cli import cli
from daw_bridge.config import config_to_toml
from daw_bridge.monitoring import load_state
from daw_bridge.units import gain_to_db

from .conftest import RATE, TRACKS, Backend

REFS = ("REF 1", "REF 2")


def test_status_reads_the_chosen_daw(backend: Backend) -> None:
    data = json.loads(backend.cli("status", "--json").stdout)
    assert [t["name"] for t in data["tracks"]] == list(TRACKS)
    human = backend.cli("status").output
    assert all(name in human for name in TRACKS)
    if backend.name == "ardour":
        assert human.startswith("Ardour: 3 track(s) at 48000 Hz")
        assert "REAPER" not in human and "markers: none" in human
        # a mailbox nobody serves: the mixer still shows, the markers are reported unknown (within ~2 s)
        silent = backend.config_path.with_name("silent.toml")
        silent.write_text(config_to_toml(replace(backend.config, bridge_dir=silent.parent / "nobody")))
        result = CliRunner().invoke(cli, ["--config", str(silent), "--daw", "ardour", "status"])
        assert result.exit_code == 0, result.output
        assert "REF 2" in result.output and "markers: unknown, the daw-bridge bridge in Ardour is not answering" \
            in result.output


def test_action_runs_in_reaper_and_says_it_has_no_meaning_for_ardour(backend: Backend) -> None:
    result = backend.cli("action", "40044", ok=backend.name == "emulator")
    if backend.name == "emulator":
        assert "sent action 40044" in result.output
    else:
        assert result.exit_code != 0
        assert "no meaning for Ardour" in result.output


def test_match_sets_every_reference_fader(backend: Backend) -> None:
    data = json.loads(backend.cli("match", "--json").stdout)
    changes = {r["name"]: r["volume_after_db"] - r["volume_before_db"] for r in data["references"]}
    after = {r["name"]: r["volume_after_db"] for r in data["references"]}
    assert set(changes) == set(REFS)
    daw = backend.daw()
    try:
        volumes = {t.name: t.volume_db for t in daw.tracks()}
    finally:
        daw.close()
    for ref in REFS:  # the fader holds what match reported, in the DAW itself
        assert volumes[ref] == pytest.approx(after[ref], abs=0.01)
    assert changes["REF 1"] < changes["REF 2"] < 0.0  # both louder than the mix, REF 1 (0.5 peak) the most


def test_ab_toggle_next_ref_mix_loop_and_blind_leave_exactly_one_source(backend: Backend) -> None:
    assert "REF 1" in backend.cli("ab", "toggle").output
    assert backend.audible("ab1.wav") == {"REF 1"}
    assert "REF 2" in backend.cli("ab", "next").output
    assert backend.audible("ab2.wav") == {"REF 2"}
    assert "the mix" in backend.cli("ab", "toggle").output
    assert backend.audible("ab3.wav") == {"MIX"}
    assert "REF 1" in backend.cli("ab", "ref", "1").output
    assert backend.audible("ab4.wav") == {"REF 1"}
    assert "the mix" in backend.cli("ab", "mix").output
    assert backend.audible("ab5.wav") == {"MIX"}
    backend.cli("ab", "loop", "1.0", "2.5")
    assert backend.loop() == pytest.approx((1.0, 2.5), abs=1e-3)
    transport = json.loads(backend.cli("status", "--json").stdout)["transport"]
    assert (transport["loop_start_s"], transport["loop_end_s"]) == pytest.approx((1.0, 2.5), abs=1e-3)
    assert "Blind round: one of 3 sources" in backend.cli("ab", "blind").output
    heard = backend.audible("blind.wav")
    assert len(heard) == 1
    guess = backend.cli("ab", "guess", "mix").output
    assert ("Right" in guess) == (heard == {"MIX"})


def test_ab_offset_moves_the_reference_audio(backend: Backend) -> None:
    def ref1_tail_db(name: str) -> float:
        audio = backend.render(name)[int(3.80 * RATE): int(3.95 * RATE), 0]
        t = np.arange(len(audio)) / RATE
        return gain_to_db(2.0 * abs(np.dot(audio, np.exp(-2j * np.pi * TRACKS["REF 1"][0] * t))) / len(audio))

    assert ref1_tail_db("before.wav") > -10.0
    assert "REF 1: offset +0.250 s" in backend.cli("ab", "offset", "REF 1", "0.25").output
    assert ref1_tail_db("after.wav") < -50.0  # its audio now starts 0.25 s into the file: it ends at 3.75 s


def test_headphone_correction_and_monitoring_effects_reach_the_monitoring_path_only(backend: Backend) -> None:
    before = backend.audible("before.wav")
    applied = backend.cli("headphones", "apply", "Sennheiser HD 650")
    # the safety ceiling runs in REAPER's chain; Ardour cannot host it and says so, applying the rest
    ceiling = {"ceiling"} if backend.name == "emulator" else set()
    if not ceiling:
        assert "Note: monitoring effect ceiling is not available in Ardour" in applied.output
    assert backend.monitor_kinds() == {"correction"} | ceiling
    assert load_state().headphones == "Sennheiser HD 650"
    backend.cli("crossfeed", "default")
    backend.cli("band", "mid")
    backend.cli("simulate", "phone")
    assert backend.monitor_kinds() == {"correction", "crossfeed", "bandsolo", "simulation"} | ceiling
    assert backend.audible("during.wav") == before  # nothing of it in a render
    backend.cli("headphones", "next")
    assert load_state().headphones not in (None, "Sennheiser HD 650")
    for command in (("crossfeed", "off"), ("band", "off"), ("simulate", "off"), ("headphones", "off")):
        backend.cli(*command)
    assert backend.monitor_kinds() == {"correction"} | ceiling  # the constant headroom trim stays
    assert load_state().headphones is None


def test_check_marks_findings_and_clear_markers_removes_only_ours(backend: Backend) -> None:
    backend.add_user_marker("mine", 0.5)
    data = json.loads(backend.cli("check", "--json", "--timeout", "60").stdout)
    assert data["bounce"] and data["report"]
    daw = backend.daw()
    try:
        ours = [m for m in daw.markers() if m.ours]
    finally:
        daw.close()
    assert len(ours) >= len(data["findings"]) > 0
    out = backend.cli("clear-markers", "--json").stdout
    assert json.loads(out) == {"deleted": len(ours)}
    daw = backend.daw()
    try:
        left = [m.name for m in daw.markers()]
    finally:
        daw.close()
    assert left == ["mine"]


@pytest.mark.parametrize("command", [("reaper", "paths"), ("emulate",), ("demo",)])
def test_reaper_only_commands_say_daw_ardour_has_no_meaning(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, ["--daw", "ardour", *command])
    assert result.exit_code == 2
    assert "for REAPER only; --daw ardour has no meaning here" in result.output

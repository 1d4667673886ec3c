"""`daw-bridge headphones drive|facts|amps|guidance` and `daw-bridge level` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from daw_bridge.cli import cli, headphones_drive
from daw_bridge.headphones.guidance import guidance_for


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_drive_json_matches_the_library() -> None:
    code, out, _ = run("headphones", "drive", "HD 600", "--amp", "laptop", "--json")
    assert code == 0
    data = json.loads(out)
    [check] = data["checks"]
    assert check["max_spl_db"] == pytest.approx(93.617, abs=0.001)
    assert check["headroom_db"] == pytest.approx(-1.383, abs=0.001)


def test_drive_text_with_custom_output_and_level() -> None:
    code, out, _ = run("headphones", "drive", "Sony MDR-7506", "--vout", "1.0", "--zout", "2", "--level", "80",
                       "--peaks", "15")
    assert code == 0
    assert "80 dB SPL average + 15 dB peaks = 95 dB SPL" in out
    assert "Your output reaches" in out


def test_drive_without_amp_checks_every_preset() -> None:
    code, out, _ = run("headphones", "drive", "Focal Utopia")
    assert code == 0
    for name in ("Typical laptop", "Phone / Apple", "Scarlett 2i2", "Magni 2", "ZEN Air CAN"):
        assert name in out


def test_drive_errors_are_clean() -> None:
    code, _, err = run("headphones", "drive", "Beyerdynamic DT 770 Pro", "--amp", "laptop")
    assert code == 1 and "Error: InvalidParameter" in err and "--impedance" in err
    code, out, _ = run("headphones", "drive", "Beyerdynamic DT 770 Pro", "--amp", "laptop", "--impedance", "80")
    assert code == 0 and "80 ohm" in out
    code, _, err = run("headphones", "drive", "HD 600", "--amp", "laptop", "--vout", "1")
    assert code == 2 and "Use just one of --amp or --vout/--zout" in err


def test_drive_prints_role_guidance_once() -> None:
    code, _, err = run("headphones", "drive", "Sony MDR-7506", "--amp", "laptop", "--purpose", "mastering")
    assert code == 0 and "Note: Sony MDR-7506 is a closed-back tracking headphone" in err
    _, _, err = run("headphones", "drive", "Sony MDR-7506", "--amp", "laptop", "--purpose", "mastering")
    assert "Note:" not in err


def test_facts_text_and_json() -> None:
    code, out, _ = run("headphones", "facts", "dt 990 pro")
    assert code == 0 and "250 ohm" in out and "96.0 dB SPL/mW" in out
    code, out, _ = run("headphones", "facts", "Focal Clear Mg", "--json")
    data = json.loads(out)
    assert data["facts"]["impedance_ohm"] == 55 and data["sensitivity_db_per_v"]["derived"] is True


def test_amps_lists_sources_and_gaps() -> None:
    code, out, _ = run("headphones", "amps")
    assert code == 0 and "magni-2" in out and "vout_vrms missing" in out and "source:" in out


def test_guidance_switch() -> None:
    code, out, _ = run("headphones", "guidance", "off")
    assert code == 0 and "guidance is off" in out
    assert guidance_for("level_check", None) == []
    run("headphones", "guidance", "on")
    assert guidance_for("level_check", None) != []


def test_register_attaches_to_an_existing_headphones_group() -> None:
    root = click.Group("root")
    existing = click.Group("headphones")
    existing.add_command(click.Command("show", callback=lambda: None))
    root.add_command(existing)
    headphones_drive.register(root)
    assert root.commands["headphones"] is existing
    assert {"show", "drive", "facts", "amps", "guidance"} <= set(existing.commands)
    bare = click.Group("root")
    headphones_drive.register(bare)
    assert "drive" in bare.commands["headphones"].commands  # type: ignore[attr-defined]


def test_level_flow(tmp_path: Path) -> None:
    profile = str(tmp_path / "p.json")
    assert run("level", "--profile", profile, "setup-headphones", "phones", "HD 650", "--dbu", "7",
               "--volume-db", "-20")[0] == 0
    assert run("level", "--profile", profile, "setup-speakers", "mon", "--spl", "79", "--at-lufs", "-20",
               "--volume-db", "-10")[0] == 0
    code, out, _ = run("level", "--profile", profile, "spl", "--lufs", "-14", "--json")
    assert code == 0 and json.loads(out)["spl_db"] == pytest.approx(73.7815, abs=0.0005)
    code, out, _ = run("level", "--profile", profile, "match", "--reference", "mon")
    assert code == 0 and "prefer turning its volume up 11.2 dB" in out
    code, out, _ = run("level", "--profile", profile, "switch", "phones", "--json")
    assert json.loads(out)["gain_db"] == pytest.approx(11.22, abs=0.01)
    code, out, _ = run("level", "--profile", profile, "offset", "phones", "--db", "-1.5")
    assert code == 0 and "trim -1.5 dB" in out
    code, _, err = run("level", "--profile", profile, "volume", "phones", "--db", "6")
    assert code == 1 and "volume_db 6.0 dB must be within" in err
    code, _, err = run("level", "--profile", profile, "spl", "--lufs", "-14", "--file", "x.wav")
    assert code == 2


def test_level_setup_needs_a_usable_sensitivity(tmp_path: Path) -> None:
    profile = str(tmp_path / "p.json")
    code, _, err = run("level", "--profile", profile, "setup-headphones", "p", "DT 990 (fresh earpads)",
                       "--vrms", "1")
    assert code == 2 and "--sensitivity" in err
    code, _, err = run("level", "--profile", profile, "spl", "--lufs", "-14")
    assert code == 2 and "No outputs yet" in err


def test_every_command_has_help() -> None:
    for group in ("headphones", "level"):
        grp = cli.commands[group]
        assert isinstance(grp, click.Group)
        for name in ("drive", "facts", "amps", "guidance") if group == "headphones" else grp.commands:
            assert grp.commands[name].help, f"{group} {name}"

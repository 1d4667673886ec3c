"""Bounce-and-check end to end on the emulator: findings land on the chorus the demo made drier, narrower and
duller; markers are ours, coloured and replaced atomically; bounces are versioned; failure paths are clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from daw_bridge.cli import cli
from daw_bridge.config import config_to_toml
from daw_bridge.daw import MARKER_TAG, MarkerInfo
from daw_bridge.emulator.demo import CHORUS_S
from daw_bridge.errors import DawBridgeError, InvalidAudio, InvalidParameter
from daw_bridge.workflows.bounce import bounce_and_check, parse_areas, song_sections
from daw_bridge.workflows.embedded import EmbeddedSession
from daw_bridge.workflows.levels import match_levels
from daw_bridge.workflows.markers import AREA_COLORS


def test_check_finds_the_chorus_faults_and_marks_them(session: EmbeddedSession) -> None:
    match_levels(session.daw, session.config)
    result = bounce_and_check(session.daw, session.config, fail_on=["width"])
    by_area = {f.area: f for f in result.comparison.findings}
    for area, sign in (("reverb", -1), ("width", -1), ("highs", -1)):
        f = by_area[area]
        assert (f.start_s, f.end_s) == pytest.approx(CHORUS_S), f
        assert f.value * sign > 2.0, f
    assert "level" not in by_area, "after matching, the references render at the mix's loudness"
    assert "drier" in by_area["reverb"].message and "narrower" in by_area["width"].message
    assert result.failed_areas == ("width",)
    ours = [m for m in session.daw.markers() if m.ours]
    assert sorted(str(m.color) for m in ours) == sorted(AREA_COLORS[a] for a in by_area)
    assert all(m.end_s is not None and m.time_s == pytest.approx(CHORUS_S[0]) for m in ours)
    # the user's own markers are untouched
    assert [m.name for m in session.daw.markers() if not m.ours] == ["Verse", "Chorus", "Verse 2"]
    html = result.report.read_text()
    assert result.report.parent == result.bounce.parent and html.count("data:image/png;base64,") >= 4
    assert "headphones exaggerate reverb" in html
    for band in result.comparison.mix.reverb.bands:  # the reverb table shows the JSON's figures
        assert band.reverb_db is not None and f"{band.reverb_db:+.1f} dB" in html


def test_second_check_replaces_only_our_markers_and_keeps_the_first_bounce(session: EmbeddedSession) -> None:
    first = bounce_and_check(session.daw, session.config)
    n_ours = len([m for m in session.daw.markers() if m.ours])
    second = bounce_and_check(session.daw, session.config)
    assert first.bounce != second.bounce and first.bounce.exists() and second.bounce.exists()
    assert first.bounce.name.endswith("-001.wav") and second.bounce.name.endswith("-002.wav")
    assert len([m for m in session.daw.markers() if m.ours]) == n_ours
    assert len([m for m in session.daw.markers() if not m.ours]) == 3


def test_missing_reference_file_fails_before_rendering(session: EmbeddedSession, tmp_path: Path) -> None:
    with pytest.raises(InvalidAudio, match="reference file not found: .*nope.wav"):
        bounce_and_check(session.daw, session.config, reference_files=[tmp_path / "nope.wav"])
    assert not list(session.config.bounce_dir.glob("*-bounce-*.wav"))


def test_reference_files_instead_of_tracks(session: EmbeddedSession, demo_folder: Path) -> None:
    refs = [demo_folder / "session" / "audio" / "ref1.wav"]
    result = bounce_and_check(session.daw, session.config, reference_files=refs)
    assert result.reference_files == tuple(refs)
    assert any(f.area == "width" for f in result.comparison.findings)


def test_render_failure_is_a_clean_error_and_restores_mutes(session: EmbeddedSession) -> None:
    before = {t.name: t.mute for t in session.daw.tracks()}
    session.emulator.project.find_track("drums").audio = Path("/nonexistent/drums.wav")  # type: ignore[union-attr]
    with pytest.raises(DawBridgeError):
        bounce_and_check(session.daw, session.config)
    assert {t.name: t.mute for t in session.daw.tracks()} == before


def test_reaper_going_away_mid_check_is_a_clean_error(udp_session: EmbeddedSession) -> None:
    assert udp_session.server is not None
    from daw_bridge.workflows import bounce as bounce_module

    real = bounce_module.analyze_file

    def analyze_then_vanish(*args, **kwargs):  # type: ignore[no-untyped-def]
        udp_session.server.stop()  # REAPER quits while we analyze  # type: ignore[union-attr]
        return real(*args, **kwargs)

    bounce_module.analyze_file = analyze_then_vanish
    try:
        with pytest.raises(DawBridgeError):
            bounce_and_check(udp_session.daw, udp_session.config)
    finally:
        bounce_module.analyze_file = real
    # nothing half-written: the project has no markers of ours
    assert not [m for m in udp_session.emulator.project.markers if m.name.startswith(MARKER_TAG)]


def test_cli_check_json_and_fail_on(tmp_path: Path, demo_folder: Path) -> None:
    """The CLI against an emulator that nobody else is connected to, as a user runs it against REAPER."""
    import socket

    from daw_bridge.config import Config
    from daw_bridge.emulator.core import Emulator
    from daw_bridge.emulator.project_file import load_project
    from daw_bridge.emulator.server import EmulatorServer

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        feedback_port = s.getsockname()[1]
    bridge, bounces = tmp_path / "bridge", tmp_path / "bounces"
    emulator = Emulator(load_project(demo_folder / "session" / "demo.toml"), bridge_dir=bridge, bounce_dir=bounces)
    with EmulatorServer(emulator, listen_port=0, send_port=feedback_port) as server:
        cfg = tmp_path / "config.toml"
        cfg.write_text(config_to_toml(Config(send_port=server.listen_port, receive_port=feedback_port,
                                             bridge_dir=bridge, bounce_dir=bounces)))
        runner = CliRunner()
        result = runner.invoke(cli, ["--config", str(cfg), "check", "--json", "--fail-on", "highs"])
        assert result.exit_code == 2, result.output
        data = json.loads(result.stdout)
        assert {"mix", "references", "deviation", "findings", "bounce", "report"} <= set(data)
        assert data["failed_areas"] == ["highs"]
        human = runner.invoke(cli, ["--config", str(cfg), "check"])
        assert human.exit_code == 0, human.output
        assert "Findings" in human.output and "Report:" in human.output and "-bounce-002.wav" in human.output


def test_cli_unreachable_daw_is_a_clean_error(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:  # two ports nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg.write_text(f'[reaper]\nsend_port = {port}\nreceive_port = {port}\ntimeout_s = 0.5\n'
                   f'[paths]\nbridge_dir = "{tmp_path}/b"\nbounce_dir = "{tmp_path}/o"\n')
    result = CliRunner().invoke(cli, ["--config", str(cfg), "check"])
    assert result.exit_code == 1
    assert "Error: DawUnreachable" in result.output and "Traceback" not in result.output


def test_parse_areas() -> None:
    assert parse_areas("reverb, width") == ("reverb", "width")
    assert parse_areas("all") == ("reverb", "width", "highs", "level", "dynamics")
    with pytest.raises(InvalidParameter, match="unknown area"):
        parse_areas("bass")


def test_song_sections_from_markers() -> None:
    markers = [
        MarkerInfo(1, 0.0, "Verse"),
        MarkerInfo(2, 10.0, "Chorus"),
        MarkerInfo(3, 20.0, "Verse 2"),
        MarkerInfo(4, 5.0, "renamed by the user", end_s=9.0, ours=True),
    ]
    assert song_sections(markers, 30.0) == [(0.0, 10.0, "Verse"), (10.0, 20.0, "Chorus"), (20.0, 30.0, "Verse 2")]
    # a user's own marker is a section even when its name starts like ours: ownership is by ID, not by name
    theirs = [*markers[:2], MarkerInfo(5, 20.0, f"{MARKER_TAG} bridge")]
    assert song_sections(theirs, 30.0) == [(0.0, 10.0, "Verse"), (10.0, 20.0, "Chorus"),
                                           (20.0, 30.0, f"{MARKER_TAG} bridge")]
    assert song_sections(markers[:1], 30.0) is None
    assert song_sections([MarkerInfo(1, 12.0, "Bridge", end_s=18.0)], 30.0, offset_s=10.0) == [(2.0, 8.0, "Bridge")]


def test_check_against_a_profile_needs_no_reference_audio(session: EmbeddedSession, tmp_path: Path) -> None:
    """A profile of the rendered references gives the same findings as the references themselves."""
    from daw_bridge.analysis.engine import analyze_file
    from daw_bridge.profiles.store import build_profile, load_profile, save_profile

    match_levels(session.daw, session.config)
    first = bounce_and_check(session.daw, session.config)
    profile = build_profile("demo refs", [analyze_file(p) for p in first.reference_files])
    loaded = load_profile(save_profile(profile, folder=tmp_path))
    for path in first.reference_files:
        path.unlink()
    second = bounce_and_check(session.daw, session.config, reference_measurements=loaded.references)
    assert second.reference_files == ()
    assert [m.name for m in second.comparison.references] == [p.name for p in first.reference_files]
    assert [(f.area, f.start_s, f.end_s) for f in second.comparison.findings] == [
        (f.area, f.start_s, f.end_s) for f in first.comparison.findings
    ]
    for a, b in zip(second.comparison.findings, first.comparison.findings, strict=True):
        assert a.value == pytest.approx(b.value, abs=0.3)


def test_check_prints_loudness_as_heard_with_the_renders_in_brackets(session: EmbeddedSession) -> None:
    """The same loudness statement as level matching and the report: as heard, renders in brackets."""
    from click.testing import CliRunner

    from daw_bridge.cli.check import print_check
    from daw_bridge.monitoring import MonitoringState, chain
    from daw_bridge.report.html import heard_difference_lu

    match_levels(session.daw, session.config,
                 monitor_chain=[fx for fx in chain(MonitoringState(headphones="Sennheiser HD 650"), 48000)
                                if fx.enabled])  # fmt: skip
    result = bounce_and_check(session.daw, session.config, monitoring=MonitoringState(headphones="Sennheiser HD 650"))
    heard = heard_difference_lu(result.heard_lufs, result.comparison.mix.name,
                                [m.name for m in result.comparison.references])  # fmt: skip
    assert heard is not None and abs(heard) < 0.15  # matched as heard
    runner = CliRunner()
    with runner.isolation() as (out, _err, *_):
        print_check(result)
        text = out.getvalue().decode()
    renders = result.comparison.deviation.loudness_lu
    assert f"loudness {heard:+.1f} LU as heard (renders {renders:+.1f} LU)" in text

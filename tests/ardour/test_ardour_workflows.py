"""The integrator's workflows (daw_bridge.workflows) driving a real headless Ardour, unaware of which DAW."""

from __future__ import annotations

from dataclasses import dataclass

import pyloudnorm
import pytest
import soundfile as sf

from daw_bridge.ardour import session
from daw_bridge.config import Config
from daw_bridge.workflows.levels import match_levels
from daw_bridge.workflows.markers import publish_findings
from daw_bridge.workflows.renders import render_source
from daw_bridge.workflows.roles import MIX, find_roles, load_ab_state

from .conftest import RATE, Rig, requires_ardour

pytestmark = [pytest.mark.ardour, requires_ardour]


def config(rig: Rig) -> Config:
    return Config(backend="ardour", mix_track="MIX", reference_tracks=("REF 1",),
                  bridge_dir=rig.daw.bridge.bridge_dir, bounce_dir=rig.bounce_dir)


def test_match_levels_workflow_lands_within_0_1_lu(live_rig: Rig) -> None:
    rig = live_rig
    cfg = config(rig)
    rig.daw.set_mute("REF 2", True)  # not part of the A/B: keep it out of every render
    match_levels(rig.daw, cfg, mode="loudness")
    state = load_ab_state(rig.daw, find_roles(rig.daw, cfg))
    assert rig.daw.track("REF 1").volume_db == pytest.approx(state.gains_db["REF 1"], abs=0.01)
    meter = pyloudnorm.Meter(RATE)
    check = rig.bounce_dir / "check"
    loud = {}
    for source in (MIX, "REF 1"):
        result = render_source(rig.daw, state, source, check, source.replace(" ", "-"))
        loud[source] = meter.integrated_loudness(sf.read(result.files[0])[0])
    assert abs(loud["REF 1"] - loud[MIX]) < 0.1


@dataclass(frozen=True)
class Finding:
    area: str
    start_s: float
    end_s: float
    message: str


def test_published_findings_are_named_markers_in_the_saved_session(rig: Rig) -> None:
    specs = publish_findings(rig.daw, [Finding("balance", 1.0, 2.5, "bass 3.1 dB heavy"),
                                       Finding("width", 0.5, 1.0, "narrow")])
    rig.process.stop()
    saved = session.read_markers(rig.session_dir / "tpl.ardour")
    assert [m.name for m in saved] == [f"[daw-bridge] {s.name.removeprefix('[daw-bridge]').strip()}"
                                       for s in sorted(specs, key=lambda s: s.time_s)]
    assert [(m.start_s, m.end_s) for m in saved] == [(0.5, 1.0), (1.0, 2.5)]


def test_bounce_and_check_workflow_renders_through_ardour(rig: Rig) -> None:
    from daw_bridge.workflows.bounce import bounce_and_check

    cfg = config(rig)
    rig.daw.set_mute("REF 2", True)
    result = bounce_and_check(rig.daw, cfg)
    audio, rate = sf.read(result.bounce)
    assert rate == RATE and audio.shape[1] == 2
    assert pyloudnorm.Meter(RATE).integrated_loudness(audio) > -40.0  # Ardour really rendered the mix
    assert result.report.exists() and "data:image/png" in result.report.read_text()
    assert len(result.reference_files) == 1 and result.reference_files[0].exists()
    rig.process.stop()
    saved = session.read_markers(rig.session_dir / "tpl.ardour")
    assert sorted(m.name for m in saved) == sorted(f"[daw-bridge] {m.name}" for m in result.markers)


def test_ab_loop_workflow_switches_strips_in_one_step(live_rig: Rig) -> None:
    rig = live_rig
    from daw_bridge.workflows.ab import ABLoop

    cfg = Config(backend="ardour", mix_track="MIX", reference_tracks=("REF 1", "REF 2"),
                 bridge_dir=rig.daw.bridge.bridge_dir, bounce_dir=rig.bounce_dir)
    ab = ABLoop(rig.daw, cfg)
    assert ab.select(2).current == "REF 2"
    assert {t.name: t.mute for t in rig.daw.tracks()} == {"MIX": True, "REF 1": True, "REF 2": False}
    assert ab.toggle().current == "mix"
    assert {t.name: t.mute for t in rig.daw.tracks()} == {"MIX": False, "REF 1": True, "REF 2": True}
    assert ab.toggle().current == "REF 2"  # back to the last reference, from the state stored with the session

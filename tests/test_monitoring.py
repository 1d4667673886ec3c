"""Monitoring state -> chain -> DAW; state persistence; the CLI; and proof that a render never hears it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from daw_bridge.cli import cli
from daw_bridge.daw import MonitorFx, ProjectInfo
from daw_bridge.dsp.ceiling import latency_frames
from daw_bridge.dsp.chain import make_chain
from daw_bridge.dsp.params import KINDS, PARAMS, jsfx_name, slider_value
from daw_bridge.errors import ConfigError, InvalidParameter, PresetError
from daw_bridge.monitoring import (
    DEFAULT_HEADROOM_DB,
    MonitoringState,
    apply_monitoring,
    chain,
    load_state,
    save_state,
    validate_state,
)

from .dsp.signals import stereo_pink


class FakeDaw:
    """Records set_monitor_chain calls; a 44.1 kHz project."""

    name = "fake"

    def __init__(self, sample_rate: int = 44100) -> None:
        self.chains: list[list[MonitorFx]] = []
        self.closed = False
        self.rate = sample_rate

    def project_info(self) -> ProjectInfo:
        return ProjectInfo(sample_rate=self.rate, length_s=10.0)

    def set_monitor_chain(self, fx: Sequence[MonitorFx]) -> None:
        self.chains.append(list(fx))

    def close(self) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def _tmp_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DAW_BRIDGE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_chain_has_every_kind_in_order_with_complete_params() -> None:
    state = MonitoringState(headphones="sony mdr-7506", crossfeed="cmoy", simulation="car")
    fx = chain(state, 48000)
    assert [f.kind for f in fx] == list(KINDS)
    assert [f.enabled for f in fx] == [True, True, True, False, False, True]  # the safety ceiling is on by default
    for f in fx:
        assert set(f.params) == {s.name for s in PARAMS[f.kind] if not s.meter}
    assert fx[0].params["band1_type"] == "lowshelf" and fx[1].params["feed_db"] == 6.0


def test_effects_switched_off_stay_on_the_daw_chain_as_pass_throughs() -> None:
    """Off is a neutral state reached by the effect's crossfade: REAPER's bypass (abrupt) is never used for it."""
    from daw_bridge.dsp.chain import make_processor
    from daw_bridge.monitoring import daw_enabled, live_effects

    audio = np.random.default_rng(1).standard_normal((4000, 2)) * 0.3
    fx = {f.kind: f for f in chain(MonitoringState(), 48000)}
    for kind in ("crossfeed", "simulation", "bandsolo"):
        assert not fx[kind].enabled and daw_enabled(fx[kind]), kind
        np.testing.assert_array_equal(make_processor(kind, fx[kind].params, 48000).process(audio), audio)
    assert fx["crossfeed"].params["on"] == "off" and fx["crossfeed"].params["feed_db"] == 4.5  # the default preset
    live = dict(live_effects(MonitoringState(crossfeed="jmeier"), 48000))
    assert live["crossfeed"] is not None and live["crossfeed"]["on"] == "on"
    off = dict(live_effects(MonitoringState(), 48000))
    assert all(off[k] is not None for k in ("correction", "crossfeed", "simulation", "bandsolo"))
    assert off["speakers"] is None  # virtual speakers still switch by REAPER's bypass


def test_off_state_keeps_only_the_constant_headroom() -> None:
    fx = chain(MonitoringState(), 48000)
    assert [f.enabled for f in fx] == [True, False, False, False, False, True]
    assert [f.enabled for f in chain(MonitoringState(ceiling_db=None), 48000)][-1] is False
    correction = fx[0].params
    assert correction["gain_db"] == -DEFAULT_HEADROOM_DB and correction["preamp_db"] == 0.0
    assert all(correction[f"band{i}_type"] == "off" for i in range(1, 21))


def test_every_shipped_preset_is_clip_free_and_level_steady_under_the_headroom() -> None:
    """Net gain at the largest boost <= 0 dB, and the compensation is not capped (switching keeps the level)."""
    from daw_bridge.dsp.biquad import design_chain, response_db
    from daw_bridge.dsp.correction import filters_from_params
    from daw_bridge.presets.catalog import all_presets

    freqs = np.geomspace(20.0, 20000.0, 400)
    for preset in all_presets():
        params = chain(MonitoringState(headphones=preset.name), 48000)[0].params
        eq = response_db(design_chain(filters_from_params(params), sample_rate=48000), freqs, sample_rate=48000)
        peak = float(np.max(eq)) + float(params["preamp_db"]) + float(params["gain_db"])
        assert peak <= 0.05, f"{preset.name}: {peak:+.2f} dB over full scale at its largest boost"
        uncapped = chain(MonitoringState(headphones=preset.name, headroom_db=24.0), 48000)[0].params
        assert float(uncapped["gain_db"]) + 24.0 == pytest.approx(float(params["gain_db"]) + DEFAULT_HEADROOM_DB)


def test_a_preset_needing_more_than_the_headroom_is_capped_clip_free() -> None:
    capped = chain(MonitoringState(headphones="Beyerdynamic DT 990 Pro", headroom_db=3.0), 48000)[0].params
    assert float(capped["gain_db"]) == pytest.approx(0.0)  # compensation limited to the 3 dB headroom


def test_apply_sends_the_chain_at_the_project_rate() -> None:
    daw = FakeDaw(sample_rate=96000)
    apply_monitoring(daw, MonitoringState(headphones="AKG K702", band="mid"))  # type: ignore[arg-type]
    (sent,) = daw.chains
    assert sent == chain(MonitoringState(headphones="AKG K702", band="mid"), 96000)


def test_state_round_trips_and_a_corrupt_file_names_itself(_tmp_data_dir: Path) -> None:
    state = MonitoringState(headphones="Focal Utopia", strength_pct=70.0, crossfeed="custom", crossfeed_cut_hz=900.0)
    path = save_state(state)
    assert load_state() == state
    path.write_text("[1, 2")
    with pytest.raises(ConfigError, match="monitoring.json"):
        load_state()


def test_validate_names_the_bad_choice() -> None:
    with pytest.raises(PresetError, match="Nope 1"):
        validate_state(MonitoringState(headphones="Nope 1"))
    with pytest.raises(InvalidParameter, match="strength"):
        validate_state(MonitoringState(strength_pct=150.0))
    with pytest.raises(InvalidParameter, match="band"):
        validate_state(MonitoringState(band="ultra"))


def test_cli_apply_next_off_persist_and_talk_to_the_daw(monkeypatch: pytest.MonkeyPatch) -> None:
    daws: list[FakeDaw] = []

    def fake_open(cfg: object) -> FakeDaw:
        daws.append(FakeDaw())
        return daws[-1]

    monkeypatch.setattr("daw_bridge.cli.monitor.open_daw", fake_open)
    runner = CliRunner()
    result = runner.invoke(cli, ["headphones", "apply", "sennheiser hd 600", "--strength", "80"])
    assert result.exit_code == 0, result.output
    assert load_state().headphones == "Sennheiser HD 600" and load_state().strength_pct == 80.0
    assert daws[-1].closed and daws[-1].chains[-1][0].enabled
    assert runner.invoke(cli, ["headphones", "next"]).exit_code == 0
    assert load_state().headphones == "Sennheiser HD 650"
    assert runner.invoke(cli, ["crossfeed", "jmeier"]).exit_code == 0
    assert runner.invoke(cli, ["headphones", "off"]).exit_code == 0
    assert load_state() == MonitoringState(strength_pct=80.0, crossfeed="jmeier")
    assert [f.enabled for f in daws[-1].chains[-1]] == [True, True, False, False, False, True]  # headroom only
    bad = runner.invoke(cli, ["band", "ultra"])
    assert bad.exit_code == 1 and "Error: InvalidParameter: unknown band 'ultra'" in bad.output


def test_cli_list_show_png_and_import(tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["headphones", "list"])
    assert listed.exit_code == 0 and "Focal Clear Mg" in listed.output
    png = tmp_path / "hd800s.png"
    shown = runner.invoke(cli, ["headphones", "show", "sennheiser hd 800 s", "--png", str(png)])
    assert shown.exit_code == 0 and "preamp" in shown.output and png.read_bytes()[:4] == b"\x89PNG"
    broken = tmp_path / "Broken ParametricEQ.txt"
    broken.write_text("Preamp: -1 dB\nFilter 1: ON PK Fc 100 Hz Gain 1 dB\n")
    result = runner.invoke(cli, ["headphones", "import", str(broken)])
    assert result.exit_code == 1 and f"{broken}:2: PK filter lacks 'Q" in result.output
    assert "Traceback" not in result.output


def test_process_runs_the_chain_blockwise_on_a_file(tmp_path: Path) -> None:
    audio = stereo_pink(48000 * 3, correlation=0.5) * 0.5
    src, dst = tmp_path / "in.wav", tmp_path / "out.wav"
    sf.write(src, audio, 48000, subtype="FLOAT")
    args = ["process", str(src), str(dst), "--headphones", "sennheiser hd 650", "--crossfeed", "default"]
    result = CliRunner().invoke(cli, [*args, "--simulate", "laptop"])
    assert result.exit_code == 0, result.output
    out, rate = sf.read(dst)
    state = MonitoringState(headphones="Sennheiser HD 650", crossfeed="default", simulation="laptop")
    expected = make_chain([(f.kind, f.params) for f in chain(state, 48000) if f.enabled], 48000).process(audio)
    assert rate == 48000 and out.shape == audio.shape
    delay = latency_frames(48000)  # OUT is aligned with IN: the safety ceiling's look-ahead is taken out
    np.testing.assert_allclose(out[:-delay], expected[delay:], atol=1e-6)


def test_emulator_render_is_untouched_by_monitoring_correction(tmp_path: Path) -> None:
    from daw_bridge.emulator.project import Fx, Project, Track
    from daw_bridge.emulator.render import render_monitor_preview, render_project

    audio = stereo_pink(48000 * 2, correlation=0.5, seed=4) * 0.3
    src = tmp_path / "mix.wav"
    sf.write(src, audio, 48000, subtype="FLOAT")
    project = Project(tracks=[Track("MIX", audio=src)], sample_rate=48000)
    dry = render_project(project, tmp_path / "dry.wav", bit_depth=32).files[0]
    state = MonitoringState(headphones="Sennheiser HD 650", crossfeed="default")
    fx = chain(state, 48000)
    project.monitor_fx = [
        Fx(jsfx_name(f.kind), f.enabled, {k: slider_value(f.kind, k, v) for k, v in f.params.items()}) for f in fx
    ]
    bounce = render_project(project, tmp_path / "bounce.wav", bit_depth=32).files[0]
    heard = render_monitor_preview(project, tmp_path / "heard.wav", bit_depth=32).files[0]
    assert np.array_equal(sf.read(bounce)[0], sf.read(dry)[0])
    expected = make_chain([(f.kind, f.params) for f in fx if f.enabled], 48000).process(sf.read(dry)[0])
    np.testing.assert_allclose(sf.read(heard)[0], expected, atol=1e-5)
    assert np.max(np.abs(sf.read(heard)[0] - sf.read(dry)[0])) > 0.01

"""The monitor section as the listener hears it: recorded from Ardour's monitor outputs, compared with our DSP.

No export reads the monitor section, so ``capture_monitor.lua`` records it: a track whose inputs are the monitor
section's outputs records a few seconds in real time (the Dummy backend). Each tone's level in that take, minus its
level in the master render, must equal what daw-bridge's own DSP (:mod:`daw_bridge.dsp.chain`, the emulator's and
``daw-bridge process``'s) does to that tone: the correction, crossfeed, simulation and band solo really run there.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from daw_bridge.ardour.process import ENV_FPU, free_udp_port, write_user_config
from daw_bridge.daw import MonitorFx, RenderRequest, TrackChange
from daw_bridge.dsp.chain import make_chain
from daw_bridge.monitoring import MonitoringState, chain
from daw_bridge.units import gain_to_db

from .conftest import RATE, TRACKS, Rig, requires_ardour

pytestmark = [pytest.mark.ardour, requires_ardour]
HERE = Path(__file__).parent
CAPTURE_S = 2.2


def tone_db(audio: np.ndarray, freq_hz: float, channel: int) -> float:
    """Level (dB re full-scale peak) of the sine at ``freq_hz`` over exactly one second (whole periods)."""
    x = audio[RATE: 2 * RATE, channel]
    return gain_to_db(2.0 * abs(np.fft.rfft(x)[round(freq_hz)]) / RATE)


def capture_monitor(rig: Rig, tmp_path: Path) -> np.ndarray:
    """Stop the bridge's Ardour and record CAPTURE_S seconds of the monitor section's output; (frames, 2)."""
    return record_monitor(rig, tmp_path, CAPTURE_S)[0]


def record_monitor(rig: Rig, tmp_path: Path, seconds: float, schedule: Path | None = None) -> tuple[np.ndarray, str]:
    """Stop the bridge's Ardour and record ``seconds`` of the monitor section's output, applying ``schedule``'s
    parameter changes on the way (see capture_monitor.lua); ``((frames, 2), the script's output)``."""
    rig.daw.close()
    rig.process.stop()
    config = tmp_path / "capture-config"
    write_user_config(config, osc_port=free_udp_port())
    env = {**os.environ, **ENV_FPU, "XDG_CONFIG_HOME": str(config)}
    extra = [str(schedule)] if schedule is not None else []
    done = subprocess.run(["ardour7-lua", str(HERE / "capture_monitor.lua"), str(rig.session_dir), "tpl",
                           str(seconds), *extra], env=env, check=True, capture_output=True, text=True, timeout=60)
    takes = sorted((rig.session_dir / "interchange").glob("*/audiofiles/*MONITOR CAPTURE*.wav"))
    assert len(takes) == 2, takes  # Ardour records a stereo track as one mono file per channel
    channels = [sf.read(t, always_2d=True)[0][:, 0] for t in takes]
    n = min(len(c) for c in channels)
    assert n >= 2 * RATE
    return np.stack([c[:n] for c in channels], axis=1), done.stdout


def expected_change_db(fx: list[MonitorFx], master: np.ndarray, freq_hz: float, channel: int) -> float:
    """What our own DSP does to the tone at ``freq_hz`` (dB): the chain run on the master render."""
    processed = make_chain([(f.kind, f.params) for f in fx if f.enabled], RATE).process(master)
    return tone_db(processed, freq_hz, channel) - tone_db(master, freq_hz, channel)


@pytest.mark.parametrize(("first", "state"), [  # the safety ceiling off: Ardour does not host it
    (MonitoringState(headphones="Sennheiser HD 600", crossfeed="cmoy", ceiling_db=None),
     MonitoringState(headphones="Sennheiser HD 650", crossfeed="default", ceiling_db=None)),
    (MonitoringState(simulation="laptop", band="bass", ceiling_db=None),
     MonitoringState(simulation="phone", band="mid", ceiling_db=None)),
], ids=["correction+crossfeed", "simulation+band"])
def test_monitor_section_output_is_our_dsp(rig: Rig, tmp_path: Path, first: MonitoringState,
                                           state: MonitoringState) -> None:
    rig.daw.apply([TrackChange(t, solo=False) for t in TRACKS])
    request = RenderRequest(directory=rig.bounce_dir, file_name="master.wav", bit_depth=32)
    master = sf.read(rig.daw.render(request).files[0], always_2d=True)[0]
    rig.daw.set_monitor_chain(chain(first, RATE))
    ids = [f["id"] for f in rig.daw.monitor_fx()]
    fx = chain(state, RATE)
    rig.daw.set_monitor_chain(fx)  # the same effects: updated in place (no processor removed or added)
    assert [f["id"] for f in rig.daw.monitor_fx()] == ids
    assert rig.daw.monitor_notes == []
    heard = capture_monitor(rig, tmp_path)
    checked = 0
    for freq, _ in TRACKS.values():
        for ch in (0, 1):
            want = expected_change_db(fx, master, freq, ch)
            got = tone_db(heard, freq, ch) - tone_db(master, freq, ch)
            if want > -80.0:
                assert got == pytest.approx(want, abs=0.1), (freq, ch)
                checked += 1
            else:  # a band solo's stop band: far down in the monitor section too
                assert got < -50.0, (freq, ch, got)
    assert checked >= 2



def test_effects_ardour_cannot_host_are_named_and_the_rest_applied(
        ardour_template: tuple[Path, dict[str, Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An Ardour without our Lua DSP scripts: the CLI applies what it can (trim via ACE) and names each effect it
    could not apply, per effect, instead of refusing the whole chain."""
    import shutil

    from click.testing import CliRunner

    from daw_bridge.ardour.daw import ArdourDaw
    from daw_bridge.ardour.process import ArdourProcess
    from daw_bridge.cli import cli
    from daw_bridge.config import Config, config_to_toml

    template, _ = ardour_template
    shutil.copytree(template, tmp_path / "tpl")
    monkeypatch.setenv("DAW_BRIDGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DAW_BRIDGE_GUIDANCE", "off")
    bounces = tmp_path / "bounces"
    bounces.mkdir()
    with ArdourProcess(tmp_path / "tpl", bridge_dir=tmp_path / "bridge", allowed_dirs=(bounces,),
                       monitor_effects=False) as ardour:
        cfg = Config(backend="ardour", ardour_port=ardour.osc_port, bridge_dir=tmp_path / "bridge",
                     bounce_dir=bounces, timeout_s=5.0)
        (tmp_path / "c.toml").write_text(config_to_toml(cfg))
        result = CliRunner().invoke(cli, ["--config", str(tmp_path / "c.toml"), "crossfeed", "default"])
        assert result.exit_code == 0, result.output
        for kind in ("correction", "crossfeed"):
            assert (f"Note: monitoring effect {kind}: Ardour has no processor 'daw-bridge {kind}'"
                    in result.output)
        notes = result.output.split("Note:", 1)[1]
        assert "simulation" not in notes and "bandsolo" not in notes  # switched off: changes nothing, no message
        daw = ArdourDaw.from_config(cfg)
        try:
            daw.connect()
            daw.set_monitor_chain([MonitorFx("trim", {"gain_db": -3.0}), MonitorFx("bandsolo", {"low_hz": 500.0})])
            assert [f["name"] for f in daw.monitor_fx()] == ["ACE Amplifier"]
            assert len(daw.monitor_notes) == 1 and "bandsolo" in daw.monitor_notes[0]
        finally:
            daw.close()

"""``daw-bridge speakers list/apply/off/install`` and ``process --speakers``: text and --json, clean errors."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner
from scipy import signal

from daw_bridge.cli import cli
from daw_bridge.daw import Daw, MonitorFx
from daw_bridge.dsp.params import SPEAKER_ROOMS
from daw_bridge.monitoring import DEFAULT_HEADROOM_DB, load_state
from daw_bridge.speakers.response import response
from daw_bridge.workflows.monitor_events import MonitoringEvents
from tests.speakers.support import delta_sofa, needs_kemar


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAW_BRIDGE_DATA_DIR", str(tmp_path / "data"))


def test_list_apply_off_round_trip() -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["speakers", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [r["name"] for r in rows] == list(SPEAKER_ROOMS) and not any(r["current"] for r in rows)
    applied = runner.invoke(cli, ["speakers", "apply", "Living Room", "--dry-run", "--json"])
    assert applied.exit_code == 0, applied.output
    payload = json.loads(applied.output)
    assert payload["state"]["speakers"] == "living-room"
    fx = {f["kind"]: f for f in payload["chain"]}
    assert fx["speakers"]["enabled"] and fx["speakers"]["params"]["room"] == "living-room"
    text = runner.invoke(cli, ["speakers", "list"]).output
    assert "* living-room" in text
    off = runner.invoke(cli, ["speakers", "off", "--dry-run", "--json"])
    assert off.exit_code == 0 and json.loads(off.output)["state"]["speakers"] is None


def test_an_unknown_room_is_a_clean_error() -> None:
    result = CliRunner().invoke(cli, ["speakers", "apply", "cathedral", "--dry-run"])
    assert result.exit_code == 1
    assert "unknown virtual room 'cathedral': choose one of direct, control-room" in result.output
    assert "Traceback" not in result.output


def test_process_with_speakers_is_aligned_and_uses_the_sofa_file(tmp_path: Path) -> None:
    """Offline listening: the output is the input convolved with the room's response, latency trimmed (and the
    monitoring path's constant headroom applied, as always)."""
    sofa = delta_sofa(tmp_path / "delta.sofa")
    x = np.random.default_rng(1).standard_normal((7000, 2)) * 0.1
    src, dst = tmp_path / "in.wav", tmp_path / "out.wav"
    sf.write(src, x, 48000, subtype="FLOAT")
    result = CliRunner().invoke(cli, ["process", str(src), str(dst), "--speakers", "car", "--sofa", str(sofa),
                                      "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    y, rate = sf.read(dst, always_2d=True)
    h = response("car", 48000, sofa=sofa).ir
    ref = np.sum([np.stack([signal.fftconvolve(x[:, i], h[:, i, o]) for o in range(2)], axis=1) for i in range(2)],
                 axis=0)  # fmt: skip
    assert rate == 48000 and y.shape == x.shape
    headroom = 10 ** (-DEFAULT_HEADROOM_DB / 20)
    np.testing.assert_allclose(y, headroom * ref[: x.shape[0]], atol=1e-5)  # float32 file


def test_install_writes_the_response_files(tmp_path: Path) -> None:
    sofa = delta_sofa(tmp_path / "delta.sofa", rate=44100)
    (tmp_path / "REAPER").mkdir()
    conf = tmp_path / "config.toml"
    conf.write_text(f'[paths]\nbridge_dir = "{tmp_path}/b"\nbounce_dir = "{tmp_path}/o"\n')
    result = CliRunner().invoke(cli, ["--config", str(conf), "speakers", "install", "--resource-path",
                                      str(tmp_path / "REAPER"), "--sofa", str(sofa), "--rate", "44100", "--json"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "REAPER" / "Data" / "daw-bridge" / "speakers"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"room{i}-44100.wav" for i in range(len(SPEAKER_ROOMS)))
    info = sf.info(str(folder / "room3-44100.wav"))
    assert (info.channels, info.samplerate, info.subtype) == (4, 44100, "FLOAT")
    assert (tmp_path / "REAPER" / "Effects" / "daw-bridge" / "daw-bridge_speakers.jsfx").is_file()
    # one installation: uninstall takes the responses away with the scripts
    gone = CliRunner().invoke(cli, ["--config", str(conf), "reaper", "uninstall", "--resource-path",
                                    str(tmp_path / "REAPER")])
    assert gone.exit_code == 0, gone.output
    assert not folder.exists() or not any(folder.iterdir())


@needs_kemar
def test_process_with_the_default_kemar_set(tmp_path: Path) -> None:
    x = np.zeros((4000, 2))
    x[100, 0] = 0.5
    src, dst = tmp_path / "in.wav", tmp_path / "out.wav"
    sf.write(src, x, 48000, subtype="FLOAT")
    result = CliRunner().invoke(cli, ["process", str(src), str(dst), "--speakers", "direct"])
    assert result.exit_code == 0, result.output
    assert "speakers" in result.output
    y, _ = sf.read(dst, always_2d=True)
    assert np.sum(y[:, 0] ** 2) > 2 * np.sum(y[:, 1] ** 2)  # a left speaker is louder at the left ear


class _FakeDaw:
    """Just what the monitoring events use: the project's rate and the monitoring chain it is sent."""

    def __init__(self) -> None:
        self.chains: list[list[MonitorFx]] = []

    def project_info(self) -> SimpleNamespace:
        return SimpleNamespace(sample_rate=48000)

    def set_monitor_chain(self, fx: list[MonitorFx]) -> None:
        self.chains.append(list(fx))


def test_the_next_virtual_room_shortcut_steps_through_the_rooms(tmp_path: Path) -> None:
    daw = _FakeDaw()
    events = MonitoringEvents(cast(Daw, daw), base=tmp_path / "state")
    said = [events.event_handlers()["speakers_next"]({}) for _ in range(len(SPEAKER_ROOMS) + 1)]
    assert said[0] == "virtual room: direct" and said[1] == "virtual room: control-room"
    assert said[-1] == "virtual room: direct"  # wraps around
    speakers = [next(f for f in chain_ if f.kind == "speakers") for chain_ in daw.chains]
    assert [s.params["room"] for s in speakers] == [*SPEAKER_ROOMS, "direct"] and all(s.enabled for s in speakers)
    assert load_state(tmp_path / "state").speakers == "direct"


def test_apply_says_what_is_on() -> None:
    result = CliRunner().invoke(cli, ["speakers", "apply", "car", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "virtual speakers: car" in result.output.splitlines()[0]

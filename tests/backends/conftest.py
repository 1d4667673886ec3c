"""One suite over both backends: every DAW command through the real CLI against the REAPER emulator (always) and a
real headless Ardour 7 (where ``ardour7-lua`` is installed).

Both hold the same session: tracks MIX, REF 1, REF 2 carrying sines at distinct frequencies, so a render's spectrum
says exactly which tracks were audible. A :class:`Backend` runs ``daw-bridge --config ... --daw ...`` in-process
(click's runner) and inspects the DAW through its own Daw object, plus the few things only that backend can show
(the emulator's project; Ardour's monitor section and loop through the bridge).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner, Result

from daw_bridge.backends import open_daw
from daw_bridge.cli import cli
from daw_bridge.config import Config, config_to_toml
from daw_bridge.daw import Daw, RenderRequest
from daw_bridge.dsp.params import is_pass_through, slider_descriptions
from daw_bridge.units import gain_to_db

RATE = 48000
DURATION_S = 4.0
#: track name -> (sine frequency Hz, peak amplitude); REF 2 is close enough to the mix for Ardour's +6 dB fader.
TRACKS: dict[str, tuple[float, float]] = {"MIX": (220.0, 0.25), "REF 1": (550.0, 0.5), "REF 2": (1375.0, 0.3)}
HAVE_ARDOUR = shutil.which("ardour7-lua") is not None


def tone(freq_hz: float, amplitude: float) -> np.ndarray:
    """Stereo sine, (frames, 2), with 10 ms fades."""
    t = np.arange(int(DURATION_S * RATE)) / RATE
    x = amplitude * np.sin(2 * np.pi * freq_hz * t) * np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    return np.stack([x, x], axis=1)


def tone_db(audio: np.ndarray, freq_hz: float) -> float:
    """Level (dB re full-scale peak) of the sine at ``freq_hz`` over one second in the steady middle."""
    x = audio[RATE: 2 * RATE, 0]
    return gain_to_db(2.0 * abs(np.fft.rfft(x)[round(freq_hz)]) / RATE)


@dataclass
class Backend:
    """A DAW serving the test session, and the CLI pointed at it."""

    name: str  # "emulator" or "ardour"
    daw_option: str  # the value of --daw
    config_path: Path
    config: Config
    bounce_dir: Path
    monitor_kinds: Callable[[], set[str]]  # our monitoring effects that are on
    loop: Callable[[], tuple[float, float] | None]
    add_user_marker: Callable[[str, float], None]
    extras: dict[str, Any] = field(default_factory=dict)

    def cli(self, *args: str, ok: bool = True) -> Result:
        """``daw-bridge --config CFG --daw DAW ARGS...``; with ``ok`` the command must succeed."""
        result = CliRunner().invoke(cli, ["--config", str(self.config_path), "--daw", self.daw_option, *args])
        assert "Traceback" not in result.output
        if ok:
            assert result.exit_code == 0, f"{args}: exit {result.exit_code}\n{result.output}"
        return result

    def daw(self) -> Daw:
        """A fresh connection (caller closes it), as another command would open it."""
        return open_daw(self.config)

    def render(self, name: str) -> np.ndarray:
        """A 32-bit render of the master, (frames, 2); the file name gets a unique prefix (the Ardour process,
        and so its bounce folder, serves a whole module)."""
        daw = self.daw()
        try:
            request = RenderRequest(directory=self.bounce_dir, file_name=f"{uuid.uuid4().hex[:8]}-{name}",
                                    bit_depth=32)
            result = daw.render(request)
        finally:
            daw.close()
        return np.asarray(sf.read(result.files[0], always_2d=True)[0])

    def audible(self, name: str) -> set[str]:
        """Which tracks' tones a render of the master holds (above -100 dBFS)."""
        audio = self.render(name)
        return {track for track, (freq, _) in TRACKS.items() if tone_db(audio, freq) > -100.0}


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write_config(path: Path, cfg: Config) -> Path:
    path.write_text(config_to_toml(cfg), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tones(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("backend-tones")
    out = {}
    for name, (freq, amp) in TRACKS.items():
        out[name] = folder / f"{name.replace(' ', '_')}.wav"
        sf.write(out[name], tone(freq, amp), RATE, subtype="FLOAT")
    return out


@pytest.fixture(scope="session")
def ardour_session_template(tmp_path_factory: pytest.TempPathFactory, tones: dict[str, Path]) -> Path:
    """A closed Ardour session with the three tracks and their audio (built once per run)."""
    from daw_bridge.ardour import session
    from daw_bridge.ardour.process import ENV_FPU, script

    root = tmp_path_factory.mktemp("backend-ardour")
    env = {**os.environ, **ENV_FPU, "XDG_CONFIG_HOME": str(root / "xdg")}
    spec = ";".join(f"{name}:2" for name in TRACKS)
    subprocess.run(["ardour7-lua", str(script("build_session.lua")), str(root / "tpl"), "tpl", str(RATE), spec],
                   env=env, check=True, capture_output=True, timeout=60)
    for name, wav in tones.items():
        session.inject_audio(root / "tpl", name, wav)
    return root / "tpl"


def _emulator(tmp_path: Path, tones: dict[str, Path]) -> Iterator[Backend]:
    from daw_bridge.emulator.core import Emulator
    from daw_bridge.emulator.project import Marker, Project, Track
    from daw_bridge.emulator.server import EmulatorServer

    bridge, bounces = tmp_path / "bridge", tmp_path / "bounces"
    bounces.mkdir()
    project = Project(tracks=[Track(name, audio=wav) for name, wav in tones.items()], sample_rate=RATE)
    emulator = Emulator(project, bridge_dir=bridge, bounce_dir=bounces)
    feedback = _free_udp_port()
    with EmulatorServer(emulator, listen_port=0, send_port=feedback) as server:
        cfg = Config(backend="reaper", send_port=server.listen_port, receive_port=feedback, bridge_dir=bridge,
                     bounce_dir=bounces, timeout_s=5.0)

        def kinds() -> set[str]:
            # on: enabled and not switched off by its parameters (how our effects are turned off, see
            # daw_bridge.dsp.params.NEUTRAL)
            return {fx.name.rsplit("/", 1)[-1] for fx in project.monitor_fx
                    if fx.enabled and not is_pass_through(fx.name.rsplit("/", 1)[-1], fx.params)}

        def loop() -> tuple[float, float] | None:
            if project.loop_start_s is None or project.loop_end_s is None:
                return None
            return (project.loop_start_s, project.loop_end_s)

        def add_marker(name: str, time_s: float) -> None:
            project.markers.append(Marker(number=len(project.markers) + 1, time_s=time_s, name=name))

        yield Backend("emulator", "reaper", _write_config(tmp_path / "config.toml", cfg), cfg, bounces,
                      kinds, loop, add_marker, {"project": project})


@dataclass
class ArdourServer:
    """One headless Ardour for a whole test module (starting one costs 2-7 s), reset before each test."""

    config: Config
    config_path: Path
    bounce_dir: Path
    session_dir: Path


@pytest.fixture(scope="module")
def ardour_server(tmp_path_factory: pytest.TempPathFactory, ardour_session_template: Path) -> Iterator[ArdourServer]:
    from daw_bridge.ardour.process import ArdourProcess

    root = tmp_path_factory.mktemp("backend-ardour-run")
    session_dir = root / "tpl"
    shutil.copytree(ardour_session_template, session_dir)
    bridge, bounces = root / "bridge", root / "bounces"
    bounces.mkdir()
    with ArdourProcess(session_dir, bridge_dir=bridge, allowed_dirs=(bounces,), log_path=root / "ardour.log") as ardour:
        cfg = Config(backend="ardour", ardour_port=ardour.osc_port, bridge_dir=bridge, bounce_dir=bounces,
                     timeout_s=5.0)
        yield ArdourServer(cfg, _write_config(root / "config.toml", cfg), bounces, session_dir)


def _reset_ardour(daw: Any) -> None:
    """Back to the template's state: faders at 0 dB, nothing muted or soloed, no monitoring effects of ours, no
    markers of ours, the references' regions where they were, no A/B state, transport stopped."""
    from daw_bridge.daw import TrackChange
    from daw_bridge.workflows.roles import AB_STATE_KEY

    daw.stop()
    daw.apply([TrackChange(name, volume_db=0.0, mute=False, solo=False) for name in TRACKS])
    daw.set_monitor_chain([])
    daw.clear_markers()
    for name in TRACKS:
        daw.align_reference(name, 0.0)
    daw.set_project_state(AB_STATE_KEY, "")


def _ardour(server: ArdourServer) -> Iterator[Backend]:
    from daw_bridge.ardour.daw import ArdourDaw
    from daw_bridge.osc.codec import Message

    cfg = server.config

    def with_daw(fn: Callable[[ArdourDaw], Any]) -> Any:
        daw = ArdourDaw.from_config(cfg)
        try:
            daw.connect()
            return fn(daw)
        finally:
            daw.close()

    def kinds() -> set[str]:
        # on: ours, enabled and not switched off by its parameters (the effects switched off stay in the monitor
        # section as pass-throughs, as in REAPER); the bridge reports our parameters by label
        fx = with_daw(lambda d: d.monitor_fx())
        on = set()
        for f in fx:
            kind = f["name"].removeprefix("daw-bridge ")
            if f["ours"] and f["enabled"]:
                names = {label: name for name, label in slider_descriptions(kind).items()}
                if not is_pass_through(kind, {names[label]: v for label, v in f["params"].items()}):
                    on.add(kind)
        return on

    def loop() -> tuple[float, float] | None:
        got = with_daw(lambda d: d.bridge.get_state(["loop"]).get("loop"))
        return None if not got else (float(got["start_s"]), float(got["end_s"]))

    def add_marker(name: str, time_s: float) -> None:
        def add(d: ArdourDaw) -> None:
            d.seek(time_s)
            d._send([Message("/add_marker", (name,))])  # Ardour's own OSC, as a user's surface would
            for _ in range(200):
                if any(m.name == name for m in d.markers()):
                    return
            raise AssertionError(f"Ardour did not add marker {name!r}")
        with_daw(add)

    with_daw(_reset_ardour)
    yield Backend("ardour", "ardour", server.config_path, cfg, server.bounce_dir, kinds, loop, add_marker,
                  {"session_dir": server.session_dir})


@pytest.fixture(params=["emulator", pytest.param("ardour", marks=pytest.mark.ardour)])
def backend(request: pytest.FixtureRequest, tmp_path: Path, tones: dict[str, Path],
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    """The session served by each DAW in turn; user data (monitoring state, blind scores) in tmp_path."""
    monkeypatch.setenv("DAW_BRIDGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("DAW_BRIDGE_GUIDANCE", "off")
    if request.param == "ardour":
        if not HAVE_ARDOUR:
            pytest.skip("ardour7-lua not installed (apt-get install --no-install-recommends ardour)")
        yield from _ardour(request.getfixturevalue("ardour_server"))
    else:
        yield from _emulator(tmp_path, tones)

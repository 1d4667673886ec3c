"""Fixtures for the real-Ardour tests: one session template per run, one Ardour process per test.

Tracks (all stereo, each with an ACE Amplifier as plugin 1) carry generated sines at distinct frequencies,
so a render's spectrum says exactly which tracks were audible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from daw_bridge.ardour import session
from daw_bridge.ardour.daw import ArdourDaw
from daw_bridge.ardour.process import ENV_FPU, ArdourProcess, script
from daw_bridge.daw import TrackChange

RATE = 48000
DURATION_S = 4.0
#: Length of the music session's material (s).
MUSIC_S = 4.0
#: track name -> (sine frequency Hz, peak amplitude)
TRACKS: dict[str, tuple[float, float]] = {"MIX": (220.0, 0.25), "REF 1": (550.0, 0.5), "REF 2": (1375.0, 0.1)}

HAVE_ARDOUR = shutil.which("ardour7-lua") is not None
requires_ardour = pytest.mark.skipif(
    not HAVE_ARDOUR, reason="ardour7-lua not installed (apt-get install --no-install-recommends ardour): "
    "real-Ardour tests skipped")


def tone(freq_hz: float, amplitude: float) -> np.ndarray:
    """Stereo sine, shape (frames, 2), with 10 ms fades."""
    t = np.arange(int(DURATION_S * RATE)) / RATE
    x = amplitude * np.sin(2 * np.pi * freq_hz * t)
    ramp = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    return np.stack([x * ramp, x * ramp], axis=1)


@dataclass
class Rig:
    """A running headless Ardour and a connected ArdourDaw."""

    daw: ArdourDaw
    process: ArdourProcess
    session_dir: Path
    bounce_dir: Path
    sources: dict[str, Path]


@pytest.fixture(scope="session")
def ardour_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """A closed session with the three tracks and their audio injected (built once per test run)."""
    if not HAVE_ARDOUR:
        pytest.skip("ardour7-lua not installed: real-Ardour tests skipped")
    root = tmp_path_factory.mktemp("ardour-template")
    spec = ";".join(f"{name}:2" for name in TRACKS)
    env = {**os.environ, **ENV_FPU, "XDG_CONFIG_HOME": str(root / "xdg")}
    subprocess.run(["ardour7-lua", str(script("build_session.lua")), str(root / "tpl"), "tpl", str(RATE), spec],
                   env=env, check=True, capture_output=True, timeout=60)
    sources = {}
    for name, (freq, amp) in TRACKS.items():
        wav = root / f"{name.replace(' ', '_')}.wav"
        sf.write(wav, tone(freq, amp), RATE, subtype="FLOAT")
        session.inject_audio(root / "tpl", name, wav)
        sources[name] = wav
    return root / "tpl", sources


def _serve(ardour_template: tuple[Path, dict[str, Path]], tmp_path: Path) -> Iterator[Rig]:
    template, sources = ardour_template
    session_dir = tmp_path / "tpl"
    shutil.copytree(template, session_dir)
    bridge_dir, bounce_dir = tmp_path / "bridge", tmp_path / "bounces"
    bounce_dir.mkdir()
    proc = ArdourProcess(session_dir, bridge_dir=bridge_dir, allowed_dirs=(bounce_dir,),
                         log_path=tmp_path / "ardour.log")
    proc.start()
    daw = ArdourDaw(port=proc.osc_port, bridge_dir=bridge_dir, bounce_dir=bounce_dir, timeout_s=5.0)
    try:
        daw.connect()
        yield Rig(daw, proc, session_dir, bounce_dir, sources)
    finally:
        daw.close()
        proc.stop()
    assert not proc.running


@pytest.fixture(scope="session")
def music_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """A closed session (snapshot ``tpl``) with one stereo track ``MUSIC`` carrying MUSIC_S seconds of dense,
    full-scale music-like material (:func:`tests.dsp.signals.dense_mix`, peak exactly 1.0)."""
    from tests.dsp.signals import dense_mix

    if not HAVE_ARDOUR:
        pytest.skip("ardour7-lua not installed: real-Ardour tests skipped")
    root = tmp_path_factory.mktemp("ardour-music")
    env = {**os.environ, **ENV_FPU, "XDG_CONFIG_HOME": str(root / "xdg")}
    subprocess.run(["ardour7-lua", str(script("build_session.lua")), str(root / "tpl"), "tpl", str(RATE), "MUSIC:2"],
                   env=env, check=True, capture_output=True, timeout=60)
    wav = root / "music.wav"
    sf.write(wav, dense_mix(int(MUSIC_S * RATE), RATE, seed=3), RATE, subtype="FLOAT")
    session.inject_audio(root / "tpl", "MUSIC", wav)
    return root / "tpl", {"MUSIC": wav}


@pytest.fixture
def music_rig(music_template: tuple[Path, dict[str, Path]], tmp_path: Path) -> Iterator[Rig]:
    """A copy of the music session served by its own Ardour (see :func:`rig`)."""
    yield from _serve(music_template, tmp_path)


@pytest.fixture
def rig(ardour_template: tuple[Path, dict[str, Path]], tmp_path: Path) -> Iterator[Rig]:
    """A copy of the template served by its own Ardour on its own free port; nothing left running after."""
    yield from _serve(ardour_template, tmp_path)


@pytest.fixture(scope="module")
def shared_rig(ardour_template: tuple[Path, dict[str, Path]],
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    """One Ardour for a module's tests that never stop it (starting one costs 2-7 s); see :func:`live_rig`."""
    yield from _serve(ardour_template, tmp_path_factory.mktemp("shared-rig"))


@pytest.fixture
def live_rig(shared_rig: Rig) -> Rig:
    """The module's Ardour, reset to the template: faders 0 dB, centred, nothing muted or soloed, every track's
    ACE Amplifier at 0 dB, no monitoring effects of ours, no markers of ours, no project state, stopped.
    Render file names must be unique within the module (the bounce folder is shared)."""
    daw = shared_rig.daw
    daw.stop()
    daw.apply([TrackChange(name, volume_db=0.0, pan=0.0, mute=False, solo=False) for name in TRACKS])
    for name in TRACKS:
        if daw.plugin_params(name, 1)[0].value != 0.0:
            daw.set_plugin_param(name, 1, "Gain", 0.0)
    daw.set_monitor_chain([])
    daw.clear_markers()
    daw.set_project_state("ab_state", "")
    return shared_rig

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

RATE = 48000
DURATION_S = 4.0
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


@pytest.fixture
def rig(ardour_template: tuple[Path, dict[str, Path]], tmp_path: Path) -> Iterator[Rig]:
    """A copy of the template served by its own Ardour on its own free port; nothing left running after."""
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

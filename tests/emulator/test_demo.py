"""The demo session: structure, determinism of the build, and a chorus that really is drier, narrower, duller."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf
from scipy.signal import butter, sosfilt

from daw_bridge.emulator.demo import CHORUS_S, DURATION_S, RATE, build_demo_project
from daw_bridge.emulator.project import Project
from daw_bridge.emulator.project_file import load_project
from daw_bridge.emulator.render import render_project


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    folder = tmp_path_factory.mktemp("demo")
    return build_demo_project(folder), folder


def test_structure(demo: tuple[Project, Path]) -> None:
    project, folder = demo
    names = [t.name for t in project.tracks]
    assert names == ["MIX", "drums", "bass", "keys", "vocal", "reverb", "REF 1", "REF 2"]
    mix = project.tracks[0]
    assert [t.name for t in project.children_of(mix)] == ["drums", "bass", "keys", "vocal", "reverb"]
    assert project.find_track("REF 1").mute and project.find_track("REF 2").mute  # type: ignore[union-attr]
    assert project.length_s() == pytest.approx(DURATION_S)
    assert {sf.info(str(t.audio)).samplerate for t in project.tracks if t.audio} == {RATE}
    again = load_project(folder / "demo.toml")
    assert [t.name for t in again.tracks] == names and again.loop_end_s == CHORUS_S[1]


def _chorus(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return x[int(CHORUS_S[0] * RATE): int(CHORUS_S[1] * RATE)]


def _side_to_mid(x: npt.NDArray[np.float64]) -> float:
    mid, side = (x[:, 0] + x[:, 1]) / 2, (x[:, 0] - x[:, 1]) / 2
    return float(np.sum(side**2) / np.sum(mid**2))


def _high_share(x: npt.NDArray[np.float64]) -> float:
    hp = sosfilt(butter(4, 5000, btype="highpass", fs=RATE, output="sos"), x.mean(axis=1))
    return float(np.sum(hp**2) / np.sum(x.mean(axis=1) ** 2))


def test_chorus_of_the_mix_is_narrower_and_duller_than_the_reference(demo: tuple[Project, Path],
                                                                       tmp_path: Path) -> None:
    project, _ = demo
    render_project(project, tmp_path / "mix.wav")
    mix, _ = sf.read(str(tmp_path / "mix.wav"))
    ref, _ = sf.read(str(project.find_track("REF 1").audio))  # type: ignore[union-attr]
    assert _side_to_mid(_chorus(mix)) < 0.25 * _side_to_mid(_chorus(ref))
    assert _high_share(_chorus(mix)) < 0.5 * _high_share(_chorus(ref))
    # ... and only in the chorus: the first verse matches the reference within 1.5 dB on both figures
    verse = slice(0, int(CHORUS_S[0] * RATE))
    assert abs(10 * np.log10(_side_to_mid(mix[verse]) / _side_to_mid(ref[verse]))) < 1.5
    assert abs(10 * np.log10(_high_share(mix[verse]) / _high_share(ref[verse]))) < 1.5
    assert np.max(np.abs(mix)) < 1.0  # the demo mix does not clip


@pytest.mark.slow
def test_build_is_deterministic(demo: tuple[Project, Path], tmp_path: Path) -> None:
    project, _ = demo
    second = build_demo_project(tmp_path)
    for a, b in zip(project.tracks, second.tracks, strict=True):
        if a.audio is not None:
            assert b.audio is not None
            assert a.audio.read_bytes() == b.audio.read_bytes()

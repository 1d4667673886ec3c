"""Mono files are measured as the dual-mono playback they get in a stereo session (issue 22): a mono file and its
stereo copy (the same signal on both channels) read the same loudness, and a mono mix is not called quieter than
stereo references of the same music."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from daw_bridge.analysis.compare import compare
from daw_bridge.analysis.engine import analyze_file
from daw_bridge.analysis.loudness import integrated_loudness, midrange_loudness
from tests.support.signals import music_like

RATE = 48000


@pytest.fixture(scope="module")
def mono_and_dual(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("mono")
    mono = music_like(12.0, RATE, seed=11, stereo=False)
    sf.write(folder / "mono.wav", mono, RATE, subtype="FLOAT")
    sf.write(folder / "dual.wav", np.repeat(mono, 2, axis=1), RATE, subtype="FLOAT")
    return folder / "mono.wav", folder / "dual.wav"


def test_mono_and_its_dual_mono_copy_measure_the_same(mono_and_dual: tuple[Path, Path]) -> None:
    mono, dual = (analyze_file(p) for p in mono_and_dual)
    assert mono.channels == 1 and dual.channels == 2
    for field in ("integrated_lufs", "short_term_max_lufs", "momentary_max_lufs", "lra_lu"):
        assert getattr(mono.loudness, field) == pytest.approx(getattr(dual.loudness, field), abs=0.01), field
    for a, b in zip(mono.sections, dual.sections, strict=True):
        assert a.loudness_lufs == pytest.approx(b.loudness_lufs, abs=0.01)
    audio, _ = sf.read(mono_and_dual[0], always_2d=True)
    stereo = np.repeat(audio, 2, axis=1)
    assert integrated_loudness(audio, RATE) == pytest.approx(integrated_loudness(stereo, RATE), abs=0.001)
    assert integrated_loudness(audio[:, 0], RATE) == pytest.approx(integrated_loudness(stereo, RATE), abs=0.001)
    assert midrange_loudness(audio, RATE) == pytest.approx(midrange_loudness(stereo, RATE), abs=0.001)


def test_a_mono_mix_is_not_called_quieter_than_stereo_references_of_the_same_music(
    mono_and_dual: tuple[Path, Path],
) -> None:
    mono, dual = (analyze_file(p) for p in mono_and_dual)
    result = compare(mono, [dual, dual])
    assert result.deviation.loudness_lu == pytest.approx(0.0, abs=0.01)
    assert not [f for f in result.findings if f.area == "level"]
    assert any("channel" in n for n in result.notes)  # the channel difference is still said

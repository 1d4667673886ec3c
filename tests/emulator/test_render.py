"""Real mixdown against hand-computed mixes: gain, pan law, mute/solo, folder bus, resampling, monitoring FX."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from daw_bridge.emulator.core import Emulator
from daw_bridge.emulator.project import Fx, Project, Send, Track, trim_fx
from daw_bridge.emulator.render import iter_mix, pan_gains, render_monitor_preview, render_project
from daw_bridge.errors import InvalidAudio, RenderError

from .util import RATE, sine, write_wav

Audio = npt.NDArray[np.float64]


def bounce(project: Project, path: Path, **kwargs: object) -> Audio:
    render_project(project, path, bit_depth=32, **kwargs)  # type: ignore[arg-type]
    data, rate = sf.read(str(path), always_2d=True)
    assert rate == (kwargs.get("sample_rate") or project.sample_rate)
    return data


def level_db(x: Audio) -> float:
    return 20 * math.log10(float(np.sqrt(np.mean(x**2))))


@pytest.fixture
def a_b(tmp_path: Path) -> tuple[Audio, Audio, Path, Path]:
    a, b = sine(440.0), sine(1000.0, amp=0.3)
    return a, b, write_wav(tmp_path / "a.wav", a), write_wav(tmp_path / "b.wav", b)


def test_volume_minus_6_db(tmp_path: Path, a_b: tuple[Audio, Audio, Path, Path]) -> None:
    a, _, pa, _ = a_b
    out = bounce(Project(tracks=[Track("a", audio=pa, volume_db=-6.0)]), tmp_path / "o.wav")
    assert level_db(out) - level_db(a) == pytest.approx(-6.0, abs=1e-4)
    half = bounce(Project(tracks=[Track("a", audio=pa, volume_db=20 * math.log10(0.5))]), tmp_path / "h.wav")
    np.testing.assert_allclose(half, 0.5 * a.astype(np.float32), atol=1e-6)  # -6.02 dB is exactly half


def test_pan_law_stereo_balance(tmp_path: Path, a_b: tuple[Audio, Audio, Path, Path]) -> None:
    a, _, pa, _ = a_b
    hard = bounce(Project(tracks=[Track("a", audio=pa, pan=1.0)]), tmp_path / "r.wav")
    np.testing.assert_allclose(hard[:, 0], 0.0, atol=1e-7)
    np.testing.assert_allclose(hard[:, 1], a[:, 1], atol=1e-6)  # 0 dB law: the near side is untouched
    half = bounce(Project(tracks=[Track("a", audio=pa, pan=-0.5)]), tmp_path / "l.wav")
    far = math.sqrt(2) * math.sin(math.pi / 8)  # sine taper at pan -0.5
    np.testing.assert_allclose(half[:, 1], far * a[:, 1], atol=1e-6)
    np.testing.assert_allclose(half[:, 0], a[:, 0], atol=1e-6)
    assert pan_gains(0.0) == pytest.approx((1.0, 1.0))


def test_mono_file_feeds_both_channels(tmp_path: Path) -> None:
    mono = sine(220.0, channels=1)
    path = write_wav(tmp_path / "m.wav", mono)
    out = bounce(Project(tracks=[Track("m", audio=path)]), tmp_path / "o.wav")
    np.testing.assert_allclose(out, np.repeat(mono, 2, axis=1), atol=1e-6)


def test_mute_and_solo(tmp_path: Path, a_b: tuple[Audio, Audio, Path, Path]) -> None:
    a, b, pa, pb = a_b
    both = [Track("a", audio=pa), Track("b", audio=pb)]
    np.testing.assert_allclose(bounce(Project(tracks=both), tmp_path / "1.wav"), a + b, atol=1e-6)
    both[0].mute = True
    np.testing.assert_allclose(bounce(Project(tracks=both), tmp_path / "2.wav"), b, atol=1e-6)
    both[0].mute, both[0].solo = False, True
    np.testing.assert_allclose(bounce(Project(tracks=both), tmp_path / "3.wav"), a, atol=1e-6)


def test_folder_bus_volume_fx_and_solo(tmp_path: Path, a_b: tuple[Audio, Audio, Path, Path]) -> None:
    a, b, pa, pb = a_b
    mix = Track("MIX", volume_db=-6.0, pan=1.0, fx=[trim_fx(-4.0)])
    kids = [Track("a", audio=pa, volume_db=-2.0, parent=mix.guid), Track("b", audio=pb, parent=mix.guid)]
    ref = Track("REF", audio=pb, volume_db=3.0)
    project = Project(tracks=[mix, *kids, ref])
    project.master.volume_db = -1.0
    g = lambda db: 10 ** (db / 20)  # noqa: E731
    bus = (a * g(-2.0) + b) * g(-4.0) * g(-6.0) * np.array([0.0, 1.0])
    expected = (bus + b * g(3.0)) * g(-1.0)
    np.testing.assert_allclose(bounce(project, tmp_path / "1.wav"), expected, atol=2e-6)
    kids[1].solo = True  # solo a child: its folder passes, its sibling and REF do not
    expected = b * g(-4.0) * g(-6.0) * np.array([0.0, 1.0]) * g(-1.0)
    np.testing.assert_allclose(bounce(project, tmp_path / "2.wav"), expected, atol=2e-6)
    mix.mute = True
    np.testing.assert_allclose(bounce(project, tmp_path / "3.wav"), 0.0, atol=1e-9)


def test_monitoring_fx_never_in_the_render(tmp_path: Path, a_b: tuple[Audio, Audio, Path, Path]) -> None:
    a, _, pa, _ = a_b
    project = Project(tracks=[Track("a", audio=pa)])
    project.monitor_fx = [trim_fx(-20.0)]
    np.testing.assert_allclose(bounce(project, tmp_path / "bounce.wav"), a, atol=1e-6)
    render_monitor_preview(project, tmp_path / "preview.wav", bit_depth=32)
    preview, _ = sf.read(str(tmp_path / "preview.wav"))
    np.testing.assert_allclose(preview, a * 0.1, atol=1e-6)
    emu = Emulator(project)
    emu.render(tmp_path / "emu.wav", bit_depth=32)
    np.testing.assert_allclose(sf.read(str(tmp_path / "emu.wav"))[0], a, atol=1e-6)


def test_item_offset_and_render_bounds(tmp_path: Path, a_b: tuple[Audio, Audio, Path, Path]) -> None:
    a, _, pa, _ = a_b
    project = Project(tracks=[Track("a", audio=pa, offset_s=0.25)])
    assert project.length_s() == pytest.approx(1.25)
    out = bounce(project, tmp_path / "o.wav")
    assert out.shape[0] == int(1.25 * RATE)
    np.testing.assert_allclose(out[: RATE // 4], 0.0, atol=1e-9)
    np.testing.assert_allclose(out[RATE // 4:], a, atol=1e-6)
    part = bounce(project, tmp_path / "p.wav", start_s=0.5, end_s=0.75)
    np.testing.assert_allclose(part, a[RATE // 4: RATE // 2], atol=1e-6)


def test_resampled_item_blockwise_equals_whole_file(tmp_path: Path) -> None:
    src = sine(997.0, rate=44100, seconds=0.7)
    path = write_wav(tmp_path / "s44.wav", src, rate=44100)
    project = Project(tracks=[Track("s", audio=path)])
    whole = resample_poly(src.astype(np.float32).astype(np.float64), 160, 147, axis=0)
    blocks = np.concatenate(list(iter_mix(project, block_frames=1000)))
    n = min(len(whole), len(blocks))
    assert abs(len(whole) - len(blocks)) <= 1
    np.testing.assert_allclose(blocks[:n], whole[:n], atol=1e-9)


def test_render_at_other_rate_and_mono(tmp_path: Path, a_b: tuple[Audio, Audio, Path, Path]) -> None:
    _, _, pa, _ = a_b
    project = Project(tracks=[Track("a", audio=pa)])
    out = bounce(project, tmp_path / "o.wav", sample_rate=44100, channels=1)
    assert out.shape == (44100, 1)


def test_refuses_to_overwrite_and_bad_settings(tmp_path: Path, a_b: tuple[Audio, Audio, Path, Path]) -> None:
    _, _, pa, _ = a_b
    project = Project(tracks=[Track("a", audio=pa)])
    existing = tmp_path / "x.wav"
    existing.write_bytes(b"keep")
    with pytest.raises(RenderError, match="already exists"):
        render_project(project, existing)
    assert existing.read_bytes() == b"keep"
    with pytest.raises(RenderError, match="bit_depth"):
        render_project(project, tmp_path / "y.wav", bit_depth=12)
    assert not list(tmp_path.glob("*.tmp.wav"))


def test_effects_the_emulator_cannot_run(tmp_path: Path, a_b: tuple[Audio, Audio, Path, Path],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    a, _, pa, _ = a_b
    track = Track("a", audio=pa, fx=[Fx("VST: Some Plugin")])
    with pytest.raises(RenderError, match="Some Plugin"):
        render_project(Project(tracks=[track]), tmp_path / "o.wav")
    track.fx[0].enabled = False  # bypassed: renders without it
    np.testing.assert_allclose(bounce(Project(tracks=[track]), tmp_path / "p.wav"), a, atol=1e-6)
    monkeypatch.setitem(sys.modules, "daw_bridge.dsp.chain", None)  # DSP chain not available
    track.fx = [Fx("JS: daw-bridge/crossfeed")]
    with pytest.raises(RenderError, match="dsp.chain"):
        render_project(Project(tracks=[track]), tmp_path / "q.wav")


def test_unreadable_audio_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF nonsense")
    with pytest.raises(InvalidAudio, match="bad.wav"):
        render_project(Project(tracks=[Track("x", audio=bad, offset_s=0.0)]), tmp_path / "o.wav", end_s=1.0)


def test_a_send_adds_the_source_post_fader_to_its_destination(tmp_path: Path) -> None:
    """REAPER's default send is post-fader: bus input = source output x send gain; both reach the master."""
    a = sine(440.0, amp=0.25)
    src = Track("src", audio=write_wav(tmp_path / "a.wav", a), volume_db=-6.0)
    bus = Track("bus", volume_db=0.0)
    src.sends = [Send(bus.guid, volume_db=-6.0)]
    out = bounce(Project(tracks=[src, bus]), tmp_path / "mix.wav")
    g = 10 ** (-6.0 / 20)
    np.testing.assert_allclose(out, a * g + a * g * g, atol=1e-6)


def test_a_muted_send_is_silent_and_a_soloed_source_keeps_its_destination(tmp_path: Path) -> None:
    a = sine(440.0, amp=0.25)
    src = Track("src", audio=write_wav(tmp_path / "a.wav", a), solo=True)
    bus = Track("bus")
    other = Track("other", audio=write_wav(tmp_path / "b.wav", sine(1000.0, amp=0.25)))
    src.sends = [Send(bus.guid)]
    project = Project(tracks=[src, bus, other])
    np.testing.assert_allclose(bounce(project, tmp_path / "solo.wav"), 2 * a, atol=1e-6)
    src.sends[0].mute = True
    np.testing.assert_allclose(bounce(project, tmp_path / "muted.wav"), a, atol=1e-6)


def test_a_send_loop_is_refused(tmp_path: Path) -> None:
    one, two = Track("one"), Track("two")
    one.sends, two.sends = [Send(two.guid)], [Send(one.guid)]
    with pytest.raises(RenderError, match="routing loop"):
        list(iter_mix(Project(tracks=[one, two]), end_s=0.1))

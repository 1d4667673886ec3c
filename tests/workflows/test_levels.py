"""Level matching on the emulator: after matching, each reference rendered through its track measures at the mix's
loudness within 0.1 LU (checked with pyloudnorm, independently of our own meter)."""

from __future__ import annotations

import json

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from daw_bridge.daw import RenderRequest
from daw_bridge.errors import InvalidParameter
from daw_bridge.workflows.embedded import EmbeddedSession
from daw_bridge.workflows.levels import match_levels, measure_level
from daw_bridge.workflows.renders import next_version_path, render_source
from daw_bridge.workflows.roles import find_roles, load_ab_state


def pyln(path) -> float:  # type: ignore[no-untyped-def]
    audio, rate = sf.read(str(path), always_2d=True)
    return float(pyloudnorm.Meter(rate).integrated_loudness(audio))


@pytest.mark.parametrize("mode", ["loudness", "midrange"])
def test_match_lands_within_a_tenth_of_a_lu(session: EmbeddedSession, mode: str) -> None:
    result = match_levels(session.daw, session.config, mode=mode)
    assert {r.name for r in result.references} == {"REF 1", "REF 2"}
    # the demo's references are normalized hotter than the mix: matching must turn them down
    assert all(r.change_db < -0.5 for r in result.references), result.references
    state = load_ab_state(session.daw, find_roles(session.daw, session.config))
    assert state.mode == mode and set(state.gains_db) == {"REF 1", "REF 2"}
    out = session.config.bounce_dir / "verify"
    mix = render_source(session.daw, state, "mix", out, "mix")
    mix_audio, rate = sf.read(str(mix.files[0]), always_2d=True)
    mix_level = measure_level(mix_audio, rate, mode)
    for ref in ("REF 1", "REF 2"):
        rendered = render_source(session.daw, state, ref, out, ref.replace(" ", ""))
        audio, rate = sf.read(str(rendered.files[0]), always_2d=True)
        assert measure_level(audio, rate, mode) == pytest.approx(mix_level, abs=0.1)
        if mode == "loudness":  # and an independent meter agrees
            assert pyln(rendered.files[0]) == pytest.approx(pyln(mix.files[0]), abs=0.1)


def test_match_keeps_the_mute_state(session: EmbeddedSession) -> None:
    before = {t.name: (t.mute, t.solo) for t in session.daw.tracks()}
    match_levels(session.daw, session.config)
    after = {t.name: (t.mute, t.solo) for t in session.daw.tracks()}
    assert after == before


def test_match_gains_are_stored_for_the_in_daw_toggle(session: EmbeddedSession) -> None:
    result = match_levels(session.daw, session.config)
    stored = json.loads(session.emulator.project.get_ext_state("daw_bridge", "ab_state") or "{}")
    for r in result.references:
        assert stored["gains_db"][r.name] == pytest.approx(r.volume_after_db)


def test_unknown_mode_refused(session: EmbeddedSession) -> None:
    with pytest.raises(InvalidParameter, match="choose loudness or midrange"):
        match_levels(session.daw, session.config, mode="rms")


def test_versioned_names_never_overwrite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = next_version_path(tmp_path, "mix")
    first.write_bytes(b"x")
    second = next_version_path(tmp_path, "mix")
    assert (first.name, second.name) == ("mix-001.wav", "mix-002.wav")
    (tmp_path / "mix-010.wav").write_bytes(b"x")
    assert next_version_path(tmp_path, "mix").name == "mix-011.wav"


def test_render_refuses_to_overwrite(session: EmbeddedSession) -> None:
    from daw_bridge.errors import DawBridgeError

    target = session.config.bounce_dir / "taken.wav"
    sf.write(str(target), np.zeros((10, 2)), 48000)
    with pytest.raises(DawBridgeError):
        session.daw.render(RenderRequest(directory=session.config.bounce_dir, file_name="taken.wav"))
    assert sf.info(str(target)).frames == 10


def test_printed_levels_add_up_to_the_gains_as_heard(session: EmbeddedSession) -> None:  # noqa: F811
    """The summary prints the as-heard levels the gains come from: mix - reference = the change, to 0.1 dB."""
    from click.testing import CliRunner

    from daw_bridge.cli.check import print_match
    from daw_bridge.daw import MonitorFx

    chain = [MonitorFx("bandsolo", {"low_hz": 300.0, "high_hz": 1000.0, "order": 12.0}, True)]
    result = match_levels(session.daw, session.config, monitor_chain=chain)
    assert result.as_heard and abs(result.mix_heard_level - result.mix_level) > 0.05  # the chain changes levels
    runner = CliRunner()
    with runner.isolation() as (out, _err, *_):
        print_match(result)
        text = out.getvalue().decode()
    assert f"Mix: {result.mix_heard_level:.1f} LUFS (render {result.mix_level:.1f} LUFS)" in text
    for r in result.references:
        assert r.change_db == pytest.approx(result.mix_heard_level - r.heard_level, abs=1e-9)
        assert f"{r.name}: {r.heard_level:.1f} LUFS (render {r.level:.1f} LUFS)" in text

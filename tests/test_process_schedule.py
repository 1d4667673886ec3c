"""``daw-bridge process --at SECONDS KEY=VALUE``: mid-stream changes rendered exactly as the live chain plays them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from daw_bridge.cli import cli
from daw_bridge.dsp.ceiling import latency_frames
from daw_bridge.dsp.switching import LiveChain
from daw_bridge.monitoring import MonitoringState, live_effects
from tests.dsp.signals import dense_mix

RATE = 48000


@pytest.fixture
def song(tmp_path: Path) -> Path:
    src = tmp_path / "in.wav"
    sf.write(src, dense_mix(RATE, RATE, seed=8) * 0.9, RATE, subtype="FLOAT")
    return src


def test_scheduled_changes_apply_at_their_frames_as_the_live_chain_does(song: Path, tmp_path: Path) -> None:
    dst = tmp_path / "out.wav"
    args = ["process", str(song), str(dst), "--headphones", "Sennheiser HD 650", "--band", "highs",
            "--at", "0.25", "band=sub", "--at", "0.5", "headphones=Beyerdynamic DT 990 Pro",
            "--at", "0.75", "crossfeed=jmeier", "--at", "0.9", "band=off"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "4 scheduled change(s)" in result.output
    out, rate = sf.read(dst)
    audio = sf.read(song)[0]
    assert rate == RATE and out.shape == audio.shape

    state = MonitoringState(headphones="Sennheiser HD 650", band="highs")
    steps: list[tuple[float, dict[str, str | None]]] = [
        (0.25, {"band": "sub"}), (0.5, {"headphones": "Beyerdynamic DT 990 Pro"}),
        (0.75, {"crossfeed": "jmeier"}), (0.9, {"band": None}),
    ]  # fmt: skip
    live = LiveChain(live_effects(state, RATE), RATE)
    expected, start = [], 0
    for time_s, change in steps:
        frame = round(time_s * RATE)
        expected.append(live.process(audio[start:frame]))
        state = state.with_changes(**change)
        live.apply(live_effects(state, RATE))
        start = frame
    expected.append(live.process(np.concatenate([audio[start:], np.zeros((latency_frames(RATE), 2))])))
    reference = np.concatenate(expected)[latency_frames(RATE) :]
    np.testing.assert_allclose(out, reference, rtol=0, atol=1e-6)  # float WAV
    assert np.max(np.abs(out)) <= 10 ** (-1 / 20) + 1e-6
    # before the first change it is the static chain, aligned with IN (the ceiling's delay taken out)
    cut = round(0.25 * RATE)
    steady = LiveChain(live_effects(MonitoringState(headphones="Sennheiser HD 650", band="highs"), RATE), RATE)
    np.testing.assert_allclose(out[: cut - 100], steady.process(audio)[latency_frames(RATE) : cut - 100 +
                                                                      latency_frames(RATE)], atol=1e-6)  # fmt: skip


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (["soon", "band=sub"], "time 'soon' is not a number of seconds"),
        (["-1", "band=sub"], "time must be >= 0"),
        (["0.2", "band"], "expected KEY=VALUE"),
        (["0.2", "volume=3"], "unknown key 'volume'"),
        (["0.2", "band=ultrasonic"], "ultrasonic"),
        (["0.2", "headphones=Nonexistent 9000"], "Nonexistent 9000"),
        (["0.2", "strength=loud"], "strength takes a number"),
        (["0.2", "ceiling=+6"], "ceiling 6 dBFS"),
        (["9", "band=sub"], "after the end of in.wav"),
    ],
)
def test_a_bad_schedule_entry_is_a_clear_error_and_nothing_is_written(
    song: Path, tmp_path: Path, entry: list[str], message: str
) -> None:
    dst = tmp_path / "out.wav"
    result = CliRunner().invoke(cli, ["process", str(song), str(dst), "--at", *entry])
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert not dst.exists()


def test_turning_the_ceiling_off_warns(song: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["process", str(song), str(tmp_path / "o.wav"), "--ceiling", "off"])
    assert result.exit_code == 0 and "safety ceiling is off" in result.output

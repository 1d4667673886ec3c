"""daw-bridge_speakers.jsfx, run in the EEL2 test interpreter, matches the Python convolution within 1e-6,
room change (crossfade) included; it reports its latency and passes audio through without a response file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from daw_bridge.dsp.params import SPEAKER_ROOMS
from daw_bridge.speakers.convolve import BLOCK_FRAMES, SpeakerConvolver, design
from daw_bridge.speakers.files import RESPONSE_DIR, response_file_name
from tests.support.eel2 import Jsfx
from tests.support.paths import REPO

JSFX = REPO / "daw_bridge" / "data" / "reaper" / "daw-bridge" / "daw-bridge_speakers.jsfx"
RATE = 48000


def _response(taps: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ir = rng.standard_normal((taps, 2, 2)) * np.exp(-np.arange(taps) / (taps / 4))[:, None, None] * 0.2
    return ir.astype(np.float32).astype(np.float64)  # what a float WAV holds


def _data_dir(tmp_path: Path, responses: dict[str, np.ndarray]) -> Path:
    """A REAPER Data folder holding ``responses`` (room name -> (taps, 2, 2)) as the installer names them."""
    data = tmp_path / "Data"
    folder = tmp_path / RESPONSE_DIR
    folder.mkdir(parents=True)
    for name, ir in responses.items():
        sf.write(folder / response_file_name(name, RATE), ir.reshape(-1, 4).astype(np.float32), RATE, subtype="FLOAT")
    return data


def _both(path: Path, data: Path, rooms: tuple[str, str], responses: tuple[np.ndarray, np.ndarray],
          x: np.ndarray, split: int) -> tuple[Jsfx, np.ndarray, np.ndarray]:  # fmt: skip
    """The JSFX at ``path`` and the Python convolver on ``x``, both switching room at frame ``split``."""
    fx = Jsfx(path, RATE, data_dir=data)
    fx.set_sliders({"room": SPEAKER_ROOMS.index(rooms[0])})
    first = fx.process(x[:split])
    fx.set_sliders({"room": SPEAKER_ROOMS.index(rooms[1])})
    ours = np.concatenate([first, fx.process(x[split:])])
    conv = SpeakerConvolver(design(responses[0]), sample_rate=RATE)
    head = conv.process(x[:split])
    conv.set_response(design(responses[1]))
    return fx, ours, np.concatenate([head, conv.process(x[split:])])


def test_jsfx_matches_python_through_a_room_change(tmp_path: Path) -> None:
    a, b = _response(1100, 1), _response(700, 2)  # 3 and 2 partitions
    data = _data_dir(tmp_path, {"control-room": a, "car": b})
    x = np.random.default_rng(3).standard_normal((6 * BLOCK_FRAMES, 2)) * 0.3
    split = 2 * BLOCK_FRAMES + 100  # the change is asked for mid-partition
    fx, ours, python = _both(JSFX, data, ("control-room", "car"), (a, b), x, split)
    conv = SpeakerConvolver(design(a), sample_rate=RATE)
    assert np.max(np.abs(python[BLOCK_FRAMES:])) > 0.05
    np.testing.assert_allclose(ours, python, rtol=0, atol=1e-6)
    assert fx.ns["v_pdc_delay"] == BLOCK_FRAMES == conv.latency_frames
    assert fx.ns["v_fading"] < 0 and fx.ns["v_loaded"] == SPEAKER_ROOMS.index("car")


def test_the_comparison_has_teeth(tmp_path: Path) -> None:
    """Without the crossfade (an abrupt switch) the JSFX no longer matches the Python convolver."""
    a, b = _response(600, 4), _response(600, 5)
    data = _data_dir(tmp_path, {"direct": a, "living-room": b})
    mutant = tmp_path / "mutant.jsfx"
    mutant.write_text(JSFX.read_text(encoding="utf-8").replace("FADE = max(1, floor(0.03 * srate + 0.5));",
                                                               "FADE = 1;"), encoding="utf-8")  # fmt: skip
    x = np.random.default_rng(6).standard_normal((4 * BLOCK_FRAMES, 2)) * 0.3
    _, ours, python = _both(mutant, data, ("direct", "living-room"), (a, b), x, BLOCK_FRAMES)
    assert np.max(np.abs(ours - python)) > 1e-2


def test_without_a_response_file_the_input_passes_delayed_by_the_latency(tmp_path: Path) -> None:
    data = _data_dir(tmp_path, {})
    x = np.random.default_rng(7).standard_normal((3 * BLOCK_FRAMES, 2))
    fx = Jsfx(JSFX, 44100, data_dir=data)
    out = fx.process(x)
    np.testing.assert_array_equal(out[:BLOCK_FRAMES], 0.0)
    np.testing.assert_allclose(out[BLOCK_FRAMES:], x[:-BLOCK_FRAMES], atol=0)


def test_the_jsfx_room_change_has_no_burst_and_no_click(tmp_path: Path) -> None:
    """A 120 Hz tone, one room then another (the second delayed and inverted: the worst case for a switch): in
    the JSFX itself the level never exceeds the rooms' steady peak and no sample steps out of the tone."""
    a = np.zeros((1500, 2, 2))
    a[0, 0, 0] = a[0, 1, 1] = 1.0
    b = np.zeros((1500, 2, 2))
    b[100, 0, 0] = b[100, 1, 1] = -0.8
    data = _data_dir(tmp_path, {"direct": a, "living-room": b})
    t = np.arange(12 * BLOCK_FRAMES) / RATE
    x = np.stack([np.sin(2 * np.pi * 120 * t)] * 2, axis=1) * 0.5
    at = 4 * BLOCK_FRAMES + 200
    _, y, _ = _both(JSFX, data, ("direct", "living-room"), (a, b), x, at)
    start = at + BLOCK_FRAMES - 200  # the fade starts at the next partition boundary, heard one partition later
    steady_a, change, steady_b = y[BLOCK_FRAMES + 200 : start], y[start : start + 1500], y[start + 1700 :]

    def clicks(v: np.ndarray) -> float:
        return float(np.max(np.abs(np.diff(v, n=2, axis=0))))

    assert np.max(np.abs(change)) <= max(np.max(np.abs(steady_a)), np.max(np.abs(steady_b))) * 1.001
    assert clicks(change) <= 1.2 * max(clicks(steady_a), clicks(steady_b))
    late = x[start + 1700 - BLOCK_FRAMES - 100 : -BLOCK_FRAMES - 100, 0]  # the new room: delayed, inverted
    assert np.max(np.abs(steady_b[:, 0] + 0.8 * late)) < 1e-6  # (0.8 as a float32 file holds it)

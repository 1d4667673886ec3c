"""Partitioned convolution: equals a direct convolution delayed by one partition, chunked equals whole, and a room
change is crossfaded without a burst or a click (an abrupt switch, the mutation, clicks)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from daw_bridge.errors import InvalidAudio, InvalidParameter
from daw_bridge.speakers import convolve
from daw_bridge.speakers.convolve import BLOCK_FRAMES, MAX_PARTITIONS, SpeakerConvolver, design

RATE = 48000


def _ir(taps: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((taps, 2, 2)) * np.exp(-np.arange(taps) / (taps / 5))[:, None, None]


def test_equals_direct_convolution_delayed_by_one_partition() -> None:
    h = _ir(5000, 1)
    x = np.random.default_rng(2).standard_normal((20000, 2))
    y = SpeakerConvolver(design(h)).process(x)
    ref = np.sum([np.stack([signal.fftconvolve(x[:, i], h[:, i, o]) for o in range(2)], axis=1) for i in range(2)],
                 axis=0)  # fmt: skip
    np.testing.assert_allclose(y[BLOCK_FRAMES:], ref[: x.shape[0] - BLOCK_FRAMES], atol=1e-10)
    np.testing.assert_array_equal(y[:BLOCK_FRAMES], 0.0)


def test_blockwise_equals_whole_for_any_block_sizes() -> None:
    d = design(_ir(3000, 3))
    x = np.random.default_rng(4).standard_normal((30000, 2))
    whole = SpeakerConvolver(d).process(x)
    conv = SpeakerConvolver(d)
    sizes, i = [1, 7, 511, 512, 513, 4096, 9000, 64], 0
    parts: list[np.ndarray] = []
    while i < x.shape[0]:
        n = sizes[len(parts) % len(sizes)]
        parts.append(conv.process(x[i : i + n]))
        i += n
    np.testing.assert_allclose(np.concatenate(parts), whole, atol=1e-10)


def _switch(x: np.ndarray, a: np.ndarray, b: np.ndarray, at: int) -> np.ndarray:
    conv = SpeakerConvolver(design(a), sample_rate=RATE)
    first = conv.process(x[:at])
    conv.set_response(design(b))
    return np.concatenate([first, conv.process(x[at:])])


def _clicks(y: np.ndarray) -> float:
    """Largest second difference: a step in the waveform shows up here, a smooth sine does not."""
    return float(np.max(np.abs(np.diff(y, n=2, axis=0))))


def test_a_room_change_has_no_burst_and_no_click(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 120 Hz tone through a room, then another: while the change crossfades, the level never exceeds what the
    two rooms give in steady state, and no sample steps out of the tone; with an abrupt switch it does."""
    t = np.arange(RATE) / RATE
    x = np.stack([np.sin(2 * np.pi * 120 * t)] * 2, axis=1) * 0.5
    a = np.zeros((2000, 2, 2))
    a[0, 0, 0] = a[0, 1, 1] = 1.0
    b = np.zeros((2000, 2, 2))
    b[100, 0, 0] = b[100, 1, 1] = -0.8  # another room: delayed and inverted, the worst case for a switch
    at = RATE // 2 + 37
    y = _switch(x, a, b, at)
    steady_a, steady_b = y[RATE // 4 : at], y[at + 4000 :]
    change = y[at : at + 4000]
    peak = max(np.max(np.abs(steady_a)), np.max(np.abs(steady_b)))
    assert np.max(np.abs(change)) <= peak * 1.001
    assert _clicks(change) <= 1.2 * max(_clicks(steady_a), _clicks(steady_b))
    monkeypatch.setattr(convolve, "CROSSFADE_MS", 0.0)  # the mutation: switch in one sample
    abrupt = _switch(x, a, b, at)[at : at + 4000]
    assert _clicks(abrupt) > 3 * max(_clicks(steady_a), _clicks(steady_b))


def test_a_change_during_a_fade_waits_for_it() -> None:
    a, b, c = _ir(600, 5), _ir(600, 6), _ir(600, 7)
    conv = SpeakerConvolver(design(a), sample_rate=RATE)
    x = np.random.default_rng(8).standard_normal((8 * BLOCK_FRAMES, 2))
    conv.process(x[:BLOCK_FRAMES])
    conv.set_response(design(b))
    conv.process(x[BLOCK_FRAMES : 2 * BLOCK_FRAMES])
    assert conv.fading
    conv.set_response(design(c))
    conv.process(x[2 * BLOCK_FRAMES :])
    assert not conv.fading


def test_bad_designs_and_blocks_are_refused() -> None:
    with pytest.raises(InvalidParameter, match="partitions"):
        design(np.zeros((MAX_PARTITIONS * BLOCK_FRAMES + 1, 2, 2)))
    with pytest.raises(InvalidParameter, match="power of two"):
        design(np.zeros((100, 2, 2)), block_frames=500)
    with pytest.raises(InvalidParameter, match="NaN"):
        design(np.full((100, 2, 2), np.nan))
    with pytest.raises(InvalidAudio, match="input channels"):
        SpeakerConvolver(design(np.zeros((100, 2, 2)))).process(np.zeros((10, 3)))
